// What an ifcfg file says: wicked's /etc/sysconfig/network/ifcfg-* (ifcfg(5)) and the ifcfg-rh
// files of /etc/sysconfig/network-scripts/ (nm-settings-ifcfg-rh(5)) that network-scripts and
// NetworkManager read. The files themselves are read once, by read.ts.
import {isIpv4, maskToPrefix} from '../ipv4.js';
import type {ShellVar} from '../../parsers/shellvars.js';
import {ifcfgStack, type IfcfgFile} from './read.js';

const WICKED_BOOT_MODES = new Set(['auto', 'onboot', 'on', 'boot', 'hotplug', 'nfsroot', 'ifplugd']);

/** How an ifcfg file's interface comes up at boot, whichever flavour it is. */
export interface IfcfgBoot {
  flavour: 'wicked' | 'ifcfg-rh';
  startsAtBoot: boolean;
  /** The setting that decides it, as written ("STARTMODE='auto'", "ONBOOT=no", "STARTMODE unset (wicked default: manual)"). */
  startReason: string;
  /** IPv4 addresses as CIDR. */
  ipv4: string[];
  dhcp4: boolean;
  /** Lines that set the above (1-based). */
  lines: number[];
}

export function ifcfgFlavour(file: IfcfgFile): 'wicked' | 'ifcfg-rh' {
  return ifcfgStack(file.path) === 'network-scripts' ? 'ifcfg-rh' : 'wicked';
}

function varLine(file: IfcfgFile, name: string): number | undefined {
  let line: number | undefined;
  for (const e of file.entries) if (e.name === name) line = e.line;
  return line;
}

/**
 * The DEVICETYPE network-scripts' ifup acts on for an ifcfg-rh file: ifup runs ifup-$DEVICETYPE
 * (initscripts network-scripts/ifup), where an unset DEVICETYPE is DEVICE (else the file's name)
 * without its trailing digits (network-functions source_config). Only "ovs" reaches ifup-ovs.
 */
export function ifupDeviceType(file: IfcfgFile): {deviceType: string; device: string; explicit: boolean} {
  const device = file.vars.DEVICE ?? file.name;
  const explicit = Boolean(file.vars.DEVICETYPE);
  return {deviceType: explicit ? file.vars.DEVICETYPE! : device.replace(/[0-9]*$/, ''), device, explicit};
}

/** Interpret an ifcfg file (wicked: ifcfg(5); ifcfg-rh: nm-settings-ifcfg-rh(5)). */
export function ifcfgBoot(file: IfcfgFile): IfcfgBoot {
  const v = file.vars;
  const flavour = ifcfgFlavour(file);
  const lines: number[] = [];
  const note = (name: string) => {
    const l = varLine(file, name);
    if (l !== undefined) lines.push(l);
  };
  let startsAtBoot: boolean;
  let startReason: string;
  if (flavour === 'wicked') {
    const mode = (v.STARTMODE ?? '').toLowerCase();
    note('STARTMODE');
    startsAtBoot = WICKED_BOOT_MODES.has(mode);
    startReason = v.STARTMODE === undefined || v.STARTMODE === '' ? "STARTMODE unset (wicked's default is manual)" : `STARTMODE='${v.STARTMODE}'`;
  } else {
    const onboot = (v.ONBOOT ?? 'yes').toLowerCase();
    note('ONBOOT');
    startsAtBoot = !['no', 'false', '0', 'n'].includes(onboot);
    startReason = v.ONBOOT === undefined ? 'ONBOOT unset (default yes)' : `ONBOOT=${v.ONBOOT}`;
    if ((v.NM_CONTROLLED ?? '').toLowerCase() === 'no') note('NM_CONTROLLED');
  }
  const bootproto = (v.BOOTPROTO ?? '').toLowerCase();
  if (v.BOOTPROTO !== undefined) note('BOOTPROTO');
  const dhcp4 = flavour === 'wicked' ? bootproto === 'dhcp' || bootproto === 'dhcp4' || bootproto.startsWith('dhcp+') : bootproto === 'dhcp' || bootproto === 'bootp';
  const ipv4: string[] = [];
  for (const [name, value] of Object.entries(v)) {
    const m = /^IPADDR(_?[A-Za-z0-9]*)$/.exec(name);
    if (!m || value.trim() === '') continue;
    const suffix = m[1]!;
    const [addr, inlinePrefix] = value.trim().split('/', 2) as [string, string?];
    if (!isIpv4(addr)) continue;
    let prefix: number | undefined = inlinePrefix !== undefined && /^\d{1,2}$/.test(inlinePrefix) ? Number(inlinePrefix) : undefined;
    const prefixVar = flavour === 'wicked' ? `PREFIXLEN${suffix}` : `PREFIX${suffix}`;
    if (prefix === undefined && v[prefixVar] !== undefined && /^\d{1,2}$/.test(v[prefixVar]!.trim())) {
      prefix = Number(v[prefixVar]!.trim());
      note(prefixVar);
    }
    if (prefix === undefined && v[`NETMASK${suffix}`]) {
      prefix = maskToPrefix(v[`NETMASK${suffix}`]!.trim());
      note(`NETMASK${suffix}`);
    }
    note(name);
    ipv4.push(prefix === undefined ? addr : `${addr}/${prefix}`);
  }
  return {flavour, startsAtBoot, startReason, ipv4, dhcp4, lines};
}

