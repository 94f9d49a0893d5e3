// TD203: the SUT MTU of a host does not fit a tunnel of its mesh because of the OTHER end: the
// peer's uplink MTU is smaller (a path this host cannot see; TD006 already judges the host's own
// uplink), or two peers tell their SUTs different MTUs (the larger frames are dropped by the
// smaller side's SUTs). SUT MTU: MM_MTU (default 1380) on tap hosts; the bridge MTU on overlay hosts.
import type {Severity} from '../../model.js';
import {defineFleetCheck, hostEvidence, type FleetFindingDraft} from '../define.js';
import type {Fleet} from '../fleet.js';
import {DEFAULT_SUT_MTU, tunnelOverhead} from '../../facts/mtu.js';
import {setMmMtu} from '../../remedies/openqa.js';
import type {FleetHostView, FleetTunnel} from '../host-view.js';
import {bridgeMtu, mtuRequest} from '../../remedies/network.js';
import type {Step} from '../../remedies/step.js';

interface SutMtu {
  value: number;
  what: string;
  /** Steps giving the host's SUTs this MTU; `alt`: another way, said as a comment. */
  fix: (want: number, alt?: string) => Step[];
}

export default defineFleetCheck('TD203', (fleet) => {
  const out: FleetFindingDraft[] = [];
  for (const [x, y] of fleet.reachedPairs()) {
    const tunnel = fleet.tunnelsTo(x, y)[0] ?? fleet.tunnelsTo(y, x)[0]!;
    out.push(...pathFindings(x, y, tunnel), ...pathFindings(y, x, tunnel), ...disagreement(fleet, x, y, tunnel));
  }
  return out;
});

function sutMtu(h: FleetHostView): SutMtu | undefined {
  if (h.classes.some((c) => /^tap\d*$/.test(c))) {
    const value = h.mmMtu ?? DEFAULT_SUT_MTU;
    return {
      value,
      what: h.mmMtu !== undefined ? `MM_MTU ${value}` : `the default MM_MTU ${value}`,
      // The same edit TD006 makes on the host (one repair, one way): each line setting MM_MTU, or [global].
      fix: (want, alt) => (h.mmMtuSources ?? [{kind: 'unset', path: '/etc/openqa/workers.ini'}]).flatMap((s) => setMmMtu(s, want, alt)),
    };
  }
  if (h.bridge?.mtu !== undefined) {
    const br = h.bridge.name;
    return {
      value: h.bridge.mtu,
      what: `bridge ${br} MTU ${h.bridge.mtu}`,
      fix: (want, alt) => [bridgeMtu(br, want, alt), mtuRequest(br, want)],
    };
  }
  return undefined;
}

/** x's SUTs fit x's own uplink but not y's: the path through y is the narrow one. */
function pathFindings(x: FleetHostView, y: FleetHostView, tunnel: FleetTunnel): FleetFindingDraft[] {
  const s = sutMtu(x);
  if (!s || !x.uplink || !y.uplink) return [];
  const overhead = tunnelOverhead(tunnel.type);
  const own = x.uplink.mtu - overhead;
  const path = Math.min(x.uplink.mtu, y.uplink.mtu) - overhead;
  if (s.value <= path || s.value > own) return [];
  return [
    {
      hosts: [x.name, y.name],
      subject: `${x.name} <-> ${y.name}`,
      message: `${x.name}'s SUTs use ${s.what}, but the ${tunnel.type.toUpperCase()} tunnel to ${y.name} carries only ${path} (${y.name}'s uplink ${y.uplink.name} MTU ${y.uplink.mtu} − ${overhead}), expected ≤ ${path}: larger packets between SUTs on the two hosts are dropped`,
      // Down to what fits the path, and no higher than the peer's SUTs use: one MTU on both ends.
      fix: [{host: x.name, steps: s.fix(Math.min(path, sutMtu(y)?.value ?? path), `or raise ${y.name}'s uplink MTU to ${x.uplink.mtu} if the network carries it`)}],
      evidence: [hostEvidence(x.name, 'openqa.workers-ini', s.what), hostEvidence(x.name, 'ip.addr', `${x.uplink.name}: mtu ${x.uplink.mtu}`), hostEvidence(y.name, 'ip.addr', `${y.uplink.name}: mtu ${y.uplink.mtu}`)],
    },
  ];
}

/** Both ends fit the path, but tell their SUTs different MTUs: the larger side's frames die at the smaller side. */
function disagreement(fleet: Fleet, x: FleetHostView, y: FleetHostView, tunnel: FleetTunnel): FleetFindingDraft[] {
  const sx = sutMtu(x);
  const sy = sutMtu(y);
  if (!sx || !sy || sx.value === sy.value || !x.uplink || !y.uplink) return [];
  const path = Math.min(x.uplink.mtu, y.uplink.mtu) - tunnelOverhead(tunnel.type);
  // A side above the path is reported by pathFindings (or TD006); only a pure disagreement here.
  if (sx.value > path || sy.value > path) return [];
  const [high, low, sHigh, sLow] = sx.value > sy.value ? [x, y, sx, sy] : [y, x, sy, sx];
  const severity: Severity = fleet.topology.kind === 'openqa-mesh' ? 'warning' : 'error';
  return [
    {
      hosts: [high.name, low.name],
      severity,
      subject: `${high.name} <-> ${low.name}`,
      message: `${high.name}'s SUTs use ${sHigh.what} but ${low.name}'s use ${sLow.what}, expected one MTU on every host of the mesh: frames above ${sLow.value} from ${high.name} are dropped by SUTs on ${low.name}`,
      fix: [{host: high.name, steps: sHigh.fix(sLow.value)}],
      evidence: [hostEvidence(high.name, 'openqa.workers-ini', sHigh.what), hostEvidence(low.name, 'openqa.workers-ini', sLow.what)],
    },
  ];
}
