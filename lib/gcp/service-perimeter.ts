import * as pulumi from '@pulumi/pulumi';
import * as accesscontextmanager from '@pulumi/gcp/accesscontextmanager';
import { perimeterShortName } from './naming';

/** How the perimeter acts: `dryRun` logs what it would deny; `enforced` denies it. */
export type PerimeterMode = 'dryRun' | 'enforced';

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
   * @default ['aiplatform.googleapis.com'] - restricting Cloud KMS or Cloud Logging as well
   * would also block the deployer and the auditors unless they work from inside the perimeter
   */
  readonly restrictedServices?: readonly string[];
  /**
   * Access levels (`accessPolicies/<id>/accessLevels/<name>`) whose callers may reach the
   * restricted APIs from outside the perimeter.
   * @default - none: only callers inside the perimeter's VPC networks
   */
  readonly accessLevels?: readonly string[];
}

/** Default restricted services. */
export const DEFAULT_RESTRICTED_SERVICES: readonly string[] = ['aiplatform.googleapis.com'];

/**
 * A regular service perimeter with the project inside and Vertex AI restricted, so data cannot
 * be moved out of the project through Vertex AI with stolen credentials. In `dryRun` mode only
 * the explicit dry-run `spec` is set: violations are logged, nothing is denied, and the
 * enforced configuration stays empty; switching to `enforced` moves the same configuration to
 * `status`. A project can be in only one regular perimeter.
 */
export class VpcServicePerimeter extends pulumi.ComponentResource {
  /** `accessPolicies/<id>/servicePerimeters/<name>`. */
  public readonly perimeterName: string;

  constructor(name: string, args: VpcServicePerimeterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('privateai:gcp:VpcServicePerimeter', name, {}, opts);
    if (!/^\d+$/.test(args.accessPolicyId)) throw new Error(`VpcServicePerimeter ${name}: accessPolicyId ${JSON.stringify(args.accessPolicyId)} must be the numeric ID of an access policy`);
    if (!/^\d+$/.test(args.projectNumber)) throw new Error(`VpcServicePerimeter ${name}: projectNumber ${JSON.stringify(args.projectNumber)} must be digits only`);
    if (args.mode !== 'dryRun' && args.mode !== 'enforced') throw new Error(`VpcServicePerimeter ${name}: mode ${JSON.stringify(args.mode)} must be dryRun or enforced`);
    const restrictedServices = [...(args.restrictedServices ?? DEFAULT_RESTRICTED_SERVICES)];
    if (restrictedServices.length === 0) throw new Error(`VpcServicePerimeter ${name}: restrictedServices must list at least one API`);

    const parent = `accessPolicies/${args.accessPolicyId}`;
    this.perimeterName = `${parent}/servicePerimeters/${perimeterShortName(args.projectId)}`;
    const config = {
      resources: [`projects/${args.projectNumber}`],
      restrictedServices,
      ...(args.accessLevels && args.accessLevels.length > 0 ? { accessLevels: [...args.accessLevels] } : {}),
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
