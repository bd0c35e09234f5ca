import type { z } from 'zod';
import { regionOfZone } from './aws-regions';
import { INFERENCE_PROFILES_DOC, profileDestinations, profileRoutes, type ProfileRoutes } from './inference-profiles';
import { AZURE_OPENAI_MODEL_FORMAT, LOG_ANALYTICS_MAX_RETENTION_DAYS, logRetentionProblem } from './limits';
import { geographyOfRegion, parseModelId } from './model-ids';
import { inferModelKind, MODEL_KINDS } from './model-kinds';
import { MAX_ORG_AND_TARGET_CHARS } from './naming';
import { bedrockModelId, orgConfigSchema } from './schema';

/**
 * The cross-field rules of the organisation config, shared by every cloud program: the checks
 * the schema alone cannot express because they read several fields at once. Data residency is
 * most of them (which geography a region belongs to, which cross-region inference profiles may
 * be used); the rest keep names unique, give invocation logging one owner, keep the DNS resolver
 * settings consistent, require security contacts when Azure is configured, hold retention
 * to the limits of the log services, refuse suspended users and responder groups that no
 * program would act on, keep the delivery pipeline's waves and the targets in step, and keep the
 * organisation guards' stack apart from the workloads it guards and attached to every target. Pure
 * functions only.
 */

export { geographyOfRegion, modelUsableInRegion, parseModelId, type ParsedModelId } from './model-ids';

/** A problem found in the config: where, what was received, and what is allowed. */
export interface ConfigIssue {
  readonly path: string;
  readonly received: unknown;
  readonly message: string;
}

type Segment = string | number;

