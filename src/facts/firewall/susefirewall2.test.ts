import {describe, expect, it} from 'vitest';
import {parseSuSEfirewall2} from '../../parsers/susefirewall2.js';
import {suseFirewall2Masquerades} from './susefirewall2.js';

const conf = (text: string) => parseSuSEfirewall2(text, '/etc/sysconfig/SuSEfirewall2');

describe('suseFirewall2Masquerades', () => {
  it('masquerades on FW_DEV_EXT when FW_MASQUERADE and FW_ROUTE are yes (FW_MASQ_DEV unset = FW_DEV_EXT)', () => {
    const r = suseFirewall2Masquerades(conf('FW_DEV_EXT="eth0"\nFW_ROUTE="yes"\nFW_MASQUERADE="yes"\n'), 'eth0');
    expect(r).toEqual({masquerades: true, why: '/etc/sysconfig/SuSEfirewall2:3: FW_MASQUERADE="yes", FW_ROUTE="yes", FW_DEV_EXT "eth0"'});
  });
  it('does not without FW_ROUTE (the template: masquerading requires routing)', () => {
    const r = suseFirewall2Masquerades(conf('FW_DEV_EXT="eth0"\nFW_MASQUERADE="yes"\n'), 'eth0');
    expect(r).toEqual({masquerades: false, why: '/etc/sysconfig/SuSEfirewall2 (unset): FW_ROUTE="" (no routing, so no masquerading)'});
  });
  it('does not for an uplink missing from FW_MASQ_DEV, nor for "any"', () => {
    expect(suseFirewall2Masquerades(conf('FW_DEV_EXT="eth0"\nFW_MASQ_DEV="eth2"\nFW_ROUTE=yes\nFW_MASQUERADE=yes\n'), 'eth0')).toEqual({masquerades: false, why: '/etc/sysconfig/SuSEfirewall2:2: masquerades on "eth2", not on eth0'});
    expect(suseFirewall2Masquerades(conf('FW_DEV_EXT="any"\nFW_ROUTE=yes\nFW_MASQUERADE=yes\n'), 'eth0').masquerades).toBe(false);
  });
  it('"auto" is the default route device, i.e. the uplink', () => {
    expect(suseFirewall2Masquerades(conf('FW_DEV_EXT="auto"\nFW_ROUTE=yes\nFW_MASQUERADE=yes\n'), 'eth0').masquerades).toBe(true);
  });
});
