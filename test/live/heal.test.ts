// Proof by applying: for every fault a namespace host can have and its plan can repair there,
// build the host, let `tapdoctor check --root R --format script` write the plan, run it inside the
// host (stand-ins for systemctl/wicked/nmcli/permctl, see standins.ts), then `check` again must
// report no warning or error and `gate --no-openqa` must say SAFE TO REBOOT. Also the demo's set
// of faults on one host, healed by one plan. Faults whose plan cannot be proven this way are
// listed with the reason in the README's testing section.
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, test} from 'vitest';
import {CLI, CLI_BUILT, findingKeys, parseReport} from './cli.js';
import {useLiveHost} from './fixture.js';
import type {LiveHost} from './host.js';
import {switchFlows} from './ovs.js';
import {skipLive} from './prereqs.js';
import {effectiveSwitch, healthySuse, PRESETS, withFaults, type ScenarioSpec} from './spec.js';
import {writeStandins} from './standins.js';

const TIMEOUT = 90_000;

/** Presets whose plan runs in a namespace host, and the demo's faults on one host. */
const HEALABLE: Record<string, () => ScenarioSpec> = {
  secondUplink: PRESETS.secondUplink,
  wrongTag: PRESETS.wrongTag,
  qemuNoCapForeignTap: PRESETS.qemuNoCapForeignTap,
  masqueradeWrongIface: PRESETS.masqueradeWrongIface,
  ipForwardOff: PRESETS.ipForwardOff,
  flowsMissing: PRESETS.flowsMissing,
  bridgeAddressWrong: PRESETS.bridgeAddressWrong,
  tapNotOnBridge: PRESETS.tapNotOnBridge,
  portDeviceGone: PRESETS.portDeviceGone,
  // The demo's faults that a namespace host can have (its NFS share cannot be served here).
  demo: () => withFaults(healthySuse(), 'secondUplink', 'wrongTag', 'qemuNoCapForeignTap', 'masqueradeWrongIface', 'flowsMissing', 'portDeviceGone'),
};

const work = mkdtempSync(join(tmpdir(), 'td-heal-'));
afterAll(() => rmSync(work, {recursive: true, force: true}));
const healed: string[] = [];
afterAll(() => {
  if (healed.length > 0) process.stdout.write(`healed by their own plan: ${healed.join(', ')}\n`);
});

async function cli(host: LiveHost, args: string[], env: Record<string, string> = {}) {
  return host.exec([process.execPath, CLI, ...args], {env: {NO_COLOR: '1', ...env}, timeoutMs: TIMEOUT});
}

const blocking = (keys: string[]) => keys.filter((k) => !k.endsWith(' info'));

for (const [name, spec] of Object.entries(HEALABLE)) {
  describe.skipIf(skipLive || !CLI_BUILT)(`heal ${name}`, () => {
    const host = useLiveHost(spec);
    test(
      'check --format script, run it in the host, check again: no warning or error; gate: SAFE TO REBOOT',
      async () => {
        const h = host();
        const dir = mkdtempSync(join(work, `${name}-`));
        const sw = effectiveSwitch(h.spec);
        const bin = writeStandins(dir, {
          rootDir: h.rootDir,
          bridge: sw.bridge,
          expectedAddress: `${sw.localIp}/${sw.netmask}`,
          flows: switchFlows({...sw, mac: h.bridgeMac!}),
          systemctlDir: h.systemctlDir,
        });
        // Every run sees the stand-ins, tapdoctor's read-only `systemctl list-units` included.
        const env = {PATH: `${bin}:${process.env.PATH}`};
        const before = parseReport(await cli(h, ['check', '--root', h.rootDir, '--json'], env));
        expect(blocking(findingKeys(before)).length, 'the fault shows before the repair').toBeGreaterThan(0);

        const plan = await cli(h, ['check', '--root', h.rootDir, '--format', 'script'], env);
        const script = plan.stdout;
        expect(script.startsWith('#!/bin/sh\n'), plan.stderr).toBe(true);
        expect(script).toContain('\nset -eu\n');
        writeFileSync(join(dir, 'fix.sh'), script);
        const applied = await h.exec(['sh', join(dir, 'fix.sh')], {env: {...env, NO_COLOR: '1'}, timeoutMs: TIMEOUT});
        // A plan stops (exit 3) before re-creating the tap of a running job; everything else is done.
        const stoppedForJob = applied.code === 3 && applied.stderr.includes('tapdoctor plan: stopped: a job runs in');
        expect(applied.code === 0 || stoppedForJob, `fix.sh exit ${applied.code}\n${applied.stderr}\n${applied.stdout.slice(-3000)}\n--- calls:\n${safeRead(join(dir, 'calls.log'))}\n--- script:\n${script}`).toBe(true);

        // Before a reboot the jobs end; then the same script runs again: it is idempotent, and the
        // steps it stopped before (re-creating a running job's tap) run now.
        await h.endJobs();
        const again = await h.exec(['sh', join(dir, 'fix.sh')], {env: {...env, NO_COLOR: '1'}, timeoutMs: TIMEOUT});
        expect(again.code, `second run: ${again.stderr}\n--- script:\n${script}`).toBe(0);

        const after = parseReport(await cli(h, ['check', '--root', h.rootDir, '--json'], env));
        expect(blocking(findingKeys(after)), `after the plan\n${script}`).toEqual([]);
        const gate = await cli(h, ['gate', '--root', h.rootDir, '--no-openqa'], env);
        expect(gate.stdout.trimEnd().split('\n').at(-1), `${gate.stdout}\n${gate.stderr}\n--- script:\n${script}`).toBe('SAFE TO REBOOT');
        healed.push(name);
      },
      TIMEOUT * 4,
    );
  });
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '(none)';
  }
}
