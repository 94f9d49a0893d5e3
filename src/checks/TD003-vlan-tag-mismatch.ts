// TD003 vlan-tag-mismatch: every tap of a running tap job must be a port of the effective bridge
// with tag = the job's NICVLAN entry (TAPDEV zipped with NICVLAN, the last VLAN reused, 0 when
// none: os-autoinst backend/qemu.pm) and vlan_mode=dot1q-tunnel (OVS >= 2.8.1). A tag left on a
// tap no running job uses is reported as info. docs/checks/TD003.md.
import type {FindingDraft} from './define.js';
import meta from './TD003-vlan-tag-mismatch.meta.js';
import {addPort, setVlan} from '../remedies/network.js';
import {step} from '../remedies/step.js';
import {look, SWITCH_UNIT} from '../remedies/system.js';
import {notApplicable, defineCheck, pass, skip} from './define.js';
import {ovsDb} from '../facts/ovs.js';
import {poolJobs, switchConfig} from '../facts/openqa.js';
import {liveTapJobs, ovsPort, ovsPortEvidence, ovsPortRowEvidence, TAP_NAME, varsEvidence} from '../facts/taps.js';
import type {Facts} from '../facts/facts.js';
import type {OvsDb, PoolJob} from '../facts/types.js';

/** os-autoinst-openvswitch adds vlan_mode=dot1q-tunnel from this Open vSwitch version on. */
const DOT1Q_TUNNEL_SINCE = [2, 8, 1];

export default defineCheck(meta, (f) => {
  const jobs = f.get(poolJobs);
  const bridge = f.get(switchConfig).bridge;
  const db = f.get(ovsDb);
  const live = liveTapJobs(jobs);
  const notes: string[] = [];

  // A qemu.pid whose process could not be looked at: neither running nor idle for sure.
  const undecided = jobs.filter((j) => j.nicType === 'tap' && j.pid !== undefined && !j.aliveProbed);
  for (const j of jobs.filter((j) => j.problem)) notes.push(`${j.dir}: ${j.problem}`);

  const findings: FindingDraft[] = [];
  const checkMode = db.from === 'json' && !ovsOlderThan(db.ovsVersion, DOT1Q_TUNNEL_SINCE);
  if (db.from === 'show') notes.push('vlan_mode not checked: only `ovs-vsctl show` was available, and it never prints vlan_mode');
  for (const job of live) findings.push(...checkJob(f, db, bridge, job, live, checkMode));

  const inUse = new Set([...live, ...undecided].flatMap((j) => j.tapDevices));
  findings.push(...leftoverTags(f, db, bridge, inUse, live));

  if (live.length === 0 && findings.length === 0) {
    const unreadable = jobs.filter((j) => j.problem && j.alive);
    if (unreadable.length) return skip(`cannot read the vars.json of running job ${unreadable.map((j) => `${j.dir} (${j.problem})`).join(', ')}`);
    if (undecided.length) return skip(`cannot tell whether the qemu of ${undecided.map((j) => j.dir).join(', ')} is running: ${f.view.unusable('openqa.qemu-alive') ?? 'not probed'}`);
    const stale = jobs.filter((j) => j.nicType === 'tap').map((j) => j.dir);
    return notApplicable(`no running tap job on this host${stale.length ? ` (${stale.join(', ')}: vars.json without a live qemu, left by --no-cleanup or an ended job)` : ''}`);
  }
  return findings.length ? findings : pass(notes.join('; ') || undefined);
});

