import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { OrgConfig } from '../../lib/config';
import { ArtifactStore } from '../../lib/aws/artifact-store';
import { DeliveryPipeline, flattenReference, wildcardFindings } from '../../lib/aws/delivery-pipeline';
import { assemblyStacks } from '../../bin/report';
import { buildCdkExecutionPolicies } from '../../policies/aws/cdk-execution-policy';
import { attachRulePacks } from '../../policies/aws/rule-packs';
import { addAwsStacks, pipelineStackName } from '../../stacks/aws';
import { IdentityStack } from '../../stacks/aws/identity-stack';
import { PlatformStack } from '../../stacks/aws/platform-stack';
import { addPipelineStack, PipelineArtifactsStack, pipelineRegions, type PipelineStack } from '../../stacks/aws/pipeline-stack';
import { IdentityStage, TargetStage } from '../../stacks/aws/target-stage';
import { configWith, exampleConfig, newApp, withoutCloudFormationValidation } from '../support/aws';

const TOOLING = '222222222222';
const CONNECTION = 'arn:aws:codeconnections:eu-central-1:222222222222:connection/0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d';

/**
 * The example with a fleet: dev in its own account, prod in two regions of the production
 * account, rolled out from a tooling account in two waves, production after an approval.
 */
const fleetConfig: OrgConfig = configWith((raw) => {
  raw.aws.targets.push(
    { name: 'dev', account: '333333333333', region: 'eu-central-1', network: { cidr: '10.41.0.0/16', maxAzs: 2 } },
    { name: 'prod-weu', account: '111111111111', region: 'eu-west-1', network: { cidr: '10.42.0.0/16', maxAzs: 2 } },
  );
  raw.aws.pipeline = {
    account: TOOLING,
    region: 'eu-central-1',
    connectionArn: CONNECTION,
    repository: 'example-corp/private-ai-blueprint',
    branch: 'release',
    waves: [
      { name: 'dev', targets: ['dev'] },
      { name: 'prod', targets: ['prod', 'prod-weu'], approval: true },
    ],
  };
});

interface Report {
  pluginReports: Array<{
    pluginName: string;
    violations: Array<{ ruleName: string }>;
    suppressedViolations?: Array<{ acknowledgedId: string; acknowledgedAt: string; reason: string }>;
  }>;
}

interface PipelineAction {
  Name: string;
  RunOrder: number;
  Region?: string;
  ActionTypeId: { Category: string; Provider: string };
  Configuration?: Record<string, unknown>;
  RoleArn?: unknown;
}

