// The in-memory snapshot: named raw outputs plus their provenance. Both the live collector and
// the archive reader produce one; everything downstream reads it only through SnapshotView.

export const SNAPSHOT_FORMAT = 'tapdoctor-snapshot';
export const SNAPSHOT_FORMAT_VERSION = 1;

/** One captured item: a command's stdout, or one copied file. */
export interface EntryRecord {
  /** Path inside the snapshot: `commands/<source>` or `commands/<source>/<key>`, or `files/<absolute host path>`. */
  path: string;
  /** The live binding: the argv joined with spaces (commands) or the absolute host path (files). */
  binding: string;
  /** For sources captured once per key (a bridge, a binary, a GRE peer): the key. */
  key?: string;
  /** Exit code of the command (commands only); null when it was killed. */
  exitCode?: number | null;
  durationMs: number;
  bytes: number;
  truncated: boolean;
  /** First part of the command's stderr, for the reader of the manifest. */
  stderr?: string;
  /** Why the entry has no usable content ("ovs-vsctl not found", "permission denied", "timed out after 10 s"). */
  error?: string;
  /**
   * The file does not exist on the host. That is data ("no such config"), not a failure. With
   * `linkTarget`: the link exists and what it points to was not captured (dangling, or a link that
   * is data by itself: catalogue `links: 'record'`, and every link of a sosreport).
   */
  absent?: boolean;
  /** Permission bits of a copied file (the exec bit of a pre-up script matters). */
  mode?: number;
  /** Target of a copied symlink (systemd .wants links, ifcfg-tapN -> ifcfg-tap0). */
  linkTarget?: string;
  /** Secret-bearing keys whose values were replaced before the content was stored. */
  redacted?: string[];
}

export interface SourceRecord {
  name: string;
  /** `failed`: nothing usable was captured; `reason` says why. */
  status: 'ok' | 'failed';
  reason?: string;
  entries: EntryRecord[];
}

export interface Manifest {
  format: typeof SNAPSHOT_FORMAT;
  formatVersion: number;
  tool: {name: string; version: string};
  hostname: string;
  capturedAt: string;
  /** Directory host files were read below ('/' normally, `--root` otherwise). */
  root: string;
  collectedAsRoot: boolean;
  sources: Record<string, SourceRecord>;
}

export interface Snapshot {
  manifest: Manifest;
  /** Entry contents keyed by EntryRecord.path. */
  contents: Map<string, Buffer>;
}

export type Available<T> = {ok: true; value: T} | {ok: false; reason: string};

export interface SourceText {
  entry: EntryRecord;
  text: string;
}

export interface SourceFile extends SourceText {
  /** The original absolute host path (for files) or the key (for per-key commands). */
  name: string;
}

/** Read-only access to a snapshot by source name: the only way parsers and facts see host data. */
export class SnapshotView {
  constructor(readonly snapshot: Snapshot) {}

  /** Entries of a file source by host path, built on first use: facts look up files one by one. */
  private readonly bindings = new Map<string, Map<string, EntryRecord>>();
  private byBinding(source: string): Map<string, EntryRecord> {
    let index = this.bindings.get(source);
    if (!index) {
      index = new Map();
      // The first entry for a path wins, as find() did.
      for (const e of this.record(source)!.entries) if (!index.has(e.binding)) index.set(e.binding, e);
      this.bindings.set(source, index);
    }
    return index;
  }

  get manifest(): Manifest {
    return this.snapshot.manifest;
  }

  record(source: string): SourceRecord | undefined {
    return this.snapshot.manifest.sources[source];
  }

  /** Why a source cannot be used, or undefined when it can. */
  unusable(source: string): string | undefined {
    const rec = this.record(source);
    if (!rec) return `source ${source} is not in this snapshot`;
    if (rec.status === 'failed') return `could not collect ${source}: ${rec.reason ?? 'unknown error'}`;
    return undefined;
  }

  /** The single output of a command source (or one key of a per-key source). */
  command(source: string, key?: string): Available<SourceText> {
    const bad = this.unusable(source);
    if (bad) return {ok: false, reason: bad};
    const rec = this.record(source)!;
    const entry = rec.entries.find((e) => (key === undefined ? e.key === undefined : e.key === key));
    if (!entry) return {ok: false, reason: `source ${source}${key ? ` [${key}]` : ''} was not captured`};
    if (entry.error) return {ok: false, reason: `could not collect ${source}${key ? ` [${key}]` : ''}: ${entry.error}`};
    return {ok: true, value: {entry, text: this.textOf(entry)}};
  }

  /**
   * All usable entries of a source: every matched file of a file source, every key of a per-key
   * command. A dangling symlink is included (empty text, `linkTarget` set): the link is the data.
   */
  entries(source: string): Available<SourceFile[]> {
    const bad = this.unusable(source);
    if (bad) return {ok: false, reason: bad};
    const out: SourceFile[] = [];
    for (const entry of this.record(source)!.entries) {
      if (entry.error || (entry.absent && entry.linkTarget === undefined)) continue;
      out.push({entry, name: entry.key ?? entry.binding, text: this.textOf(entry)});
    }
    return {ok: true, value: out};
  }

  /** One file of a file source by its absolute host path; `value: undefined` when the host has no such file. */
  file(source: string, hostPath: string): Available<SourceFile | undefined> {
    const bad = this.unusable(source);
    if (bad) return {ok: false, reason: bad};
    const entry = this.byBinding(source).get(hostPath);
    if (!entry || entry.absent) return {ok: true, value: undefined};
    if (entry.error) return {ok: false, reason: `could not read ${hostPath}: ${entry.error}`};
    return {ok: true, value: {entry, name: hostPath, text: this.textOf(entry)}};
  }

  /** Entries that failed individually inside an otherwise usable source. */
  entryErrors(source: string): EntryRecord[] {
    return (this.record(source)?.entries ?? []).filter((e) => e.error);
  }

  /** Each entry's text, decoded once: facts and evidence ask for the same files again and again. */
  private readonly texts = new Map<string, string>();
  private textOf(entry: EntryRecord): string {
    let text = this.texts.get(entry.path);
    if (text === undefined) {
      const buf = this.snapshot.contents.get(entry.path);
      text = buf ? buf.toString('utf8') : '';
      this.texts.set(entry.path, text);
    }
    return text;
  }
}

/** Snapshot path of a command entry. Keys are made safe for a tar member name. */
export function commandPath(source: string, key?: string): string {
  return key === undefined ? `commands/${source}` : `commands/${source}/${safeKey(key)}`;
}

export function filePath(hostPath: string): string {
  return `files${hostPath.startsWith('/') ? '' : '/'}${hostPath}`;
}

/** Keys become one reversible path segment: '/usr/bin/qemu-system-x86_64' -> '%2Fusr%2Fbin%2Fqemu-system-x86_64'. */
export function safeKey(key: string): string {
  if (key === '' || key === '.' || key === '..') return key.replace(/\./g, '%2E') || '%00';
  return encodeURIComponent(key);
}

export function keyFromSegment(segment: string): string {
  return segment === '%00' ? '' : decodeURIComponent(segment);
}
