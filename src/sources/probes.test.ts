import {describe, expect, it} from 'vitest';
import {DEFAULT_CONFIG} from '../config.js';
import {analyzeSnapshot} from '../engine.js';
import {Facts} from '../facts/facts.js';
import {factoryShare} from '../facts/host/mounts.js';
import {CATALOGUE, type ProbeSource} from './catalogue.js';
import type {CollectContext, Collected} from './collect-context.js';
import {runProbe} from './probes.js';
import {filePath, SnapshotView, type Snapshot} from './snapshot.js';

// The factory share probe, run for real (a child process under the probe's own timeout). The
// NFS client's answers are what coreutils stat prints for ESTALE (a share whose export was
// re-created) and for success; a shell stands in for stat on an NFS mount no test can have.
const SHARE_STAT = CATALOGUE.find((s): s is ProbeSource => s.name === 'share.stat')!;
const NFS_MOUNTINFO =
  '81 80 0:51 / /var/lib/openqa/share ro,relatime shared:41 - nfs4 openqa.example.com:/var/lib/openqa/share ro,vers=4.2,hard,proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=10.0.0.5,local_lock=none,addr=10.0.0.1\n';
const ESTALE = "stat: cannot statx '/var/lib/openqa/share/factory': Stale file handle";

const ctx: CollectContext = {root: '/', timeoutMs: 5000, env: process.env, maxBytes: 4096, isRoot: true};
const collected = (): Collected => ({
  sources: {mountinfo: {name: 'mountinfo', status: 'ok', entries: [{path: filePath('/proc/self/mountinfo'), binding: '/proc/self/mountinfo', durationMs: 0, bytes: NFS_MOUNTINFO.length, truncated: false}]}},
  contents: new Map([[filePath('/proc/self/mountinfo'), Buffer.from(NFS_MOUNTINFO)]]),
});

async function probe(script: string, timeoutMs?: number): Promise<Snapshot> {
  const spec: ProbeSource = {...SHARE_STAT, argv: ['sh', '-c', script], ...(timeoutMs ? {timeoutMs} : {})};
  const soFar = collected();
  const [record, data] = await runProbe(spec, ctx, soFar);
  const sources = {...soFar.sources, [record.name]: record};
  const contents = new Map([...soFar.contents, ...data]);
  return {manifest: {format: 'tapdoctor-snapshot', formatVersion: 1, tool: {name: 'tapdoctor', version: 'test'}, hostname: 'h', capturedAt: '2026-11-21T10:00:00.000Z', root: '/', collectedAsRoot: true, sources}, contents} as unknown as Snapshot;
}

describe('share.stat probe', () => {
  it('records a stale NFS handle as the answer (evidence for TD007), not as a collection problem', async () => {
    const snapshot = await probe(`echo "${ESTALE}" >&2; exit 1`);
    const entry = snapshot.manifest.sources['share.stat']!.entries[0]!;
    expect([entry.error, entry.exitCode, entry.stderr?.trim()]).toEqual([undefined, 1, ESTALE]);
    expect(new Facts(new SnapshotView(snapshot), DEFAULT_CONFIG).get(factoryShare)).toMatchObject({stat: 'stale', statDetail: ESTALE});
    expect(analyzeSnapshot(snapshot, [], DEFAULT_CONFIG, {mode: 'snapshot'}).sourceProblems).toEqual([]);
  });

  it('records a stat that hangs past its deadline as the answer too (a hard mount whose server is gone)', async () => {
    const snapshot = await probe('sleep 5', 300);
    const entry = snapshot.manifest.sources['share.stat']!.entries[0]!;
    expect(entry.error).toBeUndefined();
    expect(new Facts(new SnapshotView(snapshot), DEFAULT_CONFIG).get(factoryShare).stat).toBe('stale');
    expect(analyzeSnapshot(snapshot, [], DEFAULT_CONFIG, {mode: 'snapshot'}).sourceProblems).toEqual([]);
  });

  it('still reports a stat that fails for another reason as a collection problem', async () => {
    const snapshot = await probe('echo "stat: cannot statx \'/var/lib/openqa/share/factory\': Permission denied" >&2; exit 1');
    expect(analyzeSnapshot(snapshot, [], DEFAULT_CONFIG, {mode: 'snapshot'}).sourceProblems.map((p) => p.problem)).toEqual([expect.stringMatching(/Permission denied/)]);
  });
});
