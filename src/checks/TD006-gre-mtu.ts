// TD006: GRE tunnels between multi-machine hosts (openQA docs/Networking.asciidoc; docs/checks/TD006.md). Only where the effective bridge
// has GRE ports (`type=gre`, `options:remote_ip`); a GRE-less host is a valid single-host setup.
//
// What is judged:
//   - the MTU the SUTs are told to use (MM_MTU from workers.ini or running jobs' vars.json) against
//     what the GRE path carries (MTU of the device towards the peer − 42) and the configured budget
//     (config.greMtu, default 1458; 1380 for cross-site paths);
//   - the bridge's own MTU against the largest SUT MTU;
//   - peers that are this host itself, peers without a route;
//   - RSTP off with more than one GRE port (a mesh loops without it).
//
// An unset MM_MTU: os-autoinst-distri-opensuse's SUTs then use 1380 (variables.md; openQA docs/Networking.asciidoc; docs/checks/TD006.md
// "SUT MTU from MM_MTU in workers.ini or running jobs (default 1380)"). The default is judged only
// against what the path carries and the budget, never reported for merely differing from greMtu.
// The GRE port's own MTU is meaningless (shared gre_sys device) and is not read.
import {type Facts} from '../facts/facts.js';
import {greRoutes, links, type GreRoute} from '../facts/network.js';
import {ovsDb} from '../facts/ovs.js';
import {poolJobs, switchConfig, workerConfig} from '../facts/openqa.js';
import type {OvsBridge, OvsInterface} from '../facts/types.js';
import type {Evidence, Severity} from '../model.js';
import {defineCheck, evidence, notApplicable, pass, type FindingDraft} from './define.js';
import meta from './TD006-gre-mtu.meta.js';
import {uplink} from '../facts/uplink.js';
import {DEFAULT_SUT_MTU, mmMtuSettings, tunnelOverhead} from '../facts/mtu.js';
import {setMmMtu} from '../remedies/openqa.js';
import {editLinePattern} from '../remedies/files.js';
import {bridgeRstp, dropPort, mtuRequest} from '../remedies/network.js';
import {manual, type Step} from '../remedies/step.js';

/** os-autoinst's bridge MTU (mtu_request=1460): above the 1458 SUTs used. */
const RECOMMENDED_BRIDGE_MTU = 1460;

/** A tunnel port on the bridge: GRE (openQA's mesh) or VXLAN (overlays), each with its own overhead. */
interface GrePort {
  port: string;
  iface: OvsInterface;
  remoteIp: string;
  type: 'gre' | 'vxlan';
}

export default defineCheck(meta, (f) => {
  const bridgeName = f.get(switchConfig).bridge;
  const db = f.get(ovsDb);
  const bridge = db.bridges.find((b) => b.name === bridgeName);
  if (!bridge) return notApplicable(`bridge ${bridgeName} (OS_AUTOINST_USE_BRIDGE) is not in the OVS database, so it has no GRE ports to check (TD011 reports the bridge)`);
  const gre = grePorts(bridge);
  if (gre.length === 0) return notApplicable(`no GRE port on ${bridgeName}: single-host multi-machine setup`); // nor a VXLAN port

  const findings: FindingDraft[] = [];
  const notes: string[] = [];
  const routes = f.try(greRoutes);
  if (!routes.ok) notes.push(`routes to the GRE peers unknown: ${routes.reason}`);
  const routeOf = (ip: string): GreRoute | undefined => (routes.ok ? routes.value[ip] : undefined);

  findings.push(...peerFindings(f, bridgeName, gre, routeOf, routes.ok, notes));
  const rstp = rstpFinding(bridge, gre);
  if (rstp) findings.push(rstp);
  else if (gre.length > 1 && bridge.rstpEnable === undefined) notes.push(`rstp_enable of ${bridgeName} unknown (OVS data from \`ovs-vsctl show\`)`);

  const capacity = pathCapacity(f, gre, routeOf);
  if (!capacity) notes.push('the MTU towards the GRE peers is unknown: MM_MTU judged against greMtu only');
  const suts = sutMtus(f, notes);
  findings.push(...mtuFindings(f, suts, capacity));
  // The bridge must carry the SUT MTUs the path can carry; larger ones are wrong themselves (reported above).
  const br = bridgeMtuFinding(f, bridge, suts.filter((s) => !capacity || s.value <= capacity.max));
  if (br) findings.push(br);

  if (findings.length > 0) return findings;
  return notes.length > 0 ? pass(notes.join('; ')) : [];
});

