import type { PlanAnswers } from '../pulumi/plan';
import { managementGroupScope } from './policy-assignments';

/** Invoke token of the read of a management group (with its children, recursively). */
export const GET_MANAGEMENT_GROUP = 'azure-native:management:getManagementGroup';

/**
 * What Azure answers to the provider calls the program makes, as the offline plan should show it
 * for a subscription that is where the settings say: a fleet stack reads its management group
 * (azure.managementGroup) with `expand: children, recurse: true`, and the plan answers that the
 * subscription is a direct child of it. The offline plan states this assumption (recorded in the
 * plan's calls); `pulumi preview` reads the real hierarchy and fails the stack when it is not so.
 */
export function azurePlanAnswers(subscriptionId: string): PlanAnswers {
  return {
    [GET_MANAGEMENT_GROUP]: (args) => ({
      id: managementGroupScope(String(args.groupId)),
      name: args.groupId,
      type: 'Microsoft.Management/managementGroups',
      children: [{ id: `/subscriptions/${subscriptionId}`, name: subscriptionId, type: '/subscriptions' }],
    }),
  };
}
