import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack, Validations, type IPolicyValidationContextBeta1 } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import {
  CONTROL_TOWER_RULES_DIR,
  ControlTowerGuardValidator,
  MAX_DEFAULT_CONCURRENCY,
  SKIP_REASON,
  chunkBySize,
  defaultGuardConcurrency,
  guardResourceTypes,
  mergeChunkReports,
  readGuardRuleFiles,
  selectRuleFiles,
  templateResourceTypes,
  type ChunkRun,
  type GuardRuleFile,
} from '../../policies/aws/control-tower-guard';
import { newApp } from '../support/aws';

const shipped = readGuardRuleFiles(CONTROL_TOWER_RULES_DIR);
const shippedRule = (name: string): GuardRuleFile => {
  const file = shipped.find((f) => path.basename(f.path) === `${name}.guard`);
  if (!file) throw new Error(`${name}.guard is not among the shipped Control Tower rules`);
  return file;
};
const names = (files: readonly GuardRuleFile[]) => files.map((f) => path.basename(f.path, '.guard'));

describe('guardResourceTypes reads the types a guard file checks', () => {
  test('a type compared through a let constant, as the Control Tower rules do', () => {
    const source = ['let BUCKET = "AWS::S3::Bucket"', 'let buckets = Resources.*[ Type == %BUCKET ]', 'rule r when %buckets not empty { %buckets.Properties.X exists }'].join('\n');
    expect(guardResourceTypes(source)).toEqual(['AWS::S3::Bucket']);
  });

  test('a type named only in a comment or a message is not one the rule checks', () => {
    const source = [
      '# Reports on: AWS::EC2::Instance',
      "let volumes = Resources.*[ Type == 'AWS::EC2::Volume' ]",
      'rule r when %volumes not empty {',
      '  %volumes.Properties.Encrypted == true',
      '  <<',
      '  [CT.X]: defined by means of the AWS::EC2::Instance BlockDeviceMappings property',
      '  >>',
      '}',
    ].join('\n');
    expect(guardResourceTypes(source)).toEqual(['AWS::EC2::Volume']);
  });

  test('a type the rule only looks up from the filtered resources (a function\'s subnets) is not one it selects by', () => {
    const source = [
      'let FUNCTION = "AWS::Lambda::Function"',
      'let SUBNET = "AWS::EC2::Subnet"',
      'let functions = Resources.*[ Type == %FUNCTION ]',
      'rule r when %functions not empty {',
      '  let subnet_key = %functions.Properties.VpcConfig.SubnetIds[*].Ref',
      '  let subnet = %doc.Resources[ keys == %subnet_key ]',
      '  %subnet.Type == %SUBNET',
      '}',
    ].join('\n');
    expect(guardResourceTypes(source)).toEqual(['AWS::Lambda::Function']);
  });

  test('a filter of another form (a parameter) counts every type the file names', () => {
    const source = ['let A = "AWS::S3::Bucket"', 'let B = "AWS::S3::BucketPolicy"', 'rule check(t) { Resources.*[ Type == %t ] not empty }', 'rule r { check(%A) check(%B) }'].join('\n');
    expect(guardResourceTypes(source)).toEqual(['AWS::S3::Bucket', 'AWS::S3::BucketPolicy']);
  });

  test.each([
    ['names no resource type', 'rule r { Resources exists }'],
    ['matches types by regex', 'let s3 = Resources.*[ Type == /AWS::S3::.*/ ]\nrule r when %s3 not empty { %s3.Properties exists }'],
    ['queries resources without a Type filter', 'let all = Resources.*[ Properties.Tags exists ]\nlet b = Resources.*[ Type == "AWS::S3::Bucket" ]\nrule r { %all.Properties.Tags not empty }'],
    ['walks every resource', 'let b = "AWS::S3::Bucket"\nrule r { Resources.*.Properties exists }'],
  ])('a file that %s is kept whatever the templates hold (undefined)', (_what, source) => {
    expect(guardResourceTypes(source)).toBeUndefined();
  });

  test('a shipped rule: CT.S3.PR.11 (versioning) checks S3 buckets', () => {
    expect(shippedRule('ct-s3-pr-11').resourceTypes).toEqual(['AWS::S3::Bucket']);
  });

  test('for every shipped rule, the types read include every type its Control Tower metadata says it evaluates', () => {
    const metadataDir = path.join(CONTROL_TOWER_RULES_DIR, '..', 'metadata');
    expect(shipped.length).toBeGreaterThan(200);
    const missing = shipped.flatMap((file) => {
      if (file.resourceTypes === undefined) return [];
      const metadataFile = path.join(metadataDir, path.basename(path.dirname(file.path)), `${path.basename(file.path, '.guard')}.metadata.json`);
      const evaluated: string[] = JSON.parse(fs.readFileSync(metadataFile, 'utf8')).EvaluatedResourceTypes;
      return evaluated.filter((t) => !file.resourceTypes!.includes(t)).map((t) => `${path.basename(file.path)}: ${t}`);
    });
    expect(missing).toEqual([]);
  });
});

