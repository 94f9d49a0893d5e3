// Infers a snapshot manifest from a tree of captured outputs laid out as a snapshot
// (commands/<source>[/<key>], files/<absolute host path>). Fixture authors drop files; this
// names the sources. Used by scripts/fixture-manifest.mjs and the fixture test loader.
import {CATALOGUE, type SourceSpec} from './catalogue.js';
import {keyFromSegment, SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_VERSION, type EntryRecord, type Manifest, type SourceRecord} from './snapshot.js';

export interface TreeItem {
  bytes: number;
  mode?: number;
  linkTarget?: string;
}

export interface InferOptions {
  /** Sources the host could not provide, with the reason ("nft not found"). */
  failed?: Record<string, string>;
  hostname?: string;
  capturedAt?: string;
  root?: string;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
}

export function inferManifest(tree: Map<string, TreeItem>, opts: InferOptions = {}): Manifest {
  const failed = opts.failed ?? {};
  const sources: Record<string, SourceRecord> = {};
  const paths = [...tree.keys()].sort();
  for (const spec of CATALOGUE) {
    sources[spec.name] = failed[spec.name]
      ? {name: spec.name, status: 'failed', reason: failed[spec.name], entries: []}
      : {name: spec.name, status: 'ok', entries: entriesFor(spec, paths, tree)};
    if (spec.kind === 'command' && !failed[spec.name] && sources[spec.name]!.entries.length === 0) {
      sources[spec.name] = {name: spec.name, status: 'failed', reason: `${spec.argv[0]} not found`, entries: []};
    }
  }
  return {
    format: SNAPSHOT_FORMAT,
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    tool: {name: 'tapdoctor', version: 'fixture'},
    hostname: opts.hostname ?? 'fixture-host',
    capturedAt: opts.capturedAt ?? '2026-11-21T10:00:00.000Z',
    root: opts.root ?? '/',
    collectedAsRoot: true,
    sources,
  };
}

function entriesFor(spec: SourceSpec, paths: string[], tree: Map<string, TreeItem>): EntryRecord[] {
  if (spec.kind === 'files') {
    const patterns = spec.paths.map(globToRegExp);
    return paths
      .filter((p) => p.startsWith('files/') && patterns.some((re) => re.test(p.slice('files'.length))))
      .map((p) => {
        const item = tree.get(p)!;
        return {
          path: p,
          binding: p.slice('files'.length),
          durationMs: 0,
          bytes: item.bytes,
          truncated: false,
          mode: item.mode ?? 0o644,
          // A symlink in a fixture tree is a link record, never read through.
          ...(item.linkTarget ? {linkTarget: item.linkTarget, absent: true} : {}),
        };
      });
  }
  const single = `commands/${spec.name}`;
  if (tree.has(single)) {
    const binding = spec.kind === 'command' ? spec.argv.join(' ') : spec.name;
    return [{path: single, binding, exitCode: 0, durationMs: 0, bytes: tree.get(single)!.bytes, truncated: false}];
  }
  const prefix = `${single}/`;
  return paths
    .filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/'))
    .map((p) => {
      const key = keyFromSegment(p.slice(prefix.length));
      const argv = 'argv' in spec && spec.argv && spec.kind === 'perKey' ? spec.argv.map((a) => a.replace('{key}', key)).join(' ') : `${spec.name} ${key}`;
      return {path: p, binding: argv, key, exitCode: 0, durationMs: 0, bytes: tree.get(p)!.bytes, truncated: false};
    });
}
