import * as pulumi from '@pulumi/pulumi';
import * as accesscontextmanager from '@pulumi/gcp/accesscontextmanager';
import { perimeterShortName } from './naming';

/** How the perimeter acts: `dryRun` logs what it would deny; `enforced` denies it. */
export type PerimeterMode = 'dryRun' | 'enforced';

/** Who may reach the restricted APIs from outside the perimeter, and which of them. */
export interface PerimeterIngressRule {
  /** Names the rule in the perimeter; unique within it. */
  readonly title: string;
  /**
   * Principals admitted: `serviceAccount:<email>`, `user:<email>` or `group:<email>`, e.g. the
   * deployer's service account.
   * @default - any identity, which then needs `accessLevels`
   */
  readonly identities?: readonly string[];
  /**
   * Full access level names (`accessPolicies/<id>/accessLevels/<name>`) the request must come
   * through, e.g. the corporate network.
   * @default - any network, which then needs `identities`
   */
  readonly accessLevels?: readonly string[];
  /**
   * Restricted services the rule admits to, every method of each.
   * @default - all of the perimeter's restricted services
   */
  readonly services?: readonly string[];
}

/** A VPC Service Controls perimeter around the project. */
export interface VpcServicePerimeterArgs {
  /** Numeric ID of the organisation's Access Context Manager policy. */
  readonly accessPolicyId: string;
  /** Project ID; names the perimeter. */
  readonly projectId: string;
  /** Project number; perimeters list projects by number. */
  readonly projectNumber: string;
  readonly mode: PerimeterMode;
  /**
   * APIs the perimeter restricts.
   * @default DEFAULT_RESTRICTED_SERVICES - Vertex AI and the services that hold this program's
   * keys, audit logs, data and screening. The deployer and the auditors reach them through
   * `ingressRules` or `accessLevels`, or from inside the perimeter
   */
  readonly restrictedServices?: readonly string[];
  /**
   * Access levels (`accessPolicies/<accessPolicyId>/accessLevels/<name>`, in this perimeter's
   * access policy) whose callers may reach every restricted API from outside the perimeter.
   * @default - none: only callers inside the perimeter's VPC networks, or admitted by `ingressRules`
   */
  readonly accessLevels?: readonly string[];
  /**
   * The Google APIs that may be called from the perimeter's VPC networks:
   * `RESTRICTED-SERVICES` (all of `restrictedServices`) and `<name>.googleapis.com` services.
   * @default ['RESTRICTED-SERVICES'] - only the restricted services
   */
  readonly vpcAccessibleServices?: readonly string[];
  /**
   * Ingress policies: who may reach which restricted services from outside the perimeter.
   * @default - none
   */
  readonly ingressRules?: readonly PerimeterIngressRule[];
}

/** Default restricted services: Vertex AI, Cloud KMS, Cloud Logging, Cloud Storage and Model Armor. */
export const DEFAULT_RESTRICTED_SERVICES: readonly string[] = ['aiplatform.googleapis.com', 'cloudkms.googleapis.com', 'logging.googleapis.com', 'storage.googleapis.com', 'modelarmor.googleapis.com'];

/** The `vpcAccessibleServices` value that stands for every restricted service. */
const RESTRICTED = 'RESTRICTED-SERVICES';
const SERVICE = /^[a-z][a-z0-9-]*\.googleapis\.com$/;
const IDENTITY = /^(serviceAccount|user|group):[^@\s]+@[^@\s]+$/;

/**
 * A regular service perimeter with the project inside and Vertex AI, Cloud KMS, Cloud Logging,
 * Cloud Storage and Model Armor restricted, so data cannot be moved out of the project through
 * them with stolen credentials, and the project's VPC networks can call only those APIs. In
 * `dryRun` mode only the explicit dry-run `spec` is set: violations are logged, nothing is
 * denied, and the enforced configuration stays empty; switching to `enforced` moves the same
 * configuration to `status`. A project can be in only one regular perimeter.
 */
export class VpcServicePerimeter extends pulumi.ComponentResource {
  /** `accessPolicies/<id>/servicePerimeters/<name>`. */
  public readonly perimeterName: string;

