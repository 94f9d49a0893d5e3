import {describe, expect, it} from 'vitest';
import {activeUnits, enabledUnits} from './units.js';
import {uptimeSeconds} from './uptime.js';
import {factsFor as facts} from '../../../test/helpers/facts.js';

describe('systemd and uptime', () => {
  it('enabled units from .wants links, unit states from list-units', () => {
    const f = facts({
      files: {
        'systemd.wants': {
          '/etc/systemd/system/multi-user.target.wants/os-autoinst-openvswitch.service': {content: '', linkTarget: '/usr/lib/systemd/system/os-autoinst-openvswitch.service'},
          '/etc/systemd/system/multi-user.target.wants/openqa-worker-auto-restart@1.service': {content: '', linkTarget: '/usr/lib/systemd/system/openqa-worker-auto-restart@.service'},
          '/etc/systemd/system/remote-fs.target.wants/var-lib-openqa-share.automount': {content: '', linkTarget: '/etc/systemd/system/var-lib-openqa-share.automount'},
        },
      },
      commands: {'systemd.units': 'os-autoinst-openvswitch.service loaded failed failed os-autoinst openvswitch helper\nopenvswitch.service loaded active exited Open vSwitch\n'},
    });
    expect([...f.get(enabledUnits)].sort()).toEqual(['openqa-worker-auto-restart@1.service', 'os-autoinst-openvswitch.service', 'var-lib-openqa-share.automount']);
    expect(f.get(activeUnits)).toEqual({
      'os-autoinst-openvswitch.service': {load: 'loaded', active: 'failed', sub: 'failed', description: 'os-autoinst openvswitch helper'},
      'openvswitch.service': {load: 'loaded', active: 'active', sub: 'exited', description: 'Open vSwitch'},
    });
  });

  it('uptime', () => {
    expect(facts({files: {'proc.uptime': {'/proc/uptime': '536.44 996.33\n'}}}).get(uptimeSeconds)).toBe(536.44);
    expect(facts({files: {'proc.uptime': {'/proc/uptime': 'abc\n'}}}).try(uptimeSeconds).ok).toBe(false);
  });
});
