// TD013 tap-ownership: a tap the worker needs whose owner/group would refuse the worker user
// (kernel rule, drivers/net/tun.c tun_not_capable(); docs/checks/TD013.md: owner unset (-1) or the worker user, group unset or one of
// its groups). Error when qemu lacks CAP_NET_ADMIN to get around it, info when it has it. Taps
// that do not exist are TD012's; a non-persistent tap no running job holds is a warning.
import {notApplicable, defineCheck, pass, skip, type FindingDraft} from './define.js';
import meta from './TD013-tap-ownership.meta.js';
import type {Facts} from '../facts/facts.js';
import {ifcfgFiles, nmProfiles, tapOwnerSettings} from '../facts/network-config/index.js';
import {tapSysfs} from '../facts/host/tap-sysfs.js';
import {switchConfig} from '../facts/openqa.js';
import {getcapEvidence, kernelTapView, neededTaps, passwdEvidence, qemuNetAdmin, sysfsEvidence, tapAccess, tapDevice, tapOwnerNames, usersOf, workerIdentity, type NeededTap, type QemuCap} from '../facts/taps.js';
import {networkStack, type NetworkStack} from '../facts/network-stack.js';
import {recreateTap} from '../remedies/network.js';
import {persistTap, persistTapOwner} from '../remedies/taps.js';
import type {Evidence} from '../model.js';

export default defineCheck(meta, (f) => {
  f.get(tapSysfs); // owner/group come only from sysfs: without it there is nothing to judge
  const needed = f.get(neededTaps);
  if (needed.length === 0) return notApplicable('no worker instance has tap in WORKER_CLASS and no tap job is running');
  const view = f.get(kernelTapView);
  const who = workerIdentity(f);
  const qemu = qemuCapability(f);
  const bridge = f.get(switchConfig).bridge;
  const stack = f.get(networkStack).stack;

  const findings: FindingDraft[] = [];
  const unknown: string[] = [];
  let judged = 0;
  for (const t of needed) {
    const dev = tapDevice(view, t.name);
    if (!dev.exists || dev.isTap === false) continue; // TD012 reports missing and non-tap devices
    const access = tapAccess(dev.sysfs, who.worker, f.config.workerUser, who.db);
    if (access.verdict === 'unknown') {
      unknown.push(`${t.name}: ${access.unknownBecause}`);
      continue;
    }
    judged++;
    if (access.verdict === 'refused') {
      findings.push(refused(f, t, access.refusals, access.refusedBy ?? 'owner', qemu, bridge, stack));
    } else if (dev.persistent === false && t.jobs.length === 0) {
      findings.push({
        kind: 'not-persistent',
        subject: t.name,
        message: `${t.name} (${usersOf(t)}) is not persistent (tun_flags without TUN_PERSIST): it vanishes with the process holding it, and no running job holds it`,
        fix: [recreateTap(t.name, bridge, tapOwnerNames(f)), ...persistTap(f, t.name, bridge, stack)],
        evidence: [sysfsEvidence(f, t.name)],
        explanation:
          'A tap without TUN_PERSIST exists only while the process that made it keeps it open: the next job finds it gone (qemu then needs CAP_NET_ADMIN to create it) or still held by someone else.',
      });
    }
  }
  if (findings.length) return findings;
  if (judged === 0 && unknown.length) return skip(`cannot judge tap ownership: ${unknown.join('; ')}`);
  return unknown.length ? pass(`not judged: ${unknown.join('; ')}`) : [];
});

interface QemuCapability {
  /** Every captured qemu-system binary has an effective cap_net_admin. */
  has: boolean;
  /** Why not: the binaries without it, or why it is unknown. */
  detail: string;
  lacking: QemuCap[];
}

function qemuCapability(f: Facts): QemuCapability {
  const caps = f.try(qemuNetAdmin);
  if (!caps.ok) return {has: false, detail: `qemu's capabilities are unknown (${caps.reason})`, lacking: []};
  if (caps.value.length === 0) return {has: false, detail: 'no qemu-system binary was captured to check for CAP_NET_ADMIN', lacking: []};
  const lacking = caps.value.filter((c) => !c.effective);
  if (lacking.length === 0) return {has: true, detail: `qemu has CAP_NET_ADMIN (${caps.value.map((c) => c.path).join(', ')}), which gets around it`, lacking};
  return {has: false, detail: `qemu lacks CAP_NET_ADMIN (${lacking.map((c) => c.path).join(', ')}), so jobs fail with "could not configure /dev/net/tun (…): Operation not permitted"`, lacking};
}

function refused(f: Facts, t: NeededTap, refusals: string[], by: 'owner' | 'group', qemu: QemuCapability, bridge: string, stack: NetworkStack | undefined): FindingDraft {
  const owner = tapOwnerNames(f);
  const evidence: Evidence[] = [sysfsEvidence(f, t.name)];
  const passwd = passwdEvidence(f, f.config.workerUser);
  if (passwd) evidence.push(passwd);
  evidence.push(...persistedOwnerEvidence(f, t.name));
  if (!qemu.has) evidence.push(...qemu.lacking.slice(0, 1).flatMap(getcapEvidence));
  return {
    kind: `${by}-refuses-worker`,
    subject: t.name,
    // CAP_NET_ADMIN lets qemu open the tap whoever owns it: then no fault, only a note.
    ...(qemu.has ? {severity: 'info' as const} : {}),
    message: `${t.name} (${usersOf(t)}) refuses the worker user: ${refusals.join('; ')}; ${qemu.detail.replace('(…)', `(${t.name})`)}`,
    // Persist first; re-creating the tap under a running job waits for the job (guarded in the plan).
    fix: [...persistTapOwner(f, t.name, stack), recreateTap(t.name, bridge, owner, t.jobs[0]?.dir)],
    evidence,
  };
}

/** The persisted owner/group of a tap: wicked TUNNEL_SET_OWNER/GROUP lines, NM tun.owner/group. */
function persistedOwnerEvidence(f: Facts, tap: string): Evidence[] {
  const out: Evidence[] = [];
  const ifcfg = f.try(ifcfgFiles);
  const file = ifcfg.ok ? ifcfg.value[tap] : undefined;
  if (file) {
    const set = tapOwnerSettings(file);
    const lines = [set.owner, set.group].filter((e) => e !== undefined).map((e) => `${file.linkTarget ? `${file.path} -> ${file.linkTarget}` : file.path}:${e.line}: ${e.name}='${e.value}'`);
    if (lines.length) out.push({source: 'network.ifcfg', lines});
  }
  const nm = f.try(nmProfiles);
  const tun = (nm.ok ? (nm.value[tap] ?? []) : []).find((p) => p.profile?.type === 'tun');
  if (tun?.profile?.tun) out.push({source: 'network.nm', lines: [`${tun.path}: [tun] owner=${tun.profile.tun.owner ?? ''} group=${tun.profile.tun.group ?? ''}`]});
  return out;
}
