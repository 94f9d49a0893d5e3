// Keys for per-key sources, derived from the sources collected before them (live.ts waits for those): the OVS bridge names (one
// dump-flows each), the qemu-system binaries (one getcap each), the GRE peers (one route get each).
import type {Available} from './snapshot.js';
import {expandGlob, onDisk} from './read-files.js';
import type {Collected, CollectContext} from './collect-context.js';
import type {PerKeySource} from './catalogue.js';
import {asStringMap, parseOvsJsonList, type OvsValue} from '../parsers/ovs.js';

export interface DerivedKey {
  /** Recorded key (host view: '/usr/bin/qemu-system-x86_64', 'br1', '192.0.2.2'). */
  key: string;
  /** What goes into the argv (the binary below --root, for instance). */
  argValue: string;
}

/** The sources each derivation reads: the collector starts a per-key source once these are in, and hands it only these. */
export const KEY_INPUTS: Record<PerKeySource['keysFrom'], readonly string[]> = {'qemu-binaries': [], 'ovs-bridges': ['ovs.bridges'], 'gre-peers': ['ovs.interfaces']};

export async function deriveKeys(from: PerKeySource['keysFrom'], ctx: CollectContext, soFar: Collected): Promise<Available<DerivedKey[]>> {
  switch (from) {
    case 'qemu-binaries': {
      const paths = await expandGlob('/usr/bin/qemu-system-*', {where: 'host'}, ctx.root);
      return {ok: true, value: paths.map((p) => ({key: p, argValue: onDisk(p, {where: 'host'}, ctx.root)}))};
    }
    case 'ovs-bridges':
      return ovsColumn(soFar, 'ovs.bridges', ['name'], (row) => (typeof row.name === 'string' ? [row.name] : []));
    case 'gre-peers':
      return ovsColumn(soFar, 'ovs.interfaces', ['type', 'options'], (row) => {
        if (row.type !== 'gre' && row.type !== 'gretap' && row.type !== 'vxlan') return [];
        const remote = asStringMap(row.options).remote_ip;
        return remote && /^[0-9a-fA-F.:]+$/.test(remote) ? [remote] : [];
      });
  }
}

function ovsColumn(soFar: Collected, source: string, columns: readonly string[], pick: (row: Record<string, OvsValue>) => string[]): Available<DerivedKey[]> {
  const rec = soFar.sources[source];
  if (!rec || rec.status === 'failed') return {ok: false, reason: `needs ${source}: ${rec?.reason ?? 'not collected'}`};
  const text = soFar.contents.get(rec.entries[0]?.path ?? '')?.toString('utf8') ?? '';
  try {
    const keys = new Set<string>();
    for (const row of parseOvsJsonList(text, source, columns).rows) for (const k of pick(row)) keys.add(k);
    return {ok: true, value: [...keys].sort().map((k) => ({key: k, argValue: k}))};
  } catch (error) {
    return {ok: false, reason: `cannot read ${source}: ${(error as Error).message}`};
  }
}
