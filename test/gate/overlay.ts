// Test helper: a copy of a snapshot with some files or command outputs replaced, added or removed.
// Starting from a real fixture keeps a focused test honest about everything it does not change.
import {commandPath, filePath, type EntryRecord, type Snapshot} from '../../src/sources/snapshot.js';

export type FileChange = string | {content: string; mode?: number} | {linkTarget: string} | null;

export interface Overlay {
  /** source → absolute host path → new content, a symlink, or null to remove the file. */
  files?: Record<string, Record<string, FileChange>>;
  /** command source → new output, or null to remove it. */
  commands?: Record<string, string | null>;
  /** Sources that failed, with the reason. */
  failed?: Record<string, string>;
}

export function overlay(base: Snapshot, o: Overlay): Snapshot {
  const manifest = structuredClone(base.manifest);
  const contents = new Map(base.contents);
  for (const [source, files] of Object.entries(o.files ?? {})) {
    const rec = (manifest.sources[source] ??= {name: source, status: 'ok', entries: []});
    for (const [path, change] of Object.entries(files)) {
      rec.entries = rec.entries.filter((e) => e.binding !== path);
      contents.delete(filePath(path));
      if (change === null) continue;
      const entry: EntryRecord = {path: filePath(path), binding: path, durationMs: 0, bytes: 0, truncated: false, mode: 0o644};
      if (typeof change === 'object' && 'linkTarget' in change) {
        Object.assign(entry, {linkTarget: change.linkTarget, absent: true, mode: 0o777});
      } else {
        const text = typeof change === 'string' ? change : change.content;
        if (typeof change === 'object' && change.mode !== undefined) entry.mode = change.mode;
        entry.bytes = Buffer.byteLength(text);
        contents.set(entry.path, Buffer.from(text));
      }
      rec.entries.push(entry);
    }
  }
  for (const [source, text] of Object.entries(o.commands ?? {})) {
    const path = commandPath(source);
    contents.delete(path);
    if (text === null) {
      delete manifest.sources[source];
      continue;
    }
    manifest.sources[source] = {name: source, status: 'ok', entries: [{path, binding: source, exitCode: 0, durationMs: 1, bytes: Buffer.byteLength(text), truncated: false}]};
    contents.set(path, Buffer.from(text));
  }
  for (const [source, reason] of Object.entries(o.failed ?? {})) manifest.sources[source] = {name: source, status: 'failed', reason, entries: []};
  return {manifest, contents};
}

/** The snapshot's `ip -j -d addr` with one more link (a spare NIC, say). */
export function withLink(base: Snapshot, link: Record<string, unknown>): Snapshot {
  const text = base.contents.get(commandPath('ip.addr'))?.toString('utf8') ?? '[]';
  const links = JSON.parse(text) as Array<Record<string, unknown>>;
  const ifindex = Math.max(0, ...links.map((l) => Number(l.ifindex) || 0)) + 1;
  return overlay(base, {commands: {'ip.addr': JSON.stringify([...links, {ifindex, flags: ['BROADCAST', 'MULTICAST'], mtu: 1500, operstate: 'DOWN', link_type: 'ether', addr_info: [], ...link}])}});
}
