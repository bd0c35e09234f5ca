// `pulumi up` entry point: reads the stack config and the organisation config, then runs the
// same program the offline plan runs (bin/plan.ts).
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import { loadOrgConfig } from '../../lib/config';
import { assertKnownSettings } from '../cloud-program';
import { gcpProgram } from './program';

const config = new pulumi.Config(gcpProgram.namespace);
assertKnownSettings(gcpProgram, Object.keys(pulumi.runtime.allConfig()));
const orgConfigPath = config.get('orgConfig');
// Relative to this project directory; the embedded example when not set.
const org = loadOrgConfig(orgConfigPath ? path.resolve(__dirname, orgConfigPath) : undefined);
const settings = gcpProgram.readSettings((key) => config.get(key), org);

export = gcpProgram.run(org, settings);
