import * as path from 'path';
import { entryPoint, stackConfigOf } from '../support/pulumi';
import { plan } from './support';

const exampleConfig = stackConfigOf(path.join(__dirname, '..', '..', 'stacks', 'azure', 'Pulumi.example.yaml'));

/** Runs stacks/azure/index.ts with `config` as the stack config. */
const runEntryPoint = (config: Record<string, string>) =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  plan(entryPoint(() => require('../../stacks/azure/index') as Record<string, unknown>, config));

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
