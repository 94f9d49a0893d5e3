// Build in-memory snapshots for tests: name the sources and give their text.
import {commandPath, filePath, SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_VERSION, type EntryRecord, type Manifest, type Snapshot, type SourceRecord} from '../../src/sources/snapshot.js';

export interface SnapshotSpec {
  /** Command sources: text, or per-key texts ({key: text}) for per-key sources. */
  commands?: Record<string, string | {text: string; exitCode?: number} | Record<string, string>>;
  /** File sources: {source: {absolute path: content | {content, mode, linkTarget}}}. */
  files?: Record<string, Record<string, string | {content: string; mode?: number; linkTarget?: string}>>;
  /** Sources that failed, with the reason. */
  failed?: Record<string, string>;
  hostname?: string;
}

export function makeSnapshot(spec: SnapshotSpec): Snapshot {
  const sources: Record<string, SourceRecord> = {};
  const contents = new Map<string, Buffer>();
  const add = (source: string, entry: EntryRecord, text: string) => {
    sources[source] ??= {name: source, status: 'ok', entries: []};
    sources[source]!.entries.push(entry);
    contents.set(entry.path, Buffer.from(text));
  };
  for (const [name, value] of Object.entries(spec.commands ?? {})) {
    if (typeof value === 'string' || 'text' in value) {
      const text = typeof value === 'string' ? value : (value.text as string);
      const exitCode = typeof value === 'string' ? 0 : ((value as {exitCode?: number}).exitCode ?? 0);
      add(name, {path: commandPath(name), binding: name, exitCode, durationMs: 1, bytes: text.length, truncated: false}, text);
    } else {
      sources[name] ??= {name, status: 'ok', entries: []};
      for (const [key, text] of Object.entries(value as Record<string, string>)) {
        add(name, {path: commandPath(name, key), binding: `${name} ${key}`, key, exitCode: 0, durationMs: 1, bytes: text.length, truncated: false}, text);
      }
    }
  }
  for (const [name, files] of Object.entries(spec.files ?? {})) {
    sources[name] ??= {name, status: 'ok', entries: []};
    for (const [path, value] of Object.entries(files)) {
      const v = typeof value === 'string' ? {content: value} : value;
      add(name, {path: filePath(path), binding: path, durationMs: 0, bytes: v.content.length, truncated: false, mode: v.mode ?? 0o644, ...(v.linkTarget ? {linkTarget: v.linkTarget} : {})}, v.content);
    }
  }
  for (const [name, reason] of Object.entries(spec.failed ?? {})) sources[name] = {name, status: 'failed', reason, entries: []};
  return {manifest: testManifest(sources, spec.hostname !== undefined ? {hostname: spec.hostname} : {}), contents};
}

/** A manifest of these sources; the header fields a test does not care about get fixed values. */
export function testManifest(sources: Record<string, SourceRecord>, header: Partial<Omit<Manifest, 'sources'>> = {}): Manifest {
  return {
    format: SNAPSHOT_FORMAT,
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    tool: {name: 'tapdoctor', version: 'test'},
    hostname: 'testhost',
    capturedAt: '2026-11-21T00:00:00.000Z',
    root: '/',
    collectedAsRoot: true,
    ...header,
    sources,
  };
}
