import * as authorization from '@pulumi/azure-native/authorization';
import * as management from '@pulumi/azure-native/management';
import * as pulumi from '@pulumi/pulumi';
import { GUID_PATTERN } from './naming';

/**
 * Microsoft's built-in Azure Policy definitions the blueprint assigns, so its controls hold for
 * every change at the scope, whether made by this program, the portal, the CLI or another tool.
 *
 * Each entry was checked against Microsoft's definition JSON in Azure/azure-policy (commit
 * f4a50bacae07ddb096943c597669bcae494a6e29, April 2026): GUID, display name, parameter names and
 * allowed effect values. `source` is the file under `built-in-policies/policyDefinitions/`.
 * Left out on purpose:
 * - "[Deprecated]: Cognitive Services accounts should disable public network access"
 *   (0725b4dd-7e76-479c-a735-68e7ee23d5ca, Cognitive Services/DisablePublicNetworkAccess_Audit.json):
 *   deprecated by Microsoft (its default effect is Disabled). `ai-network-acls` refuses public
 *   access to an account whose firewall admits every network; no current built-in refuses
 *   public access on its own, so the blueprint's Pulumi policy pack checks that for its account.
 * - "Configure Cognitive Services accounts to disable public network access" and the
 *   "Configure ... disable local authentication" definitions: Modify / DeployIfNotExists, which
 *   need a managed identity with write access at the scope; these assignments deny instead.
 */

/** Where a policy assignment is made. */
export type PolicyScopeKind = 'resourceGroup' | 'subscription' | 'managementGroup';

/** Effects the blueprint assigns (a subset of what the definitions allow). */
export type PolicyEffect = 'Deny' | 'Audit' | 'AuditIfNotExists';

/** One built-in definition and how the blueprint assigns it. */
export interface BuiltInPolicy {
  /** Short, stable key; the assignment is named `pai-<key>`, so renaming one replaces the assignment. */
  readonly key: string;
  /** GUID of the built-in definition (the same in every tenant). */
  readonly definitionId: string;
  /** Microsoft's display name of the definition, verbatim. */
  readonly displayName: string;
  /** Definition version verified; the assignment follows this major version only. */
  readonly version: string;
  /** The effect assigned, through the definition's `effect` parameter. */
  readonly effect: PolicyEffect;
  /** The values the definition's `effect` parameter allows, verbatim. */
  readonly allowedEffects: readonly string[];
  /**
   * The array parameter that takes the organisation's allowed locations.
   * @default - the definition takes no locations
   */
  readonly allowedLocationsParameter?: string;
  /**
   * Other parameter values, as the definition names them.
   * @default - the definition's defaults
   */
  readonly parameters?: Readonly<Record<string, unknown>>;
  /** Scope kinds where the assignment means something. */
  readonly scopes: readonly PolicyScopeKind[];
  /** Why it is assigned (the assignment's description). */
  readonly why: string;
  /** What to do when a resource is refused or reported (the non-compliance message). */
  readonly fix: string;
  /** File under built-in-policies/policyDefinitions/ in Azure/azure-policy it was verified in. */
  readonly source: string;
}

const ALL_SCOPES: readonly PolicyScopeKind[] = ['resourceGroup', 'subscription', 'managementGroup'];

/**
 * Microsoft's default `excludedKinds` of the CMK definition (67121cc7-...), verbatim, less
 * `AIServices`. The default exempts AIServices (Azure AI Foundry) accounts, the kind this
 * blueprint deploys by default, so left as it is the assignment would never look at them.
 * Kinds that store no customer data stay excluded, as Microsoft lists them.
 */
export const CMK_EXCLUDED_KINDS: readonly string[] = [
  'CognitiveServices',
  'ContentSafety',
  'ImmersiveReader',
  'HealthInsights',
  'LUIS.Authoring',
  'LUIS',
  'QnAMaker',
  'QnAMaker.V2',
  'MetricsAdvisor',
  'SpeechTranslation',
  'Internal.AllInOne',
  'ConversationalLanguageUnderstanding',
  'knowledge',
  'TranscriptionIntelligence',
  'HealthDecisionSupport',
];

