// TD106: the factory share must come back at boot. A share mounted by hand (`mount -t nfs4 …`) is
// gone after a reboot; the workers then start, take jobs and fail them with "Cannot find HDD_1
// asset" (Fedora's incident, salt-states-openqa openqa/nfs_share.sls; docs/checks/TD007.md). Persisted means an /etc/fstab line (automount or
// not, but not `noauto` alone) or an enabled .mount/.automount/var-lib-openqa-share.service unit.
import {editLinePattern} from '../remedies/files.js';
import {manual, type Step} from '../remedies/step.js';
import {enableUnit, fstabShare, SALT_SHARE_OPTIONS, systemdReload} from '../remedies/system.js';
import {defineCheck, evidence, pass, type CheckOutcome, type FindingDraft} from './define.js';
import meta from './TD106-share-not-persisted.meta.js';
import type {Facts} from '../facts/facts.js';
import {factoryShare, FACTORY_PATH, mountInfo, OPENQA_DIR} from '../facts/host/mounts.js';
import {enabledUnits} from '../facts/host/units.js';
import {workerConfig} from '../facts/openqa.js';
import {pathWithin} from '../parsers/mountinfo.js';
import {normalizeMountPoint} from '../parsers/fstab.js';
import {FactUnavailable} from '../facts/facts.js';
import {unitNameToPath} from '../parsers/systemd.js';
import {fileEvidence} from '../facts/file-evidence.js';
import {shareSources, sourceDifferences} from '../facts/host/share-source.js';

const NETWORK_FS = /^(nfs4?|cifs|smb3|glusterfs|fuse\..*)$/;

export default defineCheck(meta, (f) => {
  const share = f.get(factoryShare);
  const wc = f.get(workerConfig);
  const cache = wc.global.CACHEDIRECTORY ?? wc.instances.map((i) => i.settings.CACHEDIRECTORY).find((v) => v);
  const mountedNow = share.mount !== undefined && (NETWORK_FS.test(share.mount.fsType) || share.mount.fsType === 'autofs');
  if (!mountedNow && cache) return pass(`no share is mounted on ${OPENQA_DIR} and CACHEDIRECTORY=${cache}: the workers do not need it after a reboot`);
  // Nothing mounted now: a reboot takes nothing away. A local share (the web UI on this host) is
  // right; a missing one is broken already, which TD007 reports (an error, so the gate blocks).
  if (!mountedNow) return pass(`no network share is mounted on ${OPENQA_DIR} now, so a reboot loses none; whether factory/ is usable is TD007's question`);

  const enabled = f.get(enabledUnits);
  const fstab = share.fstab;
  const fstabOk = fstab !== undefined && (!fstab.options.includes('noauto') || fstab.options.includes('x-systemd.automount'));
  // An enabled unit that mounts the share or one of its ancestors below /var/lib/openqa.
  const unit = [...enabled].sort().find((u) => {
    if (u === 'var-lib-openqa-share.service') return true;
    if (!u.endsWith('.mount') && !u.endsWith('.automount')) return false;
    const where = unitNameToPath(u);
    return pathWithin(where, OPENQA_DIR) && pathWithin(FACTORY_PATH, where);
  });
  if (fstabOk || unit) return sourceMismatch(f, fstabOk ? undefined : unit);
  // The automount daemon (autofs.service, /etc/auto.master maps) mounts it again at boot: its
  // autofs mount (source = the map, not systemd-1) lies under the share or an ancestor.
  const daemonMap = share.mount ? f.get(mountInfo).find((e) => e.fsType === 'autofs' && e.source !== 'systemd-1' && pathWithin(share.mount!.mountPoint, e.mountPoint) && pathWithin(e.mountPoint, OPENQA_DIR)) : undefined;
  if (daemonMap && enabled.has('autofs.service')) return pass(`${daemonMap.mountPoint} is an autofs map of the automount daemon (${daemonMap.source}) and autofs.service is enabled: it mounts the share again after a reboot (the map files are not read)`);

  // No line found in an fstab that could not be read proves nothing.
  if (share.fstabUnknown) throw new FactUnavailable(`whether /etc/fstab mounts the share at boot is unknown: ${share.fstabUnknown}`);
  const point = share.mount?.mountPoint ?? (fstab ? normalizeMountPoint(fstab.file) : '/var/lib/openqa/share');
  const now = share.mount ? `${share.mount.fsType} ${share.mount.source} is mounted on ${share.mount.mountPoint} now` : `nothing is mounted on ${point} now and CACHEDIRECTORY is unset`;
  const ev = [
    ...(share.mount ? [evidence('/proc/self/mountinfo', `${share.mount.mountPoint} ${share.mount.fsType} ${share.mount.source} ${share.mount.options.join(',')}`)] : []),
    fstab ? fileEvidence(f, 'fstab', '/etc/fstab', [fstab.line]) : evidence('/etc/fstab', `no line mounts ${point} or an ancestor below ${OPENQA_DIR}`),
    evidence('systemd.wants', share.mountUnit ? `${share.mountUnit} exists but is not enabled` : `no enabled .mount/.automount unit for ${point}`),
  ];
  const source = share.mount && share.mount.fsType !== 'autofs' ? share.mount.source : fstab?.spec;
  let fix: Step[];
  if (fstab) fix = [editLinePattern('/etc/fstab', fstab.line, '\\bnoauto\\b', 'x-systemd.automount', {note: `line ${fstab.line}: noauto alone never mounts at boot`}), systemdReload()];
  else if (share.mountUnit) fix = [enableUnit(share.mountUnit)];
  // salt's line (nfs, retried, automounted); the share's own source when it is mounted now.
  else if (source) fix = fstabShare(source, point);
  else fix = [manual(`fstab:${point}`, 'the web UI host is unknown', [`# append to /etc/fstab: WEBUI:/var/lib/openqa/share ${point} nfs ${SALT_SHARE_OPTIONS} 0 0`])];
  return [
    {
      kind: 'not-mounted-at-boot',
      subject: point,
      message: `${now}, but ${fstab ? `/etc/fstab:${fstab.line} has noauto without x-systemd.automount` : 'neither /etc/fstab nor an enabled mount unit mounts it'}: after a reboot the workers fail jobs with "Cannot find … asset"`,
      fix,
      evidence: ev,
    },
  ];
});

