import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {DEFAULT_CONFIG, loadConfig, parseConfig} from './config.js';
import {UserError} from './errors.js';

const dir = mkdtempSync(join(tmpdir(), 'td-config-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

describe('parseConfig', () => {
  it('reads the known settings', async () => {
    expect(await parseConfig('greMtu: 1380\nignoreInterfaces: [eth9, "wg*"]\nworkerUser: geekotest\nmultiNic: true\nuplink: bondbr0\n', 'x')).toEqual({
      greMtu: 1380,
      ignoreInterfaces: ['eth9', 'wg*'],
      workerUser: 'geekotest',
      multiNic: true,
      uplink: 'bondbr0',
    });
    expect(await parseConfig('', 'x')).toEqual({});
  });
  it('refuses unknown keys, wrong types and broken YAML with one line naming the file', async () => {
    await expect(parseConfig('greMTU: 1380\n', '/etc/tapdoctor.yaml')).rejects.toThrow(new UserError("/etc/tapdoctor.yaml: unknown setting 'greMTU' (known: greMtu, ignoreInterfaces, workerUser, multiNic, uplink)"));
    await expect(parseConfig('greMtu: "1380"\n', 'f')).rejects.toThrow(new UserError("f: 'greMtu' must be a number"));
    await expect(parseConfig('greMtu: -5\n', 'f')).rejects.toThrow(new UserError("f: 'greMtu' must be a positive integer"));
    await expect(parseConfig('ignoreInterfaces: eth9\n', 'f')).rejects.toThrow(new UserError("f: 'ignoreInterfaces' must be a string[]"));
    await expect(parseConfig('- a\n- b\n', 'f')).rejects.toThrow(new UserError('f: expected a mapping of settings'));
    await expect(parseConfig('greMtu: [1\n', 'f')).rejects.toThrow(/^f: not valid YAML: /);
  });
});

describe('loadConfig', () => {
  it('uses the defaults when the site file is absent', async () => {
    expect(await loadConfig(undefined, join(dir, 'nope.yaml'), {})).toEqual(DEFAULT_CONFIG);
  });
  it('lets flags override the file, and the file override the defaults', async () => {
    const site = file('site.yaml', 'greMtu: 1380\nmultiNic: true\n');
    expect(await loadConfig(undefined, site, {greMtu: 1400, multiNic: undefined})).toEqual({...DEFAULT_CONFIG, greMtu: 1400, multiNic: true});
  });
  it('requires an explicit --config file to exist', async () => {
    await expect(loadConfig(join(dir, 'missing.yaml'), '/etc/tapdoctor.yaml', {})).rejects.toThrow(new UserError(`cannot read config ${join(dir, 'missing.yaml')}: ENOENT`));
  });
});