/**
 * The built-in definitions assigned, keyed for the policy pack and evidence report. Deny where
 * Microsoft's definition offers it; otherwise the audit effect it offers.
 */
export const BUILT_IN_POLICIES = [
  {
    key: 'ai-local-auth',
    definitionId: '71ef260a-8f18-47b7-abcb-62d0673d94dc',
    displayName: 'Azure AI Services resources should have key access disabled (disable local authentication)',
    version: '1.1.0',
    effect: 'Deny',
    allowedEffects: ['Audit', 'Deny', 'Disabled'],
    scopes: ALL_SCOPES,
    why: 'Keys are shared secrets that bypass Entra ID, its conditional access and per-user audit; with local authentication disabled every call carries an identity.',
    fix: 'Set disableLocalAuth to true on the AI Services / Azure OpenAI account (or AI Search service) and call it with an Entra ID token.',
    // Also covers Microsoft.Search/searchServices.
    source: 'Azure Ai Services/DisableLocalAuth_Audit.json',
  },
  {
    key: 'ai-network-acls',
    definitionId: '037eea7a-bd0a-46c5-9a66-03aea78705d3',
    displayName: 'Azure AI Services resources should restrict network access',
    version: '3.3.0',
    effect: 'Deny',
    allowedEffects: ['Audit', 'Deny', 'Disabled'],
    scopes: ALL_SCOPES,
    why: 'Model endpoints must not be reachable from every network; only the private endpoint or explicitly allowed networks may reach them.',
    fix: 'Set publicNetworkAccess to Disabled (and reach the account through its private endpoint), or at least networkAcls.defaultAction to Deny.',
    // Refuses an account only when public network access is not Disabled AND the firewall's
    // default action is not Deny: an account that is public with an IP allow-list passes. The
    // blueprint's own account sets both; its Pulumi policy pack holds it to Disabled.
    source: 'Azure Ai Services/NetworkAcls_Audit.json',
  },
  {
    key: 'ai-cmk',
    definitionId: '67121cc7-ff39-4ab8-b7e3-95b84dab487d',
    displayName: 'Azure AI Services resources should encrypt data at rest with a customer-managed key (CMK)',
    version: '2.2.0',
    effect: 'Deny',
    allowedEffects: ['Audit', 'Deny', 'Disabled'],
    parameters: { excludedKinds: CMK_EXCLUDED_KINDS },
    scopes: ALL_SCOPES,
    why: 'Data the account stores (fine-tuning files, batch jobs, stored completions) must be encrypted with a key the organisation controls and can revoke.',
    fix: 'Create the account with encryption.keySource Microsoft.KeyVault and a user-assigned identity that holds Key Vault Crypto Service Encryption User on the key.',
    source: 'Cognitive Services/CustomerManagedKey_Audit.json',
  },
  {
    key: 'ai-diagnostic-logs',
    definitionId: '1b4d1c4e-934c-4703-944c-27c82c06bebb',
    displayName: 'Diagnostic logs in Azure AI services resources should be enabled',
    version: '1.0.0',
    effect: 'AuditIfNotExists',
    // No Deny: a diagnostic setting is a separate resource created after the account.
    allowedEffects: ['AuditIfNotExists', 'Disabled'],
    scopes: ALL_SCOPES,
    why: 'Without resource logs there is no record of who called which model, so an incident cannot be reconstructed.',
    fix: 'Add a diagnostic setting to the account that sends its logs (Audit, RequestResponse, AzureOpenAIRequestUsage, Trace) to the audit Log Analytics workspace.',
    source: 'Azure Ai Services/DiagnosticLogs_Audit.json',
  },
  {
    key: 'ai-private-link',
    definitionId: 'd6759c02-b87f-42b7-892e-71b3f471d782',
    displayName: 'Azure AI Services resources should use Azure Private Link',
    version: '1.0.0',
    // No Deny: an account exists before its private endpoint can be approved.
    effect: 'Audit',
    allowedEffects: ['Audit', 'Disabled'],
    scopes: ALL_SCOPES,
    why: 'Private access means callers reach the account through an approved private endpoint in their own network, not over the internet.',
    fix: 'Create a private endpoint (group id account) for the account in the workload virtual network and approve its connection.',
    source: 'Azure Ai Services/EnablePrivateEndpoints_Audit.json',
  },
  {
    key: 'allowed-locations',
    definitionId: 'e56962a6-4747-49cd-b67b-bf8b01975c4c',
    displayName: 'Allowed locations',
    version: '1.1.0',
    effect: 'Deny',
    allowedEffects: ['Audit', 'Deny', 'Disabled'],
    allowedLocationsParameter: 'listOfAllowedLocations',
    scopes: ALL_SCOPES,
    // The definition skips resource groups and resources in the 'global' location (private DNS zones).
    why: 'Data residency: resources, and the prompts and data they hold, stay in the locations the organisation allows.',
    fix: 'Deploy to one of the locations this assignment allows (its listOfAllowedLocations parameter), or ask the platform team to allow another location.',
    source: 'General/AllowedLocations_Deny.json',
  },
  {
    key: 'rg-locations',
    definitionId: 'e765b5de-1225-4ba3-bd56-1ac6695af988',
    displayName: 'Allowed locations for resource groups',
    version: '1.1.0',
    effect: 'Deny',
    allowedEffects: ['Audit', 'Deny', 'Disabled'],
    allowedLocationsParameter: 'listOfAllowedLocations',
    // A resource group cannot create resource groups: the assignment means something only above one.
    scopes: ['subscription', 'managementGroup'],
    why: 'Data residency: a resource group keeps the metadata of its resources in its own location, which "Allowed locations" does not check.',
    fix: 'Create the resource group in one of the locations this assignment allows (its listOfAllowedLocations parameter).',
    source: 'General/ResourceGroupAllowedLocations_Deny.json',
  },
  {
    key: 'kv-purge-protection',
    definitionId: '0b60c0b2-2dc2-4e1c-b5c9-abbed971de53',
    displayName: 'Key vaults should have deletion protection enabled',
    version: '2.1.0',
    effect: 'Deny',
    allowedEffects: ['Audit', 'Deny', 'Disabled'],
    scopes: ALL_SCOPES,
    why: 'Purging the vault that holds a customer-managed key makes the encrypted data unreadable for good; purge protection keeps a deleted vault recoverable.',
    fix: 'Create the vault with enableSoftDelete and enablePurgeProtection set to true (purge protection cannot be turned off once on).',
    source: 'Key Vault/Recoverable_Audit.json',
  },
  {
    key: 'kv-public-network',
    definitionId: '405c5871-3e91-4644-8a63-58e19d68ff5b',
    displayName: 'Azure Key Vault should disable public network access',
    version: '1.1.0',
    effect: 'Deny',
    allowedEffects: ['Audit', 'Deny', 'Disabled'],
    scopes: ALL_SCOPES,
    why: 'The vault holding encryption keys must be reachable only through its private endpoint and by trusted Azure services.',
    fix: 'Set publicNetworkAccess to Disabled on the vault and reach it through a private endpoint (group id vault).',
    source: 'Key Vault/PublicNetworkAccess_Audit.json',
  },
] as const satisfies readonly BuiltInPolicy[];

