// What a tunnel costs each frame, the MTU the SUTs use when nothing sets one, and where the tap
// instances' MM_MTU is set: one answer for the host's own check (TD006) and the fleet's (TD203,
// the mesh views).
import type {Fact} from './facts.js';
import {workerConfig} from './openqa.js';
import type {TunnelType} from './tunnel-input.js';

/** Outer IPv4 20 + GRE 4 + inner Ethernet 14 + inner VLAN tag 4: the tags of openQA clusters cross the tunnel (openQA docs/Networking.asciidoc; docs/checks/TD006.md). */
const GRE_OVERHEAD = 42;
/** Outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14 (docs/checks/TD006.md). */
const VXLAN_OVERHEAD = 50;

export function tunnelOverhead(type: TunnelType): number {
  return type === 'vxlan' ? VXLAN_OVERHEAD : GRE_OVERHEAD;
}

/** MM_MTU the SUTs use when no setting names one (os-autoinst-distri-opensuse variables.md). */
export const DEFAULT_SUT_MTU = 1380;

/**
 * Where the tap instances' MM_MTU comes from: a line of a workers.ini file (`line` unknown when the
 * setting's origin was not recorded), or no file at all: the SUTs use DEFAULT_SUT_MTU, and a fix
 * puts MM_MTU under [global] of `path`.
 */
export type MmMtuSource = {kind: 'line'; path: string; line?: number} | {kind: 'unset'; path: string};

export interface MmMtuSettings {
  /** Each place MM_MTU is set, with the value as written and the tap instances it is set for. */
  set: Array<{value: string; origin: string; source: MmMtuSource; instances: number[]}>;
  /** The tap instances that set none. */
  unset?: {source: MmMtuSource; instances: number[]};
}

/** The MM_MTU of every tap instance, grouped by where it is set (TD006 judges each; the fleet view keeps them for TD203's fix). */
export const mmMtuSettings: Fact<MmMtuSettings> = (f) => {
  const wc = f.get(workerConfig);
  const byOrigin = new Map<string, {value: string; instances: number[]}>();
  const unset: number[] = [];
  for (const inst of wc.instances.filter((i) => i.tap)) {
    const v = inst.settings['MM_MTU'];
    if (v === undefined) {
      unset.push(inst.instance);
      continue;
    }
    const origin = inst.origin?.['MM_MTU'] ?? `${wc.files[0] ?? 'workers.ini'}:?`;
    const entry = byOrigin.get(origin) ?? {value: v, instances: []};
    entry.instances.push(inst.instance);
    byOrigin.set(origin, entry);
  }
  const set = [...byOrigin].map(([origin, {value, instances}]) => {
    const cut = origin.lastIndexOf(':');
    const line = cut > 0 ? Number(origin.slice(cut + 1)) : Number.NaN;
    const source: MmMtuSource = {kind: 'line', path: cut > 0 ? origin.slice(0, cut) : origin, ...(Number.isInteger(line) ? {line} : {})};
    return {value, origin, source, instances};
  });
  const global = wc.files.find((p) => p.endsWith('/workers.ini')) ?? '/etc/openqa/workers.ini';
  return {set, ...(unset.length > 0 ? {unset: {source: {kind: 'unset', path: global}, instances: unset}} : {})};
};
