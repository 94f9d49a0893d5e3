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
} satisfies CheckMeta;