describe('selectRuleFiles', () => {
  const files: GuardRuleFile[] = [
    { path: 'bucket.guard', resourceTypes: ['AWS::S3::Bucket'] },
    { path: 'rds.guard', resourceTypes: ['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster'] },
    { path: 'untyped.guard', resourceTypes: undefined },
    { path: 'trail.guard', resourceTypes: ['AWS::CloudTrail::Trail', 'AWS::S3::Bucket'] },
  ];

  test('selects files with a present type, skips those whose types are all absent, keeps type-less files', () => {
    const { selected, skipped } = selectRuleFiles(files, new Set(['AWS::S3::Bucket', 'AWS::Lambda::Function']));
    expect(selected.map((f) => f.path)).toEqual(['bucket.guard', 'untyped.guard', 'trail.guard']);
    expect(skipped.map((f) => f.path)).toEqual(['rds.guard']);
  });

  test('with no resources at all, only type-less files run', () => {
    expect(selectRuleFiles(files, new Set()).selected.map((f) => f.path)).toEqual(['untyped.guard']);
  });

  test('the shipped rules, for templates holding an S3 bucket', () => {
    const { selected, skipped } = selectRuleFiles(shipped, new Set(['AWS::S3::Bucket']));
    expect(names(selected)).toEqual(expect.arrayContaining(['ct-s3-pr-11', 'ct-s3-pr-2', 'ct-eks-pr-2']));
    expect(names(skipped)).toEqual(expect.arrayContaining(['ct-rds-pr-1', 'ct-lambda-pr-3', 'ct-dynamodb-pr-1']));
    expect(selected.length + skipped.length).toBe(shipped.length);
  });

  test('templateResourceTypes collects the Type of every resource', () => {
    const types = templateResourceTypes([{ Resources: { A: { Type: 'AWS::S3::Bucket' }, B: { Type: 'AWS::SQS::Queue' } } }, {}, { Resources: { C: { Type: 'AWS::S3::Bucket' } } }]);
    expect([...types].sort()).toEqual(['AWS::S3::Bucket', 'AWS::SQS::Queue']);
  });
});

describe('ControlTowerGuardValidator', () => {
  // A bucket without versioning (CT.S3.PR.11) and a function outside a VPC (CT.LAMBDA.PR.3).
  const badApp = (outdir: string) => {
    const app = newApp(outdir);
    const stack = new Stack(app, 'Bad', { env: { account: '111111111111', region: 'eu-central-1' } });
    new s3.Bucket(stack, 'Plain');
    new sqs.Queue(stack, 'Queue');
    new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
    return app;
  };

  test('a finding from a relevant rule fails synth, and the report says how many rules ran and were skipped', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-guard-'));
    const app = badApp(outdir);
    Validations.of(app).addPlugins(new ControlTowerGuardValidator());
    expect(() => app.synth()).toThrow(/ERROR \[CT\.S3\.PR\.11\]: Require an Amazon S3 bucket to have versioning enabled \(cdk-validator-cfnguard\)/);

    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
    const guard = report.pluginReports.find((p: { pluginName: string }) => p.pluginName === 'cdk-validator-cfnguard');
    expect(guard.conclusion).toBe('failure');
    expect(guard.violations.map((v: { ruleName: string }) => v.ruleName)).toEqual(expect.arrayContaining(['s3_bucket_versioning_enabled_check', 'lambda_inside_vpc_check']));

    const evaluated = Number(guard.metadata.rulesEvaluated);
    const skipped = guard.metadata.skippedRules.split(', ');
    expect(evaluated).toBeGreaterThan(0);
    expect(Number(guard.metadata.rulesSkipped)).toBe(skipped.length);
    expect(evaluated + skipped.length).toBe(shipped.length);
    expect(guard.metadata.skipReason).toBe(SKIP_REASON);
    expect(skipped).toEqual(expect.arrayContaining(['ct-rds-pr-1', 'ct-dynamodb-pr-1']));
    expect(skipped).not.toContain('ct-s3-pr-11');
    expect(skipped).not.toContain('ct-lambda-pr-3');
  });

  test('its findings are exactly those of CfnGuardValidator with every Control Tower rule', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-guard-same-'));
    const app = badApp(outdir);
    const assembly = app.synth();
    const context: IPolicyValidationContextBeta1 = { templatePaths: assembly.stacks.map((s) => s.templateFullPath), appConstruct: app };
    const ours = new ControlTowerGuardValidator().validate(context);
    const all = new CfnGuardValidator().validate(context);
    expect(all.violations.length).toBeGreaterThan(1);
    expect(ours.success).toBe(all.success);
    expect(ours.violations).toEqual(all.violations);
  });

  // Why skipping is safe: with none of its types present, no shipped rule finds anything. (Every
  // query a kept-typed rule makes starts from a Type filter on its own types; see guardResourceTypes.)
  test('CfnGuardValidator with every Control Tower rule finds nothing in a template without the types they check', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-guard-vacuous-'));
    const template = path.join(dir, 'T.template.json');
    fs.writeFileSync(template, JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources: { H: { Type: 'AWS::CloudFormation::WaitConditionHandle' } } }));
    expect(shipped.some((f) => f.resourceTypes?.includes('AWS::CloudFormation::WaitConditionHandle'))).toBe(false);
    expect(new CfnGuardValidator().validate({ templatePaths: [template], appConstruct: newApp() })).toEqual({ success: true, violations: [] });
  });

  test('templates with no resource any typed rule checks: only the type-less rules run, and pass', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-guard-empty-'));
    const template = path.join(dir, 'T.template.json');
    fs.writeFileSync(template, JSON.stringify({ Resources: { P: { Type: 'AWS::SSM::Parameter', Properties: { Type: 'String', Value: 'x' } } } }));
    const report = new ControlTowerGuardValidator().validate({ templatePaths: [template], appConstruct: newApp() });
    expect(report.success).toBe(true);
    expect(report.metadata).toMatchObject({ rulesEvaluated: String(shipped.filter((f) => f.resourceTypes === undefined).length), rulesSkipped: String(shipped.filter((f) => f.resourceTypes !== undefined).length) });
  });
});

