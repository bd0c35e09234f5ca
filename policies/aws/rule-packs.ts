import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import type { OrgConfig } from '../../lib/config';
import { BedrockChecks } from './bedrock-pack';
import { ControlTowerGuardValidator } from './control-tower-guard';

/** Names the attached packs report under (CDK leaves packs with nothing to say out of its report). */
export const CDK_PACKS = ['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321', 'Serverless', 'Bedrock', 'cdk-validator-cfnguard'] as const;

/**
 * Attaches every rule pack the security review requires, the blueprint's Bedrock pack included. A finding fails `cdk synth`; the
 * report is written to cdk.out, and acknowledgements are copied into template metadata.
 */
export function attachRulePacks(app: App, config: OrgConfig): void {
  const props = { writeSuppressionsToCloudFormation: true };
  const pinning = { allowedRegions: config.aws.allowedRegions, strict: config.dataResidency.strict };
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, props),
    new HIPAASecurityChecks(app, props),
    new NIST80053R5Checks(app, props),
    new PCIDSS321Checks(app, props),
    new ServerlessChecks(app, props),
    new BedrockChecks(app, { ...props, pinning }),
    // Every Control Tower rule that can apply to the templates; the others would pass vacuously.
    new ControlTowerGuardValidator(),
  );
}
