import {describe, expect, it} from 'vitest';
import {forwarding, persistedSysctl, runtimeSysctl, sysctlFiles} from './sysctl.js';
import {factsFor as facts, sample} from '../../../test/helpers/facts.js';

describe('sysctl', () => {
  it('runtime forwarding per interface, IPv6 and accept_ra', () => {
    const f = facts({
      files: {
        'sysctl.runtime': {
          '/proc/sys/net/ipv4/ip_forward': '1\n',
          '/proc/sys/net/ipv4/conf/all/forwarding': '1\n',
          '/proc/sys/net/ipv4/conf/br1/forwarding': '1\n',
          '/proc/sys/net/ipv4/conf/eth0.200/forwarding': '0\n',
          '/proc/sys/net/ipv6/conf/all/forwarding': '1\n',
          '/proc/sys/net/ipv6/conf/eth0/forwarding': '1\n',
          '/proc/sys/net/ipv6/conf/eth0/accept_ra': '2\n',
          '/proc/sys/net/ipv6/conf/br1/accept_ra': '1\n',
        },
      },
    });
    expect(f.get(forwarding)).toEqual({
      ipv4: 1,
      perInterface: {all: 1, br1: 1, 'eth0.200': 0},
      ipv6All: 1,
      ipv6PerInterface: {all: 1, eth0: 1},
      acceptRa: {eth0: 2, br1: 1},
    });
    expect(f.get(runtimeSysctl)['net.ipv4.conf.eth0/200.forwarding']).toBe('0');
  });

  it('no ip_forward file: ipv4 undefined; garbage: parse error', () => {
    expect(facts({files: {'sysctl.runtime': {}}}).get(forwarding).ipv4).toBeUndefined();
    expect(facts({files: {'sysctl.runtime': {'/proc/sys/net/ipv4/ip_forward': 'yes\n'}}}).try(forwarding)).toEqual({ok: false, reason: expect.stringContaining('cannot parse')});
  });

  it('persisted: per-name masking across directories, file-name order; /etc/sysctl.conf only through a 99-sysctl.conf link', () => {
    const f = facts({
      files: {
        'sysctl.files': {
          '/etc/sysctl.conf': sample('sysctl', 'debian12-procps-etc-sysctl.conf.txt') + 'net.ipv4.conf.br1.forwarding = 1\n',
          '/usr/lib/sysctl.d/50-default.conf': 'net.ipv4.ip_forward = 0\nnet.ipv4.conf.all.rp_filter = 2\n',
          '/etc/sysctl.d/50-default.conf': '',
          '/usr/lib/sysctl.d/99-late.conf': 'net.ipv4.ip_forward = 0\n',
          '/etc/sysctl.d/ip_forward.conf': 'net.ipv4.ip_forward = 1\n',
          '/etc/sysctl.d/50-kubernetes-charm.conf': sample('sysctl', 'hotsos-k8s-sysctl.d-conf-all-forwarding.txt'),
          '/run/sysctl.d/99-late.conf': '-net/ipv4/conf/eth0.200/forwarding = 1\n',
        },
      },
    });
    expect(f.get(sysctlFiles).map((x) => x.path)).toEqual([
      '/etc/sysctl.d/50-default.conf',
      '/etc/sysctl.d/50-kubernetes-charm.conf',
      '/run/sysctl.d/99-late.conf',
      '/etc/sysctl.d/ip_forward.conf',
    ]);
    const p = f.get(persistedSysctl);
    expect(p['net.ipv4.ip_forward']).toEqual({value: '1', file: '/etc/sysctl.d/ip_forward.conf', line: 1});
    expect(p['net.ipv4.conf.all.rp_filter']).toBeUndefined();
    expect(p['net.ipv4.conf.all.forwarding']).toEqual({value: '1', file: '/etc/sysctl.d/50-kubernetes-charm.conf', line: 1});
    expect(p['net.ipv4.conf.eth0/200.forwarding']).toEqual({value: '1', file: '/run/sysctl.d/99-late.conf', line: 1});
    // systemd-sysctl does not read /etc/sysctl.conf itself (sysctl.d(5)): without the link it sets nothing.
    expect(p['net.ipv4.conf.br1.forwarding']).toBeUndefined();
  });
});
