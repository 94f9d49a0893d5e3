// The systemctl stand-in of the namespace hosts prints what systemd 252 printed for the same units
// (test/samples/systemctl-list-units/: a real `systemd --user` manager with these unit files; the
// database unit's process was SIGKILLed, td-fail.service ran /bin/false). No root needed.
import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, describe, expect, it} from 'vitest';
import {parseListUnits} from '../../src/parsers/systemd.js';
import {healthyFedora, healthySuse, withFaults} from './spec.js';
import {hostUnits, writeSystemctlStandIn, type HostUnit} from './systemd.js';

const SAMPLES = fileURLToPath(new URL('../samples/systemctl-list-units/', import.meta.url));
const sample = (name: string) => readFileSync(join(SAMPLES, `generated-systemd-252-${name}.txt`), 'utf8');

const work = mkdtempSync(join(tmpdir(), 'td-systemctl-'));
afterAll(() => rmSync(work, {recursive: true, force: true}));

/** A pid that is certainly gone: a child that exited and was reaped. */
function deadPid(): number {
  const child = spawnSync('sh', ['-c', 'echo $$']);
  return Number(child.stdout.toString().trim());
}

const unit = (name: string, description: string, state: Pick<HostUnit, 'active' | 'sub'>, extra: Partial<HostUnit> = {}): HostUnit => ({
  unit: name,
  file: `usr/lib/systemd/system/${name.replace(/@[^.]*\./, '@.')}`,
  fileText: `[Unit]\nDescription=${description}\n`,
  enabled: true,
  ...state,
  ...extra,
});

function standIn(units: HostUnit[], pids: {ovsdb: number; vswitchd: number} | null): (args: string[]) => {code: number | null; stdout: string; stderr: string} {
  const dir = mkdtempSync(join(work, 'host-'));
  const root = join(dir, 'root');
  for (const u of units) {
    const path = join(root, u.file);
    spawnSync('mkdir', ['-p', join(path, '..')]);
    spawnSync('sh', ['-c', 'printf %s "$1" > "$2"', 'sh', u.fileText, path]);
  }
  const bin = writeSystemctlStandIn(join(dir, 'systemd'), root, units, pids);
  return (args) => {
    const r = spawnSync(join(bin, 'systemctl'), args, {encoding: 'utf8'});
    return {code: r.status, stdout: r.stdout, stderr: r.stderr};
  };
}

describe('systemctl stand-in', () => {
  const systemctl = standIn(
    [
      unit('td-daemon.service', 'Open vSwitch Database Unit', {active: 'active', sub: 'running'}, {daemon: 'ovsdb'}),
      unit('td-fail.service', 'td failing unit', {active: 'failed', sub: 'failed'}),
      unit('td-oneshot.service', 'Open vSwitch', {active: 'active', sub: 'exited'}),
      unit('td-worker@1.service', 'openQA Worker #%i', {active: 'active', sub: 'running'}),
      unit('td-worker@12.service', 'openQA Worker #%i', {active: 'active', sub: 'running'}),
    ],
    {ovsdb: deadPid(), vswitchd: process.pid},
  );

  it.each([
    ['all-no-legend-plain', ['list-units', '--all', '--no-legend', '--plain', '--no-pager']],
    ['all-plain', ['list-units', '--all', '--plain', '--no-pager']],
    ['no-legend', ['list-units', '--no-legend', '--no-pager']],
    ['default', ['list-units', '--no-pager']],
  ])('prints systemd 252\'s %s layout byte for byte (a gone daemon reads failed)', (name, args) => {
    expect(systemctl(args)).toEqual({code: 0, stdout: sample(name), stderr: ''});
  });

  it('refuses what it does not model, with exit 1', () => {
    const r = systemctl(['is-active', 'td-fail.service']);
    expect([r.code, r.stdout, r.stderr]).toEqual([1, '', "systemctl stand-in: 'is-active td-fail.service' is not modelled (only list-units)\n"]);
    expect(systemctl(['list-units', '--state=failed']).code).toBe(1);
  });

  it('lists a unit without a unit file as not-found, and leaves inactive units out without --all', () => {
    const run = standIn([{...unit('gone.service', 'x', {active: 'active', sub: 'running'}), file: 'usr/lib/systemd/system/other.service'}], null);
    expect(run(['list-units', '--all', '--no-legend', '--plain']).stdout).toBe('gone.service not-found inactive dead gone.service\n');
    expect(run(['list-units', '--no-legend', '--plain']).stdout).toBe('');
  });
});

describe('the units of the presets', () => {
  it('lists them in systemctl order, and tapdoctor\'s parser reads every row', () => {
    for (const spec of [healthySuse(), healthyFedora(), withFaults(healthySuse(), 'shareNotMounted')]) {
      const units = hostUnits(spec);
      const out = standIn(units, {ovsdb: process.pid, vswitchd: process.pid})(['list-units', '--all', '--no-legend', '--plain', '--no-pager']);
      const rows = parseListUnits(out.stdout, 'systemd.units');
      expect(rows.map((r) => r.unit)).toEqual(units.map((u) => u.unit));
      expect(rows.every((r) => r.load === 'loaded' && r.active === 'active')).toBe(true);
    }
    expect(hostUnits(healthySuse()).map((u) => u.unit)).toEqual([
      'nftables.service',
      'openqa-gru.service',
      'openqa-scheduler.service',
      'openqa-websockets.service',
      'openqa-webui.service',
      'openqa-worker-auto-restart@1.service',
      'openqa-worker-auto-restart@2.service',
      'openvswitch.service',
      'os-autoinst-openvswitch.service',
      'ovs-vswitchd.service',
      'ovsdb-server.service',
      'wicked.service',
    ]);
  });

  it('a remote worker with a cache runs the cache service and no web UI', () => {
    const spec = withFaults(healthyFedora(), 'shareNotMounted');
    spec.workers.cacheDirectory = '/var/lib/openqa/cache';
    const names = hostUnits(spec).map((u) => u.unit);
    expect(names).toContain('openqa-worker-cacheservice.service');
    expect(names.filter((n) => n.startsWith('openqa-webui'))).toEqual([]);
  });
});
