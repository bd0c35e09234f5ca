import * as pulumi from '@pulumi/pulumi';
import * as orgpolicy from '@pulumi/gcp/orgpolicy';
import { GLOBAL_VERTEX_HOST } from './naming';

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
  /**
   * Where customer-managed keys may come from (Google's `gcp.restrictCmekCryptoKeyProjects`):
   * `under:projects/<project-id>`, `under:folders/<id>` or `under:organizations/<id>`. A resource
   * then cannot be encrypted with a key that someone outside these projects or folders controls.
   * @default - no policy: keys from any project are accepted
   */
  readonly cmekKeyProjects?: readonly string[];
  /**
   * Workspace or Cloud Identity customer IDs (e.g. `C0abc1234`; `gcloud organizations list`
   * shows it as DIRECTORY_CUSTOMER_ID) whose members may be granted IAM roles (domain restricted
   * sharing, `iam.allowedPolicyMemberDomains`). From then on, IAM grants to members outside
   * these customers (and the customers the parent's policy already admits, which are kept)
   * are refused; grants that already exist stay.
   * @default - no policy: members of any domain may be granted roles
   */
  readonly allowedMemberCustomerIds?: readonly string[];
  /**
   * Refuse requests to the global Vertex AI endpoint (`aiplatform.googleapis.com`, the
   * `locations/global` endpoint, which carries no data residency guarantee) with
   * `gcp.restrictEndpointUsage`. The regional `<region>-aiplatform.googleapis.com` endpoints stay
   * allowed.
   * @default true
   */
  readonly denyGlobalVertexEndpoint?: boolean;
  /**
   * Vertex AI Workbench instances in scope cannot download files from the JupyterLab UI, give
   * their users root, or have public IP addresses (`ainotebooks.disableFileDownloads`,
   * `ainotebooks.disableRootAccess`, `ainotebooks.restrictPublicIp`: the constraints Google's
   * GenAI foundation and cloud-foundation-fabric set for Vertex AI).
   * @default true
   */
  readonly workbenchHardening?: boolean;
  /**
   * Which constraints to set: `orgWide`, the ones a fleet sets once at its folder or organisation
   * (gcp.orgPolicyParent); `perProject`, the ones that must stay with each project
   * (`gcp.restrictCmekCryptoKeyProjects`, `iam.allowedPolicyMemberDomains`, see
   * `PER_PROJECT_CONSTRAINTS`), at `projects/<number>` only; or `all` of them.
   * @default 'all'
   */
  readonly subset?: OrgPolicySubset;
}

/** Which of the constraints an `OrgPolicies` sets. */
export type OrgPolicySubset = 'all' | 'orgWide' | 'perProject';

/** The constraint that refuses requests to global API endpoints. */
export const GLOBAL_ENDPOINT_CONSTRAINT = 'gcp.restrictEndpointUsage';

const ALWAYS_ON = ['gcp.resourceLocations', 'gcp.restrictNonCmekServices', 'iam.disableServiceAccountKeyCreation', 'gcp.restrictTLSVersion', 'vertexai.allowedModels'] as const;
const CMEK_KEY_PROJECTS = 'gcp.restrictCmekCryptoKeyProjects';
const MEMBER_DOMAINS = 'iam.allowedPolicyMemberDomains';
const WORKBENCH = ['ainotebooks.disableFileDownloads', 'ainotebooks.disableRootAccess', 'ainotebooks.restrictPublicIp'] as const;
/** A constraint `OrgPolicies` may set. */
export type OrgPolicyConstraint = (typeof ALWAYS_ON)[number] | typeof CMEK_KEY_PROJECTS | typeof MEMBER_DOMAINS | typeof GLOBAL_ENDPOINT_CONSTRAINT | (typeof WORKBENCH)[number];

/**
 * Constraints that stay with each project when a fleet sets the others at its folder or
 * organisation. `gcp.restrictCmekCryptoKeyProjects` names the project whose keys are allowed: at a
 * folder it would bind every other project there to this project's keys.
 * `iam.allowedPolicyMemberDomains` must come after the project's own grants to Google service
 * agents (which are outside the organisation's customer): set at the folder by the first stack,
 * it would be in force before later projects make those grants, and they could be refused.
 */
export const PER_PROJECT_CONSTRAINTS: readonly OrgPolicyConstraint[] = [CMEK_KEY_PROJECTS, MEMBER_DOMAINS];

/**
 * Boolean constraints `OrgPolicies` sets (enforced or not). Their policies are not merged along
 * the hierarchy: the policy lowest in it decides. The others are list constraints, whose
 * policies replace the parent's unless they inherit (`spec.inheritFromParent`), when their values
 * are merged with the parent's.
 */
