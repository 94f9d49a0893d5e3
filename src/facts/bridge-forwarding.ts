// The one answer to "does FORWARD let bridge traffic through?" for this host: every IPv4 forward
// hook chain of the running ruleset, judged for SUT traffic from the bridge out by the uplink
// (new connections) and for the replies coming back (facts/firewall/forward-verdict.ts decides).
// firewalld's zone chains are not judged here: firewalld dispatches by zone (TD008 judges zones).
import type {Fact} from './facts.js';
import {forwardVerdict, liveFirewall, type FirewallView, type ForwardDecision, type ForwardPath} from './firewall/index.js';
import {switchConfig} from './openqa.js';
import {uplink} from './uplink.js';

export interface BridgeForward {
  path: ForwardPath;
  /** The bridge os-autoinst-openvswitch uses. */
  bridge: string;
  /** The uplink; undefined when unknown (then any interface stands for it). */
  uplink?: string;
  /** SUT traffic from the bridge out by the uplink (stateful rules do not match new connections). */
  outbound: ForwardDecision;
  /** Replies from the uplink back to the bridge. */
  replies: ForwardDecision;
}

/** The chains judged: IPv4 forward hooks (Fedora's ip6tables rejects all forwarding by design); none under firewalld. */
export function judgedPaths(live: FirewallView): ForwardPath[] {
  return live.zones?.running ? [] : live.forward.filter((p) => p.table !== 'firewalld' && p.family !== 'ip6');
}

export const bridgeForwarding: Fact<BridgeForward[]> = (f) => {
  const live = f.get(liveFirewall);
  const bridge = f.get(switchConfig).bridge;
  const up = f.try(uplink);
  const name = up.ok ? up.value.name : undefined;
  return judgedPaths(live).map((path) => ({
    path,
    bridge,
    ...(name !== undefined ? {uplink: name} : {}),
    outbound: forwardVerdict(path, bridge, name, false),
    replies: forwardVerdict(path, name, bridge, true),
  }));
};
