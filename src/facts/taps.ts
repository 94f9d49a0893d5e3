// Tap facts shared by the tap checks (TD003 VLAN tags, TD004 qemu capability, TD012 inventory,
// TD013 ownership, TD014 worker class): which taps the worker needs, what the kernel says about
// each, whether the worker user may open it without CAP_NET_ADMIN, whether qemu has that
// capability, which network stack persists the taps, and the evidence lines for all of it.
//
// The permission rule is the kernel's (drivers/net/tun.c, tun_not_capable(); docs/checks/TD004.md): a
// process without CAP_NET_ADMIN may attach to an existing persistent tap only if the tap's owner is
// unset or its euid AND the tap's group is unset or one of its groups; creating a tap always needs
// the capability.
import type {AccountDb} from '../parsers/accounts.js';
import {splitLines} from '../parsers/errors.js';
import {capsOf, parseGetcap} from '../parsers/getcap.js';
import type {Evidence} from '../model.js';
import {FactUnavailable, type Fact, type Facts} from './facts.js';
import {accounts, workerAccount} from './host/accounts.js';
import {mountFor, mounts} from './host/mounts.js';
import {tapSysfs, TUN_FLAGS} from './host/tap-sysfs.js';
import {links} from './network.js';

import {poolJobs, tapInstances, workerConfig} from './openqa.js';
import type {Account, Link, Mount, OvsDb, OvsInterface, OvsPort, PoolJob, TapSysfs} from './types.js';

/** The names os-autoinst-openvswitch accepts for set_vlan (`^tap[0-9]+$`). */
export const TAP_NAME = /^tap\d{1,5}$/;

// --- the kernel's taps -----------------------------------------------------------------------

export interface KernelTapView {
  /** Links from `ip -j -d addr show`, by name; undefined when not collected. */
  links?: Map<string, Link>;
  /** tun/tap attributes from sysfs, by name; undefined when not collected. */
  sysfs?: Map<string, TapSysfs>;
  /** Why one of the two is missing. */
  gaps: string[];
}

/** What the kernel says about tap devices; unavailable only when neither ip nor sysfs was read. */
export const kernelTapView: Fact<KernelTapView> = (f) => {
  const l = f.try(links);
  const s = f.try(tapSysfs);
  if (!l.ok && !s.ok) throw new FactUnavailable(`${l.reason}; ${s.reason}`);
  const view: KernelTapView = {gaps: []};
  if (l.ok) view.links = new Map(l.value.map((x) => [x.name, x]));
  else view.gaps.push(l.reason);
  if (s.ok) view.sysfs = new Map(s.value.map((x) => [x.name, x]));
  else view.gaps.push(s.reason);
  return view;
};

export interface TapDevice {
  name: string;
  exists: boolean;
  link?: Link;
  sysfs?: TapSysfs;
  /** A layer-2 tun device (what qemu's `-netdev tap` opens); undefined when unknown. */
  isTap?: boolean;
  /** TUN_PERSIST set: the device outlives the process that made it; undefined when unknown. */
  persistent?: boolean;
}

export function tapDevice(view: KernelTapView, name: string): TapDevice {
  const link = view.links?.get(name);
  const sysfs = view.sysfs?.get(name);
  const dev: TapDevice = {name, exists: link !== undefined || sysfs !== undefined};
  if (link) dev.link = link;
  if (sysfs) dev.sysfs = sysfs;
  if (sysfs?.tunFlags !== undefined) {
    dev.isTap = (sysfs.tunFlags & TUN_FLAGS.TAP) !== 0;
    dev.persistent = (sysfs.tunFlags & TUN_FLAGS.PERSIST) !== 0;
  } else if (link?.kind === 'tun') {
    dev.isTap = link.tunType !== 'tun';
  } else if (link?.kind !== undefined) {
    dev.isTap = false; // a veth, bridge, ... that happens to be called tapN
  }
  return dev;
}

// --- may the worker user open it? ------------------------------------------------------------