// The acknowledgements the pipeline adds, each one finding on one construct: CDK Pipelines'
// generated roles and projects (on its CodePipeline construct), and each region's artifact store.
const PIPELINE = 'PrivateAi-example-corp-pipeline/Delivery/Pipeline';
const IAM5 = (finding: string) => `AwsSolutions::AwsSolutions-IAM5[${finding}] @ ${PIPELINE}`;
const store = (at: string) => [
  `HIPAA.Security::HIPAA.Security-S3BucketReplicationEnabled @ ${at}/AccessLogsBucket/Resource`,
  `HIPAA.Security::HIPAA.Security-S3BucketReplicationEnabled @ ${at}/Bucket/Resource`,
  `HIPAA.Security::HIPAA.Security-S3DefaultEncryptionKMS @ ${at}/AccessLogsBucket/Resource`,
  `NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled @ ${at}/AccessLogsBucket/Resource`,
  `NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled @ ${at}/Bucket/Resource`,
  `NIST.800.53.R5::NIST.800.53.R5-S3DefaultEncryptionKMS @ ${at}/AccessLogsBucket/Resource`,
  `PCI.DSS.321::PCI.DSS.321-S3BucketReplicationEnabled @ ${at}/AccessLogsBucket/Resource`,
  `PCI.DSS.321::PCI.DSS.321-S3BucketReplicationEnabled @ ${at}/Bucket/Resource`,
  `PCI.DSS.321::PCI.DSS.321-S3DefaultEncryptionKMS @ ${at}/AccessLogsBucket/Resource`,
  `cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check @ ${at}/AccessLogsBucket/Resource`,
  `cdk-validator-cfnguard::s3_bucket_logging_enabled_check @ ${at}/AccessLogsBucket/Resource`,
  `cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check @ ${at}/AccessLogsBucket/Resource`,
  `cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check @ ${at}/Bucket/Resource`,
];
const EXPECTED_PIPELINE_ACKNOWLEDGEMENTS = [
  IAM5('Action::kms:GenerateDataKey*'),
  IAM5('Action::kms:ReEncrypt*'),
  IAM5('Action::s3:Abort*'),
  IAM5('Action::s3:DeleteObject*'),
  IAM5('Action::s3:GetBucket*'),
  IAM5('Action::s3:GetObject*'),
  IAM5('Action::s3:List*'),
  IAM5('Resource::*'),
  IAM5('Resource::<DeliveryArtifactsBucket2402A431.Arn>/*'),
  IAM5('Resource::arn:*:iam::222222222222:role/*'),
  IAM5('Resource::arn:aws:codebuild:eu-central-1:222222222222:report-group/*'),
  IAM5('Resource::arn:aws:codebuild:eu-central-1:222222222222:report-group/<DeliveryPipelineBuildSynthCdkBuildProject793F903C>-*'),
  IAM5('Resource::arn:aws:codebuild:eu-central-1:222222222222:report-group/<DeliveryPipelineUpdatePipelineSelfMutationAD4D4227>-*'),
  IAM5('Resource::arn:aws:logs:eu-central-1:222222222222:log-group:/aws/codebuild/*'),
  IAM5('Resource::arn:aws:logs:eu-central-1:222222222222:log-group:/aws/codebuild/<DeliveryPipelineBuildSynthCdkBuildProject793F903C>:*'),
  IAM5('Resource::arn:aws:logs:eu-central-1:222222222222:log-group:/aws/codebuild/<DeliveryPipelineUpdatePipelineSelfMutationAD4D4227>:*'),
  IAM5('Resource::arn:aws:s3:::privateai-example-corp-pi1artifactsbucket8d4e0129cb5e6961b3fc/*'),
  `HIPAA.Security::HIPAA.Security-CodeBuildProjectSourceRepoUrl @ ${PIPELINE}`,
  `HIPAA.Security::HIPAA.Security-IAMNoInlinePolicy @ ${PIPELINE}`,
  `NIST.800.53.R5::NIST.800.53.R5-IAMNoInlinePolicy @ ${PIPELINE}`,
  `PCI.DSS.321::PCI.DSS.321-CodeBuildProjectSourceRepoUrl @ ${PIPELINE}`,
  `PCI.DSS.321::PCI.DSS.321-IAMNoInlinePolicy @ ${PIPELINE}`,
  ...store('PrivateAi-example-corp-pipeline/Delivery/Artifacts'),
  ...store('PrivateAi-example-corp-pipeline-artifacts-eu-west-1/Artifacts'),
].sort();