export const BOOLEAN_CONSTRAINTS: readonly OrgPolicyConstraint[] = ['iam.disableServiceAccountKeyCreation', ...WORKBENCH];

/** The org-wide constraints a fleet's owner may set at its folder or organisation: every one but `PER_PROJECT_CONSTRAINTS`. */
export const ORG_WIDE_CONSTRAINTS: readonly OrgPolicyConstraint[] = [...ALWAYS_ON, GLOBAL_ENDPOINT_CONSTRAINT, ...WORKBENCH];

/** Whether a fleet sets `constraint` once at its folder or organisation (not in `PER_PROJECT_CONSTRAINTS`). */
export const isOrgWideConstraint = (constraint: string): boolean => !(PER_PROJECT_CONSTRAINTS as readonly string[]).includes(constraint);

/**
 * A fleet's organisation policies (gcp.orgPolicyParent) as one stack sees them: where the
 * org-wide constraints are set, by which stack, and whether that is this stack.
 */
export interface FleetOrgPolicies {
  /** `folders/<id>` or `organizations/<id>`. */
  readonly parent: string;
  readonly ownerStack: string;
  /** Whether the stack in question is `ownerStack`. */
  readonly owner: boolean;
}

/** gcp.orgPolicyParent as the stack named `stack` sees it; undefined when the organisation config has none. */
export function fleetOrgPolicies(orgPolicyParent: { readonly parent: string; readonly ownerStack: string } | undefined, stack: string): FleetOrgPolicies | undefined {
  return orgPolicyParent && { parent: orgPolicyParent.parent, ownerStack: orgPolicyParent.ownerStack, owner: stack === orgPolicyParent.ownerStack };
}

/** Who sets a fleet's org-wide policies, as outputs and evidence name them. */
export function fleetOrgPoliciesSetBy(fleet: FleetOrgPolicies): string {
  return fleet.owner ? 'this stack' : `stack ${fleet.ownerStack} (gcp.orgPolicyParent)`;
}

const PARENT = /^(projects|folders|organizations)\/\d+$/;

/**
 * Whether `OrgPolicies` keeps its policies at `parent` in Google Cloud when they leave the stack
 * (Pulumi's `retainOnDelete`): at a folder or the organisation, which guard other projects too.
 */
export const retainsOnDelete = (parent: string): boolean => !parent.startsWith('projects/');
const KEY_PROJECT = [/^under:(projects|folders|organizations)\/[a-z0-9-]+$/];
const CUSTOMER_ID = /^C[0-9a-z]{5,}$/;

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
 * The constraints `OrgPolicies` sets for these arguments, in the order it creates their
 * policies: the five it always sets, then the optional ones; only those of `subset`.
 */
export function orgPolicyConstraints(
  args: Pick<OrgPoliciesArgs, 'cmekKeyProjects' | 'allowedMemberCustomerIds' | 'denyGlobalVertexEndpoint' | 'workbenchHardening' | 'subset'>,
): OrgPolicyConstraint[] {
  const constraints: OrgPolicyConstraint[] = [...ALWAYS_ON];
  if (args.cmekKeyProjects?.length) constraints.push(CMEK_KEY_PROJECTS);
  if (args.allowedMemberCustomerIds?.length) constraints.push(MEMBER_DOMAINS);
  if (args.denyGlobalVertexEndpoint ?? true) constraints.push(GLOBAL_ENDPOINT_CONSTRAINT);
  if (args.workbenchHardening ?? true) constraints.push(...WORKBENCH);
  const subset = args.subset ?? 'all';
  return subset === 'all' ? constraints : constraints.filter((c) => isOrgWideConstraint(c) === (subset === 'orgWide'));
}

