// What a tunnel costs each frame, and the MTU the SUTs use when nothing sets one: one answer for
// the host's own check (TD006) and the fleet's (TD203, the mesh views).
import type {TunnelType} from './tunnel-input.js';

/** Outer IPv4 20 + GRE 4 + inner Ethernet 14 + inner VLAN tag 4: the tags of openQA clusters cross the tunnel (openQA docs/Networking.asciidoc; docs/checks/TD006.md). */
export const GRE_OVERHEAD = 42;
/** Outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14 (docs/checks/TD006.md). */
export const VXLAN_OVERHEAD = 50;

export function tunnelOverhead(type: TunnelType): number {
  return type === 'vxlan' ? VXLAN_OVERHEAD : GRE_OVERHEAD;
}

/** MM_MTU the SUTs use when no setting names one (os-autoinst-distri-opensuse variables.md). */
export const DEFAULT_SUT_MTU = 1380;
