// Keys for per-key sources, derived from what phase one collected: the OVS bridge names (one
// dump-flows each), the qemu-system binaries (one getcap each), the GRE peers (one route get each).
import type {Available} from './snapshot.js';
import {expandGlob, onDisk} from './read-files.js';
import type {Collected, CollectContext} from './live.js';
import type {PerKeySource} from './catalogue.js';

export interface DerivedKey {
  /** Recorded key (host view: '/usr/bin/qemu-system-x86_64', 'br1', '192.0.2.2'). */
  key: string;
  /** What goes into the argv (the binary below --root, for instance). */
  argValue: string;
}

export async function deriveKeys(from: PerKeySource['keysFrom'], ctx: CollectContext, soFar: Collected): Promise<Available<DerivedKey[]>> {
  switch (from) {
    case 'qemu-binaries': {
      const paths = await expandGlob('/usr/bin/qemu-system-*', {where: 'host'}, ctx.root);
      return {ok: true, value: paths.map((p) => ({key: p, argValue: onDisk(p, {where: 'host'}, ctx.root)}))};
    }
    case 'ovs-bridges':
      return ovsColumn(soFar, 'ovs.bridges', (row) => (typeof row.name === 'string' ? [row.name] : []));
    case 'gre-peers':
      return ovsColumn(soFar, 'ovs.interfaces', (row) => {
        if (row.type !== 'gre' && row.type !== 'gretap') return [];
        const remote = mapValue(row.options, 'remote_ip');
        return remote && /^[0-9a-fA-F.:]+$/.test(remote) ? [remote] : [];
      });
  }
}

type Row = Record<string, unknown>;

function ovsColumn(soFar: Collected, source: string, pick: (row: Row) => string[]): Available<DerivedKey[]> {
  const rec = soFar.sources[source];
  if (!rec || rec.status === 'failed') return {ok: false, reason: `needs ${source}: ${rec?.reason ?? 'not collected'}`};
  const text = soFar.contents.get(rec.entries[0]?.path ?? '')?.toString('utf8') ?? '';
  try {
    const table = JSON.parse(text) as {headings: string[]; data: unknown[][]};
    const keys = new Set<string>();
    for (const data of table.data) {
      const row: Row = Object.fromEntries(table.headings.map((h, i) => [h, data[i]]));
      for (const k of pick(row)) keys.add(k);
    }
    return {ok: true, value: [...keys].sort().map((k) => ({key: k, argValue: k}))};
  } catch {
    return {ok: false, reason: `cannot read ${source} as OVSDB JSON`};
  }
}

/** An OVSDB map cell: ["map", [[k, v], ...]]. */
function mapValue(cell: unknown, key: string): string | undefined {
  if (!Array.isArray(cell) || cell[0] !== 'map' || !Array.isArray(cell[1])) return undefined;
  const pair = (cell[1] as unknown[]).find((p) => Array.isArray(p) && p[0] === key) as [string, unknown] | undefined;
  return typeof pair?.[1] === 'string' ? pair[1] : undefined;
}
