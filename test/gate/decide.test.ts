// The gate's decision, in-process: the whole check set on the fixtures, the openQA web UI mocked
// with nock (the client uses the global fetch, which nock 14 intercepts).
import nock from 'nock';
import {afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {DEFAULT_CONFIG} from '../../src/config.js';
import {CHECKS} from '../../src/checks/registry.js';
import {analyzeSnapshot} from '../../src/engine.js';
import {decideGate, type GateDecision} from '../../src/gate/decide.js';
import {renderGate, verdictLine} from '../../src/gate/render.js';
import type {OpenqaQuestion} from '../../src/gate/safe-now.js';
import type {Snapshot} from '../../src/sources/snapshot.js';
import {loadCase} from '../helpers/fixture.js';
import {fixture} from './run-check.js';
import {overlay} from './overlay.js';
import {bridgePortLine, wickedTapFileLines} from '../helpers/remedies.js';

const WEBUI = 'http://openqa.example';
const HOST = 'openqaworker-suse1'; // the healthy SUSE fixture's host name

/** The web UI must be asked anonymously and read-only. */
const webUi = (base = WEBUI) => nock(base, {badheaders: ['authorization', 'x-api-key', 'x-api-hash', 'cookie']}).get('/api/v1/workers');
const worker = (id: number, instance: number, extra: Record<string, unknown> = {}) => ({id, host: HOST, instance, status: 'idle', alive: 1, error: null, ...extra});
const IDLE = {workers: [worker(11, 1), worker(12, 2), {id: 99, host: 'other-worker', instance: 1, status: 'running', jobid: 5, alive: 1}]};
const RUNNING = {workers: [worker(11, 1, {status: 'running', jobid: 4242, currentstep: 'ping_client'}), worker(12, 2)]};

const ask = (extra: Partial<Extract<OpenqaQuestion, {ask: true}>> = {}): OpenqaQuestion => ({ask: true, url: WEBUI, hostname: HOST, timeoutMs: 3000, ...extra});
const NO_OPENQA: OpenqaQuestion = {ask: false, why: '--no-openqa: the web UI was not asked which jobs run here'};

async function gate(snapshot: Snapshot, openqa: OpenqaQuestion, mode: 'live' | 'snapshot' = 'snapshot'): Promise<GateDecision> {
  const report = analyzeSnapshot(snapshot, CHECKS, DEFAULT_CONFIG, {mode});
  return decideGate({report, snapshot, config: DEFAULT_CONFIG, mode, openqa});
}

/** The snapshot as if no qemu had been alive at capture (the probe found none). */
function idle(s: Snapshot): Snapshot {
  const manifest = structuredClone(s.manifest);
  manifest.sources['openqa.qemu-alive']!.entries = [];
  return {manifest, contents: s.contents};
}

let suse: Snapshot;
let fedora: Snapshot;
beforeAll(async () => {
  [suse, fedora] = await Promise.all([fixture('healthy-suse'), fixture('healthy-fedora')]);
});
beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('gate on the healthy fixtures', () => {
  it('is not SAFE on a snapshot with a live qemu at capture and no web UI answer: the job counts as running', async () => {
    for (const s of [suse, fedora]) {
      const d = await gate(s, NO_OPENQA);
      expect({verdict: d.verdict, exitCode: d.exitCode, unknowns: d.unknowns, heals: d.heals, runningJobsFrom: d.runningJobsFrom}).toEqual({verdict: 'not-safe', exitCode: 1, unknowns: [], heals: [], runningJobsFrom: 'qemu'});
      expect(d.blockers.map((b) => `${b.id} ${b.subject}`)).toEqual(['qemu /var/lib/openqa/pool/1']);
      expect(d.blockers[0]!.message).toMatch(/^qemu \(pid \d+\) of worker instance 1 was alive at capture: a job was running there, and without the web UI's answer it counts as running$/);
      expect(d.notes).toEqual([
        '--no-openqa: the web UI was not asked which jobs run here',
        `running jobs from the pool: 1 live qemu process at capture (${s.manifest.capturedAt}); the web UI did not answer, so they count as running jobs`,
      ]);
    }
  });

  it('says SAFE TO REBOOT on a snapshot when the web UI reports the host idle now (the web UI wins over the capture)', async () => {
    webUi().reply(200, IDLE);
    const d = await gate(suse, ask());
    expect(d).toMatchObject({verdict: 'safe', exitCode: 0, blockers: [], unknowns: [], runningJobsFrom: 'openqa'});
  });

  it('says SAFE TO REBOOT when the web UI reports this host idle', async () => {
    const scope = webUi().reply(200, IDLE);
    const d = await gate(suse, ask());
    expect(scope.isDone()).toBe(true);
    expect(d).toMatchObject({verdict: 'safe', exitCode: 0, blockers: [], unknowns: []});
    expect(d.notes[0]).toBe(`openQA ${WEBUI}/: 2 workers of ${HOST}, 0 with a job`);
  });

  it('names a running job with its id and URL as a blocker (exit 1)', async () => {
    webUi().reply(200, RUNNING);
    const d = await gate(suse, ask());
    expect(d.exitCode).toBe(1);
    expect(d.blockers).toEqual([
      {
        id: 'openQA',
        subject: 'job 4242',
        message: `worker instance 1 is running job 4242 (${WEBUI}/tests/4242; worker status running, module ping_client): a reboot kills it`,
        fix: `wait until ${WEBUI}/tests/4242 is done, then run the gate again`,
      },
    ]);
    expect(verdictLine(d)).toBe('NOT SAFE TO REBOOT: 1 blocker');
  });

  it('asks the web UI of workers.ini HOST when no URL is given', async () => {
    const scope = webUi('http://localhost').reply(200, IDLE);
    const d = await gate(suse, ask({url: undefined}));
    expect(scope.isDone()).toBe(true);
    expect(d.verdict).toBe('safe');
  });
});

describe('gate when openQA cannot be asked', () => {
  it.each([
    ['an HTTP error', () => webUi().reply(500, {error: 'Internal Server Error', error_status: 500}), `could not ask openQA: ${WEBUI}/api/v1/workers answered HTTP 500 Internal Server Error: Internal Server Error`],
    ['malformed JSON', () => webUi().reply(200, '{"workers": [', {'content-type': 'application/json'}), /^could not ask openQA: http:\/\/openqa\.example\/api\/v1\/workers answered invalid JSON/],
    ['an unknown host name', () => webUi().reply(200, {workers: [{id: 1, host: 'other-worker', instance: 1, status: 'idle'}]}), `could not ask openQA: it lists no worker of host ${HOST}; it knows: other-worker`],
    ['a timeout', () => webUi().delay(2000).reply(200, IDLE), `could not ask openQA: no answer from ${WEBUI}/api/v1/workers within 0.2 s`],
  ])('says CANNOT TELL on %s (exit 2)', async (_what, mock, reason) => {
    mock();
    const d = await gate(idle(suse), ask({timeoutMs: 200}));
    expect(d).toMatchObject({verdict: 'unknown', exitCode: 2, blockers: []});
    expect(d.unknowns).toHaveLength(1);
    expect(d.unknowns[0]!.what).toBe(`openQA ${WEBUI}/`);
    if (typeof reason === 'string') expect(d.unknowns[0]!.reason).toBe(reason);
    else expect(d.unknowns[0]!.reason).toMatch(reason);
    expect(verdictLine(d)).toBe('CANNOT TELL IF SAFE TO REBOOT: 1 open question');
  });

  it('live: counts the pool\'s live qemu as a running job when the web UI fails (exit 1, the question still listed)', async () => {
    webUi().reply(503, 'Service Unavailable');
    const d = await gate(suse, ask(), 'live');
    expect(d.exitCode).toBe(1);
    expect(d.blockers).toEqual([
      {
        id: 'qemu',
        subject: '/var/lib/openqa/pool/1',
        message: expect.stringMatching(/^qemu \(pid \d+\) of worker instance 1 is alive: a job is running there and a reboot kills it$/) as unknown as string,
        fix: expect.stringMatching(/^wait until the job of instance 1 is done \(its qemu pid \d+ exits\), then run the gate again$/) as unknown as string,
      },
    ]);
    expect(d.unknowns.map((u) => u.what)).toEqual([`openQA ${WEBUI}/`]);
  });

  it('live with --no-openqa: the live qemu decides, no open question', async () => {
    const d = await gate(suse, NO_OPENQA, 'live');
    expect(d).toMatchObject({verdict: 'not-safe', exitCode: 1, unknowns: []});
    expect(d.blockers.map((b) => b.subject)).toEqual(['/var/lib/openqa/pool/1']);
  });

  it('live: the web UI\'s answer wins over the pool (an idle web UI, a qemu left over)', async () => {
    webUi().reply(200, IDLE);
    const d = await gate(suse, ask(), 'live');
    expect(d).toMatchObject({verdict: 'safe', exitCode: 0});
  });
});

describe('gate on a host set up by hand', () => {
  it('names each blocker with its fix: runtime-only forwarding, a hand-made tap, NAT not persisted (exit 1)', async () => {
    const {snapshot} = await loadCase('TD104-hand-made-host');
    webUi().reply(200, IDLE);
    const d = await gate(snapshot, ask());
    expect(d.exitCode).toBe(1);
    expect(d.blockers.map((b) => [b.id, b.subject, b.fix])).toEqual([
      ['TD101', 'net.ipv4.ip_forward', "mkdir -p /etc/sysctl.d\ngrep -qxF -e 'net.ipv4.ip_forward = 1' /etc/sysctl.d/ip_forward.conf 2>/dev/null || echo 'net.ipv4.ip_forward = 1' >> /etc/sysctl.d/ip_forward.conf"],
      [
        'TD103',
        'tap1',
        [...wickedTapFileLines('tap1'), bridgePortLine('tap1', 1)].join('\n'),
      ],
      [
        'TD104',
        'eth0',
        'nft list table ip nat >> /etc/firewall.nft   # the live table with the masquerade\nunshare --net nft -f /etc/firewall.nft   # a real load, in a throwaway network namespace (nft -c accepts NAT the kernel refuses)\nsystemctl restart nftables.service',
      ],
    ]);
    const lines = renderGate(d, {color: false}).trimEnd().split('\n');
    expect(lines.at(-1)).toBe('NOT SAFE TO REBOOT: 3 blockers');
    expect(lines.slice(0, 5)).toEqual([
      'Pre-reboot gate',
      'BLOCKS REBOOT (3)',
      `  ✖ TD101 net.ipv4.ip_forward: ${d.blockers[0]!.message}`,
      `  ✖ TD103 ${d.blockers[1]!.message}`, // the message begins with its subject: named once
      `  ✖ TD104 eth0${d.blockers[2]!.message.startsWith('eth0') ? ' ' : ': '}${d.blockers[2]!.message}`,
    ]);
    // Then the persistence part of the plan: each blocker's steps under its name, commands whole.
    const plan = lines.slice(lines.indexOf('PERSIST BEFORE REBOOTING') + 1, -1);
    expect(plan[0]).toBe('  # TD101 net.ipv4.ip_forward');
    expect(plan[1]).toBe(`  ${d.blockers[0]!.fix.split('\n')[0]}`);
    expect(plan).toContain('  # TD104 eth0');
  });

  it('lists the job and the persistence blockers together', async () => {
    const {snapshot} = await loadCase('TD104-hand-made-host');
    webUi().reply(200, RUNNING);
    const d = await gate(snapshot, ask());
    expect(d.blockers.map((b) => `${b.id} ${b.subject}`)).toEqual(['openQA job 4242', 'TD101 net.ipv4.ip_forward', 'TD103 tap1', 'TD104 eth0']);
    expect(verdictLine(d)).toBe('NOT SAFE TO REBOOT: 4 blockers');
  });
});

describe('gate classes', () => {
  it('a share mounted from another source than the persisted one blocks (TD106)', async () => {
    const {snapshot} = await loadCase('TD106-share-source-mismatch');
    webUi().reply(200, {workers: [{id: 1, host: fedora.manifest.hostname, instance: 1, status: 'idle', alive: 1}]});
    const d = await gate(snapshot, ask({hostname: fedora.manifest.hostname}));
    expect(d.verdict).toBe('not-safe');
    expect(d.blockers.map((b) => `${b.id} ${b.subject}`)).toEqual(['TD106 /var/lib/openqa/share']);
    expect(d.blockers[0]!.message).toContain('server openqa.example.test ≠ openqa01.example.test, export /var/lib/openqa/share ≠ /srv/openqa/share');
  });

  it('a wrong tag on the running job\'s tap heals at boot (the enabled switch service sets tags per job): shown, not blocking', async () => {
    const {snapshot} = await loadCase('TD003-tag-mismatch');
    webUi().reply(200, IDLE);
    const d = await gate(snapshot, ask());
    expect(d.heals.map((h) => `${h.id} ${h.subject}`)).toEqual(['TD003 tap0']);
    expect(d.blockers).toEqual([]);
    expect(d.verdict).toBe('safe');
    expect(renderGate(d, {color: false})).toMatch(/\nHEALS AT BOOT \(1\)\n {2}↻ TD003 tap0 .* — at boot: tags are set per job by the enabled os-autoinst-openvswitch service \(TD107 passed\)\n/);
  });

  it('missing flows heal at boot when the bridge is persisted and the switch unit enabled, and block when the unit is not enabled', async () => {
    const flows = (await loadCase('TD010-bridge-mac-changed')).snapshot;
    webUi().reply(200, IDLE);
    const healed = await gate(flows, ask());
    expect(healed.heals.map((h) => h.id)).toContain('TD010');
    expect(healed.blockers.map((b) => b.id)).not.toContain('TD010');
    const disabled = overlay(flows, {files: {'systemd.wants': {'/etc/systemd/system/multi-user.target.wants/os-autoinst-openvswitch.service': null}}});
    webUi().reply(200, IDLE);
    const blocked = await gate(disabled, ask());
    expect(blocked.blockers.map((b) => b.id)).toEqual(expect.arrayContaining(['TD010', 'TD107']));
    expect(blocked.heals.map((h) => h.id)).not.toContain('TD010');
  });
});
