// SUT traffic through the real packet path, so learned flows and firewall counters become
// what they are on a host where jobs ran.
//
// A tap device needs a process (qemu) on its other end to carry frames, so the stand-in SUT is
// a namespace attached by a veth pair instead: vsut0 is an OVS port of the bridge, its peer is
// the SUT's eth0 with the job's NICMAC and a static address in LOCAL_IP/NETMASK, gateway
// LOCAL_IP. Frames to the bridge MAC hit the os-autoinst flows (source rewritten to the
// REWRITE_TARGET range, learn rules in table 1), go up the bridge's internal port, are forwarded
// by the kernel and masqueraded out of the uplink, and the replies come back the same way.
//
// Two details of the userspace (netdev) datapath matter:
//  - OVS reads vsut0 with a packet socket, but the kernel stack sees its frames too and would
//    answer ARP for the bridge address itself with vsut0's MAC. arp_ignore=8 and no IPv6 on
//    vsut0 keep the kernel out of the path.
//  - veth offloads TCP/UDP checksums, which the netdev datapath of Open vSwitch 3.1 does not
//    complete, so TCP/UDP frames arrive with bad checksums and are dropped. ICMP checksums are
//    always computed in software, hence ping (iputils-ping) is the traffic generator.
// The SUT namespace and its port are removed again right after the pings: what stays is what a
// finished job leaves (table-1 flows, counters, conntrack), and the OVS db holds only taps.
import type {Ledger} from './ledger.js';
import {addNamespace, setSysctls, type Namespaces} from './network.js';
import {ovsCommand, type OvsInstance} from './ovs.js';
import {must, run} from './run.js';

export const SUT_PORT = 'vsut0';

export interface TrafficPlan {
  bridge: string;
  /** MAC of the SUT NIC (the job's NICMAC). */
  mac: string;
  /** SUT address with the bridge's prefix, e.g. 10.0.2.15/15. */
  sutCidr: string;
  gateway: string;
  /** An outside address reached through the uplink; null: ping the gateway only. */
  outsideTarget: string | null;
  /** The bridge runs RSTP: wait until the SUT port forwards. */
  rstp: boolean;
}

/** null = not tried. */
export interface TrafficResult {
  gatewayReplied: boolean | null;
  outsideReplied: boolean | null;
}

export async function sendSutTraffic(ledger: Ledger, ns: Namespaces, ovs: OvsInstance, plan: TrafficPlan): Promise<TrafficResult> {
  await addNamespace(ledger, ns.sut);
  await must(['ip', 'link', 'add', SUT_PORT, 'netns', ns.host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns.sut]);
  await setSysctls(ns.host, {[`net.ipv4.conf.${SUT_PORT}.arp_ignore`]: '8', [`net.ipv6.conf.${SUT_PORT}.disable_ipv6`]: '1'});
  await must(['ip', '-n', ns.host, 'link', 'set', SUT_PORT, 'up']);
  await ovsCommand(ovs, ns.host, ['ovs-vsctl', 'add-port', plan.bridge, SUT_PORT, '--', 'set', 'port', SUT_PORT, 'other_config:rstp-port-admin-edge=true']);
  await setSysctls(ns.sut, {'net.ipv6.conf.eth0.disable_ipv6': '1'});
  await must(['ip', '-n', ns.sut, 'link', 'set', 'eth0', 'address', plan.mac]);
  await must(['ip', '-n', ns.sut, 'addr', 'add', plan.sutCidr, 'dev', 'eth0']);
  await must(['ip', '-n', ns.sut, 'link', 'set', 'eth0', 'up']);
  await must(['ip', '-n', ns.sut, 'route', 'add', 'default', 'via', plan.gateway]);
  // Only now has vsut0 a carrier, which RSTP needs before it moves the port on.
  if (plan.rstp) await waitForRstpForwarding(ovs, ns.host);

  const result: TrafficResult = {gatewayReplied: await ping(ns.sut, plan.gateway), outsideReplied: null};
  if (plan.outsideTarget) result.outsideReplied = await ping(ns.sut, plan.outsideTarget);

  await ovsCommand(ovs, ns.host, ['ovs-vsctl', 'del-port', plan.bridge, SUT_PORT]);
  // Deleting the namespace destroys the veth pair, vsut0 included.
  await must(['ip', 'netns', 'del', ns.sut]);
  return result;
}

/**
 * With RSTP on (GRE hosts) a new port discards until the RSTP state machine, which ticks once a
 * second, moves it on; frames sent before are silently dropped. As an admin edge port it skips
 * the forward delay, so this is a wait of a second or two.
 */
async function waitForRstpForwarding(ovs: OvsInstance, netns: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const state = await run(['ip', 'netns', 'exec', netns, 'ovs-vsctl', '--timeout=5', 'get', 'port', SUT_PORT, 'rstp_status:rstp_port_state'], {env: ovs.env});
    if (state.stdout.trim() === 'Forwarding') return;
    if (Date.now() > deadline) throw new Error(`${SUT_PORT} never reached RSTP Forwarding (last: ${state.stdout.trim() || state.stderr.trim()})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Three pings 0.2 s apart; any reply counts (the first may be spent on ARP). */
async function ping(netns: string, target: string): Promise<boolean> {
  const result = await run(['ip', 'netns', 'exec', netns, 'ping', '-n', '-q', '-c', '3', '-i', '0.2', '-W', '1', target], {timeoutMs: 10_000});
  return result.code === 0;
}
