import { Stack, Tags, type App, type StackProps, type Stage } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { organisationTags, type OrgConfig } from '../../lib/config';
import { ArtifactStore } from '../../lib/aws/artifact-store';
import { DeliveryPipeline } from '../../lib/aws/delivery-pipeline';
import { identityStackName, pipelineStackName, platformStackName, synthesizerOf, warnIdentityCenterSkipped } from '.';
import { IdentityStage, OrganizationStage, TargetStage } from './target-stage';

/** The pipeline's artifact key alias in every region, e.g. `alias/acme/pipeline-artifacts`. */
export function pipelineKeyAlias(config: OrgConfig): string {
  return `alias/${config.organisation.name}/pipeline-artifacts`;
}

/** The regions the pipeline deploys to (targets of its waves, Identity Center, the organisation guards), the pipeline's own first. */
export function pipelineRegions(config: OrgConfig): string[] {
  const pipeline = config.aws.pipeline;
  if (!pipeline) return [];
  const waveTargets = new Set(pipeline.waves.flatMap((w) => w.targets));
  const regions = [
    pipeline.region,
    ...config.aws.targets.filter((t) => waveTargets.has(t.name)).map((t) => t.region),
    ...(config.aws.identityCenter ? [config.aws.identityCenter.region] : []),
    ...(config.aws.organization ? [config.aws.organization.region] : []),
  ];
  return [...new Set(regions)];
}

export interface PipelineArtifactsStackProps extends StackProps {
  readonly config: OrgConfig;
}

/** The pipeline's artifact store in a region other than its own, in the tooling account. */
export class PipelineArtifactsStack extends Stack {
  public readonly store: ArtifactStore;

  constructor(scope: Construct, id: string, props: PipelineArtifactsStackProps) {
    super(scope, id, props);
    for (const [key, value] of Object.entries(organisationTags(props.config.tags))) Tags.of(this).add(key, value);
    this.store = new ArtifactStore(this, 'Artifacts', { keyAlias: pipelineKeyAlias(props.config), crossRegion: true });
  }
}

export interface PipelineStackProps extends StackProps {
  /** The organisation config; `aws.pipeline` must be set. */
  readonly config: OrgConfig;
  /** Commands that synthesize the app from the repository (after `npm ci`), failing on any rule-pack finding. */
  readonly synthCommands: readonly string[];
  /** The artifact store of each other region the pipeline deploys to. */
  readonly replicationStores: Readonly<Record<string, ArtifactStore>>;
}

/**
 * The delivery pipeline in the tooling account: the organisation guards first (when configured),
 * then one stage per target, grouped in the configured waves (a wave's targets deploy in
 * parallel, waves one after another, an approval before waves that ask for one); the Identity
 * Center stack deploys in the first wave. Each stack deploys in its own account. Wiring only.
 */
export class PipelineStack extends Stack {
  public readonly delivery: DeliveryPipeline;
  /** The stages of each wave, by wave name. */
  public readonly waves: Readonly<Record<string, readonly Stage[]>>;
  /** The organisation guards' stage, before the waves, when aws.organization is set. */
  public readonly organization?: OrganizationStage;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { config } = props;
    const pipeline = config.aws.pipeline;
    if (!pipeline) throw new Error('PipelineStack: aws.pipeline is not configured; give the tooling account, connection, repository and waves, or do not create this stack');
    for (const [key, value] of Object.entries(organisationTags(config.tags))) Tags.of(this).add(key, value);

    const targets = new Map(config.aws.targets.map((t) => [t.name, t]));
    // Stage IDs: target names are lowercase, so the capitalised Organization and Identity stages cannot clash with one.
    // The guards deploy first, on their own: they bound what every account of every wave may do.
    this.organization = config.aws.organization ? new OrganizationStage(this, 'Organization', { config }) : undefined;
    const identity = config.aws.identityCenter ? new IdentityStage(this, 'Identity', { config }) : undefined;
    if (!identity) warnIdentityCenterSkipped(this);
    const waves = pipeline.waves.map((wave, i) => ({
      name: wave.name,
      approval: wave.approval,
      stages: [
        ...wave.targets.map((name) => {
          const target = targets.get(name);
          // The config loader refuses this; a config built in code may still get here.
          if (!target) throw new Error(`PipelineStack: wave ${wave.name} names target "${name}", which is not in aws.targets (config: aws.pipeline.waves[${i}].targets)`);
          return new TargetStage(this, name, { config, target });
        }),
        // Permission sets are organisation-wide and name every target; they deploy with the first wave.
        ...(i === 0 && identity ? [identity] : []),
      ],
    }));
    this.waves = Object.fromEntries(waves.map((w) => [w.name, w.stages]));

    this.delivery = new DeliveryPipeline(this, 'Delivery', {
      pipelineName: id,
      repository: pipeline.repository,
      branch: pipeline.branch,
      connectionArn: pipeline.connectionArn,
      synthCommands: props.synthCommands,
      stages: this.organization ? [this.organization] : [],
      waves,
      replicationStores: props.replicationStores,
      keyAlias: pipelineKeyAlias(config),
      logRetention: config.logging.retentionDays as logs.RetentionDays,
    });
  }
}

/** How the pipeline's synth step runs the app. */
export interface PipelineSynthOptions {
  /** The organisation config as a path relative to the repository root, as the synth step reads it. */
  readonly configPath: string;
}

/**
 * The pipeline stack of `aws.pipeline`, in the tooling account, and an artifact stack in each
 * other region it deploys to. Its synth step runs `npm run synth` (cdk synth with every rule
 * pack, the other clouds' plans and the evidence report) on the config at `configPath`.
 */
export function addPipelineStack(app: App, config: OrgConfig, options: PipelineSynthOptions): PipelineStack {
  const pipeline = config.aws.pipeline;
  if (!pipeline) throw new Error('addPipelineStack: aws.pipeline is not configured');
  const name = pipelineStackName(config);
  const clash = config.aws.targets.findIndex((t) => platformStackName(config, t.name) === name);
  if (clash >= 0) {
    throw new Error(`target name "${config.aws.targets[clash].name}" is reserved for the pipeline stack (${name}); rename the target (config: aws.targets[${clash}].name)`);
  }
  if (name === identityStackName(config)) throw new Error(`unexpected: the pipeline and identity stacks are both named ${name}`);
  const env = { account: pipeline.account, region: pipeline.region };
  const replicationStores = Object.fromEntries(
    pipelineRegions(config)
      .filter((region) => region !== pipeline.region)
      .map((region) => {
        const stack = new PipelineArtifactsStack(app, `${name}-artifacts-${region}`, {
          config,
          env: { ...env, region },
          synthesizer: synthesizerOf(config),
          description: `private-ai-blueprint: delivery pipeline artifacts in ${region} for ${config.organisation.name}`,
          terminationProtection: true,
        });
        return [region, stack.store] as const;
      }),
  );
  const stack = new PipelineStack(app, name, {
    config,
    env,
    synthesizer: synthesizerOf(config),
    description: `private-ai-blueprint: delivery pipeline of ${config.organisation.name}`,
    terminationProtection: true,
    synthCommands: [`npm run synth -- --config ${shellQuote(options.configPath)}`],
    replicationStores,
  });
  for (const store of Object.values(replicationStores)) stack.addStackDependency(Stack.of(store));
  return stack;
}

/** A word for sh, quoted only when it needs to be. */
function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