/** Key of an entry in `BUILT_IN_POLICIES`. */
export type BuiltInPolicyKey = BuiltInPolicyEntry['key'];

/** An entry of `BUILT_IN_POLICIES`, with its literal key. */
export type BuiltInPolicyEntry = (typeof BUILT_IN_POLICIES)[number];

/** Full ID of a built-in policy definition: tenant-independent, no subscription part. */
export function builtInPolicyDefinitionId(guid: string): string {
  if (!GUID_PATTERN.test(guid)) throw new Error(`policy definition ID ${guid} is not a GUID`);
  return `/providers/Microsoft.Authorization/policyDefinitions/${guid}`;
}

/**
 * The assignment's name: `pai-<key>`. Unique at its scope, the same at every scope, and within
 * the 24 characters a management-group scope allows.
 */
export function policyAssignmentName(key: string): string {
  return `pai-${key}`;
}

/** Longest assignment name Azure accepts at a management-group scope. */
export const MAX_ASSIGNMENT_NAME_LENGTH = 24;

/** The entries assigned at a scope of the given kind. */
export function policiesForScope(kind: PolicyScopeKind): readonly BuiltInPolicyEntry[] {
  return BUILT_IN_POLICIES.filter((p) => (p.scopes as readonly PolicyScopeKind[]).includes(kind));
}