/** GRE and VXLAN ports of the bridge. */
function grePorts(bridge: OvsBridge): GrePort[] {
  const out: GrePort[] = [];
  for (const port of bridge.ports) {
    for (const iface of port.interfaces) {
      const remoteIp = iface.options['remote_ip'];
      if ((iface.type === 'gre' || iface.type === 'vxlan') && remoteIp !== undefined) out.push({port: port.name, iface, remoteIp, type: iface.type});
    }
  }
  return out;
}

function greEvidence(bridgeName: string, g: GrePort): Evidence {
  return evidence('ovs.interfaces', `${bridgeName} port ${g.port}: type=${g.type} options:remote_ip=${g.remoteIp}`);
}

// --- peers -------------------------------------------------------------------------------------

function peerFindings(f: Facts, bridgeName: string, gre: GrePort[], routeOf: (ip: string) => GreRoute | undefined, routesKnown: boolean, notes: string[]): FindingDraft[] {
  const out: FindingDraft[] = [];
  const local = localAddresses(f);
  for (const g of gre) {
    const route = routeOf(g.remoteIp);
    const self = local.get(g.remoteIp) ?? (route?.dev === 'lo' ? 'lo' : undefined);
    const script = preupReference(f, g.remoteIp);
    // The port goes now, and its line in the boot script is commented out (as salt does for offline peers).
    const forget: Step[] = [
      dropPort(bridgeName, g.port),
      script
        ? editLinePattern(script.path, script.line, '^', '#', {note: `drop the peer from ${script.path} line ${script.line}: ${script.text}`})
        : manual(`gre-preup-drop:${g.port}`, 'tapdoctor did not find the pre-up script line naming the peer', ['# drop the peer from the GRE pre-up script (wicked PRE_UP_SCRIPT / NM dispatcher), or the next boot re-creates it']),
    ];
    if (self !== undefined) {
      out.push({
        kind: 'self-peer',
        subject: g.port,
        message: `GRE port ${g.port} tunnels to ${g.remoteIp}, an address of this host (${self}), expected another MM host: frames loop back onto ${bridgeName}`,
        fix: forget,
        evidence: [greEvidence(bridgeName, g), evidence('ip.addr', `${self}: inet ${g.remoteIp}`)],
      });
      continue;
    }
    if (route?.error !== undefined) {
      out.push({
        kind: 'peer-unreachable',
        subject: g.port,
        message: `no route to the GRE peer ${g.remoteIp} of ${g.port} (${route.error}), expected one via the uplink: SUTs on the peer's VLANs are unreachable`,
        // Routing or a gone peer: only the admin knows which, so dropping the port is MANUAL here.
        fix: [
          {
            ...manual(`gre-gone:${g.port}`, `only the admin knows whether the routing is wrong or ${g.remoteIp} is gone for good`, [`ip route get ${g.remoteIp}   # fix the routing to the peer, or if the peer is gone:`, ...forget.flatMap((x) => x.lines)], 'runtime'),
            files: forget.flatMap((x) => x.files ?? []),
          },
        ],
        evidence: [greEvidence(bridgeName, g), evidence('ip.route-get', `ip route get ${g.remoteIp}: ${route.error}`)],
      });
    } else if (route === undefined && routesKnown) {
      notes.push(`route to ${g.remoteIp} (${g.port}) not collected`);
    }
  }
  return out;
}

function localAddresses(f: Facts): Map<string, string> {
  const out = new Map<string, string>();
  const ls = f.try(links);
  if (ls.ok) for (const l of ls.value) for (const a of l.addrs) out.set(a.local, l.name);
  return out;
}

/** The persisted pre-up script line naming a peer (salt's gre_tunnel_preup.sh, NM dispatcher). */
function preupReference(f: Facts, ip: string): {path: string; line: number; text: string} | undefined {
  const files = f.view.entries('network.preup');
  if (!files.ok) return undefined;
  const word = new RegExp(`(^|[^0-9.])${ip.replace(/\./g, '\\.')}($|[^0-9.])`);
  for (const file of files.value) {
    const lines = file.text.split('\n');
    const i = lines.findIndex((l) => word.test(l));
    if (i >= 0) return {path: file.name, line: i + 1, text: lines[i]!.trim()};
  }
  return undefined;
}

