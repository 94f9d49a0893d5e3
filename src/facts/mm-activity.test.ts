import {describe, expect, it} from 'vitest';
import {makeSnapshot, type SnapshotSpec} from '../../test/helpers/snapshot.js';
import {DEFAULT_CONFIG} from '../config.js';
import {SnapshotView} from '../sources/snapshot.js';
import {Facts} from './facts.js';
import {mmActivity} from './mm-activity.js';

const FLOWS = [
  'NXST_FLOW reply (xid=0x4):',
  ' cookie=0x0, duration=1.727s, table=0, n_packets=9, n_bytes=850, idle_age=0, priority=1,in_port=LOCAL actions=resubmit(,1)',
  ' cookie=0x0, duration=1.623s, table=1, n_packets=1, n_bytes=42, idle_age=1, priority=100,arp,in_port=LOCAL,dl_dst=52:54:00:12:00:05 actions=load:0xa00020f->NXM_OF_ARP_TPA[],output:4',
  ' cookie=0x0, duration=1.622s, table=1, n_packets=0, n_bytes=0, idle_age=0, priority=100,ip,in_port=LOCAL,dl_dst=52:54:00:12:00:06 actions=load:0xa000210->NXM_OF_IP_DST[],output:5',
].join('\n');

function facts(spec: SnapshotSpec) {
  const base: SnapshotSpec = {files: {'openqa.switch-config': {'/etc/sysconfig/os-autoinst-openvswitch': "OS_AUTOINST_USE_BRIDGE='br1'\n"}}};
  return new Facts(new SnapshotView(makeSnapshot({...spec, files: {...base.files, ...spec.files}})), DEFAULT_CONFIG);
}

describe('mmActivity', () => {
  it('collects the learned table-1 flows of the effective bridge and says what else it could not see', () => {
    const a = facts({commands: {'ovs.flows': {br1: FLOWS}}, files: {'proc.uptime': {'/proc/uptime': '3600.5 7000.1\n'}}}).get(mmActivity);
    expect(a.bridge).toBe('br1');
    expect(a.learnedFlows.map((f) => f.table)).toEqual([1, 1]);
    expect(a.usedLearnedFlows.map((f) => f.nPackets)).toEqual([1]);
    expect(a.uptimeSeconds).toBe(3600.5);
    expect(a.taggedTaps).toEqual([]);
    expect(a.gaps.map((g) => g.split(':')[0])).toEqual(['tap tags unknown', 'running jobs unknown']);
  });

  it('is unavailable when the bridge has no flow dump', () => {
    const r = facts({commands: {'ovs.flows': {br0: FLOWS}}}).try(mmActivity);
    expect(r).toEqual({ok: false, reason: 'no OpenFlow dump of br1 (bridge missing or not collected)'});
  });
});