  constructor(name: string, args: VpcServicePerimeterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('privateai:gcp:VpcServicePerimeter', name, {}, opts);
    const fail = (message: string): never => {
      throw new Error(`VpcServicePerimeter ${name}: ${message}`);
    };
    if (!/^\d+$/.test(args.accessPolicyId)) fail(`accessPolicyId ${JSON.stringify(args.accessPolicyId)} must be the numeric ID of an access policy`);
    if (!/^\d+$/.test(args.projectNumber)) fail(`projectNumber ${JSON.stringify(args.projectNumber)} must be digits only`);
    if (args.mode !== 'dryRun' && args.mode !== 'enforced') fail(`mode ${JSON.stringify(args.mode)} must be dryRun or enforced`);
    const restrictedServices = [...(args.restrictedServices ?? DEFAULT_RESTRICTED_SERVICES)];
    if (restrictedServices.length === 0) fail('restrictedServices must list at least one API');

    const parent = `accessPolicies/${args.accessPolicyId}`;
    const accessLevel = new RegExp(`^${parent}/accessLevels/[A-Za-z][A-Za-z0-9_]{0,49}$`);
    const checkAccessLevels = (field: string, levels: readonly string[]) => {
      for (const level of levels) {
        if (!accessLevel.test(level)) fail(`${field} value ${JSON.stringify(level)} must be ${parent}/accessLevels/<name> (an access level in this perimeter's access policy)`);
      }
    };
    const accessLevels = args.accessLevels ?? [];
    checkAccessLevels('accessLevels', accessLevels);

    const vpcAccessible = args.vpcAccessibleServices ?? [RESTRICTED];
    if (vpcAccessible.length === 0) fail(`vpcAccessibleServices must list at least one service (${RESTRICTED} for the restricted ones); an empty list would let the VPC networks call no Google API`);
    for (const s of vpcAccessible) {
      if (s !== RESTRICTED && !SERVICE.test(s)) fail(`vpcAccessibleServices value ${JSON.stringify(s)} must be ${RESTRICTED} or a service name such as storage.googleapis.com`);
    }

    const titles = new Set<string>();
    const ingressPolicies = (args.ingressRules ?? []).map((rule) => {
      const field = `ingressRules[${JSON.stringify(rule.title)}]`;
      if (rule.title.trim() === '') fail('ingressRules: every rule needs a title');
      if (titles.has(rule.title)) fail(`${field}: titles must be unique within the perimeter`);
      titles.add(rule.title);
      const identities = rule.identities ?? [];
      const levels = rule.accessLevels ?? [];
      if (identities.length === 0 && levels.length === 0) fail(`${field} must list identities, accessLevels or both; a rule with neither would admit anyone from anywhere`);
      for (const identity of identities) {
        if (!IDENTITY.test(identity)) fail(`${field}.identities value ${JSON.stringify(identity)} must be serviceAccount:<email>, user:<email> or group:<email>`);
      }
      checkAccessLevels(`${field}.accessLevels`, levels);
      const services = rule.services ?? restrictedServices;
      if (services.length === 0) fail(`${field}.services must list at least one restricted service, or be left out for all of them`);
      for (const s of services) {
        if (!restrictedServices.includes(s)) {
          fail(`${field}.services value ${JSON.stringify(s)} is not restricted by the perimeter (restrictedServices: ${restrictedServices.join(', ')}); ingress to an unrestricted service needs no rule`);
        }
      }
      return {
        title: rule.title,
        ingressFrom: {
          ...(identities.length > 0 ? { identities: [...identities] } : { identityType: 'ANY_IDENTITY' }),
          // A request must match sources and identities both; '*' is Google's "from any network",
          // for a rule that admits its identities wherever they call from.
          sources: levels.length > 0 ? levels.map((level) => ({ accessLevel: level })) : [{ accessLevel: '*' }],
        },
        ingressTo: {
          resources: ['*'],
          operations: services.map((serviceName) => ({ serviceName, methodSelectors: [{ method: '*' }] })),
        },
      };
    });

    this.perimeterName = `${parent}/servicePerimeters/${perimeterShortName(args.projectId)}`;
    const config = {
      resources: [`projects/${args.projectNumber}`],
      restrictedServices,
      ...(accessLevels.length > 0 ? { accessLevels: [...accessLevels] } : {}),
      vpcAccessibleServices: { enableRestriction: true, allowedServices: [...vpcAccessible] },
      ...(ingressPolicies.length > 0 ? { ingressPolicies } : {}),
    };
    new accesscontextmanager.ServicePerimeter(
      `${name}-perimeter`,
      {
        parent,
        name: this.perimeterName,
        title: `Private AI ${args.projectId}`,
        description: `Vertex AI in project ${args.projectId} (${args.mode})`,
        perimeterType: 'PERIMETER_TYPE_REGULAR',
        useExplicitDryRunSpec: args.mode === 'dryRun',
        ...(args.mode === 'dryRun' ? { spec: config } : { status: config }),
      },
      { parent: this },
    );
    this.registerOutputs({ perimeterName: this.perimeterName, mode: args.mode });
  }
}
