// Settings travel with the snapshot: `snapshot` captures the host's /etc/tapdoctor.yaml, `analyze`
// and `gate --snapshot` use it (never the analyzing machine's file), --config overrides it, and
// every report says which was used. Invalid settings are refused with the key and the reason.
import {spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {readSnapshot} from '../../src/sources/archive.js';
import type {Snapshot} from '../../src/sources/snapshot.js';
import {writeSnapshot} from '../../src/sources/write.js';
import {fixture} from './run-check.js';
import {overlay} from './overlay.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['bin/run.js', ...args], {cwd: repo, encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}});
  return {code: r.status, stdout: r.stdout, stderr: r.stderr};
};

const WAIVE_ETH1 = 'waivers:\n  - {check: TD001, subject: eth1, reason: "eth1 is the storage network", expires: 2099-12-31}\n';
let dir = '';
let demo: Snapshot;
const withSettings = async (name: string, text: string) => {
  const path = join(dir, `${name}.tar.gz`);
  await writeSnapshot(overlay(demo, {files: {'tapdoctor.settings': {'/etc/tapdoctor.yaml': text}}}), path);
  return path;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tapdoctor-settings-'));
  demo = await fixture('demo');
});
afterAll(() => rmSync(dir, {recursive: true, force: true}));

describe('settings in the snapshot', () => {
  it('analyze uses the snapshot\'s settings and says so; --config overrides them', async () => {
    const snap = await withSettings('waiver', WAIVE_ETH1);
    const own = cli('analyze', snap, '--json');
    const doc = JSON.parse(own.stdout) as {run: {settingsFrom: string; waivers: Array<{status: string}>}; findings: Array<{checkId: string; waiver?: {reason: string}}>};
    expect(doc.run.settingsFrom).toBe('snapshot:/etc/tapdoctor.yaml');
    expect(doc.run.waivers.map((w) => w.status)).toEqual(['applied']);
    expect(doc.findings.find((f) => f.checkId === 'TD001')?.waiver?.reason).toBe('eth1 is the storage network');

    const site = join(dir, 'site.yaml');
    writeFileSync(site, 'greMtu: 1400\n');
    const over = JSON.parse(cli('analyze', snap, '--json', '--config', site).stdout) as typeof doc;
    expect(over.run.settingsFrom).toBe(site);
    expect(over.run.waivers).toEqual([]);
    expect(over.findings.find((f) => f.checkId === 'TD001')?.waiver).toBeUndefined();

    const text = cli('analyze', snap, '--gre-mtu', '1380');
    expect(text.stdout).toContain('\n  settings: snapshot:/etc/tapdoctor.yaml, overridden by --gre-mtu\n');
    // A snapshot older than the settings source (the demo): the defaults, whatever this machine has in /etc, and the report says why.
    expect(cli('analyze', 'fixtures/demo').stdout).toContain('\n  settings: defaults (/etc/tapdoctor.yaml not in this capture)\n');
    // A capture that looked and found no file: the same defaults, and the report says the host had none.
    const looked = join(dir, 'looked.tar.gz');
    await writeSnapshot({...demo, manifest: {...demo.manifest, sources: {...demo.manifest.sources, 'tapdoctor.settings': {name: 'tapdoctor.settings', status: 'ok', entries: []}}}}, looked);
    expect(cli('analyze', looked).stdout).toContain('\n  settings: defaults (no /etc/tapdoctor.yaml on the captured host)\n');
  });

  it('refuses invalid settings with the key and the reason, in the file as on the command line (exit 2, one line)', async () => {
    const bad = cli('analyze', await withSettings('mtu', 'greMtu: 99999\n'));
    expect({code: bad.code, stderr: bad.stderr}).toEqual({code: 2, stderr: "tapdoctor: snapshot:/etc/tapdoctor.yaml: 'greMtu' must be an integer from 576 to 9000 (an MTU), got 99999\n"});
    const flag = cli('analyze', 'fixtures/demo', '--gre-mtu', '99999');
    expect(flag.code).toBe(2);
    expect(flag.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(flag.stderr).toMatch(/gre-mtu.*9000/);

    const unknown = cli('gate', '--snapshot', await withSettings('key', 'greMTU: 1400\n'), '--no-openqa');
    expect({code: unknown.code, stderr: unknown.stderr}).toEqual({code: 2, stderr: "tapdoctor: snapshot:/etc/tapdoctor.yaml: unknown setting 'greMTU' (known: greMtu, ignoreInterfaces, workerUser, multiNic, uplink, waivers)\n"});

    const missing = cli('analyze', 'fixtures/demo', '--config', join(dir, 'nope.yaml'));
    expect({code: missing.code, stderr: missing.stderr}).toEqual({code: 2, stderr: `tapdoctor: --config ${join(dir, 'nope.yaml')}: no such file\n`});
  });

  it('snapshot captures the host\'s /etc/tapdoctor.yaml (below --root) as source tapdoctor.settings', async () => {
    const root = join(dir, 'root');
    mkdirSync(join(root, 'etc'), {recursive: true});
    writeFileSync(join(root, 'etc/tapdoctor.yaml'), WAIVE_ETH1);
    const out = join(dir, 'captured.tar.gz');
    const r = cli('snapshot', '--root', root, '--quiet', '--timeout', '5', '-o', out);
    expect(r.code).toBe(0);
    const snap = await readSnapshot(out);
    expect(snap.manifest.sources['tapdoctor.settings']?.entries.map((e) => e.binding)).toEqual(['/etc/tapdoctor.yaml']);
    const doc = JSON.parse(cli('analyze', out, '--json', '--fail-on', 'never').stdout) as {run: {settingsFrom: string; waivers: unknown[]}};
    expect(doc.run.settingsFrom).toBe('snapshot:/etc/tapdoctor.yaml');
    expect(doc.run.waivers).toHaveLength(1);
  });
});
