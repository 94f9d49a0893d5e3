// The mounts a scenario shows to the commands it runs (host.exec), and only to them.
//
// tapdoctor learns about the factory share from /proc/self/mountinfo and `stat
// /var/lib/openqa/share/factory`, i.e. from the mount namespace it runs in. Each host.exec runs
//
//   ip netns exec td-<id>  unshare --mount --propagation private  sh -c <SETUP> <argv...>
//
// `ip netns exec` already enters a fresh mount namespace (to remount /sys for the netns);
// `unshare --mount --propagation private` makes another one whose mounts are all private, so
// nothing mounted inside can propagate back to the real host. SETUP then, inside it only:
//   1. mounts a tmpfs over /var/lib/openqa, or over /var/lib if /var/lib/openqa does not exist on
//      the host: mkdir of the share's mount point lands in that tmpfs, never on the host's disk,
//      and a real share of the machine itself (if any) is hidden;
//   2. for share 'tmpfs', mounts a tmpfs at /var/lib/openqa/share with factory/{iso,hdd}
//      ("mounted, but not NFS": an NFS server cannot be run here);
//   3. execs argv, which thus sees exactly the scenario's mounts.
// The namespace, and every mount in it, disappears when argv exits: nothing to unmount later,
// nothing left behind after a crash. The price is a few milliseconds of setup per exec.
import type {ScenarioSpec} from './spec.js';

export const SHARE_PATH = '/var/lib/openqa/share';

const SETUP = [
  'set -e',
  'share="$1"; shift',
  'if [ -d /var/lib/openqa ]; then base=/var/lib/openqa; else base=/var/lib; fi',
  'mount -t tmpfs -o mode=0755,size=16m td-varlib "$base"',
  `mkdir -p ${SHARE_PATH}`,
  'if [ "$share" = tmpfs ]; then',
  `  mount -t tmpfs -o mode=0755,size=16m td-share ${SHARE_PATH}`,
  `  mkdir -p ${SHARE_PATH}/factory/iso ${SHARE_PATH}/factory/hdd`,
  'fi',
  'exec "$@"',
].join('\n');

/** argv that runs `argv` inside the netns and a private mount namespace with the scenario's mounts. */
export function inScenarioMounts(netns: string, share: ScenarioSpec['share'], argv: string[]): string[] {
  return ['ip', 'netns', 'exec', netns, 'unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', SETUP, 'td-mounts', share, ...argv];
}
