import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CONTROL_TOWER_RULES_DIR } from '../../policies/aws/control-tower-guard';
import { attachRulePacks, CDK_PACKS } from '../../policies/aws/rule-packs';
import { addAwsStacks } from '../../stacks/aws';
import { exampleConfig, newApp } from '../support/aws';

interface Report {
  pluginReports: Array<{
    pluginName: string;
    conclusion: string;
    metadata?: Record<string, string>;
    violations: Array<{ ruleName: string }>;
    suppressedViolations?: Array<{ ruleName: string; acknowledgedId: string; acknowledgedAt: string; reason: string }>;
  }>;
}

const readReport = (dir: string): Report => JSON.parse(fs.readFileSync(path.join(dir, 'validation-report.json'), 'utf8'));

// The acknowledgements this blueprint makes, each one finding on one construct. Adding one
// must be a deliberate change to this list (and to the count in the README).
const EXPECTED_ACKNOWLEDGEMENTS = [
  'AwsSolutions::AwsSolutions-COG4 @ ModelInvoker/Api/Default/embed/POST/Resource',
  'AwsSolutions::AwsSolutions-COG4 @ ModelInvoker/Api/Default/invoke/POST/Resource',
  'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs] @ ModelInvoker/ApiGatewayCloudWatchRole/Resource',
  'AwsSolutions::AwsSolutions-IAM5[Resource::*] @ InvocationLogging/Function/Policy/Resource',
  'AwsSolutions::AwsSolutions-IAM5[Resource::*] @ ModelInvoker/Function/Policy/Resource',
  'AwsSolutions::AwsSolutions-SQS3 @ MisuseDetection/UndeliveredAlerts/Resource',
  'HIPAA.Security::HIPAA.Security-APIGWCacheEnabledAndEncrypted @ ModelInvoker/Api/DeploymentStage.v1/Resource',
  'HIPAA.Security::HIPAA.Security-APIGWSSLEnabled @ ModelInvoker/Api/DeploymentStage.v1/Resource',
  'HIPAA.Security::HIPAA.Security-S3BucketReplicationEnabled @ Audit/AccessLogsBucket/Resource',
  'HIPAA.Security::HIPAA.Security-S3BucketReplicationEnabled @ Audit/Bucket/Resource',
  'HIPAA.Security::HIPAA.Security-S3BucketReplicationEnabled @ InvocationLogging/Bucket/Resource',
  'HIPAA.Security::HIPAA.Security-S3DefaultEncryptionKMS @ Audit/AccessLogsBucket/Resource',
  'NIST.800.53.R5::NIST.800.53.R5-APIGWCacheEnabledAndEncrypted @ ModelInvoker/Api/DeploymentStage.v1/Resource',
  'NIST.800.53.R5::NIST.800.53.R5-APIGWSSLEnabled @ ModelInvoker/Api/DeploymentStage.v1/Resource',
  'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled @ Audit/AccessLogsBucket/Resource',
  'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled @ Audit/Bucket/Resource',
  'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled @ InvocationLogging/Bucket/Resource',
  'NIST.800.53.R5::NIST.800.53.R5-S3DefaultEncryptionKMS @ Audit/AccessLogsBucket/Resource',
  'PCI.DSS.321::PCI.DSS.321-APIGWCacheEnabledAndEncrypted @ ModelInvoker/Api/DeploymentStage.v1/Resource',
  'PCI.DSS.321::PCI.DSS.321-APIGWSSLEnabled @ ModelInvoker/Api/DeploymentStage.v1/Resource',
  'PCI.DSS.321::PCI.DSS.321-S3BucketReplicationEnabled @ Audit/AccessLogsBucket/Resource',
  'PCI.DSS.321::PCI.DSS.321-S3BucketReplicationEnabled @ Audit/Bucket/Resource',
  'PCI.DSS.321::PCI.DSS.321-S3BucketReplicationEnabled @ InvocationLogging/Bucket/Resource',
  'PCI.DSS.321::PCI.DSS.321-S3DefaultEncryptionKMS @ Audit/AccessLogsBucket/Resource',
  'Serverless::Serverless-SQSRedrivePolicy @ InvocationLogging/Function/DeadLetterQueue/Resource',
  'Serverless::Serverless-SQSRedrivePolicy @ MisuseDetection/UndeliveredAlerts/Resource',
  'Serverless::Serverless-SQSRedrivePolicy @ ModelInvoker/Function/DeadLetterQueue/Resource',
  'cdk-validator-cfnguard::lambda_inside_vpc_check @ Custom::VpcRestrictDefaultSGCustomResourceProvider/Handler',
  'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check @ Audit/AccessLogsBucket/Resource',
  'cdk-validator-cfnguard::s3_bucket_logging_enabled_check @ Audit/AccessLogsBucket/Resource',
  'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check @ Audit/AccessLogsBucket/Resource',
];