function rstpFinding(bridge: OvsBridge, gre: GrePort[]): FindingDraft | undefined {
  if (gre.length < 2 || bridge.rstpEnable !== false || bridge.stpEnable === true) return undefined;
  return {
    kind: 'rstp-off',
    subject: bridge.name,
    message: `${bridge.name} has ${gre.length} GRE ports (${gre.map((g) => g.port).join(', ')}) with rstp_enable=false, expected true: a mesh of tunnels loops broadcasts`,
    fix: [bridgeRstp(bridge.name, 'persist: the GRE pre-up script (gre_tunnel_preup.sh) should run the same command after adding the ports')],
    evidence: [evidence('ovs.bridges', `${bridge.name}: rstp_enable=false stp_enable=${String(bridge.stpEnable ?? false)}`), ...gre.map((g) => greEvidence(bridge.name, g))],
  };
}

// --- MTU ---------------------------------------------------------------------------------------

interface Capacity {
  /** Largest SUT MTU the GRE path carries. */
  max: number;
  /** How it was derived, for messages: "eth0 MTU 1500 − 42". */
  why: string;
}

/** The tightest path: the device `ip route get <peer>` picks, its MTU minus GRE overhead; else the uplink's. */
function pathCapacity(f: Facts, gre: GrePort[], routeOf: (ip: string) => GreRoute | undefined): Capacity | undefined {
  let best: Capacity | undefined;
  for (const g of gre) {
    const r = routeOf(g.remoteIp);
    if (r?.mtu === undefined) continue;
    const max = r.mtu - tunnelOverhead(g.type);
    if (!best || max < best.max) best = {max, why: `${r.dev ?? 'route'} MTU ${r.mtu} − ${tunnelOverhead(g.type)} towards ${g.remoteIp}`};
  }
  if (best) return best;
  const up = f.try(uplink);
  const ls = f.try(links);
  const primary = up.ok ? up.value.name : undefined;
  const link = primary && ls.ok ? ls.value.find((l) => l.name === primary) : undefined;
  const overhead = Math.max(...gre.map((g) => tunnelOverhead(g.type)));
  return link ? {max: link.mtu - overhead, why: `uplink ${link.name} MTU ${link.mtu} − ${overhead}`} : undefined;
}

interface SutMtu {
  value: number;
  /** Set by a setting (workers.ini, vars.json) rather than assumed. */
  explicit: boolean;
  subject: string;
  /** Human description: "MM_MTU = 1500 (/etc/openqa/workers.ini:5, instances 1, 2)". */
  what: string;
  evidence: Evidence;
  /** The steps that make it say this MTU. */
  fix: (mtu: number) => Step[];
}

const MTU_VALUE = /^\s*(\d{3,5})\s*$/;

/** Every MTU SUTs on this host are told to use (or assume), one entry per place it is set. */
function sutMtus(f: Facts, notes: string[]): SutMtu[] {
  const out: SutMtu[] = [];
  const mm = f.try(mmMtuSettings);
  if (mm.ok) {
    for (const {value, origin, source, instances} of mm.value.set) {
      const m = MTU_VALUE.exec(value);
      if (!m) {
        notes.push(`MM_MTU = '${value}' at ${origin} is not a number`);
        continue;
      }
      const raw = rawFileLine(f, 'openqa.workers-ini', source.path, source.kind === 'line' ? source.line : undefined);
      out.push({
        value: Number(m[1]),
        explicit: true,
        subject: source.path,
        what: `MM_MTU = ${m[1]} (${origin}, instance${instances.length > 1 ? 's' : ''} ${instances.join(', ')})`,
        evidence: evidence('openqa.workers-ini', `${origin}: ${raw ?? `MM_MTU = ${value}`}`),
        fix: (mtu) => setMmMtu(source, mtu),
      });
    }
    const unset = mm.value.unset;
    if (unset) {
      const files = f.get(workerConfig).files;
      out.push({
        value: DEFAULT_SUT_MTU,
        explicit: false,
        subject: unset.source.path,
        what: `the default MM_MTU ${DEFAULT_SUT_MTU} (unset for tap instance${unset.instances.length > 1 ? 's' : ''} ${unset.instances.join(', ')})`,
        evidence: evidence('openqa.workers-ini', `no MM_MTU for tap instance(s) ${unset.instances.join(', ')} in ${files.join(', ') || 'workers.ini'}`),
        fix: (mtu) => setMmMtu(unset.source, mtu),
      });
    }
  } else notes.push(`workers.ini not read: ${mm.reason}`);

  const jobs = f.try(poolJobs);
  if (jobs.ok) {
    for (const job of jobs.value) {
      if (!job.alive || job.nicType !== 'tap' || job.mtu === undefined) continue;
      const raw = rawFileLine(f, 'openqa.pool', `${job.dir}/vars.json`, undefined, /"MM_MTU"/);
      out.push({
        value: job.mtu,
        explicit: true,
        subject: job.dir,
        what: `MM_MTU = ${job.mtu} (running job in ${job.dir})`,
        evidence: evidence('openqa.pool', `${job.dir}/vars.json: ${raw ?? `"MM_MTU": ${job.mtu}`}`),
        fix: (mtu) => [
          manual(`mm-mtu-job:${mtu}`, 'job settings live in the openQA web UI', [
            `# the job's MM_MTU comes from its settings: set MM_MTU=${mtu} in the machine, test suite or medium settings in the web UI (or openqa-clone-job … MM_MTU=${mtu})`,
          ]),
        ],
      });
    }
  }
  return out;
}

