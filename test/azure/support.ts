import * as pulumi from '@pulumi/pulumi';
import { loadOrgConfig, parseOrgConfig, type OrgConfig, type OrgConfigInput } from '../../lib/config';
import { planProgram, type Plan, type PlanAnswers, type PlanResource } from '../../lib/pulumi/plan';
import { azureMockState } from '../../stacks/azure/mock-state';

/** The example organisation config, parsed once. */
export const exampleOrg: OrgConfig = loadOrgConfig();

/** The example org config with `change` applied to a deep copy of its raw form, validated again. */
export function orgWith(change: (raw: OrgConfigInput) => void): OrgConfig {
  const raw = JSON.parse(JSON.stringify(exampleOrg)) as OrgConfigInput;
  change(raw);
  return parseOrgConfig(raw);
}

/** The tags every taggable resource carries with the example config. */
export const exampleTags = { owner: 'platform-team@example.com', 'cost-centre': 'CC-0000', 'data-classification': 'confidential' };

/** The slice of the mock monitor's request the recorder reads. */
interface RegisterRequest {
  getName(): string;
}
interface Monitor {
  registerResource(req: RegisterRequest, callback: (...args: unknown[]) => void): unknown;
}

/** A plan plus what `planProgram` does not record: registration order. */
export interface RecordedPlan extends Plan {
  /** The resource named `name` (names are unique in these programs). */
  get(name: string): PlanResource;
  ofType(type: string): PlanResource[];
  /** Names of the resources `name` waited for: explicit `dependsOn` and inputs from other resources. */
  dependenciesOf(name: string): string[];
  /** Position of `name` in the order resources were registered with the engine. */
  orderOf(name: string): number;
}

/**
 * Runs `program` under mocks with the Azure mock state (computed attributes and physical
 * names as Azure would report them), recording the order of registrations on the way.
 * `answers` answer the provider calls (azureProgram.answers); without them any call fails the plan.
 */
export async function plan(program: () => Record<string, unknown> | void, answers?: PlanAnswers): Promise<RecordedPlan> {
  const order: string[] = [];
  let failure: Error | undefined;
  const result = await planProgram({ cloud: 'azure', project: 'private-ai-azure', stack: 'test', state: azureMockState, ...(answers ? { answers } : {}) }, () => {
    // planProgram has installed the mocks by now; wrap its monitor once more to see the order.
    const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) => {
      order.push(req.getName());
      return register(req, callback);
    };
    try {
      return program() ?? {};
    } catch (e) {
      // Let what was registered before the error settle, so no work outlives the test.
      failure = e as Error;
      return {};
    }
  });
  if (failure) throw failure;
  const names = result.resources.map((r) => r.name);
  const duplicates = names.filter((n, i) => names.indexOf(n) !== i);
  if (duplicates.length > 0) throw new Error(`resource names are not unique: ${duplicates.join(', ')}`);
  return {
    ...result,
    get: (name) => {
      const found = result.resources.find((r) => r.name === name);
      if (!found) throw new Error(`no resource named ${name}; have ${names.join(', ')}`);
      return found;
    },
    ofType: (type) => result.resources.filter((r) => r.type === type),
    dependenciesOf: (name) => result.resources.find((r) => r.name === name)?.dependsOn ?? [],
    orderOf: (name) => order.indexOf(name),
  };
}

export { waitsFor, withoutStackTraces } from '../support/pulumi';


/** Resource types of azure-native that take no tags. */
export const UNTAGGABLE = new Set([
  'azure-native:authorization:RoleAssignment',
  'azure-native:authorization:ManagementLockByScope',
  'azure-native:storage:BlobServiceProperties',
  'azure-native:storage:ManagementPolicy',
  'azure-native:monitor:DiagnosticSetting',
  'azure-native:network:Subnet',
  'azure-native:network:PrivateDnsZoneGroup',
  'azure-native:authorization:PolicyAssignment',
  'azure-native:eventgrid:SystemTopicEventSubscription',
  'azure-native:monitor:PrivateLinkScopedResource',
  'azure-native:monitor:SubscriptionDiagnosticSetting',
  'azure-native:security:Pricing',
]);
