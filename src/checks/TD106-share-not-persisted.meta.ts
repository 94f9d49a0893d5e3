// TD106 share-not-persisted: what the check is (the fields: check-meta.ts); its code is TD106-share-not-persisted.ts.
import type {CheckMeta} from './check-meta.js';

export default {
  id: 'TD106',
  slug: 'share-not-persisted',
  title: 'Factory share is not mounted by fstab or an enabled mount unit',
  severity: 'error',
  gate: true,
  needs: [
    'fstab', 'mountinfo', 'openqa.workers-ini', 'share.stat', 'systemd.mount-units', 'systemd.units',
    'systemd.wants',
  ],
  kinds: {
    'not-mounted-at-boot': {severity: 'error', title: 'Neither /etc/fstab nor an enabled mount unit mounts the factory share at boot'},
    'source-mismatch': {severity: 'error', title: 'The share is mounted from another server, export or type than the next boot mounts'},
  },
} satisfies CheckMeta;
