import * as pulumi from '@pulumi/pulumi';
import * as projects from '@pulumi/gcp/projects';

/** Options of the private AI design that change which APIs it needs. */
export interface ServiceNeeds {
  /** A VPC Service Controls perimeter is managed (dry run or enforced). */
  readonly perimeter: boolean;
}

/**
 * The APIs the blueprint calls or configures: Vertex AI itself; Compute Engine, Cloud DNS and
 * Service Directory for the Private Service Connect endpoint and its private zones (PSC
 * registers endpoints in Service Directory); Cloud KMS for CMEK; Cloud Logging for the audit
 * sink and the log-based metrics and saved queries of misuse detection; Cloud Monitoring for its
 * alert policies and notification channels; Organization Policy v2; Model Armor; Resource Manager
 * for project IAM; Access Context Manager only when a perimeter is managed.
 */
export function requiredServices(needs: ServiceNeeds): string[] {
  return [
    'aiplatform.googleapis.com',
    'compute.googleapis.com',
    'dns.googleapis.com',
    'servicedirectory.googleapis.com',
    'cloudkms.googleapis.com',
    'logging.googleapis.com',
    'monitoring.googleapis.com',
    'orgpolicy.googleapis.com',
    'modelarmor.googleapis.com',
    'cloudresourcemanager.googleapis.com',
    ...(needs.perimeter ? ['accesscontextmanager.googleapis.com'] : []),
  ];
}

/** APIs enabled on the project. */
export interface ProjectServicesArgs {
  /**
   * Project ID. An output delays every API, and so everything that waits for them, until it
   * resolves (a check that the project is where the stack belongs).
   */
  readonly project: pulumi.Input<string>;
  /** Service names such as `aiplatform.googleapis.com`. */
  readonly services: readonly string[];
}

const SERVICE_NAME = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*\.googleapis\.com$/;

/**
 * Enables the APIs the design needs. Destroying the stack leaves them enabled: other workloads
 * in the project may use them, and disabling an API can delete its data.
 */
export class ProjectServices extends pulumi.ComponentResource {
  /** One resource per API, keyed by service name; depend on these before calling the API. */
  public readonly services: Readonly<Record<string, projects.Service>>;

  constructor(name: string, args: ProjectServicesArgs, opts?: pulumi.ComponentResourceOptions) {
    super('privateai:gcp:ProjectServices', name, {}, opts);
    if (args.services.length === 0) throw new Error(`ProjectServices ${name}: services must list at least one API`);
    const seen = new Set<string>();
    for (const service of args.services) {
      if (!SERVICE_NAME.test(service)) throw new Error(`ProjectServices ${name}: ${JSON.stringify(service)} is not an API service name such as aiplatform.googleapis.com`);
      if (seen.has(service)) throw new Error(`ProjectServices ${name}: ${service} is listed twice`);
      seen.add(service);
    }

    const services: Record<string, projects.Service> = {};
    for (const service of args.services) {
      services[service] = new projects.Service(
        `${name}-${service.replace(/\.googleapis\.com$/, '')}`,
        { project: args.project, service, disableOnDestroy: false, disableDependentServices: false },
        { parent: this },
      );
    }
    this.services = services;
    this.registerOutputs({ enabled: Object.values(services).map((s) => s.service) });
  }
}
