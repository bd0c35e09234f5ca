import * as pulumi from '@pulumi/pulumi';
import * as orgpolicy from '@pulumi/gcp/orgpolicy';

/** A Vertex AI Model Garden model callers may use. */
export interface AllowedModel {
  readonly publisher: string;
  readonly id: string;
}

/** Organisation policies that pin where data may be and how Vertex AI may be used. */
export interface OrgPoliciesArgs {
  /**
   * Where the policies apply: `projects/<number>`, `folders/<id>` or `organizations/<id>`.
   * A folder or organisation scope also binds every other project below it.
   */
  readonly parent: string;
  /** Regions resources may be created in. */
  readonly allowedRegions: readonly string[];
  /** Publisher models callers may use for prediction; every other Model Garden model is refused. */
  readonly allowedModels: readonly AllowedModel[];
}

const PARENT = /^(projects|folders|organizations)\/\d+$/;

/** Value group of a region in `gcp.resourceLocations`, e.g. `in:europe-west4-locations`. */
export function locationValue(region: string): string {
  return `in:${region}-locations`;
}

/**
 * A `vertexai.allowedModels` value. Values that contain a colon take the `is:` prefix, which is
 * also how the API returns them (so the plan does not drift).
 */
export function modelValue(model: AllowedModel): string {
  return `is:publishers/${model.publisher}/models/${model.id}:predict`;
}

/**
 * Organisation policies (v2): resources only in the allowed regions (new resources; existing
 * ones are not moved), no Vertex AI resource without a customer-managed key, no service
 * account keys, no TLS below 1.2 to Google APIs, and only the allowlisted Model Garden models.
 *
 * List policies that allow values do not inherit from the parent (the allowlist here is the
 * whole truth; inheriting would union in the parent's values); list policies that deny values
 * inherit, so the parent's denials still apply.
 */
export class OrgPolicies extends pulumi.ComponentResource {
  /** Policy names, keyed by constraint. */
  public readonly policyNames: Readonly<Record<string, string>>;

  constructor(name: string, args: OrgPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
    super('privateai:gcp:OrgPolicies', name, {}, opts);
    if (!PARENT.test(args.parent)) {
      throw new Error(`OrgPolicies ${name}: parent ${JSON.stringify(args.parent)} must be projects/<number>, folders/<id> or organizations/<id>`);
    }
    if (args.allowedRegions.length === 0) throw new Error(`OrgPolicies ${name}: allowedRegions must list at least one region`);
    if (args.allowedModels.length === 0) throw new Error(`OrgPolicies ${name}: allowedModels must list at least one model; an empty allowlist would refuse every model`);

    const names: Record<string, string> = {};
    const policy = (suffix: string, constraint: string, spec: orgpolicy.PolicyArgs['spec']) => {
      names[constraint] = `${args.parent}/policies/${constraint}`;
      return new orgpolicy.Policy(`${name}-${suffix}`, { parent: args.parent, name: names[constraint], spec }, { parent: this });
    };

    policy('resource-locations', 'gcp.resourceLocations', {
      inheritFromParent: false,
      rules: [{ values: { allowedValues: args.allowedRegions.map(locationValue) } }],
    });
    policy('cmek-vertex', 'gcp.restrictNonCmekServices', {
      inheritFromParent: true,
      rules: [{ values: { deniedValues: ['aiplatform.googleapis.com'] } }],
    });
    policy('no-sa-keys', 'iam.disableServiceAccountKeyCreation', { rules: [{ enforce: 'TRUE' }] });
    policy('tls', 'gcp.restrictTLSVersion', {
      inheritFromParent: true,
      rules: [{ values: { deniedValues: ['TLS_VERSION_1', 'TLS_VERSION_1_1'] } }],
    });
    policy('models', 'vertexai.allowedModels', {
      inheritFromParent: false,
      rules: [{ values: { allowedValues: args.allowedModels.map(modelValue) } }],
    });

    this.policyNames = names;
    this.registerOutputs({ policyNames: names });
  }
}
