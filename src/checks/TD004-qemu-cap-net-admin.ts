// TD004 qemu-cap-net-admin: a qemu-system binary without an effective cap_net_admin (flags e and p,
// not voided by a nosuid mount). Error when qemu must create or open a tap it cannot without it (a
// tap-class instance's tap is missing or refuses the worker user, or TAPSCRIPT is in use); info
// when every tap is usable anyway (upstream's setup drops the capability on purpose, docs/checks/TD004.md), warning when that could not be judged; info for a binary no tap job here runs (WORKER_CLASS qemu_<arch> / QEMU pick the binary);
// skipped on hosts without tap-class instances. kernel drivers/net/tun.c tun_not_capable(); docs/checks/TD004.md.
import {manual, type Step} from '../remedies/step.js';
import {qemuCapability, remountSuid} from '../remedies/system.js';
import {notApplicable, defineCheck, pass, skip, type FindingDraft} from './define.js';
import meta from './TD004-qemu-cap-net-admin.meta.js';
import type {Facts} from '../facts/facts.js';
import {poolJobs, workerConfig} from '../facts/openqa.js';
import {capNeed, getcapEvidence, liveTapJobs, qemuNetAdmin, type CapNeed, type QemuCap} from '../facts/taps.js';
import {parseShellVars} from '../parsers/shellvars.js';
import {modelOrParseError, ParseError} from '../parsers/errors.js';

export default defineCheck(meta, (f) => {
  const need = f.get(capNeed);
  if (need.tapInstances.length === 0) return notApplicable('no worker instance has tap in WORKER_CLASS: qemu opens no tap here');
  const caps = f.get(qemuNetAdmin);
  if (caps.length === 0) return skip('no qemu-system binary was captured (getcap ran on none)');
  const lacking = caps.filter((c) => !c.effective);
  if (lacking.length === 0) return pass();
  const distro = distroFamily(f);
  const used = usedBinaries(f, caps);
  return lacking.map((cap) => finding(cap, need, distro, used));
});

/**
 * The qemu binaries tap jobs run, by os-autoinst's choice (backend/qemu.pm): QEMU=<arch> picks
 * qemu-system-<arch>, else a WORKER_CLASS entry qemu_<arch> does. Undefined when nothing names one
 * (qemu.pm then takes the first binary it finds, so every binary counts).
 */
function usedBinaries(f: Facts, caps: QemuCap[]): Set<string> | undefined {
  const captured = new Set(caps.map((c) => basename(c.path)));
  const used = new Set<string>();
  const consider = (qemu: unknown, classes: unknown) => {
    if (typeof qemu === 'string' && qemu !== '') return void used.add(`qemu-system-${qemu}`);
    const names = typeof classes === 'string' ? classes.split(',').map((c) => c.trim()) : [];
    const pick = names.map((c) => c.replace(/^qemu_/, 'qemu-system-')).find((b) => b.startsWith('qemu-system-') && captured.has(b));
    if (pick) used.add(pick);
  };
  for (const i of f.get(workerConfig).instances.filter((x) => x.tap)) consider(i.settings['QEMU'], i.settings['WORKER_CLASS']);
  const jobs = f.try(poolJobs);
  if (jobs.ok) for (const j of liveTapJobs(jobs.value)) consider(j.vars['QEMU'], j.vars['WORKER_CLASS']);
  return used.size ? used : undefined;
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

function finding(cap: QemuCap, need: CapNeed, distro: Distro, used: Set<string> | undefined): FindingDraft {
  if (used && !used.has(basename(cap.path))) {
    return {
      kind: 'unused-binary',
      subject: cap.path,
      message: `${cap.path} ${capState(cap)}; no tap job here runs it (they run ${[...used].sort().join(', ')})`,
      fix: fixFor(cap, distro),
      evidence: getcapEvidence(cap),
      explanation:
        'os-autoinst runs qemu-system-<arch> from the QEMU setting or a qemu_<arch> worker class; a binary no tap job here uses needs no capability today, but gets tap jobs as soon as a worker class or QEMU setting names it.',
    };
  }
  const required = need.reasons.length > 0;
  const state = capState(cap);
  const why = required
    ? `qemu needs it here: ${need.reasons.map((r) => r.why).join('; ')}`
    : `every existing tap is usable without it today${need.unknown.length ? ` as far as visible (${need.unknown.join('; ')})` : ''}, but TAPSCRIPT needs it and qemu updates drop it${
        need.missingTaps.length ? ` (missing ${need.missingTaps.join(', ')}: TD012's finding; a tap qemu creates is no port of the bridge, so the capability would not make it work)` : ''
      }`;
  // Not needed today: upstream (os-autoinst@971a9a7e) runs without it on purpose, so that is no
  // fault (info); only when the taps could not be judged does it stay a warning.
  return {
    kind: required ? 'required' : 'not-required',
    subject: cap.path,
    ...(!required && need.unknown.length > 0 ? {severity: 'warning' as const} : {}),
    message: `${cap.path} ${state}; ${why}`,
    fix: fixFor(cap, distro),
    evidence: [...getcapEvidence(cap), ...need.reasons.slice(0, 4).flatMap((r) => r.evidence)],
  };
}

function capState(cap: QemuCap): string {
  if (cap.nosuidMount && cap.hasCap) return `has cap_net_admin=${cap.flags}, but ${cap.nosuidMount.mountPoint} is mounted nosuid, so the kernel ignores its file capabilities`;
  if (cap.flags) return `has cap_net_admin=${cap.flags}, needs both e and p (cap_net_admin=ep)`;
  return 'lacks cap_net_admin, expected cap_net_admin=ep';
}

type Distro = 'suse' | 'fedora' | undefined;

function fixFor(cap: QemuCap, distro: Distro): Step[] {
  const steps: Step[] = [];
  if (cap.nosuidMount) {
    steps.push(...remountSuid(cap.nosuidMount.mountPoint));
    if (cap.hasCap) return steps;
  }
  const fedora = manual(`cap-config-management:${cap.path}`, 'keeping it across qemu updates belongs to config management', [
    '# Fedora: keep it across qemu updates in config management, as fedora-infra tap-setup.yml does:',
    `#   community.general.capabilities: path=${cap.path} capability=cap_net_admin+ep state=present`,
  ]);
  if (distro === 'suse') steps.push(...qemuCapability(cap.path, {suse: true}));
  else if (distro === 'fedora') steps.push(...qemuCapability(cap.path, {suse: false}), fedora);
  else {
    const [setcap, permissions] = qemuCapability(cap.path, {suse: true});
    steps.push(setcap!, {...permissions!, manual: 'SUSE only: the distribution is unknown'}, fedora);
  }
  return steps;
}

/** SUSE or Fedora family from /etc/os-release (ID, ID_LIKE); undefined when unknown. */
function distroFamily(f: Facts): Distro {
  const file = f.view.file('os-release', '/etc/os-release');
  if (!file.ok || !file.value) return undefined;
  const text = file.value.text;
  const osRelease = modelOrParseError(() => parseShellVars(text, '/etc/os-release'));
  if (osRelease instanceof ParseError) return undefined;
  const ids = `${osRelease.values['ID'] ?? ''} ${osRelease.values['ID_LIKE'] ?? ''}`.toLowerCase().split(/\s+/);
  if (ids.some((i) => i.includes('suse') || i === 'sles')) return 'suse';
  if (ids.some((i) => i === 'fedora' || i === 'rhel' || i === 'centos')) return 'fedora';
  return undefined;
}
