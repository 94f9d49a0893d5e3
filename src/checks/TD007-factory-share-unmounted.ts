// TD007: /var/lib/openqa/share/factory on a worker host is not on an NFS mount (salt-states-openqa openqa/nfs_share.sls; docs/checks/TD007.md).
//
// Without CACHEDIRECTORY the worker takes assets straight from the share: jobs on a missing share
// fail with "Cannot find HDD_1 asset". With a cache the share is optional (SUSE OSD mounts it
// read-only anyway), so a missing share is only info there.
//
// Outcomes: NFS mounted and factory/ answers → no finding; an idle systemd automount (`autofs
// systemd-1`) → configured, pass with a note (never triggered by tapdoctor); a stale NFS handle →
// error (warning with a cache: it still hangs whatever touches it); a local or tmpfs mount, or no
// mount at all → error (info with a cache). A host without worker instances (web UI) is skipped;
// a host running the web UI itself keeps the share locally, which is right.
import {posix} from 'node:path';
import type {Facts} from '../facts/facts.js';
import {FACTORY_PATH, factoryShare, mountInfo, type FactoryShare} from '../facts/host/mounts.js';
import {activeUnits, enabledUnits} from '../facts/host/units.js';
import {workerConfig} from '../facts/openqa.js';
import type {Mount, WorkerConfig} from '../facts/types.js';
import type {Evidence, Severity} from '../model.js';
import {manual, step, type Step} from '../remedies/step.js';
import {enableUnit, fstabShare, look, SALT_SHARE_OPTIONS, startUnit} from '../remedies/system.js';
import {defineCheck, evidence, notApplicable, pass, type FindingDraft} from './define.js';
import meta from './TD007-factory-share-unmounted.meta.js';

export const SHARE_DIR = posix.dirname(FACTORY_PATH);

const NFS_TYPES = new Set(['nfs', 'nfs4']);
/** Network filesystems that can serve the share, though not the NFS the docs describe. */
const OTHER_NETWORK_TYPES = new Set(['cifs', 'smb3', 'ceph', 'glusterfs', 'fuse.glusterfs', 'fuse.sshfs', 'virtiofs', '9p', 'lustre']);
const WEBUI_UNITS = ['openqa-webui.service', 'openqa-gru.service'];

export default defineCheck(meta, (f) => {
  const wc = f.get(workerConfig);
  if (wc.instances.length === 0) {
    return notApplicable('no openQA worker instance on this host (no enabled openqa-worker@N unit or workers.ini instance): a web UI host keeps the share locally');
  }
  const share = f.get(factoryShare);
  const ctx = context(f, wc, share);

  if (share.stat === 'stale') return [staleFinding(f, ctx)];

  const mount = share.mount ?? (share.coveringMount && NFS_TYPES.has(share.coveringMount.fsType) ? share.coveringMount : undefined);
  if (mount && NFS_TYPES.has(mount.fsType)) {
    if (share.stat === 'ok') return [];
    if (share.stat === 'missing') return [factoryMissingFinding(f, ctx, mount)];
    return pass(`${mount.mountPoint} is an NFS mount from ${mount.source}, but factory/ could not be probed (${share.statDetail ?? 'not probed'})`);
  }
  if (share.automountOnly && mount) {
    return pass(`${mount.mountPoint} is an idle systemd automount (autofs ${mount.source}): configured, mounts on first access; tapdoctor does not trigger it`);
  }
  if (mount && OTHER_NETWORK_TYPES.has(mount.fsType)) {
    return pass(`${mount.mountPoint} is a ${mount.fsType} mount from ${mount.source}, not NFS: assumed to serve the share`);
  }
  if (ctx.webuiHere) {
    return pass(`the openQA web UI runs on this host (${ctx.webuiHere}): its local ${SHARE_DIR} is the share`);
  }
  return [notSharedFinding(f, ctx, mount)];
});

// --- context -----------------------------------------------------------------------------------

interface Ctx {
  share: FactoryShare;
  mountPoint: string;
  /** Every worker instance has CACHEDIRECTORY: the share is optional. */
  optional: boolean;
  cacheEvidence: Evidence;
  webuiHere?: string;
  host?: string;
}

