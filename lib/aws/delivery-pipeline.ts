import { Aws, Duration, RemovalPolicy, Stack, Validations, type Stage } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { ArtifactStore } from './artifact-store';
import { retainedLogGroup } from './retained-log-group';
import { denyGrantsExceptForAwsServices } from './encryption-keys';

/** Stages that deploy together, in parallel, after the waves before them. */
export interface DeliveryWave {
  /** Name of the wave, e.g. `prod`; the pipeline stage is named after it. */
  readonly name: string;
  /** What the wave deploys: one CDK stage per target (or organisation-wide stack). */
  readonly stages: readonly Stage[];
  /**
   * A person approves in the pipeline before the wave deploys.
   * @default false
   */
  readonly approval?: boolean;
}

/** A CDK Pipelines pipeline that synthesizes the app from its repository and rolls it out in waves. */
export interface DeliveryPipelineProps {
  /** The repository as owner/name, read through the connection. */
  readonly repository: string;
  readonly branch: string;
  /** The CodeConnections (CodeStar Connections) connection that reads the repository. */
  readonly connectionArn: string;
  /**
   * Commands run after `npm ci` that write the cloud assembly to `cdk.out` and exit non-zero on
   * any rule-pack finding, so that a finding stops the pipeline before anything deploys.
   */
  readonly synthCommands: readonly string[];
  /**
   * Stages deployed one after another before the waves, each as a pipeline stage of its own
   * (organisation-wide stacks such as the guards).
   * @default - none
   */
  readonly stages?: readonly Stage[];
  /** Waves in rollout order. */
  readonly waves: readonly DeliveryWave[];
  /**
   * The artifact store of each region other than the pipeline's where a stage deploys (CodePipeline
   * needs a bucket in every region an action runs in). Created in stacks of those regions.
   * @default - none: every stage deploys in the pipeline's region
   */
  readonly replicationStores?: Readonly<Record<string, ArtifactStore>>;
  /** Alias of the artifact key in the pipeline's region, e.g. `alias/acme/pipeline-artifacts`. */
  readonly keyAlias: string;
  /** @default - generated */
  readonly pipelineName?: string;
  /**
   * Retention of the build logs.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Node.js major version of the build images (CodeBuild standard 8.0 runtimes).
   * @default '22'
   */
  readonly nodeVersion?: string;
}

/**
 * The delivery pipeline: source from a CodeConnections connection, a synth step that runs every
 * rule pack (a finding fails it), self-mutation, then the given stages and waves, each wave's
 * stages in parallel, a manual approval before waves that ask for one. Artifacts are kept in
 * {@link ArtifactStore}s under customer-managed keys with rotation (cross-account deployments
 * need a key the target accounts can be granted); build logs go to a CMK-encrypted log group.
 *
 * CDK Pipelines creates the roles, projects and policies itself; the wildcards it writes into
 * those policies are acknowledged here, each kind with its reason, and anything else fails synthesis.
 */
export class DeliveryPipeline extends Construct {
  /** The CDK Pipelines pipeline, built. */
  public readonly pipeline: pipelines.CodePipeline;
  /** The artifact store in the pipeline's region. */
  public readonly artifacts: ArtifactStore;
  /** The log group of every build (synth, self-mutation, asset publishing). */
  public readonly buildLogs: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: DeliveryPipelineProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const nodeVersion = props.nodeVersion ?? '22';
    const replicationStores = props.replicationStores ?? {};
    if (props.waves.length === 0) throw new Error('DeliveryPipeline: give at least one wave; a pipeline that deploys nothing would only mutate itself');
    const waveNames = props.waves.map((w) => w.name);
    const repeated = waveNames.find((name, i) => waveNames.indexOf(name) !== i);
    if (repeated) throw new Error(`DeliveryPipeline: wave names must be unique (pipeline stages are named after them); "${repeated}" is given twice`);
    const stages = [...(props.stages ?? []), ...props.waves.flatMap((w) => w.stages)];
    const missing = [...new Set(stages.map((s) => s.region))].filter((r) => r !== undefined && r !== stack.region && !replicationStores[r]);
    if (missing.length > 0) {
      throw new Error(`DeliveryPipeline: stages deploy to ${missing.join(', ')}, where the pipeline has no artifact store; give replicationStores an ArtifactStore in each (a stack of the pipeline's account in that region)`);
    }

    this.artifacts = new ArtifactStore(this, 'Artifacts', { keyAlias: props.keyAlias });
    this.buildLogs = retainedLogGroup(this, 'BuildLogs', {
      encryptionKey: buildLogsKey(this),
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    });

