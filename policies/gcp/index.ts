// The Google Cloud policy pack entry point for `pulumi preview --policy-pack policies/gcp`
// (with `--policy-pack-config plans/gcp.policy-config.json`). It only wires the policy array;
// the rules and their tests live beside it.
import { PolicyPack } from '@pulumi/policy';
import { gcpPolicies } from './policies';

new PolicyPack('private-ai-gcp', { policies: gcpPolicies });
