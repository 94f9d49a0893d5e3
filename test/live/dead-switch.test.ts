// A dead switch must never come out clean. On a namespace-built SUSE worker with a real Open
// vSwitch, each fault is made for real (the daemons this harness started are killed by their pid,
// br1 is set down inside the host's netns) and `tapdoctor check` must report an error finding of
// the kind that owns it and exit 1 with the default --fail-on. The failed switch unit needs
// systemd, which the namespace host does not run: its `systemctl` stand-in (systemd.ts) lists
// os-autoinst-openvswitch.service as failed.
import {beforeAll, describe, expect, test} from 'vitest';
import {CLI, type CliRun, parseReport} from './cli.js';
import {useLiveHost} from './fixture.js';
import type {LiveHost} from './host.js';
import {skipLive} from './prereqs.js';
import {run} from './run.js';
import {PRESETS} from './spec.js';

async function killAndWait(pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 50; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`pid ${pid} still alive after SIGKILL`);
}

async function check(host: LiveHost, env: Record<string, string> = {}): Promise<CliRun> {
  const result = await host.exec([process.execPath, CLI, 'check', '--root', host.rootDir, '--json'], {env: {NO_COLOR: '1', ...env}, timeoutMs: 90_000});
  return {result, report: parseReport(result)};
}

const errorKinds = (r: CliRun) => r.report.findings.filter((f) => f.severity === 'error').map((f) => `${f.kind} ${f.subject}`).sort();

describe.skipIf(skipLive)('dead switch on a live SUSE worker: ovsdb-server and ovs-vswitchd killed', () => {
  const host = useLiveHost(PRESETS.healthySuse);
  let seen: CliRun;
  beforeAll(async () => {
    const {ovsdb, vswitchd} = host().ovsPids;
    await killAndWait(vswitchd);
    await killAndWait(ovsdb);
    seen = await check(host());
  }, 120_000);
  test('TD010 reports ovsdb-server not running as an error, and the exit code is 1', () => {
    expect(errorKinds(seen)).toContain('TD010/ovsdb-server-down ovsdb-server');
    expect(seen.result.code).toBe(1);
  });
  test('the host is still recognised as a tap worker: the tap checks are not n/a', () => {
    expect(seen.report.checks.filter((c) => c.status === 'n/a' && /not an openQA tap worker/.test(c.reason ?? ''))).toEqual([]);
  });
});

describe.skipIf(skipLive)('dead switch on a live SUSE worker: ovs-vswitchd alone killed', () => {
  const host = useLiveHost(PRESETS.healthySuse);
  let seen: CliRun;
  beforeAll(async () => {
    await killAndWait(host().ovsPids.vswitchd);
    seen = await check(host());
  }, 120_000);
  test('TD010 reports ovs-vswitchd not running as an error (not a skip), and the exit code is 1', () => {
    expect(errorKinds(seen)).toContain('TD010/ovs-vswitchd-down ovs-vswitchd');
    expect(seen.report.checks.find((c) => c.id === 'TD010')?.status).toBe('fail');
    expect(seen.result.code).toBe(1);
  });
});

describe.skipIf(skipLive)('a live SUSE worker whose br1 is down', () => {
  const host = useLiveHost(PRESETS.healthySuse);
  let seen: CliRun;
  beforeAll(async () => {
    const down = await run(['ip', '-n', host().netns, 'link', 'set', 'br1', 'down'], {timeoutMs: 10_000});
    expect(down.code).toBe(0);
    seen = await check(host());
  }, 120_000);
  test('TD011 reports br1 down as an error, and the exit code is 1', () => {
    expect(errorKinds(seen)).toEqual(['TD011/bridge-down br1']);
    expect(seen.result.code).toBe(1);
  });
});

describe.skipIf(skipLive)('a live SUSE worker whose switch unit failed', () => {
  // The host's systemctl stand-in (systemd.ts) lists os-autoinst-openvswitch.service as systemd
  // does after the script died: the rules it installed stay on the bridge.
  const host = useLiveHost(() => ({...PRESETS.healthySuse(), unitStates: {'os-autoinst-openvswitch.service': {active: 'failed', sub: 'failed'}}}));
  let seen: CliRun;
  beforeAll(async () => {
    seen = await check(host());
  }, 120_000);
  test('TD010 reports the failed os-autoinst-openvswitch.service as an error, and the exit code is 1', () => {
    expect(errorKinds(seen)).toContain('TD010/switch-service-down os-autoinst-openvswitch.service');
    expect(seen.result.code).toBe(1);
  });
});
