import * as fs from 'fs';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import * as yaml from 'js-yaml';
import { plan } from './support';

const stackFile = path.join(__dirname, '..', '..', 'stacks', 'azure', 'Pulumi.example.yaml');
/** The example stack's config as `pulumi up` hands it to the program: every value a string. */
const exampleConfig = Object.fromEntries(
  Object.entries((yaml.load(fs.readFileSync(stackFile, 'utf8')) as { config: Record<string, unknown> }).config).map(([k, v]) => [k, String(v)]),
);

/** Loads stacks/azure/index.ts afresh, as the Pulumi runtime does, with `config` as the stack config. */
function runEntryPoint(config: Record<string, string>) {
  return plan(() => {
    pulumi.runtime.setAllConfig(config);
    let exported: Record<string, unknown> = {};
    jest.isolateModules(() => {
      exported = { ...(require('../../stacks/azure/index') as Record<string, unknown>) }; // eslint-disable-line @typescript-eslint/no-require-imports
    });
    return exported;
  });
}

describe('stacks/azure/index.ts (the pulumi up entry point)', () => {
  test('reads the stack config and the org config it names, and exports the outputs', async () => {
    const result = await runEntryPoint(exampleConfig);
    expect(result.ofType('azure-native:cognitiveservices:Account')).toHaveLength(1);
    expect(result.outputs).toMatchObject({
      location: 'swedencentral',
      resourceGroupName: 'example-corp-ai-swedencentral',
      deploymentNames: ['gpt-4o', 'text-embedding-3-large'],
      privateDnsZonesCreated: true,
      modelUserRoles: ['Cognitive Services OpenAI User'],
    });
  });

  test('a misspelt setting is refused instead of silently defaulted', async () => {
    await expect(runEntryPoint({ ...exampleConfig, 'privateai:createPrivateDnsZone': 'false' })).rejects.toThrow(
      /^unknown settings privateai:createPrivateDnsZone; known: privateai:orgConfig, privateai:subscriptionId, /,
    );
  });

  test('the provider must target the subscription and location of the settings', async () => {
    await expect(runEntryPoint({ ...exampleConfig, 'azure-native:location': 'westeurope' })).rejects.toThrow(
      'azure-native:location westeurope differs from privateai:location swedencentral; set both to the same value',
    );
  });
});