describe('chunkBySize', () => {
  const sized = (sizes: number[]) => sizes.map((size, i) => ({ id: i, size }));
  const ids = (chunks: Array<Array<{ id: number }>>) => chunks.map((c) => c.map((x) => x.id));

  test('contiguous chunks in order, each near its share of the total size', () => {
    // The bench's 20-target fleet: twenty platform stacks, then the smaller identity stack.
    const items = sized([...Array(20).fill(250), 80]);
    const chunks = chunkBySize(items, (x) => x.size, 2);
    expect(chunks.flat()).toEqual(items);
    expect(ids(chunks)).toEqual([[...Array(10).keys()], [...Array(11).keys()].map((i) => i + 10)]);
  });

  test('a chunk is cut before an item when that leaves it nearer its share', () => {
    expect(ids(chunkBySize(sized([1, 1, 1, 10]), (x) => x.size, 2))).toEqual([[0, 1, 2], [3]]);
    expect(ids(chunkBySize(sized([4, 2, 4]), (x) => x.size, 2))).toEqual([[0, 1], [2]]);
  });

  test('every chunk gets an item, even when the first holds most of the size', () => {
    expect(ids(chunkBySize(sized([100, 1, 1]), (x) => x.size, 3))).toEqual([[0], [1], [2]]);
  });

  test('never more chunks than items; one chunk for n = 1; none for no items', () => {
    expect(ids(chunkBySize(sized([1, 2]), (x) => x.size, 8))).toEqual([[0], [1]]);
    expect(ids(chunkBySize(sized([1, 2, 3]), (x) => x.size, 1))).toEqual([[0, 1, 2]]);
    expect(chunkBySize([], () => 1, 2)).toEqual([]);
  });
});

describe('mergeChunkReports', () => {
  const violation = (templatePath: string) => ({ ruleName: 'r', description: 'd', fix: 'f', violatingResources: [{ resourceLogicalId: 'B', templatePath, locations: ['/Resources/B'] }] });
  const run = (templatePaths: string[], report: unknown, status: number | null = 0): ChunkRun => ({ templatePaths, status, signal: null, stdout: JSON.stringify(report), stderr: '' });

  test('the violations of every chunk, in chunk order; a pass only when every chunk passed', () => {
    const merged = mergeChunkReports([run(['a'], { success: false, violations: [violation('a')] }), run(['b'], { success: true, violations: [] }), run(['c'], { success: false, violations: [violation('c')] })]);
    expect(merged).toEqual({ success: false, violations: [violation('a'), violation('c')] });
    expect(mergeChunkReports([run(['a'], { success: true, violations: [] }), run(['b'], { success: true, violations: [] })])).toEqual({ success: true, violations: [] });
  });

  test('a chunk that exited non-zero is an error naming its templates and what it printed, not a pass', () => {
    const failed: ChunkRun = { templatePaths: ['b1', 'b2'], status: 1, signal: null, stdout: '{"success":true,"violations":[]}', stderr: 'Error: Command exited with status 255' };
    expect(() => mergeChunkReports([run(['a'], { success: true, violations: [] }), failed])).toThrow(/CfnGuardValidator over b1, b2 failed \(exit status 1\): Error: Command exited with status 255/);
  });

  test('a chunk killed by a signal is an error', () => {
    expect(() => mergeChunkReports([{ templatePaths: ['a'], status: null, signal: 'SIGKILL', stdout: '', stderr: '' }])).toThrow(/CfnGuardValidator over a failed \(signal SIGKILL\)/);
  });

  test.each([
    ['nothing', ''],
    ['text that is not JSON', 'Not JSON: oops'],
    ['JSON that is not a report', '{"success":true}'],
    ['a report whose success is not a boolean', '{"success":"yes","violations":[]}'],
  ])('a chunk that exited 0 but printed %s is an error, not a pass', (_what, stdout) => {
    expect(() => mergeChunkReports([{ templatePaths: ['a'], status: 0, signal: null, stdout, stderr: '' }])).toThrow(/CfnGuardValidator over a printed no report/);
  });
});

