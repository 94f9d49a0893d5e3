// Failures that are evidence: when Open vSwitch cannot be asked, the way it fails says which of
// its daemons is down. ovs-vsctl talks to ovsdb-server over its unix socket ("database connection
// failed (No such file or directory | Connection refused)": no ovsdb-server); ovs-ofctl talks to
// ovs-vswitchd over <rundir>/<bridge>.mgmt ("br1 is not a bridge or a socket" when the socket file
// is missing, "br1.mgmt: failed to open socket (Connection refused)" when a killed vswitchd left
// it behind: either way no ovs-vswitchd, since only the running vswitchd listens there). A failed or
// inactive unit of the OVS service says the same from systemd's side.
// Sources: openvswitch lib/jsonrpc.c + utilities/ovs-vsctl.c (the connection error text),
// utilities/ovs-ofctl.c open_vconn_socket()/open_vconn() ("is not a bridge or a socket").
import type {Evidence} from '../model.js';
import type {Facts, Fact} from './facts.js';
import {activeUnits} from './host/units.js';
import {links} from './network.js';
import {ovsFlowErrors} from './ovs.js';

export type OvsDaemon = 'ovsdb-server' | 'ovs-vswitchd';

export interface DaemonDown {
  daemon: OvsDaemon;
  /** One line: what proves it. */
  proof: string;
  evidence: Evidence[];
}

export interface OvsUnitDown {
  unit: string;
  active: string;
  sub: string;
  line: string;
}

/** The OVS service units as SUSE and Fedora ship them (openvswitch.service pulls in the other two). */
export const OVS_UNITS = ['openvswitch.service', 'ovsdb-server.service', 'ovs-vswitchd.service'] as const;

const DB_DOWN = /database connection failed \((No such file or directory|Connection refused)\)/;
// Never started (no socket file) or killed (a stale socket file nobody listens on).
const VSWITCHD_DOWN = /is not a bridge or a socket|\.mgmt: failed to open socket \((Connection refused|No such file or directory)\)/;
const NAMED_BRIDGE = / (\S+) is not a bridge or a socket|\/([^/\s]+)\.mgmt: failed to open socket/;
const DB_SOURCES = ['ovs.bridges', 'ovs.ports', 'ovs.interfaces', 'ovs.show'];

/**
 * The OVS daemons proven not running, from how collection failed. Empty when every answer came
 * (or when the failures say something else, e.g. not collected, timed out): no proof, no claim.
 */
export const ovsDaemonsDown: Fact<DaemonDown[]> = (f) => {
  const db = dbDown(f);
  if (db) return [db];
  const vswitchd = vswitchdDown(f);
  return vswitchd ? [vswitchd] : [];
};

function dbDown(f: Facts): DaemonDown | undefined {
  for (const source of DB_SOURCES) {
    const reason = f.view.unusable(source);
    if (reason && DB_DOWN.test(reason)) {
      return {daemon: 'ovsdb-server', proof: `ovs-vsctl cannot reach the OVS database: ${reason.replace(/^could not collect [^:]+: /, '')}`, evidence: [{source, lines: [reason]}]};
    }
  }
  return undefined;
}

function vswitchdDown(f: Facts): DaemonDown | undefined {
  // Entry errors stay readable when every dump failed (the source as a whole is then unusable).
  const errors: Record<string, string> = {};
  for (const e of f.view.entryErrors('ovs.flows')) if (e.key !== undefined && e.error) errors[e.key] = e.error;
  const parsed = f.try(ovsFlowErrors);
  if (parsed.ok) Object.assign(errors, parsed.value);
  const whole = f.view.unusable('ovs.flows');
  const named = whole ? NAMED_BRIDGE.exec(whole) : null;
  const bridge = named ? (named[1] ?? named[2]) : undefined;
  if (bridge && errors[bridge] === undefined) errors[bridge] = whole!.replace(/^could not collect ovs\.flows: /, '');
  const failed = Object.entries(errors).filter(([, error]) => VSWITCHD_DOWN.test(error));
  if (failed.length === 0) return undefined;
  const lines = failed.map(([bridge, error]) => `ovs-ofctl dump-flows ${bridge}: ${error}`);
  return {daemon: 'ovs-vswitchd', proof: `ovs-ofctl cannot reach the switch: ${failed[0]![1]}`, evidence: [{source: 'ovs.flows', lines}]};
}

/** Bridges the OVS database lists but the kernel has no device for: only a running ovs-vswitchd creates it. */
export function bridgesWithoutDevice(f: Facts, bridges: readonly string[]): string[] {
  const all = f.try(links);
  if (!all.ok) return [];
  return bridges.filter((b) => !all.value.some((l) => l.name === b));
}

/** OVS service units loaded but failed or inactive (empty when the unit list was not collected). */
export const ovsUnitsDown: Fact<OvsUnitDown[]> = (f) => {
  const units = f.try(activeUnits);
  if (!units.ok) return [];
  const out: OvsUnitDown[] = [];
  for (const unit of OVS_UNITS) {
    const u = units.value[unit];
    if (!u || u.load !== 'loaded' || u.active === 'active' || u.active === 'activating' || u.active === 'reloading') continue;
    out.push({unit, active: u.active, sub: u.sub, line: `${unit} ${u.load} ${u.active} ${u.sub} ${u.description}`});
  }
  return out;
};
