import {describe, expect, it} from 'vitest';
import {formatNet, ipv4ToNumber, isIpv4, maskToPrefix, netContains, netsOverlap, parseIpv4Net} from './ipv4.js';

describe('IPv4 networks', () => {
  it('parses addresses and networks, rejecting garbage', () => {
    expect(ipv4ToNumber('10.0.2.2')).toBe(0x0a000202);
    expect(ipv4ToNumber('172.17.0.0')).toBe(0xac110000);
    for (const bad of ['10.0.2', '10.0.2.256', 'fec0::2', '', '1.2.3.4.5']) expect(ipv4ToNumber(bad)).toBeUndefined();
    expect(parseIpv4Net('10.0.2.2/15')).toEqual({base: 0x0a000000, prefix: 15});
    expect(parseIpv4Net('10.0.2.5')).toEqual({base: 0x0a000205, prefix: 32});
    for (const bad of ['10.0.2.0/33', '10.0.2.0/', '10.0.2.0/1/2', 'fec0::/64']) expect(parseIpv4Net(bad)).toBeUndefined();
  });

  it('reads exactly four octets of one to three digits, and a prefix of one or two digits', () => {
    expect(ipv4ToNumber(' 010.0.2.255 ')).toBe(0x0a0002ff);
    for (const bad of ['1..2.3', '.1.2.3', '1.2.3.', '1.2.3.0004', '+1.2.3.4', '0x1.2.3.4', '1.2.3.4 5', '１.2.3.4']) expect(ipv4ToNumber(bad), bad).toBeUndefined();
    expect(parseIpv4Net(' 10.0.2.2/08 ')).toEqual({base: 0x0a000000, prefix: 8});
    expect(parseIpv4Net('10.0.2.2 /24')).toEqual({base: 0x0a000200, prefix: 24});
    expect(parseIpv4Net('0.0.0.0/0')).toEqual({base: 0, prefix: 0});
    expect(parseIpv4Net('255.255.255.255/32')).toEqual({base: 0xffffffff, prefix: 32});
    for (const bad of ['/24', '10.0.2.0/ 24', '10.0.2.0/024', '10.0.2.0/-1', '10.0.2.0/1e1', '10.0.2.256/24', '']) expect(parseIpv4Net(bad), bad).toBeUndefined();
  });

  it('contains and overlaps, above 128.0.0.0 too (unsigned arithmetic)', () => {
    const fedora = parseIpv4Net('172.16.2.2/15')!;
    expect(formatNet(fedora)).toBe('172.16.0.0/15');
    expect(netContains(fedora, ipv4ToNumber('172.17.3.4')!)).toBe(true);
    expect(netContains(fedora, ipv4ToNumber('172.18.0.1')!)).toBe(false);
    const rewritten = parseIpv4Net('172.17.0.0/16')!;
    expect(netsOverlap(rewritten, parseIpv4Net('172.17.5.0/24')!)).toBe(true);
    expect(netsOverlap(parseIpv4Net('172.16.2.0/24')!, rewritten)).toBe(false);
    expect(netsOverlap(parseIpv4Net('0.0.0.0/0')!, rewritten)).toBe(true);
  });
});

describe('maskToPrefix', () => {
  it('converts contiguous masks and refuses the rest', () => {
    expect(maskToPrefix('255.254.0.0')).toBe(15);
    expect(maskToPrefix('255.255.255.255')).toBe(32);
    expect(maskToPrefix('0.0.0.0')).toBe(0);
    expect(maskToPrefix('255.0.255.0')).toBeUndefined();
    expect(maskToPrefix('255.256.0.0')).toBeUndefined();
    expect(maskToPrefix('X.Y.Z.0')).toBeUndefined();
  });
});

describe('isIpv4', () => {
  it('a dotted quad with octets up to 255, nothing around it', () => {
    expect(isIpv4('10.0.2.2')).toBe(true);
    expect(isIpv4('10.0.2.256')).toBe(false);
    expect(isIpv4(' 10.0.2.2')).toBe(false);
    expect(isIpv4('10.0.2')).toBe(false);
  });
});