function context(f: Facts, wc: WorkerConfig, share: FactoryShare): Ctx {
  const uncached = wc.instances.filter((i) => !i.settings['CACHEDIRECTORY']);
  const cached = wc.instances.filter((i) => i.settings['CACHEDIRECTORY']);
  const cacheLine = cached[0] ? `${cached[0].origin?.['CACHEDIRECTORY'] ?? 'workers.ini'}: CACHEDIRECTORY = ${cached[0].settings['CACHEDIRECTORY']}` : undefined;
  const cacheEvidence =
    uncached.length === 0
      ? evidence('openqa.workers-ini', cacheLine!)
      : evidence('openqa.workers-ini', `no CACHEDIRECTORY for instance${uncached.length > 1 ? 's' : ''} ${uncached.map((i) => i.instance).join(', ')}: assets come from ${SHARE_DIR}`);
  const ctx: Ctx = {
    share,
    mountPoint: share.mount?.mountPoint ?? share.fstab?.file.replace(/(.)\/+$/, '$1') ?? SHARE_DIR,
    optional: uncached.length === 0,
    cacheEvidence,
  };
  const webui = webuiUnit(f);
  if (webui) ctx.webuiHere = webui;
  const host = webuiHost(wc.global['HOST']);
  if (host) ctx.host = host;
  return ctx;
}

function webuiUnit(f: Facts): string | undefined {
  const active = f.try(activeUnits);
  const enabled = f.try(enabledUnits);
  return WEBUI_UNITS.find((u) => (active.ok && ['active', 'activating', 'reloading'].includes(active.value[u]?.active ?? '')) || (enabled.ok && enabled.value.has(u)));
}

/** The web UI's host name from workers.ini HOST (first of several, scheme and port dropped); not localhost. */
function webuiHost(host: string | undefined): string | undefined {
  const first = host?.trim().split(/\s+/)[0];
  if (!first) return undefined;
  const name = first.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/[/:].*$/, '');
  return name && name !== 'localhost' && name !== '127.0.0.1' && name !== '::1' ? name : undefined;
}

// --- evidence ----------------------------------------------------------------------------------

/** The raw mountinfo lines for a mount point (stacked entries included). */
function mountLines(f: Facts, mountPoint: string): string[] {
  const entries = f.try(mountInfo);
  const file = f.view.file('mountinfo', '/proc/self/mountinfo');
  if (!entries.ok || !file.ok || !file.value) return [];
  const lines = file.value.text.split('\n');
  return entries.value.filter((e) => e.mountPoint === mountPoint).map((e) => (lines[e.line - 1] ?? '').trim());
}

function fstabLine(f: Facts, share: FactoryShare): string | undefined {
  if (!share.fstab) return undefined;
  const file = f.view.file('fstab', '/etc/fstab');
  const raw = file.ok && file.value ? file.value.text.split('\n')[share.fstab.line - 1]?.trim() : undefined;
  return `/etc/fstab:${share.fstab.line}: ${raw ?? `${share.fstab.spec} ${share.fstab.file} ${share.fstab.vfsType} ${share.fstab.options.join(',')}`}`;
}

function baseEvidence(f: Facts, ctx: Ctx, mount: Mount | undefined): Evidence[] {
  const ev: Evidence[] = [];
  const point = mount?.mountPoint ?? ctx.share.coveringMount?.mountPoint;
  const lines = point ? mountLines(f, point) : [];
  if (lines.length > 0) ev.push(evidence('mountinfo', ...lines));
  if (ctx.share.stat !== 'not-probed') ev.push(evidence('share.stat', `stat -c %F ${FACTORY_PATH}: ${ctx.share.statDetail ?? ctx.share.stat}`));
  const fstab = fstabLine(f, ctx.share);
  if (fstab) ev.push(evidence('fstab', fstab));
  ev.push(ctx.cacheEvidence);
  return ev;
}

// --- findings ----------------------------------------------------------------------------------

function severityFor(ctx: Ctx, whenRequired: Severity, whenOptional: Severity): Severity {
  return ctx.optional ? whenOptional : whenRequired;
}

const OPTIONAL_NOTE = ' (optional here: every instance has CACHEDIRECTORY)';
const REQUIRED_NOTE = ': jobs fail with "Cannot find HDD_1 asset"';

function staleFinding(f: Facts, ctx: Ctx): FindingDraft {
  const mp = ctx.mountPoint;
  return {
    kind: 'stale-handle',
    subject: mp,
    severity: severityFor(ctx, 'error', 'warning'),
    message: `${mp} is a stale NFS mount (${ctx.share.statDetail ?? 'stat hung'}), expected factory/ to answer: every process touching it hangs${ctx.optional ? OPTIONAL_NOTE : ', jobs included'}`,
    fix: [step('runtime', `remount:${mp}`, [`umount -f -l ${mp} && mount ${mp}`, `# recurring? salt's openqa/recover-nfs.sh does this hourly (timeout --signal=KILL 5 df ${mp})`])],
    evidence: baseEvidence(f, ctx, ctx.share.mount),
  };
}

