import * as fs from 'fs';
import * as path from 'path';
import { loadOrgConfig } from '../../lib/config';
import { configDigest, RECORDED_CONFIG_FILE, type RecordedConfig } from '../../lib/config/record';
import type { Plan } from '../../lib/pulumi/plan';
import { azurePolicyConfig } from '../../policies/azure/policies';
import { gcpPolicyConfig } from '../../policies/gcp/policies';
import type { SecurityReport } from '../../policies/report';
import { runBin, tempDir } from './support';

/**
 * An adopter's own organisation, not the example: other regions on every cloud, two AWS targets
 * in two regions, an AWS Organizations ID, a cross-region (us.) inference profile, no Pulumi
 * stack files. Through the public command, as `PRIVATEAI_CONFIG=... npm run synth` runs it.
 */
const CONFIG = 'test/fixtures/second-org.json';
/** The file's targets, with the dev network moved, as `-c targets` overrides them for cdk synth and the plans alike. */
const TARGETS = JSON.stringify([
  { name: 'prod', account: '222222222222', region: 'us-east-1', network: { cidr: '10.60.0.0/16', availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] }, bedrockRuntimeEndpointIds: ['vpce-0123456789abcdef0'] },
  { name: 'dev', account: '333333333333', region: 'us-west-2', network: { cidr: '10.62.0.0/16', availabilityZones: ['us-west-2a', 'us-west-2b'] } },
]);
const SOURCE = `${CONFIG} with -c targets`;

describe('npm run synth for a second organisation', () => {
  let dir: string;
  let stdout: string;
  let report: SecurityReport;
  beforeAll(() => {
    dir = tempDir('second-org');
    const run = runBin('synth.ts', ['--targets', TARGETS, '--cdk-out', path.join(dir, 'cdk.out'), '--plans', path.join(dir, 'plans'), '--reports', path.join(dir, 'reports')], {
      PRIVATEAI_CONFIG: CONFIG,
    });
    stdout = run.stdout;
    if (run.status !== 0) throw new Error(`synth exited ${run.status}:\n${run.stderr}`);
    report = JSON.parse(fs.readFileSync(path.join(dir, 'reports', 'controls.json'), 'utf8')) as SecurityReport;
  }, 180_000);

  test('the report is green on every cloud, judged against this organisation, with no finding in any pack', () => {
    expect(stdout).toContain(`security report for ${SOURCE}: 3 clouds, 0 failed controls, 62 acknowledgements`);
    for (const cloud of report.clouds) {
      const failing = cloud.controls.filter((c) => c.status === 'fail').map((c) => `${cloud.cloud}: ${c.control}`);
      expect(failing).toEqual([]);
    }
    expect(report.clouds.map((c) => c.cloud)).toEqual(['aws', 'azure', 'gcp']);
    for (const pack of report.rulePacks) expect([pack.pack, pack.findings]).toEqual([pack.pack, 0]);
  });

  test("data residency is proven with this organisation's regions, not the example's", () => {
    const residency = report.clouds.find((c) => c.cloud === 'aws')!.controls.find((c) => c.control === 'data-residency')!;
    expect(residency.evidence).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ resource: 'PrivateAi-acme-prod', property: 'region', value: 'us-east-1', ok: true }),
        expect.objectContaining({ resource: 'PrivateAi-acme-dev', property: 'region', value: 'us-west-2', ok: true }),
        expect.objectContaining({ type: 'AWS Organizations SCP', value: 'us-east-1, us-west-2, us-east-2', ok: true }),
        // Its us. profile is proven in every destination region, from each of its two targets.
        expect.objectContaining({ resource: 'target prod', type: 'access proofs (policy evaluation)', ok: true }),
        expect.objectContaining({ resource: 'target dev', type: 'access proofs (policy evaluation)', ok: true }),
      ]),
    );
    const proofs = report.clouds.find((c) => c.cloud === 'aws')!.proofs!;
    const destinations = (target: string, scenario: string) =>
      proofs.filter((p) => p.target === target && p.scenario === scenario).map((p) => [/RequestedRegion=([a-z0-9-]+)/.exec(p.request)![1], p.evaluated]);
    expect(destinations('prod', 'model-user-profile-destinations')).toEqual(expect.arrayContaining([['us-east-1', 'Allowed'], ['us-west-2', 'Allowed']]));
    expect(destinations('dev', 'invoker-profile-destinations')).toEqual(expect.arrayContaining([['us-west-2', 'Allowed']]));
    // dev lists no bedrock-runtime endpoint in --targets: its model users' direct path is closed, as expected.
    expect(destinations('dev', 'model-user-profile-destinations').every(([, evaluated]) => evaluated === 'ExplicitlyDenied')).toBe(true);
    expect(proofs.filter((p) => !p.ok)).toEqual([]);
    expect(JSON.stringify(report)).not.toMatch(/eu-central-1|example-corp|swedencentral|europe-west4/);
  });

  test('the assembly records the config the templates were made from, and each plan carries its digest', () => {
    const recorded = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.out', RECORDED_CONFIG_FILE), 'utf8')) as RecordedConfig;
    const config = loadOrgConfig(CONFIG, { targets: TARGETS });
    expect(recorded).toEqual({ source: SOURCE, digest: configDigest(config), config });
    expect(recorded.digest).not.toBe(configDigest(loadOrgConfig(CONFIG)));
    // The override reached the templates: the dev VPC has the overriding CIDR.
    const dev = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.out', 'PrivateAi-acme-dev.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Properties: { CidrBlock?: string } }> };
    expect(Object.values(dev.Resources).filter((r) => r.Type === 'AWS::EC2::VPC').map((r) => r.Properties.CidrBlock)).toEqual(['10.62.0.0/16']);
    for (const cloud of ['azure', 'gcp']) {
      const plan = JSON.parse(fs.readFileSync(path.join(dir, 'plans', `${cloud}.json`), 'utf8')) as Plan;
      expect(plan.provenance).toEqual({ orgConfig: SOURCE, orgConfigDigest: recorded.digest, settings: 'derived' });
      expect(plan.stack).toBe('derived');
      expect(stdout).toContain(`${cloud}: ${plan.resources.length} resources planned offline from settings derived from ${CONFIG} (placeholder IDs: no stack file in stacks/${cloud} names it)`);
    }
  });

  test('without stack files, the plans use settings derived from the config: its first location or region, the stack after its first deployment', () => {
    const read = (cloud: string) => JSON.parse(fs.readFileSync(path.join(dir, 'plans', `${cloud}.json`), 'utf8')) as Plan;
    expect(read('azure').outputs).toMatchObject({ location: 'eastus2', resourceGroupName: 'acme-ai-eastus2', deploymentNames: ['chat'], auditArchiveLocked: true });
    expect(read('gcp').outputs).toMatchObject({ project: 'acme-ai', region: 'us-central1', vpcServiceControls: 'enforced' });
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'plans', 'azure.policy-config.json'), 'utf8'))).toEqual(azurePolicyConfig({ allowedLocations: ['eastus2', 'westus3'], policyEnforcement: 'enforced' }, 'acme'));
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'plans', 'gcp.policy-config.json'), 'utf8'))).toEqual(gcpPolicyConfig(['us-central1', 'us-east4']));
    const templates = fs.readdirSync(path.join(dir, 'cdk.out')).filter((f) => f.endsWith('.template.json'));
    expect(templates.sort()).toEqual(['PrivateAi-acme-dev.template.json', 'PrivateAi-acme-identity.template.json', 'PrivateAi-acme-prod.template.json']);
  });
});
