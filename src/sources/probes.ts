// Probes: read-only looks that depend on other sources.
//  - qemu-alive: for each pool dir's qemu.pid, the /proc/<pid>/cmdline of that process (entry key =
//    the pool dir, text = cmdline with NULs; `absent` when no such process).
//  - factory-share-stat: `stat` of the factory dir under a hard deadline, only when an NFS mount
//    covers it (an idle automount must not be triggered; a stale NFS handle must not hang us).
//    A hang or ESTALE is recorded as the probe's answer, not as a collection failure.
import {readFileSync} from 'node:fs';
import type {ProbeSource} from './catalogue.js';
import type {Collected, CollectContext} from './collect-context.js';
import {runCommand} from './run-command.js';
import {effectiveMounts, mountContaining, parseMountInfo} from '../parsers/mountinfo.js';
import {commandPath, type EntryRecord, type SourceRecord} from './snapshot.js';

export const FACTORY_DIR = '/var/lib/openqa/share/factory';

/** The sources each probe reads: the collector starts a probe once these are in, and hands it only these. */
export const PROBE_INPUTS: Record<ProbeSource['probe'], readonly string[]> = {'qemu-alive': ['openqa.pool'], 'factory-share-stat': ['mountinfo']};

export async function runProbe(spec: ProbeSource, ctx: CollectContext, soFar: Collected): Promise<[SourceRecord, Map<string, Buffer>]> {
  return spec.probe === 'qemu-alive' ? qemuAlive(spec, soFar) : factoryShareStat(spec, ctx, soFar);
}

async function qemuAlive(spec: ProbeSource, soFar: Collected): Promise<[SourceRecord, Map<string, Buffer>]> {
  const pool = soFar.sources['openqa.pool'];
  if (!pool || pool.status === 'failed') return [{name: spec.name, status: 'failed', reason: `needs openqa.pool: ${pool?.reason ?? 'not collected'}`, entries: []}, new Map()];
  const data = new Map<string, Buffer>();
  const entries: EntryRecord[] = [];
  for (const e of pool.entries) {
    if (!e.binding.endsWith('/qemu.pid') || e.error || e.absent) continue;
    const dir = e.binding.slice(0, -'/qemu.pid'.length);
    const pid = (soFar.contents.get(e.path)?.toString('utf8') ?? '').trim();
    const entry: EntryRecord = {path: commandPath(spec.name, dir), binding: `/proc/${pid}/cmdline`, key: dir, durationMs: 0, bytes: 0, truncated: false};
    if (!/^[1-9][0-9]{0,9}$/.test(pid)) {
      entry.error = `qemu.pid holds no pid: ${JSON.stringify(pid.slice(0, 40))}`;
    } else {
      try {
        // /proc answers from memory (as the other kernel files, read-files.ts): no thread-pool round trip per job.
        const cmdline = readFileSync(`/proc/${pid}/cmdline`);
        entry.bytes = cmdline.length;
        data.set(entry.path, cmdline);
      } catch {
        entry.absent = true;
      }
    }
    entries.push(entry);
  }
  return [{name: spec.name, status: 'ok', entries}, data];
}

async function factoryShareStat(spec: ProbeSource, ctx: CollectContext, soFar: Collected): Promise<[SourceRecord, Map<string, Buffer>]> {
  const mi = soFar.sources['mountinfo'];
  const text = mi?.entries[0] ? soFar.contents.get(mi.entries[0].path)?.toString('utf8') : undefined;
  if (!text) return [{name: spec.name, status: 'failed', reason: 'needs mountinfo', entries: []}, new Map()];
  if (!nfsCovers(text, FACTORY_DIR)) {
    return [{name: spec.name, status: 'ok', entries: []}, new Map()];
  }
  const argv = spec.argv ?? ['stat', '-c', '%F', FACTORY_DIR];
  const out = await runCommand(argv, {timeoutMs: spec.timeoutMs ?? ctx.timeoutMs, maxBytes: 4096, env: ctx.env});
  const entry: EntryRecord = {path: commandPath(spec.name), binding: argv.join(' '), exitCode: out.exitCode, durationMs: out.durationMs, bytes: out.stdout.length, truncated: false};
  if (out.stderr) entry.stderr = out.stderr;
  const data = new Map<string, Buffer>();
  // A hang past the deadline or ESTALE is what this probe looks for: the answer (TD007's
  // evidence), stored as its text, not a failure to collect.
  const said = out.error ?? (out.exitCode !== 0 ? (out.stderr.trim().split('\n')[0] ?? '') : '');
  if (/^timed out\b/.test(said) || /stale file handle/i.test(said)) {
    data.set(entry.path, Buffer.from(`${said}\n`));
    entry.bytes = data.get(entry.path)!.length;
  } else if (out.error) entry.error = out.error;
  else if (out.exitCode !== 0) entry.error = `stat exited ${out.exitCode}: ${said}`;
  if (!entry.error && !data.has(entry.path)) data.set(entry.path, out.stdout);
  return [{name: spec.name, status: 'ok', entries: [entry]}, data];
}

/** Does the mount `path` lies on (last one wins, as the kernel resolves it) have an nfs filesystem? */
function nfsCovers(mountinfo: string, path: string): boolean {
  try {
    const fs = mountContaining(effectiveMounts(parseMountInfo(mountinfo, 'mountinfo')), path)?.fsType;
    return fs !== undefined && /^nfs4?$/.test(fs);
  } catch {
    return false; // unreadable mountinfo: do not touch the share at all
  }
}