/** The assignment's parameter values, named as the definition names them. */
export function assignmentParameters(policy: BuiltInPolicy, allowedLocations: readonly string[]): Record<string, { value: unknown }> {
  const parameters: Record<string, { value: unknown }> = { effect: { value: policy.effect } };
  for (const [name, value] of Object.entries(policy.parameters ?? {})) parameters[name] = { value };
  if (policy.allowedLocationsParameter) parameters[policy.allowedLocationsParameter] = { value: [...allowedLocations] };
  return parameters;
}

/** The resource ID of a management group, the scope its assignments are made at. */
export function managementGroupScope(id: string): string {
  return `/providers/Microsoft.Management/managementGroups/${id}`;
}

const SCOPE_PATTERNS: readonly { kind: PolicyScopeKind; pattern: RegExp }[] = [
  { kind: 'subscription', pattern: /^\/subscriptions\/([^/]+)$/i },
  { kind: 'resourceGroup', pattern: /^\/subscriptions\/([^/]+)\/resourceGroups\/[^/]+$/i },
  { kind: 'managementGroup', pattern: /^\/providers\/Microsoft\.Management\/managementGroups\/[^/]+$/i },
];

/**
 * The kind of a scope ID, or an error message: a resource group ID, `/subscriptions/<id>`, or
 * `/providers/Microsoft.Management/managementGroups/<id>`.
 */
export function policyScopeKind(scope: string): PolicyScopeKind | { error: string } {
  for (const { kind, pattern } of SCOPE_PATTERNS) {
    const match = pattern.exec(scope);
    if (!match) continue;
    if (kind !== 'managementGroup' && !GUID_PATTERN.test(match[1])) {
      return { error: `scope "${scope}" has subscription ID "${match[1]}", which is not a GUID` };
    }
    return kind;
  }
  return {
    error:
      `scope "${scope}" is not a resource group, subscription or management group ID; use /subscriptions/<id>/resourceGroups/<name>, ` +
      '/subscriptions/<id> or /providers/Microsoft.Management/managementGroups/<id>',
  };
}

/**
 * The kind of `scope`, checked against `expected` when given; throws an error naming the
 * component, the scope and the fix.
 */
export function checkPolicyScope(name: string, scope: string, expected?: PolicyScopeKind): PolicyScopeKind {
  const derived = policyScopeKind(scope);
  if (typeof derived !== 'string') throw new Error(`${name}: ${derived.error}`);
  if (expected !== undefined && expected !== derived) {
    throw new Error(`${name}: scopeKind ${expected} does not match scope "${scope}", which is a ${derived} ID; correct scopeKind or the scope`);
  }
  return derived;
}

/** The assignment mode for the organisation's `azure.policyEnforcement`. */
export function policyEnforcementMode(policyEnforcement: 'enforced' | 'auditOnly'): PolicyEnforcement {
  return policyEnforcement === 'enforced' ? 'Default' : 'DoNotEnforce';
}

/** What is wrong with the assignment of one built-in definition. */
export interface AssignmentJudgement {
  readonly policy: BuiltInPolicy;
  /** Index of its assignment in the list judged; undefined when it is not assigned (or inherited). */
  readonly index: number | undefined;
  /**
   * Set when another stack of the fleet assigns it at the management group above this stack
   * (azure.managementGroup): where, and by which stack.
   */
  readonly inherited?: { readonly scope: string; readonly ownerStack: string };
  /** Empty when it is assigned as it must be. */
  readonly problems: string[];
}

/**
 * A fleet's assignments at one management group (azure.managementGroup), as one stack sees them:
 * the scope, the stack that assigns there, and whether that is the stack judged.
 */
export interface FleetAssignments {
  /** `/providers/Microsoft.Management/managementGroups/<id>`. */
  readonly scope: string;
  readonly ownerStack: string;
  /** Whether the stack judged is `ownerStack`. */
  readonly owner: boolean;
}

