import {describe, expect, it} from 'vitest';
import {qemuCaps} from './qemu-caps.js';
import {factsFor as facts, sample} from '../../../test/helpers/facts.js';

describe('qemuCaps', () => {
  it('both getcap formats, no capabilities, the --root prefix, a missing binary', () => {
    const caps = facts({
      commands: {
        'qemu.getcap': {
          '/usr/bin/qemu-system-x86_64': sample('getcap', 'generated-libcap-2.66-root-prefix.txt'),
          '/usr/bin/qemu-system-aarch64': sample('getcap', 'generated-libcap-2.66-comma-caps.txt'),
          '/usr/bin/qemu-system-ppc64': '/usr/bin/qemu-system-ppc64 = cap_net_admin+ep\n',
          '/usr/bin/qemu-system-s390x': sample('getcap', 'generated-libcap-2.66-no-caps.txt'),
          '/usr/bin/qemu-kvm': "Failed to get capabilities of file `/usr/bin/qemu-kvm' (No such file or directory)\n",
        },
      },
    }).get(qemuCaps);
    expect(caps.map((c) => ({...c, caps: {...c.caps}}))).toEqual([
      {path: '/usr/bin/qemu-system-x86_64', caps: {cap_net_admin: 'ep'}},
      {path: '/usr/bin/qemu-system-aarch64', caps: {cap_net_admin: 'ep', cap_sys_nice: 'ep'}},
      {path: '/usr/bin/qemu-system-ppc64', caps: {cap_net_admin: 'ep'}},
      {path: '/usr/bin/qemu-system-s390x', caps: {}},
      {path: '/usr/bin/qemu-kvm', caps: {}, error: 'No such file or directory'},
    ]);
  });

  it('error text instead of getcap output makes the fact unavailable (parse error)', () => {
    const f = facts({commands: {'qemu.getcap': {'/usr/bin/qemu-system-x86_64': 'sh: getcap: not found\n'}}});
    expect(f.try(qemuCaps)).toEqual({ok: false, reason: expect.stringContaining('cannot parse getcap /usr/bin/qemu-system-x86_64:1')});
  });
});