function factoryMissingFinding(f: Facts, ctx: Ctx, mount: Mount): FindingDraft {
  return {
    kind: 'factory-missing',
    subject: mount.mountPoint,
    severity: severityFor(ctx, 'error', 'info'),
    message: `${mount.mountPoint} is mounted from ${mount.source} but ${FACTORY_PATH} is missing (${ctx.share.statDetail ?? 'absent'}), expected the web UI's share with factory/${ctx.optional ? OPTIONAL_NOTE : REQUIRED_NOTE}`,
    fix: [manual(`export:${mount.mountPoint}`, 'the right export path is the admin\'s to find', [`ls ${mount.mountPoint}   # the export must be the web UI's /var/lib/openqa/share (with factory/, tests/)`, `# fix the export path in /etc/fstab, then: umount ${mount.mountPoint} && mount ${mount.mountPoint}`], 'runtime')],
    evidence: baseEvidence(f, ctx, mount),
  };
}

function notSharedFinding(f: Facts, ctx: Ctx, mount: Mount | undefined): FindingDraft {
  const mp = ctx.mountPoint;
  const where = mount
    ? `a ${mount.fsType} mount${mount.source && mount.source !== mount.fsType ? ` (${mount.source})` : ''}, not NFS`
    : `not mounted: factory/ lies on ${ctx.share.coveringMount ? `${ctx.share.coveringMount.mountPoint} (${ctx.share.coveringMount.fsType})` : 'the local disk'}`;
  return {
    kind: mount ? 'not-nfs' : 'not-mounted',
    subject: mp,
    severity: severityFor(ctx, 'error', 'info'),
    message: `${mp} is ${where}, expected an nfs/nfs4 mount of the web UI's share${ctx.optional ? OPTIONAL_NOTE : REQUIRED_NOTE}`,
    fix: mountFix(ctx, mount),
    evidence: baseEvidence(f, ctx, mount),
  };
}

/** systemd's unit name for a mount point (`/var/lib/openqa/share` → `var-lib-openqa-share`). */
function unitName(mountPoint: string): string {
  return mountPoint.replace(/^\/+|\/+$/g, '').replace(/-/g, '\\x2d').replace(/\/+/g, '-');
}

function mountFix(ctx: Ctx, mount: Mount | undefined): Step[] {
  const mp = ctx.mountPoint;
  const unit = unitName(mp);
  const steps: Step[] = [];
  if (mount) steps.push(step('runtime', `umount:${mp}`, [`umount ${mp}   # the ${mount.fsType} mount hides the share`]));
  const fstab = ctx.share.fstab;
  if (fstab && NFS_TYPES.has(fstab.vfsType)) {
    // Configured but not mounted: find out why (unless something else sat on top), then mount it.
    const automount = fstab.options.includes('x-systemd.automount');
    if (!mount) steps.push(look(`journal:${unit}`, `journalctl -b -u ${unit}.${automount ? 'automount' : 'mount'}   # why the ${automount ? 'automount' : 'mount'} from /etc/fstab line ${fstab.line} is not active`));
    steps.push(automount ? startUnit(`${unit}.automount`) : step('reload', `mount:${mp}`, [`mount ${mp}`]));
    if (automount) steps.push(step('reload', `mount:${mp}`, [`ls ${mp}/factory >/dev/null   # the first access mounts it`]));
    return steps;
  }
  if (ctx.share.mountUnit) {
    steps.push(enableUnit(ctx.share.mountUnit, true));
    return steps;
  }
  if (fstab) steps.push(manual(`fstab-other:${mp}`, `/etc/fstab line ${fstab.line} mounts ${fstab.spec} as ${fstab.vfsType}: which line stays is the admin's`, [`# replace /etc/fstab line ${fstab.line} by the NFS line below`]));
  if (ctx.host) steps.push(...fstabShare(`${ctx.host}:/var/lib/openqa/share`, mp));
  else steps.push(manual(`fstab:${mp}`, 'the web UI host is unknown (HOST in workers.ini)', [`# append to /etc/fstab: WEBUI:/var/lib/openqa/share ${mp} nfs ${SALT_SHARE_OPTIONS} 0 0`]));
  steps.push(
    startUnit(`${unit}.automount`),
    manual(`share-fedora:${mp}`, 'an alternative setup', [`# Fedora's way: var-lib-openqa-share.service, plus a worker drop-in ExecStartPre=/usr/bin/test -d ${FACTORY_PATH} so workers take no job without the share`], 'verify'),
  );
  return steps;
}