    const source = pipelines.CodePipelineSource.connection(props.repository, props.branch, { connectionArn: props.connectionArn, triggerOnPush: true });
    this.pipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      pipelineName: props.pipelineName,
      pipelineType: codepipeline.PipelineType.V2,
      // With replication buckets given CDK creates no artifact bucket; should it ever, these put it under a key with rotation.
      crossAccountKeys: true,
      enableKeyRotation: true,
      crossRegionReplicationBuckets: {
        [stack.region]: this.artifacts.bucket,
        ...Object.fromEntries(Object.entries(replicationStores).map(([region, store]) => [region, store.bucket])),
      },
      // Same-account actions run as the pipeline's role rather than as roles only it assumes: fewer roles, the same reach.
      // Cross-account actions still run as each target account's CDK deploy role.
      usePipelineRoleForActions: true,
      publishAssetsInParallel: false,
      synth: new pipelines.ShellStep('Synth', {
        input: source,
        installCommands: ['npm ci'],
        commands: [...props.synthCommands],
        primaryOutputDirectory: 'cdk.out',
      }),
      codeBuildDefaults: {
        buildEnvironment: { buildImage: codebuild.LinuxBuildImage.STANDARD_8_0, computeType: codebuild.ComputeType.SMALL },
        partialBuildSpec: codebuild.BuildSpec.fromObject({ phases: { install: { 'runtime-versions': { nodejs: nodeVersion } } } }),
        logging: { cloudWatch: { logGroup: this.buildLogs } },
        timeout: Duration.hours(1),
      },
      // Synthesis builds every target's templates and the rule-pack reports: more memory than the other steps.
      synthCodeBuildDefaults: { buildEnvironment: { computeType: codebuild.ComputeType.MEDIUM } },
    });

    for (const stage of props.stages ?? []) this.pipeline.addStage(stage);
    for (const wave of props.waves) {
      const pre = wave.approval
        ? [new pipelines.ManualApprovalStep(`Approve-${wave.name}`, { comment: `Approve the rollout of wave ${wave.name} (${wave.stages.map((s) => s.stageName).join(', ')})` })]
        : [];
      const w = this.pipeline.addWave(wave.name, { pre });
      for (const stage of wave.stages) w.addStage(stage);
    }
    this.pipeline.buildPipeline();

    acknowledgeGeneratedPolicies(this.pipeline, [this.artifacts, ...Object.values(replicationStores)]);
  }
}