describe('with aws.pipeline: the app is the delivery pipeline, under every rule pack', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-'));
  const app = newApp(outdir);
  const pipelineStack: PipelineStack = addPipelineStack(app, fleetConfig, { configPath: 'config/example-corp.json' });
  attachRulePacks(app, fleetConfig);
  const assembly = app.synth();
  const template = Template.fromStack(pipelineStack);
  const pipeline = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0].Properties as {
    PipelineType: string;
    Stages: Array<{ Name: string; Actions: PipelineAction[] }>;
    ArtifactStores: Array<{ Region: string; ArtifactStore: { EncryptionKey: { Type: string; Id: unknown }; Location: unknown } }>;
  };
  const stage = (name: string) => pipeline.Stages.find((s) => s.Name === name)!;
  const report: Report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));

  test('synthesizes with zero unacknowledged findings; the pipeline adds only the expected acknowledgements, each with a sentence', () => {
    expect(report.pluginReports.flatMap((p) => p.violations.map((v) => `${p.pluginName}: ${v.ruleName}`))).toEqual([]);
    const acknowledged = report.pluginReports.flatMap((p) => p.suppressedViolations ?? []);
    const pipelines = acknowledged.filter((a) => a.acknowledgedAt.startsWith(pipelineStackName(fleetConfig)) && !/\/(dev|prod|prod-weu|Identity)\//.test(a.acknowledgedAt));
    expect(pipelines.map((a) => `${a.acknowledgedId} @ ${a.acknowledgedAt}`).sort()).toEqual(EXPECTED_PIPELINE_ACKNOWLEDGEMENTS);
    for (const a of pipelines) expect(a.reason).toMatch(/^[A-Z].{60,}\.$/);
  });

  test('the app holds the pipeline and its artifact stack for eu-west-1 only: each stack it deploys is in one stage, once', () => {
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual(['PrivateAi-example-corp-pipeline', 'PrivateAi-example-corp-pipeline-artifacts-eu-west-1']);
    expect(assembly.stacksRecursively.map((s) => `${s.stackName} ${s.environment.account}/${s.environment.region}`).sort()).toEqual([
      'PrivateAi-example-corp-dev 333333333333/eu-central-1',
      'PrivateAi-example-corp-identity 999999999999/eu-central-1',
      'PrivateAi-example-corp-pipeline 222222222222/eu-central-1',
      'PrivateAi-example-corp-pipeline-artifacts-eu-west-1 222222222222/eu-west-1',
      'PrivateAi-example-corp-prod 111111111111/eu-central-1',
      'PrivateAi-example-corp-prod-weu 111111111111/eu-west-1',
    ]);
    expect(pipelineRegions(fleetConfig)).toEqual(['eu-central-1', 'eu-west-1']);
    expect([pipelineStack.account, pipelineStack.region, pipelineStack.terminationProtection]).toEqual([TOOLING, 'eu-central-1', true]);
  });

  test('the evidence report reads the stacks of the stages by their stack names, as the access proofs look them up', () => {
    expect(assemblyStacks(outdir).map((s) => `${s.name} ${s.account}/${s.region} ${Object.keys(s.template.Resources ?? {}).length > 0}`).sort()).toEqual(
      assembly.stacksRecursively.map((s) => `${s.stackName} ${s.environment.account}/${s.environment.region} true`).sort(),
    );
  });

  test("every environment gets a CloudFormation execution policy for cdk bootstrap, the tooling account's covering the pipeline", () => {
    const policies = buildCdkExecutionPolicies(assembly.stacksRecursively.map((s) => ({ account: s.environment.account, region: s.environment.region, template: s.template })));
    expect(Object.keys(policies).sort()).toEqual([
      '111111111111-eu-central-1',
      '111111111111-eu-west-1',
      '222222222222-eu-central-1',
      '222222222222-eu-west-1',
      '333333333333-eu-central-1',
      '999999999999-eu-central-1',
    ]);
    const tooling = JSON.stringify(policies['222222222222-eu-central-1']);
    for (const action of ['codepipeline:*', 'codebuild:*', 'codeconnections:PassConnection', 'codestar-connections:PassConnection', 'codepipeline.amazonaws.com', 'codebuild.amazonaws.com']) {
      expect(tooling).toContain(action);
    }
    expect(JSON.stringify(policies['111111111111-eu-central-1'])).not.toContain('codepipeline');
  });

  test('a V2 pipeline reads the configured repository and branch through the connection, on every push', () => {
    expect(pipeline.PipelineType).toBe('V2');
    expect(stage('Source').Actions).toEqual([
      expect.objectContaining({
        ActionTypeId: expect.objectContaining({ Category: 'Source', Provider: 'CodeStarSourceConnection' }),
        Configuration: { ConnectionArn: CONNECTION, FullRepositoryId: 'example-corp/private-ai-blueprint', BranchName: 'release', DetectChanges: true },
      }),
    ]);
  });

  test('the synth step installs the locked dependencies and runs npm run synth on the committed config, with Node.js 22', () => {
    const synth = Object.values(template.findResources('AWS::CodeBuild::Project')).find((p) => /npm run synth/.test(JSON.stringify(p)))!;
    const spec = JSON.parse(synth.Properties.Source.BuildSpec);
    expect(spec.phases.install).toEqual({ 'runtime-versions': { nodejs: '22' }, commands: ['npm ci'] });
    expect(spec.phases.build.commands).toEqual(['npm run synth -- --config config/example-corp.json']);
    expect(spec.artifacts['base-directory']).toBe('cdk.out');
    expect(synth.Properties.Environment).toMatchObject({ Image: 'aws/codebuild/standard:8.0', PrivilegedMode: false });
    // The pipeline runs nothing else before it updates itself and deploys.
    expect(pipeline.Stages.map((s) => s.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'dev', 'prod']);
  });

  test('waves in order: dev (with the Identity Center stack), then prod after an approval, its regions in parallel in their own accounts', () => {
    const actions = (name: string) => stage(name).Actions.map((a) => `${a.RunOrder} ${a.Name}${a.Region ? ` @${a.Region}` : ''}`).sort();
    expect(actions('dev')).toEqual([
      '1 Identity.PrivateAi-example-corp-identity.Prepare',
      '1 dev.PrivateAi-example-corp-dev.Prepare',
      '2 Identity.PrivateAi-example-corp-identity.Deploy',
      '2 dev.PrivateAi-example-corp-dev.Deploy',
    ]);
    expect(actions('prod')).toEqual([
      '1 Approve-prod',
      '2 prod-weu.PrivateAi-example-corp-prod-weu.Prepare @eu-west-1',
      '2 prod.PrivateAi-example-corp-prod.Prepare',
      '3 prod-weu.PrivateAi-example-corp-prod-weu.Deploy @eu-west-1',
      '3 prod.PrivateAi-example-corp-prod.Deploy',
    ]);
    const approval = stage('prod').Actions.find((a) => a.Name === 'Approve-prod')!;
    expect(approval.ActionTypeId).toMatchObject({ Category: 'Approval', Provider: 'Manual' });
    expect(approval.Configuration).toEqual({ CustomData: 'Approve the rollout of wave prod (prod, prod-weu)' });
    expect(stage('dev').Actions.some((a) => a.ActionTypeId.Category === 'Approval')).toBe(false);
    // Each stack deploys through the CDK bootstrap roles of its own account and region.
    const prepare = stage('prod').Actions.find((a) => a.Name === 'prod-weu.PrivateAi-example-corp-prod-weu.Prepare')!;
    expect(JSON.stringify(prepare.RoleArn)).toContain(':iam::111111111111:role/cdk-hnb659fds-deploy-role-111111111111-eu-west-1');
    expect(JSON.stringify(prepare.Configuration!.RoleArn)).toContain(':iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1');
    expect(prepare.Configuration!.StackName).toBe('PrivateAi-example-corp-prod-weu');
  });

  test('the stages deploy the stacks cdk deploy would, by the same names, so the pipeline takes them over', () => {
    const prodWeu = pipelineStack.waves.prod[1] as TargetStage;
    expect(prodWeu).toBeInstanceOf(TargetStage);
    expect([prodWeu.platformStack.stackName, prodWeu.platformStack.account, prodWeu.platformStack.region]).toEqual(['PrivateAi-example-corp-prod-weu', '111111111111', 'eu-west-1']);
    expect(prodWeu.platformStack.terminationProtection).toBe(true);
    const identity = pipelineStack.waves.dev[1] as IdentityStage;
    expect(identity).toBeInstanceOf(IdentityStage);
    expect([identity.identityStack.stackName, identity.identityStack.account]).toEqual(['PrivateAi-example-corp-identity', '999999999999']);
  });

  test('the pipeline is the deploy path: platform admins may assume the lookup roles of the targets, not the deploy or publishing roles', () => {
    const identity = pipelineStack.waves.dev[1] as IdentityStage;
    const sets = Template.fromStack(identity.identityStack).findResources('AWS::SSO::PermissionSet', { Properties: { Name: 'ExampleCorpAiPlatformAdmin' } });
    const statement = (Object.values(sets)[0].Properties.InlinePolicy.Statement as Array<{ Sid: string; Resource: unknown }>).find((x) => x.Sid === 'AssumeCdkBootstrapRoles')!;
    const roles = JSON.stringify(statement.Resource);
    expect(roles).toContain('cdk-hnb659fds-lookup-role-');
    for (const role of ['deploy-role', 'file-publishing-role', 'image-publishing-role']) expect(roles).not.toContain(role);
  });

  test('artifacts: a KMS key with rotation in every region, buckets TLS-only, versioned, not public, with access logs', () => {
    expect(pipeline.ArtifactStores.map((s) => [s.Region, s.ArtifactStore.EncryptionKey.Type])).toEqual([
      ['eu-central-1', 'KMS'],
      ['eu-west-1', 'KMS'],
    ]);
    expect(pipeline.ArtifactStores[1].ArtifactStore.EncryptionKey.Id).toBe(`arn:aws:kms:eu-west-1:${TOOLING}:alias/example-corp/pipeline-artifacts`);
    const replica = Template.fromStack(app.node.findChild('PrivateAi-example-corp-pipeline-artifacts-eu-west-1') as Stack);
    for (const t of [template, replica]) {
      t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, KeyPolicy: Match.objectLike({ Statement: Match.arrayWith([Match.objectLike({ Sid: 'DenyGrantsExceptForAwsServices', Effect: 'Deny' })]) }) });
      t.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) })] },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }),
        LifecycleConfiguration: Match.anyValue(),
      });
      t.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: Match.objectLike({ Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) }),
      });
    }
    // The pipeline's key is the one its artifact store names, and the primary bucket is encrypted under it.
    const [keyId] = Object.keys(template.findResources('AWS::KMS::Key', { Properties: { Description: Match.stringLikeRegexp('Pipeline artifacts') } }));
    expect(pipeline.ArtifactStores[0].ArtifactStore.EncryptionKey.Id).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    // The production account's deploy role may read the artifacts in each region it deploys from, and nothing else may.
    expect(JSON.stringify(replica.toJSON())).toContain(':iam::111111111111:role/cdk-hnb659fds-deploy-role-111111111111-eu-west-1');
    expect(JSON.stringify(replica.toJSON())).not.toContain('333333333333');
  });

  test('every build logs to one CMK-encrypted log group with the configured retention', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365, KmsKeyId: Match.anyValue() });
    const projects = Object.values(template.findResources('AWS::CodeBuild::Project'));
    expect(projects.length).toBe(3); // synth, self-mutation, one asset-publishing project
    for (const p of projects) expect(p.Properties.LogsConfig.CloudWatchLogs).toMatchObject({ Status: 'ENABLED', GroupName: { Ref: expect.stringMatching(/^DeliveryBuildLogs/) } });
  });
});

