import {describe, expect, it} from 'vitest';
import {tapSysfs, TUN_FLAGS} from './tap-sysfs.js';
import {factsFor as facts, sample} from '../../../test/helpers/facts.js';

describe('tapSysfs', () => {
  it('owner, group and flags captured from taps in a throwaway netns', () => {
    const files: Record<string, string> = {};
    for (const dev of ['tap0', 'tap1', 'tap2', 'tun0']) {
      for (const attr of ['owner', 'group', 'tun_flags']) files[`/sys/class/net/${dev}/${attr}`] = sample('tap-sysfs', `generated-kernel-6.18-${dev}-${attr}.txt`);
    }
    const taps = facts({files: {'tap.sysfs': files}}).get(tapSysfs);
    expect(taps).toEqual([
      {name: 'tap0', owner: 65534, group: 65534, tunFlags: 0x1802},
      {name: 'tap1', owner: 65534, group: -1, tunFlags: 0x1802},
      {name: 'tap2', owner: -1, group: -1, tunFlags: 0x1802},
      {name: 'tun0', owner: -1, group: -1, tunFlags: 0x1901},
    ]);
    expect(taps[0]!.tunFlags! & TUN_FLAGS.PERSIST).toBeTruthy();
    expect(taps[3]!.tunFlags! & TUN_FLAGS.MULTI_QUEUE).toBeTruthy();
  });
});