describe('ControlTowerGuardValidator over chunks of the templates, in concurrent processes', () => {
  // Three stacks, each with findings of its own: one template per chunk with concurrency 3, and
  // findings in both chunks with concurrency 2.
  const fleetApp = (outdir: string) => {
    const app = newApp(outdir);
    const env = { account: '111111111111', region: 'eu-central-1' };
    new s3.Bucket(new Stack(app, 'First', { env }), 'Plain');
    const second = new Stack(app, 'Second', { env });
    new lambda.Function(second, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
    new sqs.Queue(second, 'Queue');
    const third = new Stack(app, 'Third', { env });
    new s3.Bucket(third, 'Other');
    new s3.Bucket(third, 'Versioned', { versioned: true });
    return app;
  };
  let context: IPolicyValidationContextBeta1;
  beforeAll(() => {
    const app = fleetApp(fs.mkdtempSync(path.join(os.tmpdir(), 'ct-guard-chunks-')));
    context = { templatePaths: app.synth().stacks.map((s) => s.templateFullPath), appConstruct: app };
  });

  test('the fixture has findings in every template', () => {
    const single = new ControlTowerGuardValidator({ concurrency: 1 }).validate(context);
    const withFindings = new Set(single.violations.flatMap((v) => v.violatingResources.map((r) => r.templatePath)));
    expect(context.templatePaths).toHaveLength(3);
    expect([...withFindings].sort()).toEqual([...context.templatePaths].sort());
  });

  test.each([2, 3])('with concurrency %i, the same report as one run: same violations in the same order, same success and metadata', (concurrency) => {
    const single = new ControlTowerGuardValidator({ concurrency: 1 }).validate(context);
    const chunked = new ControlTowerGuardValidator({ concurrency }).validate(context);
    expect(single.success).toBe(false);
    expect(JSON.stringify(chunked)).toBe(JSON.stringify(single));
    // And the same as the plain plugin with every Control Tower rule.
    expect(chunked.violations).toEqual(new CfnGuardValidator().validate(context).violations);
  });

  test('cfn-guard failing on a template of one chunk fails validation, naming the chunk', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-guard-broken-'));
    // Valid JSON to Node.js, but a lone surrogate cfn-guard cannot parse: it exits 255.
    const broken = path.join(dir, 'Broken.template.json');
    fs.writeFileSync(broken, '{"Resources":{"B":{"Type":"AWS::S3::Bucket","Properties":{"BucketName":"\\ud800"}}}}');
    const templatePaths = [context.templatePaths[0], broken, context.templatePaths[2]];
    const validate = () => new ControlTowerGuardValidator({ concurrency: 3 }).validate({ templatePaths, appConstruct: context.appConstruct });
    expect(validate).toThrow(new RegExp(`CfnGuardValidator over ${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} failed \\(exit status 1\\)`));
    expect(validate).toThrow(/Command exited with status 255/);
  });

  test('by default one process per core, at most MAX_DEFAULT_CONCURRENCY (a container may report the host\'s cores)', () => {
    expect(defaultGuardConcurrency(64)).toBe(MAX_DEFAULT_CONCURRENCY);
    expect(defaultGuardConcurrency(2)).toBe(2);
    expect(defaultGuardConcurrency(1)).toBe(1);
    expect(new ControlTowerGuardValidator().concurrency).toBe(defaultGuardConcurrency(os.availableParallelism()));
    expect(new ControlTowerGuardValidator({ concurrency: 8 }).concurrency).toBe(8);
  });

  test('a concurrency below 1 is refused', () => {
    expect(() => new ControlTowerGuardValidator({ concurrency: 0 })).toThrow(/concurrency must be a whole number of at least 1; received 0/);
  });
});