// Below, no test reads a validation report: their synths leave out CDK's CloudFormation validation,
// which would take most of each synth (the first describe's synth keeps it and asserts on the report).
describe('with aws.organization the guards deploy as their own stack: in the app, or first in the pipeline', () => {
  const organization = { policyAdminAccount: '444444444444', region: 'eu-central-1', attachTo: ['ou-ab12-cdef3456'] };
  /** The app of the example with aws.organization, built once: the first test reads its stacks, the second synthesizes it. */
  let withOrganization: App | undefined;
  const organizationApp = (): App => {
    if (!withOrganization) {
      withOrganization = newApp();
      addAwsStacks(withOrganization, configWith((raw) => (raw.aws.organization = organization)));
    }
    return withOrganization;
  };

  test('without a pipeline the app adds the organisation stack in the policy admin account, beside the others', () => {
    const app = organizationApp();
    const stacks = app.node.children.filter((c): c is Stack => c instanceof Stack).map((s) => `${s.stackName} ${s.account}`);
    expect(stacks).toEqual(['PrivateAi-example-corp-prod 111111111111', 'PrivateAi-example-corp-identity 999999999999', 'PrivateAi-example-corp-organization 444444444444']);
  });

  test("the policy admin account's execution policy lets CloudFormation manage the guards' policies, and not the organisation's structure", async () => {
    const policies = buildCdkExecutionPolicies(withoutCloudFormationValidation(() => organizationApp().synth()).stacks.map((s) => ({ account: s.environment.account, region: s.environment.region, template: s.template })));
    const admin = '444444444444';
    const decide = async (action: string, resource: string) => {
      const principal = `arn:aws:iam::${admin}:role/cdk-hnb659fds-cfn-exec-role-${admin}-eu-central-1`;
      const response = await runSimulation(
        {
          identityPolicies: [{ name: 'CdkExecution', policy: policies[`${admin}-eu-central-1`] }],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          request: { action, principal, resource: { resource, accountId: admin }, contextVariables: { 'aws:PrincipalArn': principal } },
        },
        {},
      );
      if (response.resultType === 'error') throw new Error(`simulation of ${action} failed: ${JSON.stringify(response.errors)}`);
      return response.overallResult;
    };
    const org = (rest: string) => `arn:aws:organizations::${admin}:${rest}`;
    const scp = org('policy/o-abcdefghij/service_control_policy/p-abcdefgh');
    const cases: Array<[string, string, string]> = [
      ['organizations:CreatePolicy', '*', 'Allowed'],
      ['organizations:UpdatePolicy', scp, 'Allowed'],
      ['organizations:AttachPolicy', scp, 'Allowed'],
      ['organizations:DetachPolicy', org('ou/o-abcdefghij/ou-ab12-cdef3456'), 'Allowed'],
      ['organizations:DeletePolicy', scp, 'Allowed'],
      ['organizations:CreateAccount', '*', 'ExplicitlyDenied'],
      ['organizations:CreateOrganizationalUnit', org('root/o-abcdefghij/r-ab12'), 'ExplicitlyDenied'],
      ['organizations:DeleteOrganization', '*', 'ExplicitlyDenied'],
      ['organizations:MoveAccount', org('account/o-abcdefghij/111111111111'), 'ExplicitlyDenied'],
      ['organizations:LeaveOrganization', '*', 'ExplicitlyDenied'],
      ['organizations:EnablePolicyType', org('root/o-abcdefghij/r-ab12'), 'ExplicitlyDenied'],
      ['organizations:DescribeOrganization', '*', 'ImplicitlyDenied'],
      ['iam:CreateRole', `arn:aws:iam::${admin}:role/anything`, 'ImplicitlyDenied'],
    ];
    for (const [action, resource, expected] of cases) expect([action, await decide(action, resource)]).toEqual([action, expected]);
    // The Identity Center account's policy keeps every organizations change denied.
    expect(JSON.stringify(policies['999999999999-eu-central-1'])).toContain('"organizations:Create*"');
  });

  test('with a pipeline the guards are a stage of their own after the assets and before the first wave', () => {
    const app = newApp();
    const config = configWith((raw) => {
      raw.aws.organization = organization;
      raw.aws.pipeline = { account: TOOLING, region: 'eu-central-1', connectionArn: CONNECTION, repository: 'example-corp/blueprint', waves: [{ name: 'prod', targets: ['prod'], approval: true }] };
    });
    const stack = addPipelineStack(app, config, { configPath: 'org.json' });
    const pipeline = Object.values(withoutCloudFormationValidation(() => Template.fromStack(stack)).findResources('AWS::CodePipeline::Pipeline'))[0].Properties as { Stages: Array<{ Name: string; Actions: PipelineAction[] }> };
    expect(pipeline.Stages.map((s) => s.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'Organization', 'prod']);
    expect(pipeline.Stages[4].Actions.map((a) => `${a.RunOrder} ${a.Name} ${String(a.Configuration?.StackName)}`).sort()).toEqual([
      '1 Prepare PrivateAi-example-corp-organization',
      '2 Deploy PrivateAi-example-corp-organization',
    ]);
    expect(JSON.stringify(pipeline.Stages[4].Actions)).toContain(':iam::444444444444:role/cdk-hnb659fds-deploy-role-444444444444-eu-central-1');
    const guards = stack.organization!.organizationStack;
    expect([guards.stackName, guards.account, guards.region]).toEqual(['PrivateAi-example-corp-organization', '444444444444', 'eu-central-1']);
  });
});