export interface TapAccess {
  /** 'unknown' when owner/group were not captured or the worker user is not in /etc/passwd. */
  verdict: 'allowed' | 'refused' | 'unknown';
  /** Why the kernel refuses the worker user ("owner geekotest (480) is not _openqa-worker (990)"). */
  refusals: string[];
  /** Which of the tap's ids refuses: its owner comes first (the finding's kind, TD013). */
  refusedBy?: 'owner' | 'group';
  unknownBecause?: string;
}

const isSet = (id: number | undefined): id is number => id !== undefined && id !== -1;

export function userLabel(db: AccountDb | undefined, uid: number): string {
  const name = db?.byUid.get(uid)?.name;
  return name === undefined ? `uid ${uid}` : `${name} (${uid})`;
}

export function groupLabel(db: AccountDb | undefined, gid: number): string {
  const name = db?.groupByGid.get(gid)?.name;
  return name === undefined ? `gid ${gid}` : `${name} (${gid})`;
}

/** The kernel rule of tun_not_capable() for a process running as `worker` without CAP_NET_ADMIN. */
export function tapAccess(sysfs: TapSysfs | undefined, worker: Account | undefined, userName: string, db: AccountDb | undefined): TapAccess {
  if (!sysfs || sysfs.owner === undefined || sysfs.group === undefined) {
    return {verdict: 'unknown', refusals: [], unknownBecause: 'owner/group were not captured from /sys/class/net'};
  }
  if (!isSet(sysfs.owner) && !isSet(sysfs.group)) return {verdict: 'allowed', refusals: []};
  if (!worker) return {verdict: 'unknown', refusals: [], unknownBecause: `the worker user ${userName} is not in /etc/passwd`};
  const refusals: string[] = [];
  const ownerRefuses = isSet(sysfs.owner) && sysfs.owner !== worker.uid;
  if (ownerRefuses) refusals.push(`owner ${userLabel(db, sysfs.owner)} is not ${worker.name} (${worker.uid})`);
  if (isSet(sysfs.group) && !worker.groups.includes(sysfs.group)) {
    const mine = worker.groups.map((g) => db?.groupByGid.get(g)?.name ?? String(g)).join(', ');
    refusals.push(`group ${groupLabel(db, sysfs.group)} is not one of ${worker.name}'s groups (${mine})`);
  }
  return refusals.length ? {verdict: 'refused', refusals, refusedBy: ownerRefuses ? 'owner' : 'group'} : {verdict: 'allowed', refusals};
}

/** The worker user's account and the account db, or why they are unknown (never throws). */
export function workerIdentity(f: Facts): {worker?: Account; db?: AccountDb; problem?: string} {
  const db = f.try(accounts);
  if (!db.ok) return {problem: db.reason};
  const worker = f.get(workerAccount);
  return worker ? {worker, db: db.value} : {db: db.value, problem: `the worker user ${f.config.workerUser} is not in /etc/passwd`};
}

// --- which taps are needed -------------------------------------------------------------------

export interface NeededTap {
  name: string;
  /** Tap-class worker instances whose jobs use this tap (tap(N-1+64k)). */
  instances: number[];
  /** Live tap jobs whose TAPDEV names it. */
  jobs: PoolJob[];
}

/** Jobs with NICTYPE=tap and a live qemu (a stale vars.json left by --no-cleanup is not one). */
export function liveTapJobs(jobs: readonly PoolJob[]): PoolJob[] {
  return jobs.filter((j) => j.alive && j.nicType === 'tap');
}

/**
 * The taps qemu will open: tap(N-1) (and tap(N-1+64k) with config.multiNic) of every tap-class
 * instance with an enabled or running worker unit, plus every tap a live tap job names.
 */
export const neededTaps: Fact<NeededTap[]> = (f) => {
  const byName = new Map<string, NeededTap>();
  const slot = (name: string) => {
    let t = byName.get(name);
    if (!t) byName.set(name, (t = {name, instances: [], jobs: []}));
    return t;
  };
  for (const i of f.get(tapInstances)) for (const tap of i.taps) slot(tap).instances.push(i.instance);
  const jobs = f.try(poolJobs);
  if (jobs.ok) for (const j of liveTapJobs(jobs.value)) for (const tap of j.tapDevices) slot(tap).jobs.push(j);
  return [...byName.values()].sort((a, b) => tapNumber(a.name) - tapNumber(b.name) || (a.name < b.name ? -1 : 1));
};

