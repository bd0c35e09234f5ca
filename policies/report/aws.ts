import { arnStrings, invokePolicyProblems, endpointPolicyProblems, grantsInvoke, statementsOf } from '../aws/bedrock-rules';
import { signalOf } from '../../lib/config/detection';
import { valueAt } from '../pulumi/props';
import { misuseEvidence, MISUSE_NOTE, type AlertSeen } from './misuse';
import { statusOf, type AccessProofResult, type CloudSection, type ControlResult, type Evidence } from './model';
import { short } from './plan-index';

/** A synthesized CloudFormation template (the parts the evaluator reads). */
export interface CfnTemplate {
  readonly Resources?: Record<string, { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string }>;
  readonly Outputs?: Record<string, { Value: unknown; Description?: string }>;
}

export interface AwsStackInput {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly template: CfnTemplate;
}

export interface AwsInput {
  readonly stacks: AwsStackInput[];
  readonly allowedRegions: readonly string[];
  /** The generated organisation SCP, if written. */
  readonly scp?: { Statement: Array<Record<string, unknown>> };
  /** The access proofs over these stacks and the SCP; absent when they were not run. */
  readonly proofs?: readonly AccessProofResult[];
  /**
   * The allowlisted embedding models: Bedrock takes no guardrail with them, so a policy may invoke
   * them without the guardrail condition when it also applies the guardrail (ApplyGuardrail).
   * @default - none
   */
  readonly embeddingModelIds?: readonly string[];
}

/** Scenarios that prove data residency (the rest prove least privilege). */
const RESIDENCY_SCENARIOS = new Set(['model-user-profile-destinations', 'invoker-profile-destinations', 'model-user-outside-regions', 'batch-outside-regions']);

/** Evidence citing the access proofs: per target, how many requests were decided as the table expects. */
function proofEvidence(input: AwsInput, select: (p: AccessProofResult) => boolean, what: string): Evidence[] {
  if (!input.proofs) return [{ resource: 'access proofs', type: 'policy evaluation', property: what, value: 'not run', ok: false }];
  const targets = [...new Set(input.proofs.map((p) => p.target))];
  return targets.map((target) => {
    const mine = input.proofs!.filter((p) => p.target === target && select(p));
    const wrong = mine.filter((p) => !p.ok);
    const value = wrong.length
      ? `${wrong.length} of ${mine.length} decided otherwise: ${wrong.map((p) => p.scenario).join(', ')}`
      : `${mine.length} of ${mine.length} requests decided as expected (Who can do what, proven)`;
    return { resource: `target ${target}`, type: 'access proofs (policy evaluation)', property: what, value, ok: mine.length > 0 && wrong.length === 0 };
  });
}

/** The full JSON text of a value, for matching (never truncated). */
const json = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));

type Res = { stack: string; id: string; type: string; props: Record<string, unknown>; deletionPolicy?: string };


function all(input: AwsInput): Res[] {
  return input.stacks.flatMap((s) =>
    Object.entries(s.template.Resources ?? {}).map(([id, r]) => ({ stack: s.name, id, type: r.Type, props: r.Properties ?? {}, deletionPolicy: r.DeletionPolicy })),
  );
}

function ev(r: Res, property: string, value: unknown, ok: boolean): Evidence {
  return { resource: `${r.stack}/${r.id}`, type: r.type, property, value: short(value), ok };
}

/** Whether a Deny statement names every one of `actions` (case-insensitively, as IAM matches them). */
const deniesAll = (st: { effect: string; actions: string[] }, actions: readonly string[]) =>
  st.effect === 'Deny' && actions.every((a) => st.actions.some((x) => x.toLowerCase() === a.toLowerCase()));

/** What an organisation guard (an `AWS::Organizations::Policy`) is evidence of, read from its Content. */
export interface GuardFacts {
  /** The regions outside which it denies Bedrock, if it does. */
  readonly pinnedRegions?: readonly string[];
  /** It denies changing the evidence buckets' policy and object lock to all but the change path. */
  readonly protectsEvidence: boolean;
  /** It also denies deleting evidence objects (an RCP: the SCP leaves objects to object lock). */
  readonly protectsObjects: boolean;
  /** It denies changing the key policy of, disabling or deleting the blueprint's keys. */
  readonly protectsKeys: boolean;
}

