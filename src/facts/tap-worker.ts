// Is this host an openQA tap worker at all? Checks of the tap network (forwarding, the bridge,
// its flows, NAT for SUTs) would only raise false alarms on any other host, so they are n/a there
// with this reason instead. Unreadable sources count as "could not look", not as "no sign".
import type {Fact, Facts} from './facts.js';
import {tapSysfs} from './host/tap-sysfs.js';
import {enabledUnits, activeUnits} from './host/units.js';
import {SWITCH_SYSCONFIG, SWITCH_UNIT, switchConfig, workerConfig} from './openqa.js';
import {ovsDb} from './ovs.js';

/** What makes this host look like a tap worker (empty: nothing does, or nothing could be read). */
export function tapWorkerSigns(f: Facts): {signs: string[]; looked: boolean} {
  return f.get(workerSigns);
}

/** tapWorkerSigns, worked out once per run: every tap-worker check asks (each sign scans all taps). */
const workerSigns: Fact<{signs: string[]; looked: boolean}> = (f) => {
  const signs: string[] = [];
  let looked = false;
  const workers = f.try(workerConfig);
  if (workers.ok) {
    looked = true;
    const tap = workers.value.instances.filter((i) => i.tap).map((i) => i.instance);
    if (tap.length > 0) signs.push(tap.length > 1 ? `worker instances ${tap.join(', ')} advertise tap` : `worker instance ${tap[0]} advertises tap`);
  }
  const switchFile = f.view.file('openqa.switch-config', SWITCH_SYSCONFIG);
  if (switchFile.ok) {
    looked = true;
    if (switchFile.value) signs.push(`${SWITCH_SYSCONFIG} exists`);
  }
  const enabled = f.try(enabledUnits);
  if (enabled.ok && enabled.value.has(SWITCH_UNIT)) signs.push(`${SWITCH_UNIT} is enabled`);
  const active = f.try(activeUnits);
  if (active.ok && active.value[SWITCH_UNIT]) signs.push(`${SWITCH_UNIT} is loaded`);
  const db = f.try(ovsDb);
  if (db.ok) {
    looked = true;
    // An OVS bridge alone is no sign: OpenStack/devstack nodes have br-ex, br-int with VXLAN
    // ports. Only the switch service's bridge (OS_AUTOINST_USE_BRIDGE, br0 by default) or a
    // bridge with tapN ports is the tap network.
    const sw = f.try(switchConfig);
    const tapBridges = db.value.bridges.filter((b) => (sw.ok && b.name === sw.value.bridge) || b.ports.some((p) => /^tap\d+$/.test(p.name)));
    if (tapBridges.length > 0) signs.push(`OVS bridge${tapBridges.length > 1 ? 's' : ''} ${tapBridges.map((b) => b.name).join(', ')}`);
  }
  const taps = f.try(tapSysfs);
  if (taps.ok) {
    looked = true;
    const names = taps.value.filter((t) => /^tap\d+$/.test(t.name)).map((t) => t.name);
    if (names.length > 0) signs.push(`tap devices ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''}`);
  }
  return {signs, looked};
};

/**
 * Why this host is no tap worker (checks declaring `appliesTo: ['tap-worker']` are n/a then), or
 * undefined when it shows a sign of one or nothing could be read (then the checks run and say what
 * they miss).
 */
export function notTapWorkerReason(f: Facts): string | undefined {
  const {signs, looked} = tapWorkerSigns(f);
  if (looked && signs.length === 0) {
    return `not an openQA tap worker: no worker instance advertises tap, no ${SWITCH_SYSCONFIG}, no OVS bridge of the switch service or with tap ports, no tap device`;
  }
  return undefined;
}