describe('the refusals of a pipeline that could not deploy what the config says', () => {
  test('a wave naming a target the config lacks (a config built in code, which the loader would refuse) is named', () => {
    const config = structuredClone(fleetConfig) as OrgConfig & { aws: { pipeline: { waves: Array<{ targets: string[] }> } } };
    config.aws.pipeline.waves[1].targets.push('prod-us');
    expect(() => addPipelineStack(newApp(), config, { configPath: 'org.json' })).toThrow(
      'PipelineStack: wave prod names target "prod-us", which is not in aws.targets (config: aws.pipeline.waves[1].targets)',
    );
  });

  test('a target named pipeline would share the pipeline stack\'s name', () => {
    const config = configWith((raw) => {
      raw.aws.targets[0].name = 'pipeline';
      raw.aws.pipeline = { account: TOOLING, region: 'eu-central-1', connectionArn: CONNECTION, repository: 'example-corp/blueprint', waves: [{ name: 'all', targets: ['pipeline'] }] };
    });
    expect(() => addPipelineStack(newApp(), config, { configPath: 'org.json' })).toThrow(
      'target name "pipeline" is reserved for the pipeline stack (PrivateAi-example-corp-pipeline); rename the target (config: aws.targets[0].name)',
    );
  });

  test('DeliveryPipeline refuses repeated wave names and a region without an artifact store', () => {
    const props = (stages: Stage[], names: string[]) => ({
      repository: 'o/r',
      branch: 'main',
      connectionArn: CONNECTION,
      synthCommands: ['npx cdk synth'],
      keyAlias: 'alias/t/pipeline-artifacts',
      waves: names.map((name, i) => ({ name, stages: [stages[i]] })),
    });
    const stageIn = (stack: Stack, id: string, region: string) => {
      const s = new Stage(stack, id, { env: { account: '111111111111', region } });
      new Stack(s, 'S');
      return s;
    };
    const app = newApp();
    const a = new Stack(app, 'A', { env: { account: TOOLING, region: 'eu-central-1' } });
    expect(() => new DeliveryPipeline(a, 'P', props([stageIn(a, 'one', 'eu-central-1'), stageIn(a, 'two', 'eu-central-1')], ['w', 'w']))).toThrow(
      'DeliveryPipeline: wave names must be unique (pipeline stages are named after them); "w" is given twice',
    );
    const b = new Stack(app, 'B', { env: { account: TOOLING, region: 'eu-central-1' } });
    expect(() => new DeliveryPipeline(b, 'P', props([stageIn(b, 'one', 'eu-west-3')], ['w']))).toThrow(
      'DeliveryPipeline: stages deploy to eu-west-3, where the pipeline has no artifact store; give replicationStores an ArtifactStore in each (a stack of the pipeline\'s account in that region)',
    );
  });
});

