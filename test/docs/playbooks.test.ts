import * as fs from 'fs';
import * as path from 'path';
import { PLAYBOOKS, savedQueryName, type Playbook } from '../../lib/config/detection';
import { AWS_SAVED_QUERIES } from '../../lib/aws/misuse-detection';
import { AZURE_SAVED_QUERIES } from '../../lib/azure/misuse-detection';
import { GCP_SAVED_QUERIES } from '../../lib/gcp/misuse-detection';
import { exampleConfig, exampleTemplate } from '../support/aws';

const DIR = path.join(__dirname, '..', '..', 'docs', 'playbooks');

/** The query language of each cloud, as the playbooks' code fences name it. */
const LANGUAGES = { aws: 'cloudwatch-logs-insights', azure: 'kql', gcp: 'cloud-logging' } as const;
type Cloud = keyof typeof LANGUAGES;

/** Every saved query the programs create, by cloud and name. */
const PROGRAM_QUERIES: Record<Cloud, Map<string, { playbook: Playbook; text: string }>> = {
  aws: new Map(AWS_SAVED_QUERIES.map((q) => [savedQueryName(q.playbook, q.step), { playbook: q.playbook, text: q.query }])),
  azure: new Map(AZURE_SAVED_QUERIES.map((q) => [savedQueryName(q.playbook, q.step), { playbook: q.playbook, text: q.query }])),
  gcp: new Map(GCP_SAVED_QUERIES.map((q) => [savedQueryName(q.playbook, q.step), { playbook: q.playbook, text: q.filter }])),
};

interface Fence {
  readonly language: string;
  readonly name: string | undefined;
  readonly text: string;
}

/** The fenced code blocks of a markdown text, with their language and `name="..."`. */
function fences(markdown: string): Fence[] {
  const found: Fence[] = [];
  const re = /^```([a-z-]*)([^\n]*)\n([\s\S]*?)\n```$/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) {
    found.push({ language: m[1], name: /name="([^"]+)"/.exec(m[2])?.[1], text: m[3] });
  }
  return found;
}

const read = (playbook: string) => fs.readFileSync(path.join(DIR, `${playbook}.md`), 'utf8');

describe('docs/playbooks', () => {
  test('one playbook per incident type, each with its trigger, queries, containment, evidence and recovery', () => {
    for (const [id, title] of Object.entries(PLAYBOOKS)) {
      const text = read(id);
      expect(text.split('\n')[0]).toBe(`# ${title}`);
      for (const section of ['## Trigger', '## Queries', '## Containment', '## Evidence to preserve', '## Recovery']) expect([id, text.includes(`\n${section}\n`)]).toEqual([id, true]);
    }
  });

  test.each(Object.keys(PLAYBOOKS) as Playbook[])('%s: every query it quotes is a saved query of the program, word for word', (playbook) => {
    const quoted = fences(read(playbook)).filter((f) => (Object.values(LANGUAGES) as string[]).includes(f.language));
    expect(quoted.length).toBeGreaterThan(0);
    for (const f of quoted) {
      const cloud = (Object.keys(LANGUAGES) as Cloud[]).find((c) => LANGUAGES[c] === f.language)!;
      expect([f.language, f.name]).toEqual([f.language, expect.stringMatching(new RegExp(`^private-ai/${playbook}/`))]);
      const saved = PROGRAM_QUERIES[cloud].get(f.name!);
      expect([cloud, f.name, saved?.text]).toEqual([cloud, f.name, f.text]);
    }
  });

  test.each(Object.keys(PLAYBOOKS) as Playbook[])('%s: quotes every saved query the programs keep for it, on every cloud', (playbook) => {
    const quoted = new Set(fences(read(playbook)).map((f) => `${f.language} ${f.name}`));
    for (const cloud of Object.keys(LANGUAGES) as Cloud[]) {
      const mine = [...PROGRAM_QUERIES[cloud].entries()].filter(([, q]) => q.playbook === playbook);
      expect([cloud, mine.length > 0]).toEqual([cloud, true]);
      for (const [name] of mine) expect([cloud, name, quoted.has(`${LANGUAGES[cloud]} ${name}`)]).toEqual([cloud, name, true]);
    }
  });

  test("the AWS kill switch command names the parameter the target's stack creates and exports", () => {
    const readme = fs.readFileSync(path.join(DIR, 'README.md'), 'utf8');
    const documented = /aws ssm put-parameter --name (\S+) --value suspended --overwrite/.exec(readme)![1];
    const [target] = exampleConfig.aws.targets;
    const expected = documented.replace('<aws.ssmPrefix>', exampleConfig.aws.ssmPrefix).replace('<target>', target.name);
    const template = exampleTemplate().toJSON() as { Resources: Record<string, { Type: string; Properties: { Name?: unknown } }>; Outputs: Record<string, { Value: unknown }> };
    const names = Object.values(template.Resources).filter((r) => r.Type === 'AWS::SSM::Parameter').map((r) => r.Properties.Name);
    expect(names).toContain(expected);
    expect(JSON.stringify(template.Outputs.ModelAccessParameterName.Value)).toContain('ModelAccess');
    expect(readme).toContain('ModelAccessParameterName');
  });

  test('the fence reader finds language, name and text, and a changed query no longer matches', () => {
    const md = 'x\n```kql name="private-ai/data-leakage/a"\nT | take 1\n```\n';
    expect(fences(md)).toEqual([{ language: 'kql', name: 'private-ai/data-leakage/a', text: 'T | take 1' }]);
    const [q] = AZURE_SAVED_QUERIES;
    expect(PROGRAM_QUERIES.azure.get(savedQueryName(q.playbook, q.step))!.text).not.toBe(`${q.query} `);
  });
});