function tapNumber(name: string): number {
  const m = /^tap(\d+)$/.exec(name);
  return m ? Number(m[1]) : Number.MAX_SAFE_INTEGER;
}

/** "instance 2", "job /var/lib/openqa/pool/3", joined: who uses a tap. */
export function usersOf(t: NeededTap): string {
  const parts = [
    ...(t.instances.length ? [`instance${t.instances.length > 1 ? 's' : ''} ${t.instances.join(', ')}`] : []),
    ...t.jobs.map((j) => `job ${j.dir}`),
  ];
  return parts.join(', ');
}

// --- qemu's capability -----------------------------------------------------------------------

export interface QemuCap {
  path: string;
  /** The flags cap_net_admin has in the file ('ep', 'p', ''), counting `=ep` (all caps). */
  flags: string;
  /** Both e and p: the kernel grants CAP_NET_ADMIN when qemu is executed. */
  hasCap: boolean;
  /** The binary lives on a nosuid mount: the kernel ignores its file capabilities. */
  nosuidMount?: Mount;
  /** hasCap and not voided by nosuid. */
  effective: boolean;
  /** getcap's line for the binary, undefined when it printed none (no capabilities). */
  getcapLine?: string;
}

/**
 * cap_net_admin per captured qemu-system binary. Binaries getcap could not read (gone since the
 * collector listed them) are left out. Flags need both e and p: qemu is not capability-aware, so a
 * permitted-only capability is never raised (kernel drivers/net/tun.c tun_not_capable(); whether qemu
 * raises it is unverified, so we are strict).
 */
export const qemuNetAdmin: Fact<QemuCap[]> = (f) => {
  const mountList = f.try(mounts);
  const out: QemuCap[] = [];
  for (const e of f.entries('qemu.getcap')) {
    const lines = parseGetcap(e.text, `getcap ${e.name}`);
    const line = capsOf(lines, e.name);
    if (line?.error) continue;
    const caps = line?.caps ?? {};
    const flags = [...new Set(`${caps['cap_net_admin'] ?? ''}${caps['all'] ?? ''}`)].sort().join('');
    const hasCap = flags.includes('e') && flags.includes('p');
    const cap: QemuCap = {path: e.name, flags, hasCap, effective: hasCap};
    if (line) cap.getcapLine = splitLines(e.text)[line.line - 1]!.trim();
    const mount = mountList.ok ? mountFor(mountList.value, e.name) : undefined;
    if (mount?.options.includes('nosuid')) {
      cap.nosuidMount = mount;
      cap.effective = false;
    }
    out.push(cap);
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
};

/** Evidence of one binary's capabilities. */
export function getcapEvidence(cap: QemuCap): Evidence[] {
  const out: Evidence[] = [{source: `qemu.getcap ${cap.path}`, lines: [cap.getcapLine ?? `getcap ${cap.path} printed nothing: the file has no capabilities`]}];
  if (cap.nosuidMount) {
    const m = cap.nosuidMount;
    out.push({source: 'mountinfo', lines: [`${m.mountPoint} ${m.options.join(',')} - ${m.fsType} ${m.source}`]});
  }
  return out;
}

// --- why qemu needs CAP_NET_ADMIN here -------------------------------------------------------

export interface CapReason {
  /** The tap, or the job/instance using TAPSCRIPT. */
  subject: string;
  why: string;
  evidence: Evidence[];
}

export interface CapNeed {
  /** Tap-class instances (with enabled or running units). */
  tapInstances: number[];
  /** Each thing qemu cannot do without CAP_NET_ADMIN on this host. */
  reasons: CapReason[];
  /** What could not be judged (a tap's owner not captured, ...). */
  unknown: string[];
  /**
   * Needed taps that do not exist. Not a reason for the capability: qemu could create them with it,
   * but a tap qemu creates is no port of the bridge, so set_vlan fails anyway (TD012 reports them).
   */
  missingTaps: string[];
}

/** TAPSCRIPT values that make qemu run a script: os-autoinst writes `no` per NIC when unset. */
export function tapScripts(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== 'no');
}

