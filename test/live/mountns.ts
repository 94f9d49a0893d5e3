// The mounts a scenario shows to the commands it runs (host.exec), and only to them.
//
// tapdoctor learns about the factory share from /proc/self/mountinfo and `stat
// /var/lib/openqa/share/factory`, i.e. from the mount namespace it runs in. Each host.exec runs
//
//   ip netns exec td-<id>  unshare --mount --propagation private  sh -c <SETUP> <share> <varlib> <argv...>
//
// `ip netns exec` already enters a fresh mount namespace (to remount /sys for the netns);
// `unshare --mount --propagation private` makes another one whose mounts are all private, so
// nothing mounted inside can propagate back to the real host. SETUP then, inside it only:
//   1. bind-mounts the host's own <workdir>/varlib/openqa over /var/lib/openqa (or <workdir>/varlib
//      over /var/lib if /var/lib/openqa does not exist on the machine): what the scenario creates
//      there lands in its work dir, and a real share of the machine itself (if any) is hidden.
//      It is a directory on the local disk, as /var/lib/openqa is on a real host;
//   2. for share 'local' (the web UI runs here), factory/{iso,hdd} in that directory: the web UI's
//      own share, no mount of its own; for share 'tmpfs', a tmpfs at /var/lib/openqa/share with
//      factory/{iso,hdd} ("mounted, but not NFS": an NFS server cannot be run here, and this
//      kernel has no nfs filesystem at all); for 'absent', an empty mount point;
//   3. execs argv, which thus sees exactly the scenario's mounts.
// The namespace, and every mount in it, disappears when argv exits: nothing to unmount later,
// nothing left behind after a crash. The price is a few milliseconds of setup per exec.
import type {ScenarioSpec} from './spec.js';

export const SHARE_PATH = '/var/lib/openqa/share';

const SETUP = [
  'set -e',
  'share="$1"; varlib="$2"; shift 2',
  'mkdir -p "$varlib/openqa"',
  'if [ -d /var/lib/openqa ]; then mount --bind "$varlib/openqa" /var/lib/openqa; else mount --bind "$varlib" /var/lib; fi',
  `mkdir -p ${SHARE_PATH}`,
  'if [ "$share" = tmpfs ]; then',
  `  mount -t tmpfs -o mode=0755,size=16m td-share ${SHARE_PATH}`,
  'fi',
  'if [ "$share" != absent ]; then',
  `  mkdir -p ${SHARE_PATH}/factory/iso ${SHARE_PATH}/factory/hdd`,
  'fi',
  'exec "$@"',
].join('\n');

/**
 * argv that runs `argv` inside the netns and a private mount namespace with the scenario's mounts.
 * varlib: the host's own directory (in its work dir) that stands for /var/lib on its disk.
 */
export function inScenarioMounts(netns: string, share: ScenarioSpec['share'], varlib: string, argv: string[]): string[] {
  return ['ip', 'netns', 'exec', netns, 'unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', SETUP, 'td-mounts', share, varlib, ...argv];
}