function rawFileLine(f: Facts, source: string, path: string, line: number | undefined, match?: RegExp): string | undefined {
  const file = f.view.file(source, path);
  if (!file.ok || !file.value) return undefined;
  const lines = file.value.text.split('\n');
  const l = match ? lines.find((x) => match.test(x)) : line !== undefined && Number.isInteger(line) ? lines[line - 1] : undefined;
  return l?.trim();
}

function mtuFindings(f: Facts, suts: SutMtu[], capacity: Capacity | undefined): FindingDraft[] {
  const budget = f.config.greMtu;
  const bySubject = new Map<string, {severity: Severity; messages: string[]; evidence: Evidence[]; fixes: Step[]}>();
  const rank: Record<Severity, number> = {error: 0, warning: 1, info: 2};
  for (const s of suts) {
    let severity: Severity | undefined;
    let problem: string | undefined;
    let want = budget;
    if (capacity && s.value > capacity.max) {
      severity = 'error';
      want = Math.min(budget, capacity.max);
      problem = `${s.what} exceeds what the GRE path carries: ${capacity.max} (${capacity.why}); larger packets with DF set are dropped`;
    } else if (s.value > budget) {
      severity = 'warning';
      problem = `${s.what} is above the configured GRE MTU ${budget} (greMtu)`;
    }
    // A SUT MTU below the budget is never reported: 1380 is today's default for cross-site meshes
    // (a 1422 path the host cannot see), and raising it to greMtu would break exactly those paths.
    if (!severity || !problem) continue;
    const entry = bySubject.get(s.subject) ?? {severity, messages: [], evidence: [], fixes: []};
    if (rank[severity] < rank[entry.severity]) entry.severity = severity;
    entry.messages.push(`${problem}, expected ${want}`);
    entry.evidence.push(s.evidence);
    entry.fixes.push(...s.fix(want));
    bySubject.set(s.subject, entry);
  }
  return [...bySubject].map(([subject, e]) => ({kind: 'sut-mtu-too-large', subject, severity: e.severity, message: e.messages.join('; '), fix: e.fixes, evidence: e.evidence}));
}

function bridgeMtuFinding(f: Facts, bridge: OvsBridge, suts: SutMtu[]): FindingDraft | undefined {
  if (suts.length === 0) return undefined;
  const own = bridge.ports.flatMap((p) => p.interfaces).find((i) => i.name === bridge.name);
  const ls = f.try(links);
  const link = ls.ok ? ls.value.find((l) => l.name === bridge.name) : undefined;
  const mtu = own?.mtu ?? link?.mtu;
  if (mtu === undefined) return undefined;
  const largest = suts.reduce((a, b) => (b.value > a.value ? b : a));
  if (mtu >= largest.value) return undefined;
  const want = Math.max(RECOMMENDED_BRIDGE_MTU, largest.value);
  const shown = own ? `mtu=${own.mtu ?? '[]'} mtu_request=${own.mtuRequest ?? '[]'}` : `mtu ${mtu}`;
  return {
    kind: 'bridge-mtu-below-sut',
    subject: bridge.name,
    message: `${bridge.name} MTU ${mtu} is below the SUT MTU ${largest.value} (${largest.what}), expected ≥ ${largest.value} (os-autoinst sets ${RECOMMENDED_BRIDGE_MTU}): large packets between SUTs and the host are dropped`,
    fix: [mtuRequest(bridge.name, want, `persist: wicked ifcfg-${bridge.name} MTU='${want}' / NetworkManager: ethernet.mtu ${want} in the bridge's ovs-interface profile (OVSDB keeps mtu_request across reboots)`)],
    evidence: [evidence(own ? 'ovs.interfaces' : 'ip.addr', `${bridge.name}: ${shown}`), largest.evidence],
  };
}

