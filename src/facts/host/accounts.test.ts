import {describe, expect, it} from 'vitest';
import {type SnapshotSpec} from '../../../test/helpers/snapshot.js';
import {accounts, workerAccount} from './accounts.js';
import {factsFor as facts, sample} from '../../../test/helpers/facts.js';

describe('accounts', () => {
  const spec: SnapshotSpec = {
    files: {
      accounts: {
        '/etc/passwd': sample('accounts', 'generated-debian12-base-passwd-useradd-openqa-worker-passwd.txt'),
        '/etc/group': sample('accounts', 'generated-debian12-base-passwd-useradd-openqa-worker-group.txt'),
      },
    },
  };

  it('the worker user with its groups; another configured user', () => {
    expect(facts(spec).get(workerAccount)).toEqual({name: '_openqa-worker', uid: 999, gid: 65534, groups: [65534, 999]});
    expect(facts(spec, {workerUser: 'geekotest'}).get(workerAccount)).toBeUndefined();
    expect(facts(spec).get(accounts).groupByName.get('kvm')!.gid).toBe(999);
  });

  it('without /etc/group only the primary group is known; without /etc/passwd nothing', () => {
    const noGroup = facts({files: {accounts: {'/etc/passwd': spec.files!.accounts!['/etc/passwd']!}}});
    expect(noGroup.get(workerAccount)!.groups).toEqual([65534]);
    expect(facts({files: {accounts: {}}}).try(workerAccount)).toEqual({ok: false, reason: '/etc/passwd was not captured'});
  });
});
