// The directory given to `tapdoctor --root`: the host files tapdoctor reads (accounts,
// workers.ini, switch config, pool, interface config, fstab, sysctl.d, firewall file, the enabled
// openqa-worker units) plus a real binary at usr/bin/qemu-system-x86_64 whose file capability
// the scenario decides.
import {chmodSync, copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {firewallFile} from './firewall.js';
import {must} from './run.js';
import {nicMac, UPLINK_ADDRESSES, type ScenarioSpec, type TapOwner, type TapSpec} from './spec.js';
import {hostUnits} from './systemd.js';

/**
 * Numeric ids used for tap owners and groups. The kernel only stores numbers; these names are
 * what the root dir's passwd/group say they mean (the real host need not know them).
 */
export const ACCOUNTS = {
  workerUser: '_openqa-worker',
  workerUid: 990,
  otherUser: 'geekotest',
  otherUid: 480,
  gids: {nogroup: 65534, nobody: 65534, kvm: 36, root: 0},
} as const;

/** The binary copied to usr/bin/qemu-system-x86_64; it also runs as the qemu stand-in. */
export const QEMU_SOURCE_BINARY = '/usr/bin/sleep';
export const QEMU_PATH = 'usr/bin/qemu-system-x86_64';

export interface RootFile {
  text: string;
  mode: number;
}

export interface RootLayout {
  /** Text files by path relative to the root dir. */
  files: Map<string, RootFile>;
  /** Directories that exist even when empty (an idle instance's pool dir). */
  dirs: string[];
  /** Symlinks by path relative to the root dir -> target (enabled systemd units). */
  links: Map<string, string>;
}

/** Every text file and directory of the root dir. qemuPids: worker instance -> pid. */
export function renderRootFiles(spec: ScenarioSpec, qemuPids: ReadonlyMap<number, number>): RootLayout {
  const files = new Map<string, RootFile>();
  const put = (path: string, text: string, mode = 0o644) => files.set(path, {text, mode});

  put('etc/passwd', passwd());
  put('etc/group', group(spec));
  put('etc/openqa/workers.ini', workersIni(spec));
  if (spec.switchConfig) put('etc/sysconfig/os-autoinst-openvswitch', switchConfig(spec));
  if (spec.switchScript) put('usr/lib/os-autoinst/script/os-autoinst-openvswitch', switchScriptText(spec.switchScript), 0o755);
  for (const job of spec.jobs) {
    put(`var/lib/openqa/pool/${job.instance}/vars.json`, `${JSON.stringify(varsJson(spec, job), null, 3)}\n`);
    const pid = qemuPids.get(job.instance);
    if (pid !== undefined) put(`var/lib/openqa/pool/${job.instance}/qemu.pid`, `${pid}\n`);
  }
  put('etc/fstab', fstab(spec));
  for (const unit of hostUnits(spec)) put(unit.file, unit.fileText);
  if (spec.forwarding.persisted) put('etc/sysctl.d/ip_forward.conf', sysctlConf(spec));
  const firewall = firewallFile(spec.firewall);
  if (firewall) put(firewall.path, firewall.text);
  if (spec.networkConfig === 'wicked') for (const [path, text] of wickedFiles(spec)) put(path, text, path.endsWith('.sh') ? 0o755 : 0o644);
  if (spec.networkConfig === 'nm') for (const [path, text] of nmFiles(spec)) put(path, text, 0o600);
  for (const [path, text] of Object.entries(spec.files)) {
    if (text === null) files.delete(path);
    else put(path, text);
  }
  const dirs = spec.workers.instances.map(({instance}) => `var/lib/openqa/pool/${instance}`);
  const links = enabledWorkerUnits(spec);
  for (const unit of spec.enabledUnits ?? []) links.set(`etc/systemd/system/multi-user.target.wants/${unit}`, `/usr/lib/systemd/system/${unit}`);
  return {files, dirs, links};
}

/**
 * `systemctl enable` links of the host's units (systemd.ts hostUnits): the worker instances
 * (tapdoctor counts instances by enabled or running openqa-worker*@N units, openQA
 * lib/OpenQA/Worker/Settings.pm), the switch and its service, the network stack, the firewall
 * unit that loads the rule file, the web UI on a single-host setup (the gate reads these links).
 */
function enabledWorkerUnits(spec: ScenarioSpec): Map<string, string> {
  const links = new Map<string, string>();
  for (const unit of hostUnits(spec)) {
    if (unit.enabled) links.set(`etc/systemd/system/multi-user.target.wants/${unit.unit}`, `/${unit.file}`);
  }
  return links;
}

export function writeRootFiles(rootDir: string, layout: RootLayout): void {
  for (const dir of layout.dirs) mkdirSync(join(rootDir, dir), {recursive: true});
  for (const [path, file] of layout.files) {
    const full = join(rootDir, path);
    mkdirSync(dirname(full), {recursive: true});
    writeFileSync(full, file.text);
    chmodSync(full, file.mode);
  }
  for (const [path, target] of layout.links) {
    const full = join(rootDir, path);
    mkdirSync(dirname(full), {recursive: true});
    symlinkSync(target, full);
  }
}

/** Copy a real ELF binary to usr/bin/qemu-system-x86_64, with or without cap_net_admin=ep. */
export async function installQemuBinary(rootDir: string, capNetAdmin: boolean): Promise<string> {
  const target = join(rootDir, QEMU_PATH);
  mkdirSync(dirname(target), {recursive: true});
  copyFileSync(QEMU_SOURCE_BINARY, target);
  chmodSync(target, 0o755);
  if (capNetAdmin) await must(['setcap', 'cap_net_admin=ep', target]);
  return target;
}

function ownerName(owner: TapOwner): string | null {
  return owner === 'worker' ? ACCOUNTS.workerUser : owner === 'other' ? ACCOUNTS.otherUser : null;
}

function passwd(): string {
  return [
    'root:x:0:0:root:/root:/bin/bash',
    'nobody:x:65534:65534:nobody:/var/lib/nobody:/bin/bash',
    `${ACCOUNTS.workerUser}:x:${ACCOUNTS.workerUid}:65534:openQA worker:/var/lib/openqa:/bin/bash`,
    `${ACCOUNTS.otherUser}:x:${ACCOUNTS.otherUid}:65534:openQA web UI:/var/lib/openqa:/bin/bash`,
    '',
  ].join('\n');
}

/** SUSE calls gid 65534 nogroup, Fedora nobody; the worker is in kvm on both. */
function group(spec: ScenarioSpec): string {
  const nobodyGroup = spec.flavour === 'suse' ? 'nogroup' : 'nobody';
  return ['root:x:0:', `kvm:x:${ACCOUNTS.gids.kvm}:${ACCOUNTS.workerUser}`, `${nobodyGroup}:x:65534:`, ''].join('\n');
}

/** The web UI's host name of a remote worker (fstab's NFS server too). */
const WEBUI_HOST = 'openqa.example.test';

function workersIni(spec: ScenarioSpec): string {
  const global = ['[global]', `HOST = http://${spec.webui === 'here' ? 'localhost' : WEBUI_HOST}`];
  if (spec.workers.cacheDirectory) global.push(`CACHEDIRECTORY = ${spec.workers.cacheDirectory}`);
  for (const [key, value] of Object.entries(spec.workers.global)) global.push(`${key} = ${value}`);
  const sections = spec.workers.instances.map(({instance, workerClass}) => `[${instance}]\nWORKER_CLASS = ${workerClass}\n`);
  return [global.join('\n') + '\n', ...sections].join('\n');
}

function switchConfig(spec: ScenarioSpec): string {
  const c = spec.switchConfig ?? {};
  const lines: string[] = [];
  if (c.useBridge !== undefined) lines.push(`OS_AUTOINST_USE_BRIDGE=${c.useBridge}`);
  if (c.localIp !== undefined) lines.push(`OS_AUTOINST_BRIDGE_LOCAL_IP=${c.localIp}`);
  if (c.netmask !== undefined) lines.push(`OS_AUTOINST_BRIDGE_NETMASK=${c.netmask}`);
  if (c.rewriteTarget !== undefined) lines.push(`OS_AUTOINST_BRIDGE_REWRITE_TARGET=${c.rewriteTarget}`);
  return lines.join('\n') + '\n';
}

/** vars.json after os-autoinst normalised it (written by openQA lib/OpenQA/Worker/Engines/isotovideo.pm): comma strings, tap NICTYPE. */
function varsJson(spec: ScenarioSpec, job: ScenarioSpec['jobs'][number]): Record<string, string | number> {
  const workerClass = spec.workers.instances.find((i) => i.instance === job.instance)?.workerClass ?? 'qemu_x86_64,tap';
  const vars: Record<string, string | number> = {
    NICTYPE: 'tap',
    NICVLAN: job.vlans.join(','),
    TAPDEV: job.taps.join(','),
    NICMAC: job.taps.map((_, i) => nicMac(job.workerId + 256 * 64 * i)).join(','),
    NETWORKS: 'fixed',
    WORKER_INSTANCE: job.instance,
    WORKER_ID: job.workerId,
    WORKER_CLASS: workerClass,
    QEMUPORT: 10 * job.instance + 20002,
    VNC: job.instance + 90,
  };
  if (spec.workers.global.MM_MTU) vars.MM_MTU = spec.workers.global.MM_MTU;
  return vars;
}

/** A remote worker mounts the web UI's share; a single-host setup has it on its own disk. */
function fstab(spec: ScenarioSpec): string {
  const lines = ['UUID=0b6a4c1e-0000-4000-8000-000000000001  /  ext4  defaults  0 1'];
  if (spec.webui === 'remote') lines.push(`${WEBUI_HOST}:/var/lib/openqa/share  /var/lib/openqa/share  nfs4  ro,nofail,x-systemd.automount  0 0`);
  return [...lines, ''].join('\n');
}

function sysctlConf(spec: ScenarioSpec): string {
  const lines = [`net.ipv4.ip_forward = ${spec.forwarding.ipv4 ? 1 : 0}`];
  for (const [iface, on] of Object.entries(spec.forwarding.perInterface)) lines.push(`net.ipv4.conf.${iface}.forwarding = ${on ? 1 : 0}`);
  return lines.join('\n') + '\n';
}

/** Taps that boot config creates: a tap lost at reboot ('device-gone') has no config left. */
function persistedTaps(spec: ScenarioSpec): TapSpec[] {
  return spec.taps.filter((t) => t.port !== 'device-gone');
}

function wickedFiles(spec: ScenarioSpec): Array<[string, string]> {
  const dir = 'etc/sysconfig/network';
  const files: Array<[string, string]> = [];
  const bridge = spec.bridge;
  if (bridge.present) {
    const lines = ["BOOTPROTO='static'", "STARTMODE='auto'", "OVS_BRIDGE='yes'"];
    bridge.addresses.forEach((cidr, i) => lines.push(`IPADDR${i === 0 ? '' : `_${i}`}='${cidr}'`));
    if (bridge.mtuRequest !== null) lines.push(`MTU='${bridge.mtuRequest}'`);
    if (spec.gre.length > 0) lines.push('PRE_UP_SCRIPT="wicked:gre_tunnel_preup.sh"');
    persistedTaps(spec).forEach((tap, i) => lines.push(`OVS_BRIDGE_PORT_DEVICE_${i}='${tap.name}'`));
    files.push([`${dir}/ifcfg-${bridge.name}`, lines.join('\n') + '\n']);
  }
  for (const tap of persistedTaps(spec)) {
    const lines = ["BOOTPROTO='none'", "IPADDR=''", "NETMASK=''", "PREFIXLEN=''", "STARTMODE='auto'", "TUNNEL='tap'"];
    const owner = ownerName(tap.owner);
    if (tap.group !== 'unset') lines.push(`TUNNEL_SET_GROUP='${tap.group}'`);
    if (owner) lines.push(`TUNNEL_SET_OWNER='${owner}'`);
    files.push([`${dir}/ifcfg-${tap.name}`, lines.join('\n') + '\n']);
  }
  const routes: string[] = [];
  for (const uplink of spec.uplinks) {
    const addr = uplink.lan ? {host: uplink.lan.address, peer: uplink.lan.gateway, prefix: uplink.lan.prefix} : UPLINK_ADDRESSES[uplink.name];
    const lines = [`BOOTPROTO='${uplink.address ? 'static' : 'none'}'`, `STARTMODE='${uplink.up ? 'auto' : 'off'}'`];
    if (uplink.address) lines.push(`IPADDR='${addr.host}/${addr.prefix}'`);
    files.push([`${dir}/ifcfg-${uplink.name}`, lines.join('\n') + '\n']);
    if (uplink.defaultRouteMetric !== null) routes.push(`default ${addr.peer} - ${uplink.name} metric ${uplink.defaultRouteMetric}`);
  }
  if (routes.length > 0) files.push([`${dir}/routes`, routes.join('\n') + '\n']);
  if (spec.gre.length > 0) {
    const script = ['#!/bin/sh', 'action="$1"', 'bridge="$2"', 'ovs-vsctl set bridge "$bridge" rstp_enable=true'];
    for (const gre of spec.gre) script.push(`ovs-vsctl --may-exist add-port "$bridge" ${gre.name} -- set interface ${gre.name} type=${gre.type ?? 'gre'} options:remote_ip=${gre.remoteIp}${gre.key !== undefined ? ` options:key=${gre.key}` : ''}`);
    files.push(['etc/wicked/scripts/gre_tunnel_preup.sh', script.join('\n') + '\n']);
  }
  return files;
}

function nmFiles(spec: ScenarioSpec): Array<[string, string]> {
  const dir = 'etc/NetworkManager/system-connections';
  const keyfile = (sections: Record<string, Record<string, string>>) =>
    Object.entries(sections)
      .map(([name, keys]) => [`[${name}]`, ...Object.entries(keys).map(([k, v]) => `${k}=${v}`)].join('\n'))
      .join('\n\n') + '\n';
  const files: Array<[string, string]> = [];
  const br = spec.bridge.name;
  if (spec.bridge.present) {
    files.push([`${dir}/ovs-${br}.nmconnection`, keyfile({connection: {id: `ovs-${br}`, type: 'ovs-bridge', 'interface-name': br}, 'ovs-bridge': {}})]);
    files.push([`${dir}/ovs-${br}-port.nmconnection`, keyfile({connection: {id: `ovs-${br}-port`, type: 'ovs-port', 'interface-name': br, master: `ovs-${br}`, 'slave-type': 'ovs-bridge'}})]);
    const ipv4: Record<string, string> = {method: 'manual'};
    spec.bridge.addresses.filter((a) => !a.includes(':')).forEach((cidr, i) => (ipv4[`address${i + 1}`] = cidr));
    const iface: Record<string, Record<string, string>> = {
      connection: {id: `ovs-${br}-if`, type: 'ovs-interface', 'interface-name': br, master: `ovs-${br}-port`, 'slave-type': 'ovs-port'},
      'ovs-interface': {type: 'internal'},
      ipv4,
    };
    if (spec.bridge.mtuRequest !== null) iface.ethernet = {mtu: String(spec.bridge.mtuRequest)};
    files.push([`${dir}/ovs-${br}-if.nmconnection`, keyfile(iface)]);
    for (const tap of persistedTaps(spec)) {
      files.push([`${dir}/${tap.name}-port.nmconnection`, keyfile({connection: {id: `${tap.name}-port`, type: 'ovs-port', 'interface-name': tap.name, master: `ovs-${br}`, 'slave-type': 'ovs-bridge'}})]);
    }
  }
  for (const tap of persistedTaps(spec)) {
    const tun: Record<string, string> = {mode: '2'};
    if (tap.owner !== 'unset') tun.owner = String(tap.owner === 'worker' ? ACCOUNTS.workerUid : ACCOUNTS.otherUid);
    if (tap.group !== 'unset') tun.group = String(ACCOUNTS.gids[tap.group]);
    const connection: Record<string, string> = {id: tap.name, type: 'tun', 'interface-name': tap.name};
    if (spec.bridge.present) Object.assign(connection, {master: `${tap.name}-port`, 'slave-type': 'ovs-port'});
    files.push([`${dir}/${tap.name}.nmconnection`, keyfile({connection, tun})]);
  }
  for (const uplink of spec.uplinks) {
    const addr = UPLINK_ADDRESSES[uplink.name];
    const ipv4: Record<string, string> = uplink.address ? {method: 'manual', address1: `${addr.host}/${addr.prefix}${uplink.defaultRouteMetric !== null ? `,${addr.peer}` : ''}`} : {method: 'disabled'};
    if (uplink.defaultRouteMetric !== null) ipv4['route-metric'] = String(uplink.defaultRouteMetric);
    files.push([`${dir}/${uplink.name}.nmconnection`, keyfile({connection: {id: uplink.name, type: 'ethernet', 'interface-name': uplink.name, autoconnect: uplink.up ? 'true' : 'false'}, ipv4})]);
  }
  return files;
}

/** The init_switch rule list of os-autoinst @2be705f6 (five rules) or @26013d06 (eight, IPv6): test/samples/os-autoinst-openvswitch. */
function switchScriptText(version: 'five-rules' | 'eight-rules'): string {
  const file = version === 'eight-rules' ? 'os-autoinst-26013d06-init_switch-rules.txt' : 'os-autoinst-2be705f6-init_switch-rules.txt';
  return readFileSync(new URL(`../samples/os-autoinst-openvswitch/${file}`, import.meta.url), 'utf8');
}