/** A child in a management group's hierarchy, as Azure returns it (`$expand=children`). */
export interface ManagementGroupChild {
  readonly id?: string;
  readonly children?: readonly ManagementGroupChild[];
}

/**
 * Whether the subscription is anywhere below a management group, given the group's children as
 * read with `expand: children, recurse: true`. A subscription child's ID is `/subscriptions/<id>`.
 */
export function subscriptionIsBelow(children: readonly ManagementGroupChild[] | undefined, subscriptionId: string): boolean {
  const wanted = `/subscriptions/${subscriptionId}`.toLowerCase();
  return (children ?? []).some((c) => c.id?.toLowerCase() === wanted || subscriptionIsBelow(c.children, subscriptionId));
}

/**
 * The management group `groupId` as Azure reports it at deployment, checked to hold the
 * subscription (at any depth): the fleet's assignments there guard this stack only then. Fails
 * `pulumi preview` otherwise, naming the subscription, the group and the fix. The deployer needs
 * to read the group (Management Group Reader).
 */
export function checkSubscriptionBelow(groupId: string, subscriptionId: string, opts?: pulumi.InvokeOutputOptions): pulumi.Output<string> {
  return management.getManagementGroupOutput({ groupId, expand: 'children', recurse: true }, opts).apply((group) => assertSubscriptionBelow(group.children, groupId, subscriptionId));
}

/** The group's scope when the subscription is below it (`children` as read); throws naming the fix otherwise. */
export function assertSubscriptionBelow(children: readonly ManagementGroupChild[] | undefined, groupId: string, subscriptionId: string): string {
  if (!subscriptionIsBelow(children, subscriptionId)) {
    throw new Error(
      `subscription ${subscriptionId} is not below management group ${groupId} (azure.managementGroup), so the fleet's policy assignments there do not guard it; move the subscription under ${groupId} (az account management-group subscription add --name ${groupId} --subscription ${subscriptionId}), or deploy this stack to a subscription that is`,
    );
  }
  return managementGroupScope(groupId);
}

/** The fleet's assignments as the stack `stack` sees them; undefined without azure.managementGroup. */
export function fleetAssignments(managementGroup: { readonly id: string; readonly ownerStack: string } | undefined, stack: string): FleetAssignments | undefined {
  return managementGroup && { scope: managementGroupScope(managementGroup.id), ownerStack: managementGroup.ownerStack, owner: stack === managementGroup.ownerStack };
}

/**
 * Judges planned assignments (their inputs) against the table, for the policy pack and the
 * evidence report alike: every definition that applies at the widest scope assigned is present,
 * with its effect, the organisation's enforcement mode and, where it takes them, exactly the
 * allowed locations. A scope that is not a scope ID is a problem of its own.
 *
 * In a fleet (`fleet`), the owner stack's assignments must all be at the fleet's management
 * group; any other stack must assign none of its own, and each definition is judged inherited
 * from the owner (whose own plan proves it).
 */
