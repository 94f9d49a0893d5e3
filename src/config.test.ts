import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {DEFAULT_CONFIG, loadConfig, parseConfig, snapshotSettings} from './config.js';
import type {Snapshot, SourceRecord} from './sources/snapshot.js';
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
  it('refuses unknown keys, wrong types and broken YAML with one line naming the file, the key and the reason', async () => {
    await expect(parseConfig('greMTU: 1380\n', '/etc/tapdoctor.yaml')).rejects.toThrow(new UserError("/etc/tapdoctor.yaml: unknown setting 'greMTU' (known: greMtu, ignoreInterfaces, workerUser, multiNic, uplink, waivers)"));
    await expect(parseConfig('greMtu: "1380"\n', 'f')).rejects.toThrow(new UserError("f: 'greMtu' must be an integer from 576 to 9000 (an MTU), got \"1380\""));
    await expect(parseConfig('greMtu: -5\n', 'f')).rejects.toThrow(new UserError("f: 'greMtu' must be an integer from 576 to 9000 (an MTU), got -5"));
    await expect(parseConfig('ignoreInterfaces: eth9\n', 'f')).rejects.toThrow(new UserError("f: 'ignoreInterfaces' must be a list of interface names, got \"eth9\""));
    await expect(parseConfig('- a\n- b\n', 'f')).rejects.toThrow(new UserError('f: expected a mapping of settings'));
    await expect(parseConfig('greMtu: [1\n', 'f')).rejects.toThrow(/^f: not valid YAML: /);
  });

  it('refuses a greMtu the --gre-mtu flag refuses: one rule for the file and the command line', async () => {
    await expect(parseConfig('greMtu: 99999\n', '/etc/tapdoctor.yaml')).rejects.toThrow(new UserError("/etc/tapdoctor.yaml: 'greMtu' must be an integer from 576 to 9000 (an MTU), got 99999"));
    await expect(parseConfig('greMtu: 575\n', 'f')).rejects.toThrow(/must be an integer from 576 to 9000/);
    expect(await parseConfig('greMtu: 9000\n', 'f')).toEqual({greMtu: 9000});
  });

  it('reads waivers: check, optional subject glob, required reason and expiry date', async () => {
    expect(await parseConfig('waivers:\n  - {check: td001, subject: "eth*", reason: "second NIC is the storage net", expires: 2027-03-31}\n  - {check: TD004, reason: r, expires: "2027-01-01"}\n', 'f')).toEqual({
      waivers: [
        {check: 'TD001', subject: 'eth*', reason: 'second NIC is the storage net', expires: '2027-03-31'},
        {check: 'TD004', reason: 'r', expires: '2027-01-01'},
      ],
    });
    await expect(parseConfig('waivers: [{check: TD001, expires: 2027-03-31}]\n', 'f')).rejects.toThrow(new UserError("f: waivers[0]: 'reason' is required: say why this deviation is intended"));
    await expect(parseConfig('waivers: [{check: TD001, reason: r}]\n', 'f')).rejects.toThrow(new UserError("f: waivers[0]: 'expires' is required as a date YYYY-MM-DD, got undefined"));
    await expect(parseConfig('waivers: [{check: TD001, reason: r, expires: 2027-02-30}]\n', 'f')).rejects.toThrow(/'expires' is required as a date YYYY-MM-DD, got "2027-02-30"/);
    await expect(parseConfig('waivers: [{check: eth1, reason: r, expires: 2027-03-31}]\n', 'f')).rejects.toThrow(new UserError("f: waivers[0]: 'check' must be a check ID such as TD001, got \"eth1\""));
    await expect(parseConfig('waivers: [{check: TD001, reason: r, expires: 2027-03-31, until: x}]\n', 'f')).rejects.toThrow(new UserError("f: waivers[0]: unknown key 'until' (known: check, subject, reason, expires)"));
    await expect(parseConfig('waivers: {check: TD001}\n', 'f')).rejects.toThrow(/^f: 'waivers' must be a list of \{check, subject, reason, expires\}/);
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
    await expect(loadConfig(join(dir, 'missing.yaml'), '/etc/tapdoctor.yaml', {})).rejects.toThrow(new UserError(`--config ${join(dir, 'missing.yaml')}: no such file`));
  });
});

describe('snapshotSettings', () => {
  const snap = (rec: SourceRecord | undefined, contents: Record<string, string> = {}): Snapshot => ({
    manifest: {format: 'tapdoctor-snapshot', formatVersion: 1, tool: {name: 'tapdoctor', version: '0'}, hostname: 'h', capturedAt: '2026-12-06T00:00:00Z', root: '/', collectedAsRoot: true, sources: rec ? {'tapdoctor.settings': rec} : {}},
    contents: new Map(Object.entries(contents).map(([k, v]) => [k, Buffer.from(v)])),
  }) as Snapshot;
  const entry = {path: 'files/etc/tapdoctor.yaml', binding: '/etc/tapdoctor.yaml', durationMs: 0, bytes: 19, truncated: false};

  it("uses the host's captured file", async () => {
    const s = await snapshotSettings(snap({name: 'tapdoctor.settings', status: 'ok', entries: [entry]}, {'files/etc/tapdoctor.yaml': 'greMtu: 1380\n'}), {});
    expect(s).toMatchObject({from: 'snapshot:/etc/tapdoctor.yaml', config: {greMtu: 1380}});
  });

  it('keeps the defaults, and says why, for a capture that never holds the file (a sosreport)', async () => {
    const s = await snapshotSettings(snap({name: 'tapdoctor.settings', status: 'failed', reason: 'not collected by sosreport', entries: []}), {});
    expect(s.config).toEqual(DEFAULT_CONFIG);
    expect(s.from).toBe('defaults (/etc/tapdoctor.yaml not in this capture: not collected by sosreport)');
    expect((await snapshotSettings(snap(undefined), {greMtu: 1400}, ['--gre-mtu'])).from).toBe('defaults (/etc/tapdoctor.yaml not in this capture), overridden by --gre-mtu');
  });

  it('keeps the defaults, and says so, when the capture looked and the host had no file', async () => {
    const s = await snapshotSettings(snap({name: 'tapdoctor.settings', status: 'ok', entries: []}), {});
    expect(s.config).toEqual(DEFAULT_CONFIG);
    expect(s.from).toBe('defaults (no /etc/tapdoctor.yaml on the captured host)');
  });

  it('refuses a file the capture found but could not read', async () => {
    await expect(snapshotSettings(snap({name: 'tapdoctor.settings', status: 'ok', entries: [{...entry, error: 'permission denied'}]}), {})).rejects.toThrow(UserError);
  });
});
