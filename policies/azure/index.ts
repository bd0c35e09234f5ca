// The Azure policy pack entry point for `pulumi preview --policy-pack policies/azure`
// (with `--policy-pack-config plans/azure.policy-config.json`). It only wires the policy array;
// the rules and their tests live beside it.
import { PolicyPack } from '@pulumi/policy';
import { azurePolicies } from './policies';

new PolicyPack('private-ai-azure', { policies: azurePolicies });
