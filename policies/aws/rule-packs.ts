import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { parseModelId, type OrgConfig } from '../../lib/config';
import { profileDestinations } from '../../lib/config/inference-profiles';
import { BedrockChecks } from './bedrock-pack';
import type { PinningPolicy } from './bedrock-rules';
import { ControlTowerGuardValidator } from './control-tower-guard';

/** Names the attached packs report under (CDK leaves packs with nothing to say out of its report). */
export const CDK_PACKS = ['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321', 'Serverless', 'Bedrock', 'cdk-validator-cfnguard'] as const;

/**
 * What the Bedrock pack's region-pinning rule holds policies to: the allowed regions, and where the
 * allowlisted geography profiles route from them (relaxed residency admits those through the profile).
 */
export function pinningOf(config: OrgConfig): PinningPolicy {
  const { allowedRegions, inferenceProfiles } = config.aws;
  const destinations = config.aws.models.flatMap(({ id }) =>
    allowedRegions.flatMap((source) => profileDestinations(id, source, inferenceProfiles).map((region) => `${region}/${parseModelId(id).foundationModelId}`)),
  );
  return { allowedRegions, strict: config.dataResidency.strict, profileDestinations: [...new Set(destinations)] };
}

/**
 * Attaches every rule pack the security review requires, the blueprint's Bedrock pack included. A finding fails `cdk synth`; the
 * report is written to cdk.out, and acknowledgements are copied into template metadata.
 */
export function attachRulePacks(app: App, config: OrgConfig): void {
  const props = { writeSuppressionsToCloudFormation: true };
  const pinning = pinningOf(config);
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