/** Reads a guard's Content for the statements the controls look for, whatever its Sids. */
export function guardFacts(content: unknown): GuardFacts {
  const statements = statementsOf(content);
  const regionDeny = statements.find((st) => st.effect === 'Deny' && st.actions.includes('bedrock:*') && json(st.condition).includes('aws:RequestedRegion'));
  const regions = regionDeny ? valueAt(regionDeny.condition, 'StringNotEquals.aws:RequestedRegion') : undefined;
  const onBuckets = (st: { resources: unknown[] }) => st.resources.some((r) => /^arn:[^:]*:s3:::/.test(String(r)));
  return {
    pinnedRegions: regionDeny ? (Array.isArray(regions) ? regions.map(String) : [String(regions)]) : undefined,
    protectsEvidence: statements.some((st) => deniesAll(st, ['s3:PutBucketPolicy', 's3:PutBucketObjectLockConfiguration']) && onBuckets(st)),
    protectsObjects: statements.some((st) => deniesAll(st, ['s3:DeleteObject', 's3:DeleteObjectVersion']) && onBuckets(st)),
    protectsKeys: statements.some((st) => deniesAll(st, ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:DisableKey'])),
  };
}

/** A row for a deployed organisation guard: its type, where it is attached, and whether it does what the control needs. */
function guardEvidence(r: Res, property: string, does: boolean, what = ''): Evidence {
  const targets = (Array.isArray(r.props.TargetIds) ? r.props.TargetIds : []).map(String);
  const attached = targets.length > 0 ? `attached to ${targets.join(', ')}` : 'attached to nothing';
  return { resource: `${r.stack}/${r.id}`, type: `AWS::Organizations::Policy ${String(r.props.Type)}`, property, value: `${what}${what ? '; ' : ''}${attached}`, ok: does && targets.length > 0 };
}

const isPlatform = (s: AwsStackInput) => Object.values(s.template.Resources ?? {}).some((r) => r.Type === 'AWS::EC2::VPC' || r.Type === 'AWS::EC2::VPCEndpoint');

/** Evaluates the checklist over the synthesized AWS stacks. */
export function evaluateAws(input: AwsInput): CloudSection {
  const res = all(input);
  const ofType = (t: string) => res.filter((r) => r.type === t);
  const platforms = input.stacks.filter(isPlatform);
  // The organisation stack's guards, when the app deploys them (aws.organization); else the files stand for them.
  const guards = ofType('AWS::Organizations::Policy').map((r) => ({ r, facts: guardFacts(r.props.Content) }));
  const results: ControlResult[] = [];
  const add = (control: string, evidence: Evidence[], note?: string) => results.push({ control, status: statusOf(evidence), evidence, note });

  // private-path
  {
    const e: Evidence[] = [];
    for (const s of platforms) {
      const endpoints = res.filter((r) => r.stack === s.name && r.type === 'AWS::EC2::VPCEndpoint' && /bedrock-runtime/.test(json(r.props.ServiceName)));
      if (endpoints.length === 0) e.push({ resource: s.name, type: 'AWS::EC2::VPCEndpoint', property: 'ServiceName', value: 'no bedrock-runtime endpoint', ok: false });
      for (const r of endpoints) e.push(ev(r, 'PrivateDnsEnabled', r.props.PrivateDnsEnabled, r.props.PrivateDnsEnabled === true && r.props.VpcEndpointType === 'Interface'));
      const gateways = res.filter((r) => r.stack === s.name && ['AWS::EC2::InternetGateway', 'AWS::EC2::NatGateway'].includes(r.type));
      e.push({ resource: s.name, type: 'AWS::EC2::InternetGateway|NatGateway', property: 'count', value: String(gateways.length), ok: gateways.length === 0 });
    }
    for (const r of ofType('AWS::ApiGateway::RestApi')) e.push(ev(r, 'EndpointConfiguration.Types', valueAt(r.props, 'EndpointConfiguration.Types'), json(valueAt(r.props, 'EndpointConfiguration.Types')) === '["PRIVATE"]'));
    // Functions whose role may call Bedrock must run in the VPC, where the endpoints are.
    const bedrockRoles = new Set(
      [...ofType('AWS::IAM::ManagedPolicy'), ...ofType('AWS::IAM::Policy')]
        .filter((p) => statementsOf(p.props.PolicyDocument).some((st) => st.effect === 'Allow' && st.actions.some((a) => a.startsWith('bedrock:'))))
        .flatMap((p) => ((p.props.Roles as unknown[] | undefined) ?? []).map((role) => `${p.stack}/${String(valueAt(role, 'Ref'))}`)),
    );
    for (const f of ofType('AWS::Lambda::Function').filter((x) => bedrockRoles.has(`${x.stack}/${String(valueAt(x.props, 'Role.Fn::GetAtt.0'))}`))) {
      const subnets = valueAt(f.props, 'VpcConfig.SubnetIds');
      e.push(ev(f, 'VpcConfig.SubnetIds', subnets, Array.isArray(subnets) && subnets.length > 0));
    }
    add('private-path', e);
  }

  // sso-no-keys
  {
    const e: Evidence[] = [];
    const keys = res.filter((r) => ['AWS::IAM::User', 'AWS::IAM::AccessKey'].includes(r.type));
    e.push({ resource: 'all stacks', type: 'AWS::IAM::User|AccessKey', property: 'count', value: String(keys.length), ok: keys.length === 0 });
    for (const r of ofType('AWS::ApiGateway::Method')) e.push(ev(r, 'AuthorizationType', r.props.AuthorizationType, r.props.AuthorizationType === 'AWS_IAM'));
    const sets = ofType('AWS::SSO::PermissionSet');
    if (sets.length === 0) e.push({ resource: 'identity stack', type: 'AWS::SSO::PermissionSet', property: 'count', value: '0 (aws.identityCenter not configured)', ok: false });
    for (const r of sets) e.push(ev(r, 'SessionDuration', r.props.SessionDuration, typeof r.props.SessionDuration === 'string'));
    for (const r of ofType('AWS::SSO::Assignment')) e.push(ev(r, 'PrincipalType', r.props.PrincipalType, r.props.PrincipalType === 'GROUP'));
    add('sso-no-keys', e);
  }

  // least-privilege
  {
    const e: Evidence[] = [];
    for (const r of ofType('AWS::EC2::VPCEndpoint').filter((x) => /bedrock/.test(json(x.props.ServiceName)))) {
      const problems = endpointPolicyProblems(statementsOf(r.props.PolicyDocument));
      e.push(ev(r, 'PolicyDocument', problems.length ? problems.join('; ') : 'principals, actions and models restricted', problems.length === 0));
    }
    for (const r of [...ofType('AWS::IAM::ManagedPolicy'), ...ofType('AWS::IAM::Policy')]) {
      const statements = statementsOf(r.props.PolicyDocument);
      if (!statements.some(grantsInvoke)) continue;
      const problems = invokePolicyProblems(statements, false);
      e.push(ev(r, 'PolicyDocument', problems.length ? problems.join('; ') : 'invoke limited to named models', problems.length === 0));
    }
    for (const r of ofType('AWS::SSO::PermissionSet')) {
      const statements = statementsOf(r.props.InlinePolicy);
      if (!statements.some(grantsInvoke)) continue;
      const problems = invokePolicyProblems(statements, true);
      e.push(ev(r, 'InlinePolicy', problems.length ? problems.join('; ') : 'named models, through a VPC endpoint only', problems.length === 0));
    }
    e.push(...proofEvidence(input, (p) => !RESIDENCY_SCENARIOS.has(p.scenario), 'who can do what'));
    add('least-privilege', e);
  }

  // encryption-cmk
  {
    const e: Evidence[] = [];
    for (const r of ofType('AWS::KMS::Key')) e.push(ev(r, 'EnableKeyRotation', r.props.EnableKeyRotation, r.props.EnableKeyRotation === true));
    // S3 delivers server access logs only to a bucket with SSE-S3 default encryption: the buckets other
    // buckets log to may use it (they hold request records, not prompts or evidence content).
    const logDestinations = new Set(res.filter((b) => b.type === 'AWS::S3::Bucket').map((b) => `${b.stack}/${String(valueAt(b.props, 'LoggingConfiguration.DestinationBucketName.Ref'))}`));
    for (const r of ofType('AWS::S3::Bucket')) {
      const algo = valueAt(r.props, 'BucketEncryption.ServerSideEncryptionConfiguration.0.ServerSideEncryptionByDefault.SSEAlgorithm');
      const logDestination = logDestinations.has(`${r.stack}/${r.id}`) && algo === 'AES256';
      e.push(ev(r, 'BucketEncryption.SSEAlgorithm', logDestination ? 'AES256 (server-access-log destination: S3 delivers only to SSE-S3)' : algo, algo === 'aws:kms' || logDestination));
    }
    for (const r of ofType('AWS::Logs::LogGroup')) e.push(ev(r, 'KmsKeyId', r.props.KmsKeyId ? 'customer-managed key' : undefined, r.props.KmsKeyId !== undefined));
    for (const r of ofType('AWS::CloudTrail::Trail')) e.push(ev(r, 'KMSKeyId', r.props.KMSKeyId ? 'customer-managed key' : undefined, r.props.KMSKeyId !== undefined));
    for (const r of ofType('AWS::SQS::Queue')) e.push(ev(r, 'KmsMasterKeyId', r.props.KmsMasterKeyId ? 'customer-managed key' : undefined, r.props.KmsMasterKeyId !== undefined));
    for (const r of ofType('AWS::Bedrock::Guardrail')) e.push(ev(r, 'KmsKeyArn', r.props.KmsKeyArn ? 'customer-managed key' : undefined, r.props.KmsKeyArn !== undefined));
    for (const r of ofType('AWS::Lambda::Function').filter((f) => f.props.Environment)) e.push(ev(r, 'KmsKeyArn', r.props.KmsKeyArn ? 'customer-managed key' : undefined, r.props.KmsKeyArn !== undefined));
    if (guards.length > 0) {
      const keyGuards = guards.filter((g) => g.facts.protectsKeys);
      for (const { r } of keyGuards) e.push(guardEvidence(r, 'Deny changing, disabling or deleting the blueprint keys but by CloudFormation', true));
      if (keyGuards.length === 0) e.push({ resource: 'organisation stack', type: 'AWS::Organizations::Policy', property: 'Deny changing, disabling or deleting the blueprint keys', value: 'no deployed guard does', ok: false });
    }
    add('encryption-cmk', e);
  }

  // tls-in-transit
  {
    const e: Evidence[] = [];
    const denies = (doc: unknown) => statementsOf(doc).some((s) => s.effect === 'Deny' && json(s.condition).includes('aws:SecureTransport'));
    for (const b of ofType('AWS::S3::Bucket')) {
      const policy = res.find((p) => p.type === 'AWS::S3::BucketPolicy' && p.stack === b.stack && valueAt(p.props, 'Bucket.Ref') === b.id);
      e.push(ev(b, 'BucketPolicy: deny aws:SecureTransport=false', policy ? denies(policy.props.PolicyDocument) : 'no bucket policy', !!policy && denies(policy.props.PolicyDocument)));
    }
    for (const q of ofType('AWS::SQS::Queue')) {
      const policy = res.find((p) => p.type === 'AWS::SQS::QueuePolicy' && p.stack === q.stack && json(p.props.Queues).includes(q.id));
      e.push(ev(q, 'QueuePolicy: deny aws:SecureTransport=false', policy ? denies(policy.props.PolicyDocument) : 'no queue policy', !!policy && denies(policy.props.PolicyDocument)));
    }
    add('tls-in-transit', e, 'Bedrock, API Gateway and the VPC endpoints accept HTTPS only by design; the stores below refuse plain-text requests by policy.');
  }

  // audited
  {
    const e: Evidence[] = [];
    for (const r of ofType('AWS::CloudTrail::Trail')) {
      e.push(ev(r, 'IsMultiRegionTrail', r.props.IsMultiRegionTrail, r.props.IsMultiRegionTrail === true));
      e.push(ev(r, 'EnableLogFileValidation', r.props.EnableLogFileValidation, r.props.EnableLogFileValidation === true));
      const types = json(r.props.AdvancedEventSelectors);
      e.push(ev(r, 'AdvancedEventSelectors', 'Management + Bedrock data events', types.includes('Management') && types.includes('AWS::Bedrock::')));
    }
    for (const s of platforms) {
      const owned = input.stacks.some((o) => o.account === s.account && o.region === s.region && Object.values(o.template.Resources ?? {}).some((r) => r.Type === 'Custom::BedrockModelInvocationLogging'));
      e.push({ resource: s.name, type: 'Custom::BedrockModelInvocationLogging', property: `owner for ${s.account}/${s.region}`, value: owned ? 'configured' : 'missing', ok: owned });
    }
    for (const r of ofType('AWS::ApiGateway::Stage')) e.push(ev(r, 'AccessLogSetting.DestinationArn', valueAt(r.props, 'AccessLogSetting.DestinationArn') ? 'CMK log group' : undefined, !!valueAt(r.props, 'AccessLogSetting.DestinationArn')));
    if (ofType('AWS::CloudTrail::Trail').length === 0) e.push({ resource: 'all stacks', type: 'AWS::CloudTrail::Trail', property: 'count', value: '0', ok: false });
    add('audited', e);
  }

  // immutable-retention
  {
    const e: Evidence[] = [];
    for (const r of ofType('AWS::S3::Bucket')) {
      const lock = valueAt(r.props, 'ObjectLockConfiguration.Rule.DefaultRetention');
      if (lock) e.push(ev(r, 'ObjectLockConfiguration.DefaultRetention', lock, valueAt(lock, 'Mode') === 'COMPLIANCE'));
      e.push(ev(r, 'DeletionPolicy', r.deletionPolicy, r.deletionPolicy === 'Retain'));
    }
    for (const r of [...ofType('AWS::Logs::LogGroup'), ...ofType('AWS::KMS::Key'), ...ofType('AWS::CloudTrail::Trail')]) e.push(ev(r, 'DeletionPolicy', r.deletionPolicy, r.deletionPolicy === 'Retain'));
    if (guards.length > 0) {
      const evidenceGuards = guards.filter((g) => g.facts.protectsEvidence);
      for (const { r, facts } of evidenceGuards) {
        e.push(guardEvidence(r, `Deny changing the evidence stores${facts.protectsObjects ? ' or deleting evidence' : ''} but by the change path`, true));
      }
      if (evidenceGuards.length === 0) e.push({ resource: 'organisation stack', type: 'AWS::Organizations::Policy', property: 'Deny changing the evidence stores', value: 'no deployed guard does', ok: false });
      // A guard removed with its stack is the tampering the guards exist to prevent.
      for (const { r } of guards) e.push(ev(r, 'DeletionPolicy', r.deletionPolicy, r.deletionPolicy === 'Retain'));
    }
    if (!ofType('AWS::S3::Bucket').some((r) => valueAt(r.props, 'ObjectLockConfiguration.Rule.DefaultRetention.Mode') === 'COMPLIANCE')) {
      e.push({ resource: 'all stacks', type: 'AWS::S3::Bucket', property: 'ObjectLockConfiguration', value: 'no compliance-mode evidence bucket', ok: false });
    }
    add('immutable-retention', e);
  }

  // data-residency
  {
    const e: Evidence[] = [];
    for (const s of input.stacks) e.push({ resource: s.name, type: 'AWS::CloudFormation::Stack', property: 'region', value: s.region, ok: input.allowedRegions.includes(s.region) });
    const denies = ofType('AWS::IAM::ManagedPolicy').filter((r) => statementsOf(r.props.PolicyDocument).some((st) => st.effect === 'Deny' && json(st.condition).includes('aws:RequestedRegion')));
    for (const s of platforms) {
      const own = denies.filter((r) => r.stack === s.name);
      e.push({ resource: s.name, type: 'AWS::IAM::ManagedPolicy', property: 'Deny bedrock:* outside aws:RequestedRegion', value: own.length ? own.map((r) => r.id).join(', ') : 'missing', ok: own.length > 0 });
    }
    if (guards.length > 0) {
      const pinning = guards.filter((g) => g.r.props.Type === 'SERVICE_CONTROL_POLICY' && g.facts.pinnedRegions);
      for (const { r, facts } of pinning) {
        const regions = facts.pinnedRegions!;
        const same = regions.length === input.allowedRegions.length && regions.every((x) => input.allowedRegions.includes(x));
        e.push(guardEvidence(r, 'Deny Bedrock outside allowed regions', same, same ? regions.join(', ') : `${regions.join(', ')} (allowed: ${input.allowedRegions.join(', ')})`));
      }
      if (pinning.length === 0) e.push({ resource: 'organisation stack', type: 'AWS::Organizations::Policy SERVICE_CONTROL_POLICY', property: 'Deny Bedrock outside allowed regions', value: 'no deployed SCP does', ok: false });
    } else {
      const scpOk = !!input.scp?.Statement.some((st) => json(st.Condition).includes('aws:RequestedRegion'));
      e.push({ resource: 'org-guards/bedrock-region-pinning.scp.json', type: 'AWS Organizations SCP', property: 'Deny outside allowed regions', value: scpOk ? input.allowedRegions.join(', ') : 'not generated', ok: scpOk });
    }
    e.push(...proofEvidence(input, (p) => RESIDENCY_SCENARIOS.has(p.scenario), 'model calls in every destination region, none outside'));
    add('data-residency', e);
  }

  // prompt-filters
  {
    const e: Evidence[] = [];
    for (const r of ofType('AWS::Bedrock::Guardrail')) {
      const filters = json(valueAt(r.props, 'ContentPolicyConfig.FiltersConfig'));
      e.push(ev(r, 'ContentPolicyConfig PROMPT_ATTACK', 'input filter', /"Type":"PROMPT_ATTACK","InputStrength":"(LOW|MEDIUM|HIGH)"|"InputStrength":"(LOW|MEDIUM|HIGH)"[^}]*"Type":"PROMPT_ATTACK"/.test(filters)));
      const pii = valueAt(r.props, 'SensitiveInformationPolicyConfig.PiiEntitiesConfig') as unknown[] | undefined;
      e.push(ev(r, 'SensitiveInformationPolicyConfig', `${pii?.length ?? 0} PII types + ${(valueAt(r.props, 'SensitiveInformationPolicyConfig.RegexesConfig') as unknown[] | undefined)?.length ?? 0} secret patterns`, (pii?.length ?? 0) > 0));
    }
    if (ofType('AWS::Bedrock::Guardrail').length === 0) e.push({ resource: 'all stacks', type: 'AWS::Bedrock::Guardrail', property: 'count', value: '0', ok: false });
    const embeddingModels = input.embeddingModelIds ?? [];
    /** Whether every resource a statement names is an allowlisted embedding model (a foundation model, or a profile of one). */
    const onlyEmbeddingModels = (s: { resources: unknown[] }) =>
      embeddingModels.length > 0 &&
      s.resources.flatMap(arnStrings).every((arn) => embeddingModels.some((id) => new RegExp(`:(foundation-model|inference-profile)/([a-z-]+\\.)?${id.replace(/[.]/g, '\\.')}$`).test(arn)));
    for (const r of ofType('AWS::IAM::ManagedPolicy')) {
      const statements = statementsOf(r.props.PolicyDocument);
      const invoke = statements.filter(grantsInvoke);
      if (invoke.length === 0) continue;
      const appliesGuardrail = statements.some((s) => s.effect === 'Allow' && s.actions.includes('bedrock:ApplyGuardrail'));
      const unguarded = invoke.filter((s) => !json(s.condition).includes('bedrock:GuardrailIdentifier'));
      const screened = unguarded.length > 0 && appliesGuardrail && unguarded.every(onlyEmbeddingModels);
      const ok = unguarded.length === 0 || screened;
      e.push(ev(r, 'Condition bedrock:GuardrailIdentifier', unguarded.length === 0 ? 'required' : screened ? 'required; embedding models screened with ApplyGuardrail' : 'missing', ok));
    }
    add('prompt-filters', e);
  }

  // rate-limits
  {
    const e: Evidence[] = [];
    for (const r of ofType('AWS::ApiGateway::Stage')) {
      const settings = valueAt(r.props, 'MethodSettings.0') as Record<string, unknown> | undefined;
      e.push(ev(r, 'MethodSettings throttling', `${settings?.ThrottlingRateLimit ?? '-'} rps, burst ${settings?.ThrottlingBurstLimit ?? '-'}`, typeof settings?.ThrottlingRateLimit === 'number'));
    }
    for (const r of ofType('AWS::WAFv2::WebACL')) e.push(ev(r, 'Rules rateBasedStatement', 'per-source rate limit', json(r.props.Rules).includes('RateBasedStatement')));
    for (const r of ofType('AWS::Lambda::Function').filter((f) => f.props.ReservedConcurrentExecutions !== undefined)) e.push(ev(r, 'ReservedConcurrentExecutions', r.props.ReservedConcurrentExecutions, true));
    add('rate-limits', e);
  }

  // model-pinning
  {
    const e: Evidence[] = [];
    for (const r of ofType('AWS::EC2::VPCEndpoint').filter((x) => /bedrock-runtime/.test(json(x.props.ServiceName)))) {
      const models = [...new Set(json(r.props.PolicyDocument).match(/(foundation-model|inference-profile)\/[A-Za-z0-9.:_-]+/g) ?? [])];
      for (const m of models) e.push(ev(r, 'model ARN', m, /-v\d+(:\d+)?$|:\d+$/.test(m)));
    }
    for (const r of ofType('AWS::Bedrock::GuardrailVersion')) e.push(ev(r, 'published guardrail version', 'pinned by callers', true));
    add('model-pinning', e);
  }

  // misuse-detected: per platform stack, every signal's alarms or rules publish to a topic of
  // the stack that e-mails someone; the kill switch is a parameter the invoker reads and a rule watches.
  {
    const e: Evidence[] = [];
    const refId = (v: unknown): string | undefined => (typeof v === 'object' && v !== null && typeof (v as { Ref?: unknown }).Ref === 'string' ? (v as { Ref: string }).Ref : undefined);
    for (const s of platforms) {
      const mine = res.filter((r) => r.stack === s.name);
      const topics = mine.filter((r) => r.type === 'AWS::SNS::Topic');
      const emailed = new Set(mine.filter((r) => r.type === 'AWS::SNS::Subscription' && r.props.Protocol === 'email').map((r) => refId(r.props.TopicArn)).filter((id): id is string => id !== undefined));
      const notifying = (targets: unknown[]) => {
        const ids = targets.map(refId).filter((id): id is string => id !== undefined && emailed.has(id));
        return ids.length > 0 ? ids.join(', ') : undefined;
      };
      const alerts: AlertSeen[] = [];
      for (const a of mine.filter((r) => r.type === 'AWS::CloudWatch::Alarm' && r.props.ActionsEnabled !== false)) {
        const signal = signalOf(a.props.AlarmDescription);
        if (signal) alerts.push({ resource: `${a.stack}/${a.id}`, type: a.type, signal, notifies: notifying(Array.isArray(a.props.AlarmActions) ? a.props.AlarmActions : []) });
      }
      for (const rule of mine.filter((r) => r.type === 'AWS::Events::Rule' && r.props.State !== 'DISABLED')) {
        const signal = signalOf(rule.props.Description);
        const targets = Array.isArray(rule.props.Targets) ? (rule.props.Targets as Array<Record<string, unknown>>).map((t) => t.Arn) : [];
        if (signal) alerts.push({ resource: `${rule.stack}/${rule.id}`, type: rule.type, signal, notifies: notifying(targets) });
      }
      const stop: Evidence[] = [];
      for (const t of topics.filter((x) => emailed.has(x.id))) stop.push(ev(t, 'KmsMasterKeyId', t.props.KmsMasterKeyId ?? 'none (AWS-managed)', t.props.KmsMasterKeyId !== undefined));
      const switches = mine.filter((r) => r.type === 'AWS::SSM::Parameter' && json(r.props.Name).endsWith('/model-access'));
      if (switches.length === 0) stop.push({ resource: s.name, type: 'AWS::SSM::Parameter', property: 'count', value: '0 (no kill switch parameter <ssmPrefix>/model-access)', ok: false });
      for (const k of switches) {
        const readers = mine.filter((r) => r.type === 'AWS::Lambda::Function' && json(valueAt(r.props, 'Environment.Variables')).includes(k.id));
        stop.push(ev(k, 'read by', readers.length > 0 ? readers.map((r) => r.id).join(', ') : 'no function', readers.length > 0));
        const watched = mine.filter((r) => r.type === 'AWS::Events::Rule' && json(r.props.EventPattern).includes(k.id));
        stop.push(ev(k, 'changes alerted by', watched.length > 0 ? watched.map((r) => r.id).join(', ') : 'no rule', watched.length > 0));
      }
      e.push(...misuseEvidence(alerts, stop));
    }
    add('misuse-detected', e, `${MISUSE_NOTE} On AWS the fast path is the <aws.ssmPrefix>/model-access parameter the invoker reads; with the config, permission sets and the region guard deny every model call.`);
  }

  const outputs: Record<string, string> = {};
  for (const s of input.stacks) {
    for (const [name, o] of Object.entries(s.template.Outputs ?? {})) outputs[`${s.name}.${name}`] = o.Description ?? short(o.Value);
  }
  return { cloud: 'aws', sources: input.stacks.map((s) => `${s.name} (${s.account}/${s.region})`), controls: results, outputs, ...(input.proofs && { proofs: input.proofs }) };
}
