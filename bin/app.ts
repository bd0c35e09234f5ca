#!/usr/bin/env node
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { loadOrgConfig } from '../lib/config';
import { attachRulePacks } from '../policies/aws/rule-packs';
import { buildRegionPinningScp } from '../policies/aws/region-pinning-scp';
import { addAwsStacks } from '../stacks/aws';

// Config: `-c config=path/to/org.json`, else the embedded example; `-c targets='[...]'` replaces aws.targets.
const app = new App();
const targets = app.node.tryGetContext('targets');
const config = loadOrgConfig(app.node.tryGetContext('config'), {
  targets: typeof targets === 'string' ? JSON.parse(targets) : targets,
});

addAwsStacks(app, config);
attachRulePacks(app, config);
const assembly = app.synth();

const guardDir = path.join(assembly.directory, 'org-guards');
fs.mkdirSync(guardDir, { recursive: true });
fs.writeFileSync(path.join(guardDir, 'bedrock-region-pinning.scp.json'), `${JSON.stringify(buildRegionPinningScp(config), null, 2)}\n`);