describe('without aws.pipeline the app is exactly as before', () => {
  test('the same two stacks, whose templates equal those of the stacks as they were created before the pipeline existed', () => {
    const app = newApp();
    addAwsStacks(app, exampleConfig);
    const assembly = withoutCloudFormationValidation(() => app.synth());
    expect(assembly.stacksRecursively.map((s) => s.stackName).sort()).toEqual(['PrivateAi-example-corp-identity', 'PrivateAi-example-corp-prod']);
    expect(assembly.nestedAssemblies).toEqual([]);

    // The stacks as bin/app.ts created them before aws.pipeline: no stackName given, the default synthesizer.
    const before = newApp();
    const target = exampleConfig.aws.targets[0];
    const platform = new PlatformStack(before, 'PrivateAi-example-corp-prod', {
      config: exampleConfig,
      target,
      env: { account: target.account, region: target.region },
      description: 'private-ai-blueprint: private Bedrock platform for example-corp/prod',
      terminationProtection: true,
    });
    const identity = new IdentityStack(before, 'PrivateAi-example-corp-identity', {
      config: exampleConfig,
      env: { account: '999999999999', region: 'eu-central-1' },
      description: 'private-ai-blueprint: IAM Identity Center permission sets for example-corp',
      terminationProtection: true,
    });
    const now = (name: string) => assembly.getStackByName(name);
    for (const stack of [platform, identity]) {
      expect(now(stack.stackName).template).toEqual(withoutCloudFormationValidation(() => Template.fromStack(stack)).toJSON());
      expect([now(stack.stackName).id, now(stack.stackName).terminationProtection]).toEqual([stack.artifactId, true]);
    }
  });
});

