// Can this machine build throwaway hosts? Live suites use it as
//
//   import {skipLive} from './prereqs.js';
//   describe.skipIf(skipLive)('...', () => { ... });
//
// Not met + CI set: importing this module throws, so the run fails instead of passing with the
// live tests silently skipped. Not met locally: a loud warning, and the suites skip.
import {spawnSync} from 'node:child_process';
import {accessSync, constants, existsSync} from 'node:fs';
import {delimiter, join} from 'node:path';
import {OVS_SCHEMA} from './ovs.js';
import {QEMU_SOURCE_BINARY} from './rootfs.js';

/** Binaries the builder and state() run, with the Debian package that ships each. */
export const REQUIRED_BINARIES: Record<string, string> = {
  ip: 'iproute2',
  nft: 'nftables',
  iptables: 'iptables',
  'iptables-save': 'iptables',
  'iptables-restore': 'iptables',
  'ovsdb-tool': 'openvswitch-switch',
  'ovsdb-server': 'openvswitch-switch',
  'ovs-vswitchd': 'openvswitch-switch',
  'ovs-vsctl': 'openvswitch-switch',
  'ovs-ofctl': 'openvswitch-switch',
  'ovsdb-client': 'openvswitch-switch',
  setcap: 'libcap2-bin',
  getcap: 'libcap2-bin',
  ping: 'iputils-ping',
  unshare: 'util-linux',
  mount: 'mount',
  bash: 'bash',
  sh: 'dash',
};

export interface PrereqReport {
  ok: boolean;
  problems: string[];
}

export function checkPrereqs(): PrereqReport {
  const problems: string[] = [];
  if (process.platform !== 'linux') problems.push(`platform is ${process.platform}, not linux`);
  if (process.getuid?.() !== 0) problems.push('not running as root');
  const missing = Object.entries(REQUIRED_BINARIES).filter(([bin]) => !onPath(bin));
  for (const [bin, pkg] of missing) problems.push(`missing ${bin} (Debian package ${pkg})`);
  if (!existsSync(OVS_SCHEMA)) problems.push(`missing ${OVS_SCHEMA} (openvswitch-switch)`);
  if (!existsSync('/dev/net/tun')) problems.push('missing /dev/net/tun');
  if (!existsSync(QEMU_SOURCE_BINARY)) problems.push(`missing ${QEMU_SOURCE_BINARY}`);
  // Root inside a container may still lack the right to make namespaces: try one that leaves nothing.
  if (problems.length === 0) {
    const probe = spawnSync('unshare', ['--net', '--mount', 'true'], {encoding: 'utf8'});
    if (probe.status !== 0) problems.push(`cannot create namespaces: ${probe.stderr.trim() || `exit ${probe.status}`}`);
  }
  return {ok: problems.length === 0, problems};
}

function onPath(bin: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter).concat(['/usr/sbin', '/sbin'])) {
    try {
      accessSync(join(dir, bin), constants.X_OK);
      return true;
    } catch {
      // next
    }
  }
  return false;
}

export const prereqs = checkPrereqs();

if (!prereqs.ok) {
  const message = `live-host tests cannot run here:\n  - ${prereqs.problems.join('\n  - ')}`;
  if (process.env.CI) throw new Error(`${message}\n(CI is set, so this is a failure, not a skip)`);
  const bar = '!'.repeat(78);
  console.warn(`\n${bar}\n${message}\nSKIPPING the live-host suites.\n${bar}\n`);
}

/** For describe.skipIf(skipLive). */
export const skipLive = !prereqs.ok;
