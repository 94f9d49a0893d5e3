// The one reader per persisted interface file format, keyed by interface name: ifcfg files
// (wicked /etc/sysconfig/network, network-scripts /etc/sysconfig/network-scripts) and NetworkManager
// keyfile profiles. Everything else asks these facts instead of parsing the files again.
import {posix} from 'node:path';
import {modelOrParseError, ParseError} from '../../parsers/errors.js';
import {parseNmKeyfile, type NmProfile} from '../../parsers/nm-keyfile.js';
import {parseShellVars, type ShellVar} from '../../parsers/shellvars.js';
import {type Fact} from '../facts.js';
import {compareStrings} from '../../compare.js';

/** The network stacks tapdoctor understands, named once (network-stack.ts says which one a host uses). */
export type NetworkStack = 'wicked' | 'NetworkManager' | 'network-scripts';

export const WICKED_DIR = '/etc/sysconfig/network/';
export const NETWORK_SCRIPTS_DIR = '/etc/sysconfig/network-scripts/';

/** wicked reads /etc/sysconfig/network/, network-scripts (and NM's ifcfg-rh) /etc/sysconfig/network-scripts/. */
export function ifcfgStack(path: string): 'wicked' | 'network-scripts' {
  return path.startsWith(NETWORK_SCRIPTS_DIR) ? 'network-scripts' : 'wicked';
}

export interface IfcfgFile {
  /** Interface name: DEVICE= when set (network-scripts), else the file name after `ifcfg-`. */
  name: string;
  path: string;
  vars: Record<string, string>;
  entries: ShellVar[];
  /** The file is a symlink (SUSE script: ifcfg-tapN → ifcfg-tap0); vars come from the target. */
  linkTarget?: string;
  /** The file (or its link target) could not be parsed, or the target was not captured. */
  error?: string;
}

/** Editor and package-manager leftovers that wicked and network-scripts skip. */
const IFCFG_IGNORED_SUFFIXES = ['~', '.bak', '.orig', '.old', '.rpmnew', '.rpmsave', '.rpmorig', '.scpmbackup', '.swp'];

/** ifcfg files (wicked /etc/sysconfig/network, network-scripts) by interface name. */
export const ifcfgFiles: Fact<Record<string, IfcfgFile>> = (f) => {
  const entries = f.entries('network.ifcfg');
  const byPath = new Map(entries.map((e) => [e.name, e]));
  const out: Record<string, IfcfgFile> = Object.create(null);
  for (const e of entries) {
    const base = posix.basename(e.name);
    if (!base.startsWith('ifcfg-') || IFCFG_IGNORED_SUFFIXES.some((s) => base.endsWith(s))) continue;
    const fileName = base.slice('ifcfg-'.length);
    const linkTarget = e.entry.linkTarget;
    let text = e.text;
    let error: string | undefined;
    if (linkTarget && text === '') {
      const target = byPath.get(posix.resolve(posix.dirname(e.name), linkTarget));
      if (target) text = target.text;
      else error = `link target ${linkTarget} was not captured`;
    }
    const file: IfcfgFile = {name: fileName, path: e.name, vars: Object.create(null), entries: []};
    if (linkTarget) file.linkTarget = linkTarget;
    const parsed = error ? undefined : modelOrParseError(() => parseShellVars(text, e.name));
    if (parsed instanceof ParseError) {
      error = parsed.message;
    } else if (parsed) {
      file.vars = parsed.values;
      file.entries = parsed.entries;
      // A link shares its target's DEVICE=, so only a real file may rename itself.
      if (!linkTarget && parsed.values.DEVICE) file.name = parsed.values.DEVICE;
    }
    if (error) file.error = error;
    out[file.name] = file;
  }
  return out;
};

export interface NmProfileFile {
  path: string;
  profile?: NmProfile;
  error?: string;
}

const NM_CONNECTIONS_DIR = '/etc/NetworkManager/system-connections/';

/**
 * NetworkManager profiles by interface-name (several per name: an OVS bridge has ovs-bridge,
 * ovs-port and ovs-interface profiles all named br1). Profiles without interface-name are keyed
 * by id; unparsable files by file name (without .nmconnection) with `error`.
 */
export const nmProfiles: Fact<Record<string, NmProfileFile[]>> = (f) => {
  const out: Record<string, NmProfileFile[]> = Object.create(null);
  const files = f.entries('network.nm').filter((e) => e.name.startsWith(NM_CONNECTIONS_DIR));
  files.sort((a, b) => compareStrings(a.name, b.name));
  for (const e of files) {
    let key = posix.basename(e.name).replace(/\.nmconnection$/, '');
    const item: NmProfileFile = {path: e.name};
    const profile = modelOrParseError(() => parseNmKeyfile(e.text, e.name));
    if (profile instanceof ParseError) {
      item.error = profile.message;
    } else {
      item.profile = profile;
      key = profile.interfaceName ?? profile.id ?? key;
    }
    (out[key] ??= []).push(item);
  }
  return out;
};