/** Values of wicked's OVS_BRIDGE_PORT_DEVICE[_suffix] list, with their lines. */
export function ovsBridgePortDevices(file: IfcfgFile): Array<{device: string; name: string; line: number}> {
  return file.entries
    .filter((e) => /^OVS_BRIDGE_PORT_DEVICE(_[A-Za-z0-9]+)?$/.test(e.name) && file.vars[e.name] === e.value && e.value.trim() !== '')
    .map((e) => ({device: e.value.trim(), name: e.name, line: e.line}));
}

export function isYes(value: string | undefined): boolean {
  return ['yes', 'y', 'true', '1', 'on'].includes((value ?? '').trim().toLowerCase());
}

/** The 1-based line and text of a variable's last assignment in an ifcfg file, for "change line N". */
export function ifcfgLine(file: IfcfgFile, variable: string): {line: number; text: string} | undefined {
  const entry = [...file.entries].reverse().find((e) => e.name === variable);
  if (!entry) return undefined;
  // Rendered in each stack's own convention (wicked quotes, network-scripts mostly does not).
  const quoted = ifcfgStack(file.path) === 'wicked' || /[\s'"$`]/.test(entry.value);
  return {line: entry.line, text: quoted ? `${entry.name}='${entry.value}'` : `${entry.name}=${entry.value}`};
}

/** The assignment of `name` that takes effect (the last one), with its line. */
export function ifcfgEntry(file: IfcfgFile, name: string): ShellVar | undefined {
  return file.entries.filter((e) => e.name === name).at(-1);
}

/** wicked's owner and group of a tap (TUNNEL_SET_OWNER / TUNNEL_SET_GROUP), as written. */
export function tapOwnerSettings(file: IfcfgFile): {owner?: ShellVar; group?: ShellVar} {
  const owner = ifcfgEntry(file, 'TUNNEL_SET_OWNER');
  const group = ifcfgEntry(file, 'TUNNEL_SET_GROUP');
  return {...(owner ? {owner} : {}), ...(group ? {group} : {})};
}

/** Whether the file's OVS_BRIDGE_PORT_DEVICE list puts `device` on the bridge. */
export function listsBridgePort(file: IfcfgFile, device: string): boolean {
  return ovsBridgePortDevices(file).some((p) => p.device === device);
}

export const WICKED_SCRIPTS_DIR = '/etc/wicked/scripts/';

/** wicked PRE_UP_SCRIPT entries (`wicked:name`, `compat:suse:name`, or an absolute path) → host paths. */
export function wickedScriptPaths(value: string): Array<{entry: string; path?: string}> {
  return value
    .split(/\s+/)
    .filter((e) => e !== '')
    .map((entry) => {
      if (entry.startsWith('wicked:')) return {entry, path: `${WICKED_SCRIPTS_DIR}${entry.slice('wicked:'.length)}`};
      if (entry.startsWith('/')) return {entry, path: entry};
      return {entry};
    });
}

/** A wicked ifcfg file that makes an OVS bridge (OVS_BRIDGE=yes, any spelling wicked takes as true). */
export function isOvsBridgeIfcfg(file: IfcfgFile): boolean {
  return isYes(file.vars.OVS_BRIDGE);
}

/** A wicked ifcfg file that creates a tap (TUNNEL='tap', any case). */
export function isTapIfcfg(file: IfcfgFile): boolean {
  return (file.vars.TUNNEL ?? '').trim().toLowerCase() === 'tap';
}