/**
 * Whether qemu must create or open a tap it cannot without CAP_NET_ADMIN: a needed tap is missing
 * (qemu creates it), refuses the worker user (owner/group), or TAPSCRIPT makes qemu run a script
 * (salt: "TAPSCRIPT requires qemu to be able have the CAP_NET_ADMIN capability").
 */
export const capNeed: Fact<CapNeed> = (f) => {
  const config = f.get(workerConfig);
  const tapInst = config.instances.filter((i) => i.tap);
  const need: CapNeed = {tapInstances: tapInst.map((i) => i.instance), reasons: [], unknown: [], missingTaps: []};
  if (tapInst.length === 0) return need;
  const view = f.try(kernelTapView);
  if (!view.ok) need.unknown.push(`taps not inspected: ${view.reason}`);
  else need.reasons.push(...tapReasons(f, view.value, need.unknown, need.missingTaps));
  for (const i of tapInst) {
    const scripts = tapScripts(i.settings['TAPSCRIPT']);
    if (scripts.length) {
      need.reasons.push({
        subject: `instance ${i.instance}`,
        why: `instance ${i.instance} sets TAPSCRIPT=${scripts.join(',')}`,
        evidence: [settingEvidence(f, i.origin?.['TAPSCRIPT'], `TAPSCRIPT = ${i.settings['TAPSCRIPT']}`)],
      });
    }
  }
  const jobs = f.try(poolJobs);
  if (jobs.ok) {
    for (const j of liveTapJobs(jobs.value)) {
      const scripts = tapScripts(j.vars['TAPSCRIPT']);
      if (scripts.length) {
        need.reasons.push({subject: j.dir, why: `job ${j.dir} runs TAPSCRIPT=${scripts.join(',')}`, evidence: [varsEvidence(f, j, ['TAPSCRIPT'])]});
      }
    }
  }
  return need;
};

/** Needed taps qemu cannot use without CAP_NET_ADMIN; access it cannot judge goes to `unknown`. */
function tapReasons(f: Facts, view: KernelTapView, unknown: string[] = [], missing: string[] = []): CapReason[] {
  const who = workerIdentity(f);
  const out: CapReason[] = [];
  for (const t of f.get(neededTaps)) {
    const dev = tapDevice(view, t.name);
    if (!dev.exists) {
      missing.push(t.name);
      continue;
    }
    const access = tapAccess(dev.sysfs, who.worker, f.config.workerUser, who.db);
    if (access.verdict === 'refused') out.push({subject: t.name, why: `${t.name} (${usersOf(t)}): ${access.refusals.join('; ')}`, evidence: [sysfsEvidence(f, t.name)]});
    else if (access.verdict === 'unknown') unknown.push(`${t.name}: ${access.unknownBecause}`);
  }
  return out;
}

/** The owner and group to give a new tap: the group the usable taps already have, else nogroup/nobody. */
export function tapOwnerNames(f: Facts): {user: string; group: string; uid?: number; gid?: number} {
  return f.get(newTapOwner);
}

// A fact (computed once): every broken tap's fix asks, and the answer counts all taps.
const newTapOwner: Fact<{user: string; group: string; uid?: number; gid?: number}> = (f) => {
  const who = workerIdentity(f);
  const user = f.config.workerUser;
  const view = f.try(kernelTapView);
  const counts = new Map<number, number>();
  if (view.ok && view.value.sysfs && who.worker) {
    for (const [name, s] of view.value.sysfs) {
      if (!TAP_NAME.test(name) || !isSet(s.group) || !who.worker.groups.includes(s.group)) continue;
      counts.set(s.group, (counts.get(s.group) ?? 0) + 1);
    }
  }
  const usual = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const byName = (n: string) => who.db?.groupByName.get(n)?.gid;
  const gid = usual ?? byName('nogroup') ?? byName('nobody') ?? who.worker?.gid;
  const group = gid !== undefined ? (who.db?.groupByGid.get(gid)?.name ?? String(gid)) : 'nogroup';
  const out: {user: string; group: string; uid?: number; gid?: number} = {user, group};
  if (who.worker) out.uid = who.worker.uid;
  if (gid !== undefined) out.gid = gid;
  return out;
};

