import * as path from 'path';
import { entryPoint, stackConfigOf } from '../support/pulumi';
import { gcpPlanAnswers } from '../../lib/gcp/plan-answers';
import { ofType, plan, T } from './support';

const exampleConfig = stackConfigOf(path.join(__dirname, '..', '..', 'stacks', 'gcp', 'Pulumi.example.yaml'));

/** Runs stacks/gcp/index.ts with `config` as the stack config. */
const runEntryPoint = (config: Record<string, string>) =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  plan(entryPoint(() => require('../../stacks/gcp/index') as Record<string, unknown>, config), gcpPlanAnswers(exampleConfig['privateai:projectNumber']));

describe('stacks/gcp/index.ts (the pulumi up entry point)', () => {
  test('reads the stack config and the org config it names, and exports the outputs', async () => {
    const result = await runEntryPoint(exampleConfig);
    expect(ofType(result, T.forwardingRule)).toHaveLength(1);
    expect(result.outputs).toMatchObject({ project: 'example-ai-prod', region: 'europe-west4', vertexEndpoint: 'https://europe-west4-aiplatform.googleapis.com' });
  });

  test('a misspelt setting is refused instead of silently defaulted', async () => {
    await expect(runEntryPoint({ ...exampleConfig, 'privateai:createDnsZone': 'false' })).rejects.toThrow(/^unknown settings privateai:createDnsZone; known: privateai:orgConfig, privateai:projectId, /);
  });

  test('the provider must target the project and region of the settings', async () => {
    await expect(runEntryPoint({ ...exampleConfig, 'gcp:region': 'us-central1' })).rejects.toThrow('gcp:region us-central1 differs from privateai:region europe-west4; set both to the same value');
    await expect(runEntryPoint({ ...exampleConfig, 'gcp:project': 'another-project' })).rejects.toThrow('gcp:project another-project differs from privateai:projectId example-ai-prod; set both to the same value');
  });
});
