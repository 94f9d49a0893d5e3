// Mounts and the factory share: effective mounts, the share's mount, its automount unit and fstab line,
// and whether it answers (the share.stat probe).
import {posix} from 'node:path';
import {normalizeMountPoint, parseFstab, type Fstab, type FstabEntry} from '../../parsers/fstab.js';
import {effectiveMounts, mountContaining, parseMountInfo, pathWithin, type MountInfoEntry} from '../../parsers/mountinfo.js';
import {unitNameToPath, unitValue} from '../../parsers/systemd.js';
import {readUnitFile} from './units.js';
import {FactUnavailable, type Fact, type Facts} from '../facts.js';
import type {SourceFile} from '../../sources/snapshot.js';
import type {Mount} from '../types.js';

/** Every /proc/self/mountinfo entry, stacked mounts included. */
export const mountInfo: Fact<MountInfoEntry[]> = (f) => {
  const file = f.file('mountinfo', '/proc/self/mountinfo');
  if (!file) throw new FactUnavailable('/proc/self/mountinfo was not captured');
  return parseMountInfo(file.text, '/proc/self/mountinfo');
};

/** Effective mounts: one per mount point, the last (topmost) entry wins (autofs, then its NFS). */
export const mounts: Fact<Mount[]> = (f) =>
  effectiveMounts(f.get(mountInfo)).map((e) => ({
    mountPoint: e.mountPoint,
    fsType: e.fsType,
    source: e.source,
    options: e.options,
    superOptions: e.superOptions,
  }));

/** The mount a path lives on (longest mount point containing it). */
export function mountFor(all: readonly Mount[], path: string): Mount | undefined {
  return mountContaining(all, path);
}

export const OPENQA_DIR = '/var/lib/openqa';
export const FACTORY_PATH = '/var/lib/openqa/share/factory';

export interface FactoryShare {
  path: string;
  /**
   * The mount holding factory/ when it is a mount of openQA's own tree (/var/lib/openqa or below,
   * usually /var/lib/openqa/share); undefined when factory/ just lies on /, /var, ...
   */
  mount?: Mount;
  /** The mount factory/ lives on, whatever it is (for evidence: "on / (ext4)"). */
  coveringMount?: Mount;
  /** The share's mount is an idle systemd automount (`autofs systemd-1`): configured, not missing. */
  automountOnly: boolean;
  /** The share.stat probe: answered (ok), hung or ESTALE (stale), absent (missing), or no probe. */
  stat: 'ok' | 'stale' | 'missing' | 'not-probed';
  /** The probe's output or error, or why it was not probed. */
  statDetail?: string;
  /** The fstab line that mounts factory/ or an ancestor within /var/lib/openqa. */
  fstab?: FstabEntry;
  /** Why /etc/fstab could not be read or parsed: then no fstab line is no proof of none. */
  fstabUnknown?: string;
  /** A unit that mounts it: x.automount preferred over x.mount over var-lib-openqa-share.service. */
  mountUnit?: string;
}

const MOUNT_UNIT_RANK = (name: string) => (name.endsWith('.automount') ? 0 : name.endsWith('.mount') ? 1 : 2);

export const factoryShare: Fact<FactoryShare> = (f) => {
  const all = f.get(mounts);
  const covering = mountFor(all, FACTORY_PATH);
  const own = covering && pathWithin(covering.mountPoint, OPENQA_DIR) ? covering : undefined;
  const share: FactoryShare = {path: FACTORY_PATH, automountOnly: own?.fsType === 'autofs', ...shareStat(f)};
  if (covering) share.coveringMount = covering;
  if (own) share.mount = own;

  const fstab = f.try(fstabFile);
  if (!fstab.ok) share.fstabUnknown = fstab.reason;
  if (fstab.ok) {
    const candidates = fstab.value.entries.filter((e) => {
      const point = normalizeMountPoint(e.file);
      return pathWithin(point, OPENQA_DIR) && pathWithin(FACTORY_PATH, point);
    });
    const best = candidates.sort((a, b) => normalizeMountPoint(b.file).length - normalizeMountPoint(a.file).length)[0];
    if (best) share.fstab = best;
  }

  const units = f.try(mountUnitFiles);
  if (units.ok) {
    const names: string[] = [];
    for (const e of units.value) {
      const name = posix.basename(e.name);
      if (name === 'var-lib-openqa-share.service') {
        names.push(name);
        continue;
      }
      if (!name.endsWith('.mount') && !name.endsWith('.automount')) continue;
      const where = unitValue(readUnitFile(f, 'systemd.mount-units', e), name.endsWith('.mount') ? 'Mount' : 'Automount', 'Where') ?? unitNameToPath(name);
      if (pathWithin(where, OPENQA_DIR) && pathWithin(FACTORY_PATH, where)) names.push(name);
    }
    names.sort((a, b) => MOUNT_UNIT_RANK(a) - MOUNT_UNIT_RANK(b) || (a < b ? -1 : a > b ? 1 : 0));
    if (names[0]) share.mountUnit = names[0];
  }
  return share;
};

function shareStat(f: Facts): Pick<FactoryShare, 'stat' | 'statDetail'> {
  const unusable = f.view.unusable('share.stat');
  if (unusable) return {stat: 'not-probed', statDetail: unusable};
  const entry = f.view.record('share.stat')!.entries[0];
  if (!entry) return {stat: 'not-probed', statDetail: 'the probe recorded nothing'};
  const output = (f.view.snapshot.contents.get(entry.path)?.toString('utf8') ?? '').trim();
  // The probe stores a hang or ESTALE as its text, which its stderr may repeat: each once.
  const said = [...new Set([entry.error, entry.stderr?.trim(), output].filter((s): s is string => !!s))].join('; ');
  if (/timed out|stale file handle/i.test(said)) return {stat: 'stale', statDetail: said};
  if (entry.absent || /no such file or directory/i.test(said)) return {stat: 'missing', statDetail: said || 'absent'};
  if (entry.error) return {stat: 'not-probed', statDetail: entry.error};
  if (output === 'directory' || output === 'symbolic link') return {stat: 'ok', statDetail: output};
  return {stat: 'missing', statDetail: output ? `factory is a ${output}, not a directory` : 'stat printed nothing'};
}

/** The captured .mount/.automount units and var-lib-openqa-share.service. */
export const mountUnitFiles: Fact<SourceFile[]> = (f) => f.entries('systemd.mount-units');

/** /etc/fstab parsed; a host without fstab has no entries. */
export const fstabFile: Fact<Fstab> = (f) => {
  const file = f.file('fstab', '/etc/fstab');
  if (!file) return {entries: [], problems: []};
  const fstab = parseFstab(file.text, '/etc/fstab');
  f.noteParseProblems('fstab', fstab.problems, '/etc/fstab');
  return fstab;
};