// --- Open vSwitch lookups --------------------------------------------------------------------

export function ovsPort(db: OvsDb, name: string): OvsPort | undefined {
  return firstNamed(db.ports, name);
}

export function ovsInterface(db: OvsDb, name: string): OvsInterface | undefined {
  return firstNamed(db.interfaces, name);
}

/**
 * The first element of a list with this name, as `find` gives it, through an index built once per
 * list (checks ask for every tap's port: a scan per tap is quadratic on a 300-tap host). A list
 * that grew since is indexed again.
 */
function firstNamed<T extends {name: string}>(list: readonly T[], name: string): T | undefined {
  let index = NAME_INDEX.get(list) as {length: number; byName: Map<string, T>} | undefined;
  if (index?.length !== list.length) {
    const byName = new Map<string, T>();
    for (const x of list) if (!byName.has(x.name)) byName.set(x.name, x);
    index = {length: list.length, byName};
    NAME_INDEX.set(list, index);
  }
  return index.byName.get(name);
}
const NAME_INDEX = new WeakMap<readonly {name: string}[], {length: number; byName: Map<string, unknown>}>();

/** OVSDB keeps a port whose device is gone: ofport -1 or an error ("could not open network device"). */
export function deviceGone(iface: OvsInterface | undefined): boolean {
  return iface !== undefined && (iface.ofport === -1 || (iface.error !== undefined && iface.error !== ''));
}

// --- evidence --------------------------------------------------------------------------------

/** The owner/group/tun_flags lines of a tap from sysfs (`/sys/class/net/tap0/owner: 480`). */
export function sysfsEvidence(f: Facts, tap: string): Evidence {
  const entries = f.view.entries('tap.sysfs');
  const prefix = `/sys/class/net/${tap}/`;
  const lines = entries.ok
    ? ['owner', 'group', 'tun_flags'].flatMap((attr) => entries.value.filter((e) => e.name === `${prefix}${attr}`).map((e) => `${e.name}: ${e.text.trim()}`))
    : [];
  return {source: 'tap.sysfs', lines: lines.length ? lines : [`no ${prefix}{owner,group,tun_flags}`]};
}

/** Evidence that the kernel has no such device. */
export function kernelAbsenceEvidence(view: KernelTapView, tap: string): Evidence {
  return view.links ? {source: 'ip.addr', lines: [`no link named ${tap} in ip -j -d addr show`]} : {source: 'tap.sysfs', lines: [`no /sys/class/net/${tap}`]};
}

/** A link as one readable line: `tap0: tun type tap, flags NO-CARRIER,UP, master ovs-system`. */
export function linkEvidence(link: Link): Evidence {
  const kind = link.kind === 'tun' ? `tun type ${link.tunType ?? '?'}` : (link.kind ?? 'no linkinfo');
  const master = link.master ? `, master ${link.master}` : '';
  return {source: 'ip.addr', lines: [`${link.name}: ${kind}, flags ${link.flags.join(',')}${master}`]};
}

/** The `Port <name>` block of `ovs-vsctl show` (exact lines), else the port as read from the JSON lists. */
export function ovsPortEvidence(f: Facts, db: OvsDb, port: OvsPort): Evidence {
  const block = f.get(ovsShowLines)?.(port.name, port.bridge) ?? [];
  if (block.length) return {source: 'ovs.show', lines: block};
  const iface = ovsInterface(db, port.name);
  const fields = [
    `bridge=${port.bridge ?? '?'}`,
    `tag=${port.tag ?? '[]'}`,
    ...(db.from === 'json' ? [`vlan_mode=${port.vlanMode ?? '[]'}`] : []),
    ...(iface?.ofport !== undefined ? [`ofport=${iface.ofport}`] : []),
    ...(iface?.error ? [`error="${iface.error}"`] : []),
  ];
  return {source: db.from === 'json' ? 'ovs.ports' : 'ovs.show', lines: [`port ${port.name}: ${fields.join(' ')}`]};
}