function isRecord(node: unknown): node is Record<string, unknown> {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

/** The node at `path`, or undefined when a parent on the way is missing or not an object or list. */
function nodeAt(doc: unknown, path: readonly Segment[]): unknown {
  let node = doc;
  for (const segment of path) {
    if (typeof segment === 'number' ? !Array.isArray(node) : !isRecord(node)) return undefined;
    node = (node as Record<Segment, unknown>)[segment];
  }
  return node;
}

/**
 * Reads one field through its own schema: the parsed value (defaults applied), or undefined when
 * the field is invalid or a parent object is missing. A rule given undefined is skipped, so it never
 * reports a consequence of a field the schema already refuses, nor guesses a default for a missing parent.
 */
function read<S extends z.ZodType>(doc: unknown, path: readonly [...Segment[], Segment], schema: S): z.output<S> | undefined {
  const parent = nodeAt(doc, path.slice(0, -1));
  const key = path[path.length - 1];
  if (typeof key === 'number' ? !Array.isArray(parent) : !isRecord(parent)) return undefined;
  const parsed = schema.safeParse((parent as Record<Segment, unknown>)[key]);
  return parsed.success ? parsed.data : undefined;
}

/** The items of the list at `path`, or none when it is not a list. */
function itemsAt(doc: unknown, path: readonly Segment[]): readonly unknown[] {
  const node = nodeAt(doc, path);
  return Array.isArray(node) ? node : [];
}

// The schemas of the fields the rules read, taken from the one schema so the two cannot drift apart.
const shape = orgConfigSchema.shape;
const awsShape = shape.aws.shape;
const targetShape = awsShape.targets.element.shape;
const fields = {
  organisationName: shape.organisation.shape.name,
  strict: shape.dataResidency.shape.strict,
  allowedRegions: awsShape.allowedRegions,
  target: targetShape,
  zone: targetShape.network.unwrap().shape.availabilityZones.unwrap().element,
  modelId: awsShape.models.element.shape.id,
  profileRoutes: awsShape.inferenceProfiles.unwrap().valueType,
  roleArn: targetShape.apiCallerRoleArns.unwrap().element,
  identityCenterRegion: awsShape.identityCenter.unwrap().shape.region,
  retentionDays: shape.logging.shape.retentionDays,
  auditRetentionDays: shape.logging.shape.auditRetentionDays,
  azureAccountKind: shape.azure.unwrap().shape.accountKind,
  azureModel: shape.azure.unwrap().shape.models.element.shape,
  gcpModel: shape.gcp.unwrap().shape.models.element.shape,
  suspendedUsers: shape.detection.unwrap().shape.suspendedUsers,
  responderGroups: shape.sso.shape.securityResponders,
  pipelineRegion: awsShape.pipeline.unwrap().shape.region,
  waveName: awsShape.pipeline.unwrap().shape.waves.element.shape.name,
  waveTarget: awsShape.pipeline.unwrap().shape.waves.element.shape.targets.element,
  organizationRegion: awsShape.organization.unwrap().shape.region,
  policyAdminAccount: awsShape.organization.unwrap().shape.policyAdminAccount,
  attachTo: awsShape.organization.unwrap().shape.attachTo,
  azureRollout: shape.azure.unwrap().shape.rollout,
  azureOwnerStack: shape.azure.unwrap().shape.managementGroup.unwrap().shape.ownerStack,
  gcpRollout: shape.gcp.unwrap().shape.rollout,
  gcpOwnerStack: shape.gcp.unwrap().shape.orgPolicyParent.unwrap().shape.ownerStack,
};

/** Whether `id` names a geography inference profile (eu., us., apac. ...), the only kind that takes routes. */
function isGeographyProfile(id: string): boolean {
  const geography = parseModelId(id).profileGeography;
  return bedrockModelId.safeParse(id).success && geography !== undefined && geography !== 'global';
}

/** What the rules know of aws.inferenceProfiles. */
interface ProfileOverrides {
  /** The entries the schema accepts. */
  readonly routes: Readonly<Record<string, ProfileRoutes>>;
  /** Profiles whose entry the schema refuses: their routes are unknown, so the rules that need them are skipped. */
  readonly invalid: ReadonlySet<string>;
  /** Keys that name no geography profile. */
  readonly keyIssues: readonly ConfigIssue[];
}

/** The overrides as written; undefined when the section is there but not an object (every profile's routes are then unknown). */
function readProfileOverrides(config: unknown): ProfileOverrides | undefined {
  const node = nodeAt(config, ['aws', 'inferenceProfiles']);
  if (node !== undefined && !isRecord(node)) return undefined;
  const routes: Record<string, ProfileRoutes> = {};
  const invalid = new Set<string>();
  const keyIssues: ConfigIssue[] = [];
  for (const id of Object.keys(node ?? {})) {
    if (!isGeographyProfile(id)) {
      keyIssues.push({
        path: `aws.inferenceProfiles.${id}`,
        received: id,
        message:
          'must be the ID of a geography inference profile, such as eu.anthropic.claude-3-7-sonnet-20250219-v1:0 (prefix eu., us., apac., jp., au., ca. or us-gov.); global. profiles route to any commercial region and foundation models do not route, so neither takes routes',
      });
    }
    const entry = read(node, [id], fields.profileRoutes);
    if (entry) routes[id] = entry;
    else invalid.add(id);
  }
  return { routes, invalid, keyIssues };
}

/**
 * Where a geography profile routes, checked against the targets that may call it (those in its
 * geography, as modelUsableInRegion decides) and, when `strictAllowed` is given, against the
 * allowed regions: strict residency admits a profile only if every destination is allowed.
 */
function profileRouteIssues(
  path: string,
  id: string,
  geography: string,
  overrides: ProfileOverrides,
  targetsByRegion: ReadonlyMap<string, readonly number[]>,
  strictAllowed: readonly string[] | undefined,
): ConfigIssue[] {
  if (overrides.invalid.has(id)) return [];
  const routes = profileRoutes(id, overrides.routes);
  if (!routes) {
    return [
      {
        path,
        received: id,
        message: `the blueprint does not know where inference profile ${id} routes requests, so it cannot allow its destination regions; add its routes from ${INFERENCE_PROFILES_DOC} as aws.inferenceProfiles["${id}"] (source region -> destination regions, such as {"eu-central-1": ["eu-central-1", "eu-west-1"]}), or use a foundation model ID`,
      },
    ];
  }
  const sources = Object.keys(routes).sort();
  const issues: ConfigIssue[] = [];
  for (const [region, indices] of targetsByRegion) {
    if (geographyOfRegion(region) !== geography) continue;
    const callers = `${region} (${indices.map((i) => `aws.targets[${i}]`).join(', ')})`;
    if (!Object.hasOwn(routes, region)) {
      issues.push({
        path,
        received: id,
        message: `inference profile ${id} cannot be called from ${callers}; its source regions are ${sources.join(', ')}: deploy the target to one of them, or use a foundation model ID or another profile`,
      });
      continue;
    }
    const outside = strictAllowed ? profileDestinations(id, region, overrides.routes).filter((d) => !strictAllowed.includes(d)) : [];
    if (strictAllowed && outside.length > 0) {
      issues.push({
        path,
        received: id,
        message: `called from ${callers}, inference profile ${id} routes requests to ${outside.join(', ')}, outside aws.allowedRegions (${strictAllowed.join(', ')}), which strict data residency forbids; add ${outside.join(', ')} to aws.allowedRegions, or use a foundation model ID or another profile whose destinations are all allowed`,
      });
    }
  }
  return issues;
}

/**
 * Cross-field rules: region allowlist, inference-profile geography, uniqueness, single logging
 * owner, DNS resolver settings, security contacts when Azure is configured, retention limits,
 * suspended users and security responders only where a program acts on them, the pipeline's
 * region and waves, the organisation stack's region, account and attachments.
 *
 * Reads the document as written (a validated config reads the same): each rule reads its inputs
 * through their own schemas and is skipped when any of them is invalid, so the rules run on the
 * valid parts of a document that has problems elsewhere, and report nothing the schema reports.
 */
export function checkRegionPinning(config: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const strict = read(config, ['dataResidency', 'strict'], fields.strict);
  const organisationName = read(config, ['organisation', 'name'], fields.organisationName);
  const allowed = read(config, ['aws', 'allowedRegions'], fields.allowedRegions);
  const allowedGeographies = new Set(allowed?.map(geographyOfRegion));

  const targets = itemsAt(config, ['aws', 'targets']).map((target) => ({
    name: read(target, ['name'], fields.target.name),
    account: read(target, ['account'], fields.target.account),
    region: read(target, ['region'], fields.target.region),
    ownsInvocationLogging: read(target, ['ownsInvocationLogging'], fields.target.ownsInvocationLogging),
    zones: itemsAt(target, ['network', 'availabilityZones']).map((zone) => fields.zone.safeParse(zone).data),
    apiCallerRoleArns: itemsAt(target, ['apiCallerRoleArns']).map((arn) => fields.roleArn.safeParse(arn).data),
  }));

  itemsAt(config, ['aws', 'targets']).forEach((target, i) => {
    if (isRecord(target) && target.dnsResolverAddresses !== undefined && !read(target, ['dnsResolver'], fields.target.dnsResolver)) {
      issues.push({ path: `aws.targets[${i}].dnsResolverAddresses`, received: target.dnsResolverAddresses, message: 'addresses the inbound resolver that dnsResolver does not create; set dnsResolver: true, or remove them' });
    }
    if (read(target, ['dnsResolver'], fields.target.dnsResolver) && isRecord(target) && target.clientCidrs === undefined) {
      issues.push({
        path: `aws.targets[${i}].dnsResolver`,
        received: true,
        message: 'the inbound resolver admits DNS queries from aws.targets[].clientCidrs only, and none are given; list the corporate networks that forward DNS to it, or set dnsResolver: false',
      });
    }
  });

  // Misuse and tampering alerts (every cloud) and Azure's key rotation alerts must reach someone.
  const contacts = isRecord(config) && isRecord(config.securityContacts) ? config.securityContacts.emails : undefined;
  if (isRecord(config) && (contacts === undefined || (Array.isArray(contacts) && contacts.length === 0))) {
    issues.push({
      path: 'securityContacts.emails',
      received: contacts ?? [],
      message: 'must list at least one address: the misuse and tampering alerts of every cloud (and, on Azure, the customer-managed key alerts a rotation needs) are sent there',
    });
  }

  targets.forEach((target, i) => {
    if (allowed && target.region && !allowed.includes(target.region)) {
      issues.push({
        path: `aws.targets[${i}].region`,
        received: target.region,
        message: `region ${target.region} is not allowed by data residency policy; allowed: ${allowed.join(', ')} (add it to aws.allowedRegions or deploy to an allowed region)`,
      });
    }
  });

  targets.forEach((target, i) => {
    target.zones.forEach((zone, j) => {
      if (target.region && zone && regionOfZone(zone) !== target.region) {
        issues.push({
          path: `aws.targets[${i}].network.availabilityZones[${j}]`,
          received: zone,
          message: `must be a zone of the target region ${target.region}, such as ${target.region}a`,
        });
      }
    });
  });

  targets.forEach((target, i) => {
    if (organisationName && target.name && organisationName.length + target.name.length > MAX_ORG_AND_TARGET_CHARS) {
      issues.push({
        path: `aws.targets[${i}].name`,
        received: target.name,
        message: `together with organisation.name ("${organisationName}") it must be at most ${MAX_ORG_AND_TARGET_CHARS} characters, so the audit bucket names fit S3's 63-character limit; shorten one of them`,
      });
    }
  });

  targets.forEach((target, i) => {
    target.apiCallerRoleArns.forEach((arn, j) => {
      const roleAccount = arn?.split(':')[4];
      if (target.account && roleAccount && roleAccount !== target.account) {
        issues.push({
          path: `aws.targets[${i}].apiCallerRoleArns[${j}]`,
          received: arn,
          message: `the role is in account ${roleAccount}, but aws.targets[${i}] deploys to account ${target.account}, and its private model API admits roles of its own account only; use a role of account ${target.account}, or list this role under a target in account ${roleAccount}`,
        });
      }
    });
  });

  const seenTargets = new Map<string, number>();
  const loggingOwners = new Map<string, number>();
  targets.forEach((target, i) => {
    if (target.name) {
      const previous = seenTargets.get(target.name);
      if (previous !== undefined) {
        issues.push({ path: `aws.targets[${i}].name`, received: target.name, message: `target names must be unique; aws.targets[${previous}] already uses it` });
      }
      seenTargets.set(target.name, i);
    }
    if (target.ownsInvocationLogging && target.account && target.region) {
      const key = `${target.account}/${target.region}`;
      const owner = loggingOwners.get(key);
      if (owner !== undefined) {
        issues.push({
          path: `aws.targets[${i}].ownsInvocationLogging`,
          received: true,
          message: `model invocation logging is one setting per account and region, and aws.targets[${owner}] already owns it for ${key}; set ownsInvocationLogging: false on one of them`,
        });
      }
      loggingOwners.set(key, i);
    }
  });

  const overrides = readProfileOverrides(config);
  // Targets by region, for the profiles' source-region and destination rules.
  const targetsByRegion = new Map<string, number[]>();
  targets.forEach((target, i) => {
    if (target.region) targetsByRegion.set(target.region, [...(targetsByRegion.get(target.region) ?? []), i]);
  });

  const seenModels = new Set<string>();
  itemsAt(config, ['aws', 'models']).forEach((model, i) => {
    const id = read(model, ['id'], fields.modelId);
    if (!id) return;
    if (isRecord(model) && model.kind === undefined && !inferModelKind(id)) {
      issues.push({
        path: `aws.models[${i}].kind`,
        received: undefined,
        message: `the blueprint cannot tell from its ID whether ${id} is a chat model (Converse, the private API's /invoke) or an embedding model (InvokeModel, /embed); set kind to ${MODEL_KINDS.join(' or ')}`,
      });
    }
    if (seenModels.has(id)) {
      issues.push({ path: `aws.models[${i}].id`, received: id, message: 'model IDs must be unique in the allowlist' });
    }
    seenModels.add(id);
    const parsed = parseModelId(id);
    if (parsed.profileGeography === 'global') {
      if (strict) {
        issues.push({
          path: `aws.models[${i}].id`,
          received: id,
          message: 'global inference profiles may route requests to any region, which strict data residency forbids; use a geographic profile (eu., us., apac.) or a foundation model ID, or set dataResidency.strict: false',
        });
      }
    } else if (allowed && parsed.profileGeography && !allowedGeographies.has(parsed.profileGeography)) {
      issues.push({
        path: `aws.models[${i}].id`,
        received: id,
        message: `inference profile ${parsed.profilePrefix}. routes requests within the ${parsed.profileGeography} geography, outside the allowed regions (${allowed.join(', ')}); use a profile of an allowed geography (${[...allowedGeographies].join(', ')}.) or a foundation model ID`,
      });
    } else if (parsed.profileGeography && overrides) {
      issues.push(...profileRouteIssues(`aws.models[${i}].id`, id, parsed.profileGeography, overrides, targetsByRegion, strict ? allowed : undefined));
    }
  });
  issues.push(...(overrides?.keyIssues ?? []));

  const azureModels = itemsAt(config, ['azure', 'models']).map((model) => ({
    deployment: read(model, ['deployment'], fields.azureModel.deployment),
    sku: read(model, ['sku'], fields.azureModel.sku),
    format: read(model, ['format'], fields.azureModel.format),
  }));
  const accountKind = read(config, ['azure', 'accountKind'], fields.azureAccountKind);
  azureModels.forEach((model, i) => {
    if (accountKind === 'OpenAI' && model.format && model.format !== AZURE_OPENAI_MODEL_FORMAT) {
      issues.push({
        path: `azure.models[${i}].format`,
        received: model.format,
        message: `an OpenAI account serves only ${AZURE_OPENAI_MODEL_FORMAT} models; set azure.accountKind to AIServices (Azure AI Foundry) to deploy ${model.format} models, or remove this deployment`,
      });
    }
  });
  azureModels.forEach((model, i) => {
    if (strict && model.sku && !['Standard', 'ProvisionedManaged'].includes(model.sku)) {
      issues.push({
        path: `azure.models[${i}].sku`,
        received: model.sku,
        message: `${model.sku} deployments may process data outside the deployment's location, which strict data residency forbids; use Standard or ProvisionedManaged, or set dataResidency.strict: false`,
      });
    }
  });
  const azureDeployments = new Set<string>();
  azureModels.forEach((model, i) => {
    if (!model.deployment) return;
    if (azureDeployments.has(model.deployment)) {
      issues.push({ path: `azure.models[${i}].deployment`, received: model.deployment, message: 'deployment names must be unique' });
    }
    azureDeployments.add(model.deployment);
  });

  const gcpModels = new Set<string>();
  itemsAt(config, ['gcp', 'models']).forEach((model, i) => {
    const id = read(model, ['id'], fields.gcpModel.id);
    const publisher = read(model, ['publisher'], fields.gcpModel.publisher);
    if (!id || !publisher) return;
    const key = `${publisher}/${id}`;
    if (gcpModels.has(key)) issues.push({ path: `gcp.models[${i}].id`, received: id, message: 'models must be unique per publisher' });
    gcpModels.add(key);
  });

  // Limits of the services a cloud section sends logs to.
  const retentionDays = read(config, ['logging', 'retentionDays'], fields.retentionDays);
  if (isRecord(nodeAt(config, ['azure'])) && retentionDays !== undefined && retentionDays > LOG_ANALYTICS_MAX_RETENTION_DAYS) {
    issues.push({
      path: 'logging.retentionDays',
      received: retentionDays,
      message: `a Log Analytics workspace keeps data at most ${LOG_ANALYTICS_MAX_RETENTION_DAYS} days, and the azure section sends its logs to one; use ${LOG_ANALYTICS_MAX_RETENTION_DAYS} or less (the audit archive keeps logging.auditRetentionDays regardless)`,
    });
  }
  const auditRetentionDays = read(config, ['logging', 'auditRetentionDays'], fields.auditRetentionDays);
  const auditRetentionProblem = auditRetentionDays === undefined ? undefined : logRetentionProblem(auditRetentionDays);
  if (isRecord(nodeAt(config, ['gcp'])) && auditRetentionProblem) {
    issues.push({ path: 'logging.auditRetentionDays', received: auditRetentionDays, message: `${auditRetentionProblem}, and the gcp section keeps its audit logs in one` });
  }

  // Suspending a person and granting responders act through the permission sets, which exist only with Identity Center.
  const suspendedUsers = read(config, ['detection', 'suspendedUsers'], fields.suspendedUsers);
  if (suspendedUsers && suspendedUsers.length > 0 && isRecord(nodeAt(config, ['aws'])) && nodeAt(config, ['aws', 'identityCenter']) === undefined) {
    issues.push({
      path: 'detection.suspendedUsers',
      received: suspendedUsers,
      message: 'suspends users through the IAM Identity Center permission sets, and aws.identityCenter is not configured, so no permission set would deny them anything; configure aws.identityCenter, or suspend them in the identity provider (docs/playbooks/compromised-credentials.md)',
    });
  }
  const responders = read(config, ['sso', 'securityResponders'], fields.responderGroups);
  for (const cloud of ['azure', 'gcp'] as const) {
    if (responders && responders[cloud].length > 0) {
      issues.push({
        path: `sso.securityResponders.${cloud}`,
        received: responders[cloud],
        message: `the ${cloud === 'azure' ? 'Azure' : 'Google Cloud'} program has no security-responder role, so these groups would be granted nothing; leave the list empty (the kill switch there is detection.suspendModelAccess, or the faster path in docs/playbooks)`,
      });
    }
  }

  issues.push(...pipelineIssues(config, targets.map((t) => t.name), allowed));
  issues.push(...organizationIssues(config, targets, allowed));
  issues.push(...fleetGuardOwnerIssues(config));

  const identityCenterRegion = read(config, ['aws', 'identityCenter', 'region'], fields.identityCenterRegion);
  if (allowed && identityCenterRegion && !allowed.includes(identityCenterRegion)) {
    issues.push({
      path: 'aws.identityCenter.region',
      received: identityCenterRegion,
      message: `region ${identityCenterRegion} is not allowed by data residency policy; allowed: ${allowed.join(', ')}`,
    });
  }
  return issues;
}

/**
 * aws.pipeline against the rest: its region is allowed, wave names are unique, every wave target
 * is a target of aws.targets, and every target is in exactly one wave (a target in none would never
 * be deployed, in two would be deployed twice per run). `targetNames` are the targets' names as
 * read (undefined where invalid); the wave checks are skipped while any is unknown.
 */
function pipelineIssues(config: unknown, targetNames: readonly (string | undefined)[], allowed: readonly string[] | undefined): ConfigIssue[] {
  if (!isRecord(nodeAt(config, ['aws', 'pipeline']))) return [];
  const issues: ConfigIssue[] = [];
  const region = read(config, ['aws', 'pipeline', 'region'], fields.pipelineRegion);
  if (allowed && region && !allowed.includes(region)) {
    issues.push({
      path: 'aws.pipeline.region',
      received: region,
      message: `region ${region} is not allowed by data residency policy; allowed: ${allowed.join(', ')} (the pipeline keeps the templates and the config in its artifact bucket there: put it in an allowed region, or add ${region} to aws.allowedRegions)`,
    });
  }

  const waves = itemsAt(config, ['aws', 'pipeline', 'waves']);
  const waveByName = new Map<string, number>();
  waves.forEach((wave, i) => {
    const name = read(wave, ['name'], fields.waveName);
    if (!name) return;
    const previous = waveByName.get(name);
    if (previous !== undefined) {
      issues.push({ path: `aws.pipeline.waves[${i}].name`, received: name, message: `wave names must be unique (each names a stage of the pipeline); aws.pipeline.waves[${previous}] already uses it: rename one of them` });
    } else {
      waveByName.set(name, i);
    }
  });

  const known = targetNames.filter((n): n is string => n !== undefined);
  const names = new Set(known);
  const targetsKnown = Array.isArray(nodeAt(config, ['aws', 'targets'])) && targetNames.length === known.length;
  const waveOf = new Map<string, number>();
  waves.forEach((wave, i) => {
    itemsAt(wave, ['targets']).forEach((item, j) => {
      const name = fields.waveTarget.safeParse(item).data;
      if (!name) return;
      const path = `aws.pipeline.waves[${i}].targets[${j}]`;
      if (targetsKnown && !names.has(name)) {
        issues.push({ path, received: name, message: `names no target of aws.targets (${known.join(', ')}); add the target to aws.targets, or remove it from the wave` });
      }
      const first = waveOf.get(name);
      if (first !== undefined && first !== i) {
        issues.push({ path, received: name, message: `target ${name} is already in wave aws.pipeline.waves[${first}]; a target deploys in exactly one wave, so remove it from one of them` });
      }
      if (first === undefined) waveOf.set(name, i);
    });
  });
  // Only when every wave reads cleanly: a target missing from a wave the schema refuses may be in it.
  const wavesValid =
    Array.isArray(nodeAt(config, ['aws', 'pipeline', 'waves'])) &&
    waves.every((wave) => Array.isArray(nodeAt(wave, ['targets'])) && itemsAt(wave, ['targets']).every((item) => fields.waveTarget.safeParse(item).success));
  if (wavesValid) {
    targetNames.forEach((name, i) => {
      if (name && !waveOf.has(name)) {
        issues.push({
          path: `aws.targets[${i}].name`,
          received: name,
          message: `target ${name} is in no wave of aws.pipeline.waves, so the pipeline would never deploy it; add it to one wave (${[...waveByName.keys()].join(', ') || 'none named'})`,
        });
      }
    });
  }
  return issues;
}

/**
 * aws.organization against the rest: its region is allowed; the account that administers the
 * guards runs none of the targets (SCPs and RCPs do not bind the management account, so a target
 * there would run unguarded; in a delegated administrator account, the target's administrators
 * could detach the guards that bind them); and when the guards attach to accounts only, every
 * target account is one of them (a root or an OU may hold them; only Organizations knows).
 */
function organizationIssues(
  config: unknown,
  targets: ReadonlyArray<{ readonly name?: string; readonly account?: string }>,
  allowed: readonly string[] | undefined,
): ConfigIssue[] {
  if (!isRecord(nodeAt(config, ['aws', 'organization']))) return [];
  const issues: ConfigIssue[] = [];
  const region = read(config, ['aws', 'organization', 'region'], fields.organizationRegion);
  if (allowed && region && !allowed.includes(region)) {
    issues.push({
      path: 'aws.organization.region',
      received: region,
      message: `region ${region} is not allowed by data residency policy; allowed: ${allowed.join(', ')} (the organisation stack and its CloudFormation records live there: put it in an allowed region, or add ${region} to aws.allowedRegions)`,
    });
  }
  const admin = read(config, ['aws', 'organization', 'policyAdminAccount'], fields.policyAdminAccount);
  const workload = targets.findIndex((t) => t.account !== undefined && t.account === admin);
  if (admin && workload >= 0) {
    issues.push({
      path: 'aws.organization.policyAdminAccount',
      received: admin,
      message: `account ${admin} also runs target ${targets[workload].name ?? workload} (aws.targets[${workload}]); the account that administers the guards must run no workload they guard: the management account is bound by no SCP or RCP, and a delegated administrator's admins could detach them. Use the management account or a dedicated delegated administrator, and deploy the target elsewhere`,
    });
  }
  const attachTo = read(config, ['aws', 'organization', 'attachTo'], fields.attachTo);
  if (attachTo && attachTo.every((id) => /^\d{12}$/.test(id))) {
    const reported = new Set<string>();
    targets.forEach((t, i) => {
      if (t.account && !attachTo.includes(t.account) && !reported.has(t.account)) {
        reported.add(t.account);
        issues.push({
          path: 'aws.organization.attachTo',
          received: attachTo,
          message: `attaches the guards to accounts only, and not to ${t.account}, the account of target ${t.name ?? i} (aws.targets[${i}]), which would run unguarded; add ${t.account}, or attach to the root or the OU that holds it`,
        });
      }
    });
  }
  return issues;
}

/**
 * The stack that sets a fleet's guards for every other stack (azure.managementGroup.ownerStack,
 * gcp.orgPolicyParent.ownerStack) is rolled out first when the cloud has a rollout list: the
 * other stacks rely on its guards, and a list without it would never set them.
 */
function fleetGuardOwnerIssues(config: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const check = (cloud: 'azure' | 'gcp', section: string, owner: string | undefined, rollout: readonly string[] | undefined) => {
    if (owner === undefined || rollout === undefined || rollout[0] === owner) return;
    const path = `${cloud}.${section}.ownerStack`;
    issues.push({
      path,
      received: owner,
      message: rollout.includes(owner)
        ? `stack ${owner} sets the guards every other stack relies on, but ${cloud}.rollout lists it at position ${rollout.indexOf(owner) + 1}, after ${rollout[0]}; move it to the front of ${cloud}.rollout`
        : `stack ${owner} sets the guards every other stack relies on, but ${cloud}.rollout (${rollout.join(', ')}) does not list it, so a rollout would never set them; put it first in ${cloud}.rollout, or name a listed stack`,
    });
  };
  check('azure', 'managementGroup', read(config, ['azure', 'managementGroup', 'ownerStack'], fields.azureOwnerStack), read(config, ['azure', 'rollout'], fields.azureRollout));
  check('gcp', 'orgPolicyParent', read(config, ['gcp', 'orgPolicyParent', 'ownerStack'], fields.gcpOwnerStack), read(config, ['gcp', 'rollout'], fields.gcpRollout));
  return issues;
}