describe('the whole app under all seven rule packs (six standard, one Bedrock)', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'rule-packs-'));
  const app = newApp(outdir);
  addAwsStacks(app, exampleConfig);
  attachRulePacks(app, exampleConfig);

  test('synthesizes with zero unacknowledged findings, and only the expected acknowledgements', () => {
    expect(() => app.synth()).not.toThrow();
    const report = readReport(outdir);
    const unacknowledged = report.pluginReports.flatMap((p) => p.violations.map((v) => `${p.pluginName}: ${v.ruleName}`));
    expect(unacknowledged).toEqual([]);
    expect(report.pluginReports.every((p) => p.conclusion === 'success')).toBe(true);

    const acknowledged = report.pluginReports.flatMap((p) => p.suppressedViolations ?? []);
    expect(acknowledged.map((a) => `${a.acknowledgedId} @ ${a.acknowledgedAt.replace(/^[^/]+\//, '')}`).sort()).toEqual(EXPECTED_ACKNOWLEDGEMENTS);
    for (const a of acknowledged) expect(a.reason).toMatch(/^[A-Z].{60,}\.$/);
  });

  test("the README's acknowledgement table names exactly the rules the report names, with their counts", () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('| rule, as the report names it |')).split('\n\n')[0].split('\n').slice(2);
    const rows = table.map((row) => row.split(' | '));
    // The first cell lists the rules in backticks (a parenthesis may follow); the fourth gives the count.
    const named = rows.flatMap(([rules]) => [...rules.replace(/\(.*?\)/g, '').matchAll(/`([^`]+)`/g)].map((m) => m[1]));
    // `<pack>::<rule> @ <construct>`; the report names the rule.
    const reported = EXPECTED_ACKNOWLEDGEMENTS.map((a) => a.split(' @ ')[0]).map((id) => id.slice(id.indexOf('::') + 2));
    expect(named.sort()).toEqual([...new Set(reported)].sort());
    expect(rows.reduce((n, row) => n + Number(row[2]), 0)).toBe(EXPECTED_ACKNOWLEDGEMENTS.length);
    expect(readme).toContain(`**${EXPECTED_ACKNOWLEDGEMENTS.length} acknowledgements** remain`);
  });

  test('acknowledgements are written into the template metadata for reviewers', () => {
    const templates = fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
    const withMetadata = templates.flatMap((f) =>
      Object.values(JSON.parse(fs.readFileSync(path.join(outdir, f), 'utf8')).Resources as Record<string, { Metadata?: { cdk_nag?: { rules_to_suppress: unknown[] } } }>).filter(
        (r) => r.Metadata?.cdk_nag,
      ),
    );
    const total = withMetadata.reduce((n, r) => n + r.Metadata!.cdk_nag!.rules_to_suppress.length, 0);
    expect(total).toBe(EXPECTED_ACKNOWLEDGEMENTS.length);
  });

  test('Control Tower rules: the report counts those evaluated and skipped, and no skipped rule evaluates a type the templates hold', () => {
    const guard = readReport(outdir).pluginReports.find((p) => p.pluginName === 'cdk-validator-cfnguard')!;
    const { rulesEvaluated, rulesSkipped, skipReason, skippedRules } = guard.metadata!;
    const skipped = skippedRules.split(', ');
    expect(Number(rulesSkipped)).toBe(skipped.length);
    expect(Number(rulesEvaluated)).toBeGreaterThan(0);
    expect(skipReason).toMatch(/no resource of the types/);

    // Checked against Control Tower's own metadata for each rule, not against the guard-file reader.
    const present = new Set(
      fs
        .readdirSync(outdir)
        .filter((f) => f.endsWith('.template.json'))
        .flatMap((f) => Object.values(JSON.parse(fs.readFileSync(path.join(outdir, f), 'utf8')).Resources as Record<string, { Type: string }>).map((r) => r.Type)),
    );
    const metadataDir = path.join(CONTROL_TOWER_RULES_DIR, '..', 'metadata');
    const metadataFiles = fs.readdirSync(metadataDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.metadata.json'));
    expect(Number(rulesEvaluated) + skipped.length).toBe(metadataFiles.length);
    const evaluatesPresentType = metadataFiles
      .filter((f) => skipped.includes(path.basename(f, '.metadata.json')))
      .filter((f) => (JSON.parse(fs.readFileSync(path.join(metadataDir, f), 'utf8')).EvaluatedResourceTypes as string[]).some((t) => present.has(t)));
    expect(evaluatesPresentType).toEqual([]);
    expect(skipped).toEqual(expect.arrayContaining(['ct-rds-pr-1', 'ct-dynamodb-pr-1']));
  });
});

describe('the packs really run', () => {
  test('a non-compliant stack fails synthesis with findings from every pack', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'rule-packs-bad-'));
    const app = newApp(outdir);
    const stack = new Stack(app, 'Bad', { env: { account: '111111111111', region: 'eu-central-1' } });
    new s3.Bucket(stack, 'Plain');
    const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['bedrock:InvokeModel'], resources: ['*'] }));
    attachRulePacks(app, exampleConfig);
    expect(() => app.synth()).toThrow(/Validation failed|validation/i);
    const report = readReport(outdir);
    const failing = new Set(report.pluginReports.filter((p) => p.violations.length > 0).map((p) => p.pluginName));
    expect([...failing].sort()).toEqual(['AwsSolutions', 'Bedrock', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321', 'Serverless', 'cdk-validator-cfnguard']);
    // The report lists the packs by CDK_PACKS: every attached pack must be in it.
    expect([...failing].sort()).toEqual([...CDK_PACKS].sort());
    const rules = report.pluginReports.flatMap((p) => p.violations.map((v) => v.ruleName));
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'Serverless-LambdaTracing', 's3_bucket_versioning_enabled_check', 'Bedrock-InvokeScoped', 'Bedrock-InvokerInVpc']));
  });
});