export function judgeAssignments(
  assignments: readonly Readonly<Record<string, unknown>>[],
  allowedLocations: readonly string[],
  enforcement: PolicyEnforcement,
  fleet?: FleetAssignments,
): { readonly scopeProblems: { index: number; problem: string }[]; readonly judgements: AssignmentJudgement[] } {
  const shown = (v: unknown) => (v === undefined ? 'absent' : JSON.stringify(v));
  const scopeProblems: { index: number; problem: string }[] = [];
  const kinds = new Set<PolicyScopeKind>();
  assignments.forEach((a, index) => {
    const scope = String(a.scope ?? '');
    const kind = policyScopeKind(scope);
    if (typeof kind === 'string') kinds.add(kind);
    else scopeProblems.push({ index, problem: kind.error });
    if (fleet?.owner === false) {
      scopeProblems.push({ index, problem: `this stack assigns at ${scope}, but stack ${fleet.ownerStack} assigns the fleet's policies at ${fleet.scope} (azure.managementGroup); remove this stack's assignment` });
    } else if (fleet?.owner && typeof kind === 'string' && scope.toLowerCase() !== fleet.scope.toLowerCase()) {
      scopeProblems.push({ index, problem: `scope is ${scope}; as the owner of azure.managementGroup this stack assigns at ${fleet.scope}` });
    }
  });
  if (fleet?.owner === false) {
    const inherited = { scope: fleet.scope, ownerStack: fleet.ownerStack };
    return { scopeProblems, judgements: (policiesForScope('managementGroup') as readonly BuiltInPolicy[]).map((policy) => ({ policy, index: undefined, inherited, problems: [] })) };
  }
  const kind: PolicyScopeKind = kinds.has('managementGroup') ? 'managementGroup' : kinds.has('subscription') ? 'subscription' : 'resourceGroup';
  const allowed = allowedLocations.map((l) => l.toLowerCase()).sort();
  const judgements = (policiesForScope(kind) as readonly BuiltInPolicy[]).map((policy): AssignmentJudgement => {
    const index = assignments.findIndex((a) => a.policyDefinitionId === builtInPolicyDefinitionId(policy.definitionId));
    if (index < 0) return { policy, index: undefined, problems: [`no assignment of "${policy.displayName}" (${policy.definitionId}); assign it with effect ${policy.effect}`] };
    const found = assignments[index];
    const parameters = (found.parameters ?? {}) as Record<string, { value?: unknown } | undefined>;
    const problems: string[] = [];
    const effect = parameters.effect?.value;
    if (effect !== policy.effect) problems.push(`effect is ${shown(effect)}; "${policy.displayName}" must be assigned with ${policy.effect}`);
    if (found.enforcementMode !== enforcement) problems.push(`enforcementMode is ${shown(found.enforcementMode)}; the organisation asks for ${enforcement} (config: azure.policyEnforcement)`);
    if (policy.allowedLocationsParameter !== undefined) {
      const value = parameters[policy.allowedLocationsParameter]?.value;
      const listed = Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
      if (JSON.stringify(listed.map((l) => l.toLowerCase()).sort()) !== JSON.stringify(allowed)) {
        problems.push(`${policy.allowedLocationsParameter} is ${shown(listed)}; it must be the allowed locations ${allowedLocations.join(', ')} (config: azure.allowedLocations)`);
      }
    }
    return { policy, index, problems };
  });
  return { scopeProblems, judgements };
}

/** Azure location names as the organisation config writes them (westeurope, swedencentral). */
const LOCATION_PATTERN = /^[a-z][a-z0-9]*$/;

/** Enforcement modes offered: enforced, or evaluated and reported only. */
export type PolicyEnforcement = 'Default' | 'DoNotEnforce';

/** Where the guardrails are assigned and what they allow. */
export interface PolicyGuardrailsArgs {
  /**
   * Scope of the assignments: a resource group ID, `/subscriptions/<id>`, or
   * `/providers/Microsoft.Management/managementGroups/<id>`. A subscription or management group
   * also holds every other workload in it to these rules (Key Vault rules included).
   */
  readonly scope: pulumi.Input<string>;
  /**
   * The kind of `scope`. Required when `scope` is an output; when `scope` is a string it is
   * derived and, if given too, must agree.
   * @default - derived from `scope`
   */
  readonly scopeKind?: PolicyScopeKind;
  /** Azure locations resources may be created in (config: azure.allowedLocations). */
  readonly allowedLocations: readonly string[];
  /**
   * `Default` enforces the effects (Deny refuses the request). `DoNotEnforce` evaluates and
   * reports compliance without refusing anything: for a staged rollout, to see what the rules
   * would refuse before they do. Switch to `Default` once compliance shows no surprises.
   * @default 'Default'
   */
  readonly enforcement?: PolicyEnforcement;
}

/**
 * Assignments of Microsoft's built-in Azure Policy definitions (`BUILT_IN_POLICIES`) at a
 * resource group, subscription or management group: AI Services accounts without keys, without
 * open network access, with a customer-managed key, with diagnostic logs and Private Link;
 * resources only in allowed locations; Key Vaults with purge protection and no public access.
 * Azure evaluates them on every request, so they hold for changes made outside Pulumi too.
 *
 * No assignment needs a managed identity (no DeployIfNotExists or Modify effects). The deployer
 * needs `Microsoft.Authorization/policyAssignments/write` at the scope, e.g. the built-in role
 * "Resource Policy Contributor".
 */