/**
 * Organisation policies (v2): resources only in the allowed regions (new resources; existing
 * ones are not moved), no Vertex AI resource without a customer-managed key, no service
 * account keys, no TLS below 1.2 to Google APIs, only the allowlisted Model Garden models, no
 * calls to the global Vertex AI endpoint, and hardened Vertex AI Workbench instances (no file
 * downloads, no root, no public IP). When given, also: customer-managed keys only from the
 * listed projects or folders, and IAM grants only to members of the listed Workspace / Cloud
 * Identity customers.
 *
 * List policies that allow values do not inherit from the parent (the allowlist here is the
 * whole truth; inheriting would union in the parent's values); list policies that deny values
 * inherit, so the parent's denials still apply.
 *
 * Policies at a folder or the organisation are retained on delete (`retainsOnDelete`): `pulumi
 * destroy`, or removing them from the program, leaves them in force. To hand them to another
 * stack, the old one runs `pulumi state delete <urn>` for each (they stay in Google Cloud) and the
 * new one runs `pulumi import gcp:orgpolicy/policy:Policy <name> <parent>/policies/<constraint>`
 * (creating them instead fails with ALREADY_EXISTS).
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
    const subset = args.subset ?? 'all';
    if (subset === 'perProject' && !args.parent.startsWith('projects/')) {
      throw new Error(`OrgPolicies ${name}: parent ${args.parent} must be projects/<number> for the perProject subset (${PER_PROJECT_CONSTRAINTS.join(', ')}), which stays with one project; set the orgWide subset at a folder or organisation`);
    }
    if (subset === 'orgWide' && (args.cmekKeyProjects?.length || args.allowedMemberCustomerIds?.length)) {
      throw new Error(
        `OrgPolicies ${name}: cmekKeyProjects and allowedMemberCustomerIds belong to the perProject subset (${PER_PROJECT_CONSTRAINTS.join(', ')}), so the orgWide subset would not set them; give them to an OrgPolicies with subset perProject at the project`,
      );
    }
    const keyProjects = args.cmekKeyProjects ?? [];
    for (const v of keyProjects) {
      if (!KEY_PROJECT.some((re) => re.test(v))) {
        throw new Error(`OrgPolicies ${name}: cmekKeyProjects value ${JSON.stringify(v)} must be under:projects/<project-id>, under:folders/<id> or under:organizations/<id>`);
      }
    }
    const customerIds = args.allowedMemberCustomerIds ?? [];
    for (const id of customerIds) {
      if (!CUSTOMER_ID.test(id)) {
        throw new Error(
          `OrgPolicies ${name}: allowedMemberCustomerIds value ${JSON.stringify(id)} must be a Workspace or Cloud Identity customer ID such as C0abc1234 (C followed by lowercase letters or digits); \`gcloud organizations list\` shows it as DIRECTORY_CUSTOMER_ID`,
        );
      }
    }

    const enforced = () => ({ rules: [{ enforce: 'TRUE' }] });
    const specs: Record<OrgPolicyConstraint, () => [suffix: string, spec: orgpolicy.PolicyArgs['spec']]> = {
      'gcp.resourceLocations': () => ['resource-locations', { inheritFromParent: false, rules: [{ values: { allowedValues: args.allowedRegions.map(locationValue) } }] }],
      'gcp.restrictNonCmekServices': () => ['cmek-vertex', { inheritFromParent: true, rules: [{ values: { deniedValues: ['aiplatform.googleapis.com'] } }] }],
      'iam.disableServiceAccountKeyCreation': () => ['no-sa-keys', enforced()],
      'gcp.restrictTLSVersion': () => ['tls', { inheritFromParent: true, rules: [{ values: { deniedValues: ['TLS_VERSION_1', 'TLS_VERSION_1_1'] } }] }],
      'vertexai.allowedModels': () => ['models', { inheritFromParent: false, rules: [{ values: { allowedValues: args.allowedModels.map(modelValue) } }] }],
      [CMEK_KEY_PROJECTS]: () => ['cmek-key-projects', { inheritFromParent: false, rules: [{ values: { allowedValues: [...keyProjects] } }] }],
      // Inherits: customers the organisation already admits (partners) stay admitted.
      [MEMBER_DOMAINS]: () => ['member-domains', { inheritFromParent: true, rules: [{ values: { allowedValues: [...customerIds] } }] }],
      [GLOBAL_ENDPOINT_CONSTRAINT]: () => ['no-global-vertex', { inheritFromParent: true, rules: [{ values: { deniedValues: [GLOBAL_VERTEX_HOST] } }] }],
      'ainotebooks.disableFileDownloads': () => ['workbench-no-downloads', enforced()],
      'ainotebooks.disableRootAccess': () => ['workbench-no-root', enforced()],
      'ainotebooks.restrictPublicIp': () => ['workbench-no-public-ip', enforced()],
    };

    // Policies at a folder or the organisation guard every project below, most of them other
    // stacks': destroying this stack (or moving the fleet's ownership elsewhere) must not delete
    // them. Pulumi forgets them instead; the next owner imports them. A project's own policies go
    // with the project's stack, as before.
    const retain = retainsOnDelete(args.parent) ? { retainOnDelete: true } : {};
    const names: Record<string, string> = {};
    for (const constraint of orgPolicyConstraints(args)) {
      const [suffix, spec] = specs[constraint]();
      names[constraint] = `${args.parent}/policies/${constraint}`;
      new orgpolicy.Policy(`${name}-${suffix}`, { parent: args.parent, name: names[constraint], spec }, { parent: this, ...retain });
    }

    this.policyNames = names;
    this.registerOutputs({ policyNames: names });
  }
}
