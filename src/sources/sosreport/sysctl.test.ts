import {describe, expect, test} from 'vitest';

import {capturedAt} from './read.js';
import {sysctlKeyToPath, sysctlRuntimeFiles} from './sysctl.js';

describe('sysctl -a to sysctl.runtime files', () => {
  test('dots become path separators; a slash in an interface name is its dot', () => {
    expect(sysctlKeyToPath('net.ipv4.ip_forward')).toBe('/proc/sys/net/ipv4/ip_forward');
    expect(sysctlKeyToPath('net.ipv4.conf.eth0/57.forwarding')).toBe('/proc/sys/net/ipv4/conf/eth0.57/forwarding');
  });

  test('only the forwarding and accept_ra keys sysctl.runtime holds are kept', () => {
    const text = [
      'kernel.hostname = w1',
      'net.ipv4.ip_forward = 1',
      'net.ipv4.ip_forward_update_priority = 1',
      'net.ipv4.conf.br1.forwarding = 1',
      'net.ipv4.conf.br1.rp_filter = 2',
      'net.ipv6.conf.eth0.accept_ra = 2\r',
      'net.ipv6.conf.all.forwarding = 0',
      'sysctl: permission denied on key "fs.protected_regular"',
      '',
    ].join('\n');
    expect(sysctlRuntimeFiles(text)).toEqual([
      ['/proc/sys/net/ipv4/ip_forward', '1'],
      ['/proc/sys/net/ipv4/conf/br1/forwarding', '1'],
      ['/proc/sys/net/ipv6/conf/eth0/accept_ra', '2'],
      ['/proc/sys/net/ipv6/conf/all/forwarding', '0'],
    ]);
  });
});

describe('capturedAt from manifest.json start_time', () => {
  const fallback = new Date('2020-01-02T03:04:05.000Z');
  test("sos's naive local time is read as UTC, to the millisecond", () => {
    expect(capturedAt('2026-11-21 10:15:00.482113', fallback)).toBe('2026-11-21T10:15:00.482Z');
  });
  test('a zoned time is converted; a missing or bad one falls back', () => {
    expect(capturedAt('2026-11-21T10:15:00+01:00', fallback)).toBe('2026-11-21T09:15:00.000Z');
    expect(capturedAt(undefined, fallback)).toBe('2020-01-02T03:04:05.000Z');
    expect(capturedAt('yesterday', fallback)).toBe('2020-01-02T03:04:05.000Z');
  });
});