/**
 * Persisted, but is it the same share? The next boot mounts the fstab line's (or the unit's)
 * server, export and type; a share mounted by hand from elsewhere silently changes at reboot.
 */
function sourceMismatch(f: Facts, unit: string | undefined): FindingDraft[] | CheckOutcome {
  const {persisted, mounted} = f.get(shareSources);
  if (!mounted) return [];
  if (!persisted) return pass(`${unit ?? 'a mount unit'} mounts the share at boot; its source (What=) was not captured, so it was not compared with the mounted ${mounted.server}:${mounted.export}`);
  const diff = sourceDifferences(persisted, mounted);
  if (diff.length === 0) return [];
  const share = f.get(factoryShare);
  const point = share.mount!.mountPoint;
  const now = `${share.mount!.source} (${share.mount!.fsType})`;
  const boot = `${persisted.server}:${persisted.export} (${persisted.type})`;
  const fstab = share.fstab;
  const keepNow: Step[] = fstab
    ? [editLinePattern('/etc/fstab', fstab.line, '^[^[:space:]]*', share.mount!.source, {note: `keep what is mounted now: line ${fstab.line} names ${fstab.spec}`}), systemdReload()]
    : [manual(`share-what:${point}`, 'the unit is edited with systemctl edit', [`systemctl edit --full ${unit ?? persisted.origin}   # set What=${share.mount!.source} to keep what is mounted now`])];
  return [
    {
      kind: 'source-mismatch',
      subject: point,
      message: `${point} is mounted from ${now} now, but ${persisted.origin} mounts ${boot} at boot (${diff.join(', ')}): after a reboot the workers read another share`,
      fix: [...keepNow, manual(`share-remount:${point}`, 'an alternative: the admin decides which share is right', [`# or, if ${persisted.origin} is right, mount that now and compare the assets before rebooting:`, `umount ${point} && mount ${point}`], 'verify')],
      evidence: [
        evidence('/proc/self/mountinfo', `${point} ${share.mount!.fsType} ${share.mount!.source}`),
        ...(fstab ? [fileEvidence(f, 'fstab', '/etc/fstab', [fstab.line])] : [evidence(persisted.origin, `What=${persisted.server}:${persisted.export}`)]),
      ],
    },
  ];
}