export class PolicyGuardrails extends pulumi.ComponentResource {
  /** ID of each assignment made, by key. */
  public readonly assignmentIds: Readonly<Partial<Record<BuiltInPolicyKey, pulumi.Output<string>>>>;
  /** Keys of the entries of `BUILT_IN_POLICIES` assigned, in table order. */
  public readonly assignedKeys: readonly BuiltInPolicyKey[];
  public readonly scopeKind: PolicyScopeKind;

  constructor(name: string, args: PolicyGuardrailsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('privateai:azure:PolicyGuardrails', name, {}, opts);
    const enforcement = args.enforcement ?? 'Default';
    const scopeKind = resolveScopeKind(name, args.scope, args.scopeKind);
    if (args.allowedLocations.length === 0) {
      throw new Error(`${name}: allowedLocations is empty; list at least one Azure location such as westeurope (config: azure.allowedLocations), or every resource would be refused`);
    }
    const badLocations = args.allowedLocations.filter((l) => !LOCATION_PATTERN.test(l));
    if (badLocations.length > 0) {
      throw new Error(`${name}: allowedLocations ${badLocations.map((l) => `"${l}"`).join(', ')} are not Azure location names; use names such as westeurope or swedencentral (lowercase, no spaces)`);
    }
    if (enforcement !== 'Default' && enforcement !== 'DoNotEnforce') {
      throw new Error(`${name}: enforcement "${String(enforcement)}" is not Default or DoNotEnforce`);
    }

    // An output scope is checked against scopeKind once known, before any assignment uses it.
    const scope =
      typeof args.scope === 'string'
        ? args.scope
        : pulumi.output(args.scope).apply((s) => {
            checkPolicyScope(name, s, scopeKind);
            return s;
          });
    const assigned = policiesForScope(scopeKind);
    const ids: Partial<Record<BuiltInPolicyKey, pulumi.Output<string>>> = {};
    for (const policy of assigned) {
      const assignment = new authorization.PolicyAssignment(
        `${name}-${policy.key}`,
        {
          scope,
          policyAssignmentName: policyAssignmentName(policy.key),
          policyDefinitionId: builtInPolicyDefinitionId(policy.definitionId),
          // Microsoft may publish a new major version that refuses more, or less; it takes a
          // reviewed change to the table, not a silent upgrade.
          definitionVersion: `${policy.version.split('.')[0]}.*.*`,
          displayName: `Private AI: ${policy.displayName}`,
          description: policy.why,
          enforcementMode: enforcement,
          parameters: assignmentParameters(policy, args.allowedLocations),
          nonComplianceMessages: [{ message: policy.fix }],
        },
        // Above a subscription they guard others' workloads too: they stay when this stack is
        // destroyed or stops owning them (a new owner imports them).
        { parent: this, ...(scopeKind === 'managementGroup' ? { retainOnDelete: true } : {}) },
      );
      ids[policy.key] = assignment.id;
    }

    this.assignmentIds = ids;
    this.assignedKeys = assigned.map((p) => p.key);
    this.scopeKind = scopeKind;
    this.registerOutputs({ assignmentIds: this.assignmentIds, assignedKeys: this.assignedKeys, scopeKind: this.scopeKind });
  }
}

function resolveScopeKind(name: string, scope: pulumi.Input<string>, given: PolicyScopeKind | undefined): PolicyScopeKind {
  if (given !== undefined && !['resourceGroup', 'subscription', 'managementGroup'].includes(given)) {
    throw new Error(`${name}: scopeKind "${String(given)}" is not resourceGroup, subscription or managementGroup`);
  }
  if (typeof scope === 'string') return checkPolicyScope(name, scope, given);
  if (given === undefined) {
    throw new Error(`${name}: scopeKind is required when scope is an output, because which assignments apply depends on it; give resourceGroup, subscription or managementGroup`);
  }
  return given;
}