/** The port as the JSON lists have it (for vlan_mode, which `ovs-vsctl show` never prints). */
export function ovsPortRowEvidence(port: OvsPort): Evidence {
  return {source: 'ovs.ports', lines: [`port ${port.name}: bridge=${port.bridge ?? '?'} tag=${port.tag ?? '[]'} vlan_mode=${port.vlanMode ?? '[]'}`]};
}

/** `ovs-vsctl show` split once, as a lookup of port blocks; undefined when it was not collected. */
const ovsShowLines: Fact<((port: string, bridge?: string) => string[]) | undefined> = (f) => {
  const show = f.view.command('ovs.show');
  if (!show.ok) return undefined;
  const lines = splitLines(show.value.text);
  return (port, bridge) => showBlock(lines, port, bridge);
};

/** Lines of `Port <name>` and everything indented below it, inside `Bridge <bridge>` when given. */
function showBlock(lines: readonly string[], port: string, bridge?: string): string[] {
  const names = (kind: string, name: string) => [`${kind} ${name}`, `${kind} "${name}"`];
  let inBridge = bridge === undefined;
  let bridgeIndent = -1;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    const indent = raw.length - raw.trimStart().length;
    if (bridge !== undefined && trimmed.startsWith('Bridge ')) {
      inBridge = names('Bridge', bridge).includes(trimmed);
      bridgeIndent = indent;
      continue;
    }
    if (!inBridge || !names('Port', port).includes(trimmed) || indent <= bridgeIndent) continue;
    const out = [raw.trimEnd()];
    for (let j = i + 1; j < lines.length; j++) {
      const next = lines[j]!;
      if (next.trim() === '') continue;
      if (next.length - next.trimStart().length <= indent) break;
      out.push(next.trimEnd());
    }
    return out;
  }
  return [];
}

/** The vars.json lines that hold the given keys (`"NICVLAN": "12",`), verbatim. */
export function varsEvidence(f: Facts, job: PoolJob, keys: string[]): Evidence {
  const path = `${job.dir}/vars.json`;
  const file = f.view.file('openqa.pool', path);
  const text = file.ok ? (file.value?.text ?? '') : '';
  const lines: string[] = [];
  for (const key of keys) {
    const hit = splitLines(text).find((l) => l.includes(`"${key}"`));
    if (hit !== undefined && hit.length <= 200) lines.push(hit.trim());
    else if (job.vars[key] !== undefined) lines.push(`"${key}": ${JSON.stringify(job.vars[key])}`);
  }
  return {source: `openqa.pool ${path}`, lines: lines.length ? lines : [`no ${keys.join('/')} in ${path}`]};
}

/** A workers.ini setting by its `file:line` origin: the line as written. */
export function settingEvidence(f: Facts, origin: string | undefined, fallback: string): Evidence {
  const at = origin?.lastIndexOf(':') ?? -1;
  if (origin && at > 0) {
    const path = origin.slice(0, at);
    const line = Number(origin.slice(at + 1));
    const hit = f.get(workersIniLines).get(path)?.[line - 1];
    if (hit !== undefined) return {source: 'openqa.workers-ini', lines: [`${origin}: ${hit.trim()}`]};
  }
  return {source: 'openqa.workers-ini', lines: [fallback]};
}

/** The lines of every captured workers.ini file, split once (each of 300 instances cites one). */
const workersIniLines: Fact<Map<string, string[]>> = (f) => {
  const entries = f.view.entries('openqa.workers-ini');
  return new Map(entries.ok ? entries.value.map((e) => [e.name, splitLines(e.text)]) : []);
};

/** The /etc/passwd line of a user. */
export function passwdEvidence(f: Facts, user: string): Evidence | undefined {
  const file = f.view.file('accounts', '/etc/passwd');
  const text = file.ok ? file.value?.text : undefined;
  const hit = text !== undefined ? splitLines(text).find((l) => l.startsWith(`${user}:`)) : undefined;
  return hit === undefined ? undefined : {source: 'accounts /etc/passwd', lines: [hit]};
}
