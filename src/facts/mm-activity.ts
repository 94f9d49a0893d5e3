// Has multi-machine traffic actually passed this host? Checks that judge counters (a FORWARD rule
// that reads 0) need proof that SUTs used the network since the counters started, or a zero means
// nothing. The proof, strongest first (docs/checks/TD005.md; os-autoinst script/os-autoinst-openvswitch, its add-flow rules):
//   - learned return paths in table 1 of the bridge: os-autoinst-openvswitch's `learn(table=1,...)`
//     actions add one whenever a SUT sends ARP or IPv4 to the bridge MAC, i.e. routes via the host;
//   - tap ports carrying a VLAN tag: set_vlan ran for a job that is still running;
//   - pool directories with a live qemu and NICTYPE=tap.
import {ovsDb, ovsFlowErrors, ovsFlows} from './ovs.js';
import {FactUnavailable, type Fact} from './facts.js';
import {poolJobs} from './openqa.js';
import {switchConfig} from './openqa.js';
import {uptimeSeconds} from './host/uptime.js';
import type {OpenFlow, PoolJob} from './types.js';

export interface MmActivity {
  bridge: string;
  /** Table-1 flows of the bridge (learned return paths). */
  learnedFlows: OpenFlow[];
  /** Learned flows that carried packets (n_packets > 0). */
  usedLearnedFlows: OpenFlow[];
  /** Tap ports of the bridge with a VLAN tag (a job's set_vlan). Empty when OVS data is missing. */
  taggedTaps: {name: string; tag: number}[];
  /** Pool jobs with NICTYPE=tap and a live qemu. Empty when the pool was not readable. */
  runningTapJobs: PoolJob[];
  uptimeSeconds?: number;
  /** Why a secondary piece of evidence is missing (for notes). */
  gaps: string[];
}

const TAP_NAME = /^tap\d{1,5}$/;

/**
 * Multi-machine activity on the effective bridge. Throws FactUnavailable when the bridge's flows are
 * not available: without table 1 no check can tell a quiet host from a broken one.
 */
export const mmActivity: Fact<MmActivity> = (f) => {
  const bridge = f.get(switchConfig).bridge;
  const flows = f.get(ovsFlows);
  const bridgeFlows = flows[bridge];
  if (bridgeFlows === undefined) {
    const why = f.try(ovsFlowErrors);
    const reason = why.ok ? why.value[bridge] : undefined;
    throw new FactUnavailable(`no OpenFlow dump of ${bridge}${reason ? `: ${reason}` : ' (bridge missing or not collected)'}`);
  }
  const learnedFlows = bridgeFlows.filter((fl) => fl.table === 1);
  const gaps: string[] = [];
  const activity: MmActivity = {
    bridge,
    learnedFlows,
    usedLearnedFlows: learnedFlows.filter((fl) => (fl.nPackets ?? 0) > 0),
    taggedTaps: [],
    runningTapJobs: [],
    gaps,
  };
  const db = f.try(ovsDb);
  if (db.ok) {
    for (const p of db.value.ports) {
      if (p.bridge === bridge && TAP_NAME.test(p.name) && p.tag !== undefined) activity.taggedTaps.push({name: p.name, tag: p.tag});
    }
  } else gaps.push(`tap tags unknown: ${db.reason}`);
  const jobs = f.try(poolJobs);
  if (jobs.ok) activity.runningTapJobs = jobs.value.filter((j) => j.alive && j.nicType === 'tap');
  else gaps.push(`running jobs unknown: ${jobs.reason}`);
  const up = f.try(uptimeSeconds);
  if (up.ok) activity.uptimeSeconds = up.value;
  else gaps.push(`uptime unknown: ${up.reason}`);
  return activity;
};
