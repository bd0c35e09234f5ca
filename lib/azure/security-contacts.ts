import * as monitor from '@pulumi/azure-native/monitor';
import * as pulumi from '@pulumi/pulumi';

/** Short name Azure shows in notifications (at most 12 characters). */
export const ACTION_GROUP_SHORT_NAME = 'privateai';

/** Who is told when an alert of the program fires. */
export interface SecurityContactsArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  /** Addresses that receive every alert (the organisation config's `securityContacts.emails`). */
  readonly emails: readonly string[];
  /** @default - no tags */
  readonly tags?: Record<string, string>;
}

/**
 * An Azure Monitor action group that e-mails the security contacts, with the common alert
 * schema so every alert type arrives in one shape. Action groups are global resources.
 */
export class SecurityContacts extends pulumi.ComponentResource {
  public readonly actionGroupId: pulumi.Output<string>;

  constructor(name: string, args: SecurityContactsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('privateai:azure:SecurityContacts', name, {}, opts);
    if (args.emails.length === 0) {
      throw new Error(`${name}: emails is empty; list at least one address in securityContacts.emails, or alerts reach nobody`);
    }
    const group = new monitor.ActionGroup(
      `${name}-action-group`,
      {
        resourceGroupName: args.resourceGroupName,
        location: 'global',
        groupShortName: ACTION_GROUP_SHORT_NAME,
        enabled: true,
        emailReceivers: args.emails.map((emailAddress, i) => ({ name: `security-contact-${i + 1}`, emailAddress, useCommonAlertSchema: true })),
        tags: args.tags,
      },
      { parent: this },
    );
    this.actionGroupId = group.id;
    this.registerOutputs({ actionGroupId: this.actionGroupId });
  }
}
