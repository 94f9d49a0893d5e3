import {readFileSync} from 'node:fs';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {ParseError} from './errors.js';
import {interfaceOfKey, normalizeSysctlKey, parseProcInt, parseProcValue, parseSysctlConf, procSysPathToKey} from './sysctl.js';
import {applyEdits, edits, survives} from '../../test/helpers/mutation.js';

/** Strings of this format the mutations insert, besides COMMON_SPECIALS. */
const SPECIALS = ['=', '-', '/', '.', '#', ';'];

const sample = (dir: string, name: string) => readFileSync(new URL(`../../test/samples/${dir}/${name}`, import.meta.url), 'utf8');

describe('parseSysctlConf on real files', () => {
  it('hotsos kubernetes drop-in: forwarding via conf.all, no spaces', () => {
    const conf = parseSysctlConf(sample('sysctl', 'hotsos-k8s-sysctl.d-conf-all-forwarding.txt'), 's');
    expect(conf.problems).toEqual([]);
    expect(conf.assignments).toHaveLength(12);
    expect(conf.assignments[0]).toEqual({key: 'net.ipv4.conf.all.forwarding', value: '1', line: 1, ignoreFailure: false});
    expect(conf.assignments.at(-1)).toEqual({key: 'vm.overcommit_memory', value: '1', line: 12, ignoreFailure: false});
  });

  it("Debian 12's stock /etc/sysctl.conf: only comments", () => {
    expect(parseSysctlConf(sample('sysctl', 'debian12-procps-etc-sysctl.conf.txt'), 's')).toEqual({assignments: [], problems: []});
  });
});

describe('sysctl.d syntax', () => {
  it('spaces, ; comments, - prefix, slash keys, empty values, problems', () => {
    const conf = parseSysctlConf('; c\nnet.ipv4.ip_forward = 1\n-net/ipv4/conf/eth0.200/forwarding=1\nkernel.x =\nnot an assignment\n = 3\n', 's');
    expect(conf.assignments).toEqual([
      {key: 'net.ipv4.ip_forward', value: '1', line: 2, ignoreFailure: false},
      {key: 'net.ipv4.conf.eth0/200.forwarding', value: '1', line: 3, ignoreFailure: true},
      {key: 'kernel.x', value: '', line: 4, ignoreFailure: false},
    ]);
    expect(conf.problems).toEqual([
      {line: 5, text: 'not an assignment', reason: 'not an assignment'},
      {line: 6, text: ' = 3', reason: 'invalid key'},
    ]);
  });

  it('normalises keys both ways to the dotted form', () => {
    expect(normalizeSysctlKey('net.ipv4.conf.enp3s0/200.forwarding')).toBe('net.ipv4.conf.enp3s0/200.forwarding');
    expect(normalizeSysctlKey('net/ipv4/conf/enp3s0.200/forwarding')).toBe('net.ipv4.conf.enp3s0/200.forwarding');
    expect(normalizeSysctlKey('/net/ipv4/ip_forward')).toBe('net.ipv4.ip_forward');
    expect(procSysPathToKey('/proc/sys/net/ipv6/conf/br1/accept_ra')).toBe('net.ipv6.conf.br1.accept_ra');
    expect(procSysPathToKey('/sys/class/net/x')).toBeUndefined();
  });

  it('extracts the interface of per-interface keys', () => {
    expect(interfaceOfKey('net.ipv4.conf.eth0/200.forwarding', 'net.ipv4.conf.', '.forwarding')).toBe('eth0.200');
    expect(interfaceOfKey('net.ipv4.conf.all.forwarding', 'net.ipv4.conf.', '.forwarding')).toBe('all');
    expect(interfaceOfKey('net.ipv4.conf.all.rp_filter', 'net.ipv4.conf.', '.forwarding')).toBeUndefined();
    expect(interfaceOfKey('net.ipv4.conf.a.b.forwarding', 'net.ipv4.conf.', '.forwarding')).toBeUndefined();
  });
});

describe('kernel value files', () => {
  it('reads the values captured from a tap in a throwaway netns (kernel 6.18)', () => {
    const read = (n: string) => parseProcInt(sample('tap-sysfs', `generated-kernel-6.18-${n}.txt`), n);
    expect([read('tap0-owner'), read('tap0-group'), read('tap0-tun_flags')]).toEqual([65534, 65534, 0x1802]);
    expect([read('tap2-owner'), read('tap2-group')]).toEqual([-1, -1]);
    expect(read('tun0-tun_flags')).toBe(0x1901);
  });

  it('parseProcValue wants exactly one non-empty line', () => {
    expect(parseProcValue('1\n', 's')).toBe('1');
    expect(() => parseProcValue('', 's')).toThrow(ParseError);
    expect(() => parseProcValue('1\n2\n', 's')).toThrow(ParseError);
    expect(() => parseProcInt('cat: x: No such file or directory\n', 's')).toThrow(ParseError);
  });
});

describe('robustness', () => {
  it('random mutations give a model (problems) or a ParseError', () => {
    const inputs = [sample('sysctl', 'hotsos-k8s-sysctl.d-conf-all-forwarding.txt'), '-net/ipv4/conf/eth0.200/forwarding = 1\n'];
    fc.assert(
      fc.property(fc.constantFrom(...inputs), edits({specials: SPECIALS}), (text, ops) => {
        const conf = parseSysctlConf(applyEdits(text, ops), 's');
        for (const a of conf.assignments) interfaceOfKey(a.key, 'net.ipv4.conf.', '.forwarding');
      }),
    );
    fc.assert(fc.property(fc.string({unit: 'binary'}), (text) => survives(() => parseProcInt(text, 's'))));
  });
});
