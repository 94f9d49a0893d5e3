// Host-wide settings and services: sysctl, file capabilities, mounts, systemd units, and the
// os-autoinst switch service.
import {appendLine, replaceLine, setVar} from './files.js';
import {q} from './shell.js';
import {manual, step, type Step} from './step.js';

export const SWITCH_UNIT = 'os-autoinst-openvswitch.service';

/** A kernel setting now. */
export function sysctlNow(key: string, value: string | number): Step {
  return step('runtime', `sysctl:${key}`, [`sysctl -w ${key}=${value}`]);
}

/** A kernel setting at every boot, in a file of its own under /etc/sysctl.d (name sorts where it wins). */
export function sysctlPersist(key: string, value: string | number, file = '/etc/sysctl.d/ip_forward.conf', note?: string): Step {
  return appendLine(file, `${key} = ${value}`, {key: `sysctl-file:${key}`, mkdir: true, ...(note ? {note} : {})});
}

/** Change a known line of a sysctl file to the wanted assignment. */
export function sysctlFileLine(path: string, line: number, key: string, value: string | number): Step {
  return {...replaceLine(path, line, `${key} = ${value}`), key: `sysctl-file:${key}`};
}

/** cap_net_admin for qemu, and on SUSE the permissions entry that keeps it across updates. */
export function qemuCapability(binary: string, opts: {suse: boolean}): Step[] {
  const out = [step('runtime', `setcap:${binary}`, [`setcap cap_net_admin=ep ${q(binary)}`], {files: [binary]})];
  if (opts.suse) {
    out.push(
      step(
        'persist',
        `permissions:${binary}`,
        [
          '# keep it across qemu updates (PERMISSION_SECURITY in /etc/sysconfig/security must include "local"; salt re-applies setcap on every highstate instead)',
          `grep -q ${q(`^${binary} `)} /etc/permissions.local 2>/dev/null || printf '%s\\n' ${q(`${binary} root:root 0755`)} ${q(' +capabilities cap_net_admin=ep')} >> /etc/permissions.local`,
          'permctl --system --set   # chkstat before permissions 1.x',
        ],
        {files: ['/etc/permissions.local']},
      ),
    );
  }
  return out;
}

/** Remount without nosuid now; the fstab change is for the admin (which line, which options). */
export function remountSuid(mountPoint: string): Step[] {
  return [
    step('runtime', `remount-suid:${mountPoint}`, [`mount -o remount,suid ${q(mountPoint)}`]),
    manual(`nosuid-fstab:${mountPoint}`, 'the mount options are the admin\'s', [`# drop nosuid from the options of ${mountPoint} in /etc/fstab (or its .mount unit)`]),
  ];
}

/** The share's mount options as salt-states-openqa openqa/nfs_share.sls (commit 0bc2a4ea) sets them:
 *  fstype nfs, automounted, retried for 30 minutes (poo#92302: wicked's network-online is too early). */
export const SALT_SHARE_OPTIONS = 'ro,nofail,retry=30,x-systemd.mount-timeout=30m,x-systemd.automount,nolock';

export function saltShareLine(source: string, mountPoint: string): string {
  return `${source} ${mountPoint} nfs ${SALT_SHARE_OPTIONS} 0 0`;
}

/** The share in /etc/fstab as salt writes it, then systemd told about it. */
export function fstabShare(source: string, mountPoint: string): Step[] {
  return [
    appendLine('/etc/fstab', saltShareLine(source, mountPoint), {key: `fstab:${mountPoint}`, note: 'as salt-states-openqa openqa/nfs_share.sls mounts it'}),
    systemdReload(),
  ];
}

export function systemdReload(): Step {
  return step('reload', 'systemctl:daemon-reload', ['systemctl daemon-reload']);
}

export function enableUnit(unit: string, now = false): Step {
  return step(now ? 'reload' : 'persist', `enable:${unit}`, [`systemctl enable${now ? ' --now' : ''} ${q(unit)}`]);
}

export function startUnit(unit: string): Step {
  return step('reload', `start:${unit}`, [`systemctl start ${q(unit)}`]);
}

export function restartUnit(unit: string, opts: {job?: string; note?: string} = {}): Step {
  return step(opts.job ? 'disruptive' : 'reload', `restart:${unit}`, [...(opts.note ? [`# ${opts.note}`] : []), `systemctl restart ${q(unit)}`], opts.job ? {job: opts.job} : {});
}

/** The switch service re-installs its flows on a restart (it waits for the bridge and its address first). */
export function restartSwitch(bridge: string): Step {
  void bridge;
  return step('reload', `restart:${SWITCH_UNIT}`, [`systemctl restart ${SWITCH_UNIT}`]);
}

/** Look at something: printed as a comment, never run by the script. */
export function look(key: string, line: string): Step {
  return step('verify', `look:${key}`, [`# look: ${line}`]);
}

export {setVar};
