// TD007 factory-share-unmounted: what the check is (the fields: check-meta.ts); its code is TD007-factory-share-unmounted.ts.
import type {CheckMeta} from './check-meta.js';

export default {
  id: 'TD007',
  slug: 'factory-share-unmounted',
  title: 'Factory share is not an NFS mount',
  severity: 'error',
  needs: [
    'fstab', 'mountinfo', 'openqa.workers-ini', 'share.stat', 'systemd.mount-units', 'systemd.units',
    'systemd.wants',
  ],
  kinds: {
    'not-mounted': {severity: 'error', title: 'Nothing is mounted on the share: factory/ lies on the local disk (info when every instance has a cache)'},
    'not-nfs': {severity: 'error', title: 'Another file system (tmpfs, a local disk) is mounted on the share (info with a cache)'},
    'factory-missing': {severity: 'error', title: 'The NFS mount has no factory/: the wrong export (info with a cache)'},
    'stale-handle': {severity: 'error', title: 'The NFS mount went stale: every process touching it hangs (warning with a cache)'},
  },
} satisfies CheckMeta;