describe('the wildcard findings CDK Pipelines\' policies are checked against', () => {
  test('are named as the AwsSolutions pack names them: wildcard actions, and resources flattened with references in angle brackets', () => {
    expect(
      wildcardFindings({
        Statement: [
          { Effect: 'Allow', Action: ['s3:GetObject*', 's3:PutObject'], Resource: [{ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket1', 'Arn'] }, '/*']] }, 'arn:aws:s3:::b'] },
          { Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:r:1:log-group:/aws/codebuild/', { Ref: 'Project1' }, ':*']] } },
          { Effect: 'Deny', Action: 'kms:*', Resource: '*' },
        ],
      }).sort(),
    ).toEqual(['Action::s3:GetObject*', 'Resource::<Bucket1.Arn>/*', 'Resource::arn:<AWS::Partition>:logs:r:1:log-group:/aws/codebuild/<Project1>:*']);
    expect(flattenReference({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::x/*' })).toBe('arn:<AWS::Partition>:s3:::x/*');
  });

  test('an artifact store in another region is encrypted under the alias the pipeline names', () => {
    const app = newApp();
    const stack = new PipelineArtifactsStack(app, 'R', { config: exampleConfig, env: { account: TOOLING, region: 'eu-west-1' } });
    expect(stack.store).toBeInstanceOf(ArtifactStore);
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/example-corp/pipeline-artifacts' });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } })] },
    });
    expect(JSON.stringify(Template.fromStack(stack).findResources('AWS::S3::Bucket'))).toContain('alias/example-corp/pipeline-artifacts');
  });
});