/** The key of the build log group: CloudWatch Logs of this account may use it for log groups only. */
function buildLogsKey(scope: Construct): kms.Key {
  const key = new kms.Key(scope, 'BuildLogsKey', {
    description: 'Pipeline build logs',
    enableKeyRotation: true,
    pendingWindow: Duration.days(30),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsOfThisAccount',
      principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` } },
    }),
  );
  key.addToResourcePolicy(denyGrantsExceptForAwsServices());
  return key;
}

/**
 * The wildcards CDK Pipelines writes into the policies of the roles it creates, by kind, and why
 * each is accepted. A wildcard of any other kind is not acknowledged, so it fails synthesis.
 */
const GENERATED_WILDCARDS: ReadonlyArray<{ readonly finding: RegExp; readonly reason: string }> = [
  {
    finding: /^Action::s3:(Abort|DeleteObject|GetBucket|GetObject|List)\*$/,
    reason:
      'CDK Pipelines grants its roles the artifact buckets through the S3 grant helpers, whose action lists end in wildcards; every such statement names only the pipeline\'s own artifact buckets and their objects.',
  },
  {
    finding: /^Action::kms:(GenerateDataKey|ReEncrypt)\*$/,
    reason: 'CDK Pipelines grants its roles the artifact keys through the KMS grant helpers, whose action lists end in wildcards; every such statement names only the artifact keys.',
  },
  {
    finding: /^Resource::arn:[^:]+:logs:[^:]+:[^:]+:log-group:\/aws\/codebuild\/<[A-Za-z0-9]+>:\*$/,
    reason:
      'CodeBuild grants every project its default log group /aws/codebuild/<project> even when, as here, the project logs to another group; the wildcard covers that one group\'s log streams.',
  },
  {
    finding: /^Resource::arn:[^:]+:codebuild:[^:]+:[^:]+:report-group\/<[A-Za-z0-9]+>-\*$/,
    reason: 'CodeBuild grants every project the test report groups named after the project, and CDK Pipelines does not expose the switch that leaves them out; the wildcard is the suffix of that one project\'s report groups.',
  },
  {
    finding: /^Resource::arn:[^:]+:(logs|codebuild):[^:]+:[^:]+:(log-group:\/aws\/codebuild|report-group)\/\*$/,
    reason:
      'CDK Pipelines gives its asset-publishing projects one shared role, written before the projects are named, so the role may write the log groups and report groups of CodeBuild projects of the pipeline\'s account and region by prefix; it holds no other CodeBuild or CloudWatch Logs permission.',
  },
  {
    finding: /^Resource::arn:\*:iam::\d{12}:role\/\*$/,
    reason:
      'The self-mutation step assumes the CDK bootstrap roles of the pipeline\'s account in every region the pipeline deploys to, chosen by their aws-cdk:bootstrap-role tag (deploy, file-publishing, image-publishing) because CDK Pipelines cannot know their regions\' names in advance.',
  },
  {
    finding: /^Resource::\*$/,
    reason:
      'CDK Pipelines writes three statements on every resource: the self-mutation step reads stack status and lists buckets (cloudformation:DescribeStacks, s3:ListBucket), the asset-publishing role starts and watches builds of projects generated after it, and the pipeline role uses the artifact keys of other regions, whose ARNs a stack of one region cannot refer to in another.',
  },
];

/**
 * Acknowledges the findings CDK Pipelines' generated roles and projects cannot avoid, on the
 * CDK Pipelines construct that generates them: each wildcard of {@link GENERATED_WILDCARDS} found
 * in its policies, the artifact buckets' objects, inline policies and CodePipeline-sourced projects.
 */
function acknowledgeGeneratedPolicies(pipeline: pipelines.CodePipeline, stores: readonly ArtifactStore[]): void {
  const stack = Stack.of(pipeline);
  const artifactObjects = new Set(stores.map((s) => `Resource::${flattenReference(stack.resolve(s.bucket.arnForObjects('*')))}`));
  const findings = new Set<string>();
  for (const policy of pipeline.node.findAll().filter((c): c is iam.CfnPolicy => c instanceof iam.CfnPolicy)) {
    wildcardFindings(stack.resolve(policy.policyDocument)).forEach((f) => findings.add(f));
  }
  const acknowledgements = [...findings].sort().flatMap((finding) => {
    const reason = artifactObjects.has(finding)
      ? 'CDK Pipelines lets its roles read and write the objects of the pipeline\'s artifact buckets, whose keys it names by execution at run time; the wildcard is the object part of those buckets\' ARNs only.'
      : GENERATED_WILDCARDS.find((w) => w.finding.test(finding))?.reason;
    return reason ? [{ id: `AwsSolutions::AwsSolutions-IAM5[${finding}]`, reason }] : [];
  });
  const inlineReason =
    'CDK Pipelines writes the permissions of the roles it creates as each role\'s own inline default policy, grown grant by grant as the pipeline is built; no policy is shared between roles, so a managed policy would add a resource and no control.';
  const sourceReason =
    'The project\'s source is the CodePipeline artifact (source type CODEPIPELINE), not a GitHub or Bitbucket URL; the repository is read only by the pipeline\'s source action through the CodeConnections connection, which holds the credentials, so no credential can sit in a source URL.';
  Validations.of(pipeline).acknowledge(
    ...acknowledgements,
    { id: 'HIPAA.Security::HIPAA.Security-IAMNoInlinePolicy', reason: inlineReason },
    { id: 'NIST.800.53.R5::NIST.800.53.R5-IAMNoInlinePolicy', reason: inlineReason },
    { id: 'PCI.DSS.321::PCI.DSS.321-IAMNoInlinePolicy', reason: inlineReason },
    { id: 'HIPAA.Security::HIPAA.Security-CodeBuildProjectSourceRepoUrl', reason: sourceReason },
    { id: 'PCI.DSS.321::PCI.DSS.321-CodeBuildProjectSourceRepoUrl', reason: sourceReason },
  );
}

interface PolicyDocumentJson {
  readonly Statement?: ReadonlyArray<{ readonly Effect: string; readonly Action?: unknown; readonly Resource?: unknown }>;
}

/** The wildcard actions and resources of a policy's Allow statements, named as the AwsSolutions pack's IAM5 names them. */
export function wildcardFindings(doc: PolicyDocumentJson): string[] {
  const list = (x: unknown): unknown[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
  const findings = new Set<string>();
  for (const statement of doc.Statement ?? []) {
    if (statement.Effect !== 'Allow') continue;
    list(statement.Action).filter((a): a is string => typeof a === 'string' && a.includes('*')).forEach((a) => findings.add(`Action::${a}`));
    list(statement.Resource).map(flattenReference).filter((r) => r.includes('*')).forEach((r) => findings.add(`Resource::${r}`));
  }
  return [...findings];
}

/** A CloudFormation value as one string, references as `<LogicalId>` and `<LogicalId.Attribute>` (cdk-nag's notation for findings). */
export function flattenReference(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const node = value as Record<string, unknown>;
  if (node['Fn::Join']) {
    const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map(flattenReference).join(delimiter);
  }
  if (node['Fn::Sub']) return flattenReference(node['Fn::Sub']);
  if (node['Fn::GetAtt']) {
    const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
  }
  if (node['Fn::ImportValue']) return flattenReference(node['Fn::ImportValue']);
  if (node.Ref) return `<${flattenReference(node.Ref)}>`;
  return JSON.stringify(value);
}
