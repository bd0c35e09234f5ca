import * as path from 'path';
import { configFile } from '../../bin/cli';
import { EXAMPLE_CONFIG_PATH } from '../../lib/config';

describe('configFile: which organisation config a command reads', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('--config, else PRIVATEAI_CONFIG, else the embedded example', () => {
    delete process.env.INIT_CWD;
    process.env.PRIVATEAI_CONFIG = '/etc/org.json';
    expect(configFile('/srv/acme.json')).toBe('/srv/acme.json');
    expect(configFile()).toBe('/etc/org.json');
    process.env.PRIVATEAI_CONFIG = '';
    expect(configFile()).toBe(path.relative(process.cwd(), EXAMPLE_CONFIG_PATH));
  });

  test('a relative path is taken from where npm was called (INIT_CWD), not from the package root npm runs scripts in', () => {
    process.env.INIT_CWD = path.join(process.cwd(), 'stacks', 'azure');
    expect(configFile('../../test/fixtures/second-org.json')).toBe(path.join('test', 'fixtures', 'second-org.json'));
    process.env.INIT_CWD = '/srv/elsewhere';
    expect(configFile('org.json')).toBe('/srv/elsewhere/org.json');
  });
});
