// `pulumi up` entry point: reads the stack config and the organisation config, then runs the
// same program the offline plan runs (bin/plan.ts).
import * as path from 'path';
import * as gcpProvider from '@pulumi/gcp/config';
import * as pulumi from '@pulumi/pulumi';
import { loadOrgConfig } from '../../lib/config';
import { assertKnownSettings, providerTargetWarnings } from '../cloud-program';
import { gcpProgram } from './program';

const config = new pulumi.Config(gcpProgram.namespace);
assertKnownSettings(gcpProgram, Object.keys(pulumi.runtime.allConfig()));
const orgConfigPath = config.get('orgConfig');
// Relative to this project directory; the embedded example when not set.
const org = loadOrgConfig(orgConfigPath ? path.resolve(__dirname, orgConfigPath) : undefined);
const settings = gcpProgram.readSettings((key) => config.get(key), org, pulumi.getStack());

// Service agents, org-policy parents and residency checks use the settings; the provider's
// defaults must agree (every resource names its project, but not every one its region). The
// provider package resolves its defaults (config, then its environment variables) itself.
const warnings = providerTargetWarnings(gcpProgram.namespace, 'gcp', [
  { key: 'project', setting: 'projectId', expected: settings.projectId, actual: gcpProvider.project },
  { key: 'region', setting: 'region', expected: settings.region, actual: gcpProvider.region },
]);
for (const warning of warnings) pulumi.log.warn(warning);

export = gcpProgram.run(org, settings);