function checkJob(f: Facts, db: OvsDb, bridge: string, job: PoolJob, live: PoolJob[], checkMode: boolean): FindingDraft[] {
  const out: FindingDraft[] = [];
  const nonFatal = perlTrue(job.vars['QEMU_NON_FATAL_DBUS_CALL']);
  const jobVars = varsEvidence(f, job, ['NICVLAN', 'TAPDEV', ...(nonFatal ? ['QEMU_NON_FATAL_DBUS_CALL'] : [])]);
  job.tapDevices.forEach((tap, i) => {
    const vlan = job.vlans[i] ?? job.vlans[job.vlans.length - 1] ?? 0;
    const port = ovsPort(db, tap);
    // Jobs of the same cluster on this host share the VLAN (and must share the tag).
    const mates = live.filter((other) => other !== job && other.vlans.includes(vlan)).map((other) => other.dir);
    const cluster = mates.length ? `; its cluster on this host also runs ${mates.join(', ')} in VLAN ${vlan}` : '';
    // set_vlan sets the tag and vlan_mode and brings the tap up: the fix does all three.
    const tagFix = setVlan(tap, vlan, {mode: checkMode || db.from === 'show'});
    const journal = look('switch-journal', `journalctl -u ${SWITCH_UNIT} --since today   # set_vlan normally does this when the job starts; its errors are here and in the job's autoinst-log.txt`);

    if (!port) {
      out.push({
        kind: 'not-on-bridge',
        subject: tap,
        message: `${tap} of running job ${job.dir} is not an OVS port; expected a port of ${bridge} with tag ${vlan}`,
        fix: [addPort(bridge, tap), tagFix, journal, look(`persist-port:${tap}`, `make the port persistent: see TD012`)],
        evidence: [jobVars, {source: db.from === 'json' ? 'ovs.ports' : 'ovs.show', lines: [`no port named ${tap}`]}],
      });
      return;
    }
    const portEvidence = ovsPortEvidence(f, db, port);
    if (port.bridge !== bridge) {
      const where = port.bridge ? `a port of ${port.bridge}` : 'in OVSDB but on no bridge';
      out.push({
        kind: 'not-on-bridge',
        subject: tap,
        message: `${tap} of running job ${job.dir} is ${where}, not of ${bridge} (OS_AUTOINST_USE_BRIDGE): set_vlan refuses it ("'${tap}' is not connected to bridge '${bridge}'")`,
        fix: [
          step('runtime', `port:${tap}`, [`ovs-vsctl --if-exists del-port ${port.bridge ? `${port.bridge} ` : ''}${tap}`, `ovs-vsctl add-port ${bridge} ${tap}`]),
          tagFix,
          ...(port.bridge ? [look(`use-bridge:${port.bridge}`, `or, if all taps belong on ${port.bridge}: set OS_AUTOINST_USE_BRIDGE=${port.bridge} in /etc/sysconfig/os-autoinst-openvswitch, then systemctl restart ${SWITCH_UNIT}`)] : []),
        ],
        evidence: [jobVars, portEvidence],
      });
      return;
    }
    if (port.tag === undefined) {
      out.push({
        kind: 'untagged',
        subject: tap,
        ...(nonFatal ? {severity: 'warning' as const} : {}),
        message: `${tap} of running job ${job.dir} is untagged; expected tag ${vlan} (NICVLAN)${cluster}${
          nonFatal ? ': the job runs on because QEMU_NON_FATAL_DBUS_CALL=1 made the failed set_vlan non-fatal' : ' (a job started seconds ago may not be tagged yet: re-run then)'
        }`,
        fix: [tagFix, journal],
        evidence: [jobVars, portEvidence],
      });
      return;
    }
    if (port.tag !== vlan) {
      const owner = live.find((other) => other !== job && other.vlans.includes(port.tag!));
      out.push({
        kind: 'tag-differs',
        subject: tap,
        message: `${tap} has tag ${port.tag}, expected ${vlan} (NICVLAN of running job ${job.dir})${owner ? `: VLAN ${port.tag} belongs to job ${owner.dir}, so this SUT sits in another cluster's network` : ''}${cluster}`,
        fix: [tagFix, journal],
        evidence: [jobVars, portEvidence],
      });
      return;
    }
    if (checkMode && port.vlanMode !== 'dot1q-tunnel') {
      out.push({
        kind: 'vlan-mode',
        subject: tap,
        message: `${tap} has vlan_mode ${port.vlanMode ?? 'unset (access)'}, expected dot1q-tunnel: frames the SUT tags itself leave VLAN ${vlan} or are dropped`,
        fix: [step('runtime', `vlan:${tap}`, [`ovs-vsctl set port ${tap} vlan_mode=dot1q-tunnel`]), journal],
        evidence: [jobVars, ovsPortRowEvidence(port)],
      });
    }
  });
  return out;
}

/** Tags on the bridge's taps that no running job uses: unset_vlan did not run (a crashed job). */
function leftoverTags(f: Facts, db: OvsDb, bridge: string, inUse: Set<string>, live: PoolJob[]): FindingDraft[] {
  const ports = db.bridges.find((b) => b.name === bridge)?.ports ?? [];
  return ports
    .filter((p) => TAP_NAME.test(p.name) && p.tag !== undefined && !inUse.has(p.name))
    .map((p) => {
      const cluster = live.find((j) => j.vlans.includes(p.tag!));
      return {
        kind: 'leftover-tag',
        subject: p.name,
        message: `${p.name} keeps tag ${p.tag} but no running job uses it${cluster ? ` (VLAN ${p.tag} is the network of running job ${cluster.dir})` : ''}; the next job on it gets its own tag`,
        fix: [step('runtime', `vlan:${p.name}`, [`ovs-vsctl remove port ${p.name} tag ${p.tag}   # what unset_vlan does at the end of a job`])],
        evidence: [ovsPortEvidence(f, db, p)],
        explanation:
          'os-autoinst-openvswitch removes a job\'s tag with unset_vlan when the job ends; a tag that stays means that cleanup did not run (a crashed or killed job). It is harmless while no qemu uses the tap, and the next job on it sets its own tag.',
      };
    });
}

/** Perl truthiness of a vars.json value (os-autoinst tests `$vars{QEMU_NON_FATAL_DBUS_CALL}`). */
function perlTrue(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '' && v !== '0' && v !== 0 && v !== false;
}

/** ovs_version below `min`; false when the version is unknown (modern OVS assumed). */
export function ovsOlderThan(version: string | undefined, min: number[]): boolean {
  const m = version === undefined ? null : /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const v = [Number(m[1]), Number(m[2]), Number(m[3])];
  for (let i = 0; i < 3; i++) if (v[i] !== min[i]) return v[i]! < min[i]!;
  return false;
}
