// Where the factory share comes from: the persisted source (the /etc/fstab line, or a captured
// mount unit's What=/Type=) and the mounted one, in one comparable form. A reboot mounts the
// persisted source, so a share mounted by hand from another server or export changes under the
// workers at the next boot even though "something mounts the path".
import {posix} from 'node:path';
import {unitValue} from '../../parsers/systemd.js';
import {readUnitFile} from './units.js';
import type {Fact} from '../facts.js';
import {factoryShare, mountUnitFiles} from './mounts.js';

export interface ShareSource {
  server: string;
  export: string;
  /** nfs and nfs4 are one family: mount.nfs negotiates the version, so `nfs` in fstab mounts as nfs4. */
  type: string;
  /** Where it was read: "/etc/fstab:2", "var-lib-openqa-share.mount", "/proc/self/mountinfo". */
  origin: string;
}

export interface ShareSources {
  /** Undefined when nothing persisted names a source we could read (a unit under /usr/lib, say). */
  persisted?: ShareSource;
  /** Undefined when no network file system is mounted on the share now. */
  mounted?: ShareSource;
}

/** `server:/export` (NFS) or `//server/export` (CIFS) split into comparable parts. */
export function splitSource(spec: string, type: string, origin: string): ShareSource {
  const family = /^nfs4?$/.test(type) ? 'nfs' : type;
  const cifs = /^\/\/([^/]+)(\/.*)?$/.exec(spec);
  const nfs = /^(\[[^\]]+\]|[^:/]+):(.*)$/.exec(spec);
  const [server, path] = cifs ? [cifs[1]!, cifs[2] ?? '/'] : nfs ? [nfs[1]!, nfs[2]!] : ['', spec];
  return {server: server.toLowerCase(), export: normalizeExport(path), type: family, origin};
}

function normalizeExport(path: string): string {
  const p = posix.normalize(path || '/');
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

export const shareSources: Fact<ShareSources> = (f) => {
  const share = f.get(factoryShare);
  const out: ShareSources = {};
  const m = share.mount;
  if (m && m.fsType !== 'autofs') out.mounted = splitSource(m.source, m.fsType, '/proc/self/mountinfo');
  if (share.fstab) {
    out.persisted = splitSource(share.fstab.spec, share.fstab.vfsType, `/etc/fstab:${share.fstab.line}`);
  } else if (share.mountUnit?.endsWith('.mount')) {
    const units = f.try(mountUnitFiles);
    const file = units.ok ? units.value.find((u) => posix.basename(u.name) === share.mountUnit) : undefined;
    if (file) {
      const unit = readUnitFile(f, 'systemd.mount-units', file);
      const what = unitValue(unit, 'Mount', 'What');
      const type = unitValue(unit, 'Mount', 'Type');
      if (what) out.persisted = splitSource(what, type ?? 'nfs', share.mountUnit);
    }
  }
  return out;
};

/** The parts that differ ("server openqa.example.test ≠ openqa01.example.test"), empty when they agree. */
export function sourceDifferences(persisted: ShareSource, mounted: ShareSource): string[] {
  const out: string[] = [];
  if (persisted.server !== mounted.server) out.push(`server ${persisted.server} ≠ ${mounted.server}`);
  if (persisted.export !== mounted.export) out.push(`export ${persisted.export} ≠ ${mounted.export}`);
  if (persisted.type !== mounted.type) out.push(`type ${persisted.type} ≠ ${mounted.type}`);
  return out;
}
