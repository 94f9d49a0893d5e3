import {readFileSync} from 'node:fs';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {ParseError} from './errors.js';
import {capsOf, parseGetcap} from './getcap.js';
import {applyEdits, edits, survives} from '../../test/helpers/mutation.js';

/** Strings of this format the mutations insert, besides COMMON_SPECIALS. */
const SPECIALS = ['=', '+', '-', ',', '(', ')', '__proto__=ep', 'cap_x'];

const sample = (name: string) => readFileSync(new URL(`../../test/samples/getcap/generated-libcap-2.66-${name}.txt`, import.meta.url), 'utf8');
const simple = (text: string) => parseGetcap(text, 'getcap').map((l) => ({path: l.path, caps: {...l.caps}, ...(l.error ? {error: l.error} : {})}));
const TMP = '/tmp/tapdoctor-getcap.Jfd3';

describe('parseGetcap on libcap 2.66 output (captured)', () => {
  it('one capability', () => {
    expect(simple(sample('one-cap'))).toEqual([{path: `${TMP}/qemu-system-x86_64`, caps: {cap_net_admin: 'ep'}}]);
  });

  it('a comma list (setcap cap_net_admin,cap_sys_nice+ep)', () => {
    expect(simple(sample('comma-caps'))).toEqual([{path: `${TMP}/qemu-system-aarch64`, caps: {cap_net_admin: 'ep', cap_sys_nice: 'ep'}}]);
  });

  it('several clauses (setcap "cap_net_admin=eip cap_sys_nice+ep")', () => {
    expect(simple(sample('two-clauses'))).toEqual([{path: `${TMP}/qemu-system-ppc64`, caps: {cap_net_admin: 'eip', cap_sys_nice: 'ep'}}]);
  });

  it('no capabilities: empty output', () => {
    expect(sample('no-caps')).toBe('');
    expect(parseGetcap(sample('no-caps'), 'getcap')).toEqual([]);
  });

  it('a missing file (stderr, in case a collector merged it)', () => {
    expect(simple(sample('missing-file-stderr'))).toEqual([{path: '/tmp/tapdoctor-getcap.DCsK/qemu-system-x86_64', caps: {}, error: 'No such file or directory'}]);
  });

  it('-r over a directory: one line per file, matched by path, suffix or basename', () => {
    const lines = parseGetcap(sample('recursive'), 'getcap');
    expect(lines.map((l) => l.path)).toEqual([`${TMP}/qemu-system-aarch64`, `${TMP}/root/usr/bin/qemu-system-x86_64`, `${TMP}/qemu-system-x86_64`]);
    expect(capsOf(lines, `${TMP}/qemu-system-x86_64`)?.line).toBe(3);
    expect(capsOf(lines, '/usr/bin/qemu-system-x86_64')?.line).toBe(2); // --root prefix
    expect(capsOf(lines, '/usr/bin/qemu-system-aarch64')?.line).toBe(1); // unique basename
    expect(capsOf(lines, '/usr/bin/qemu-system-ppc64')).toBeUndefined();
  });

  it('under --root the printed path carries the root prefix', () => {
    const lines = parseGetcap(sample('root-prefix'), 'getcap');
    expect({...capsOf(lines, '/usr/bin/qemu-system-x86_64')!.caps}).toEqual({cap_net_admin: 'ep'});
  });
});

describe('other formats (libcap getcap(8))', () => {
  it('older libcap: "path = caps+flags"', () => {
    expect(simple('/usr/bin/qemu-system-x86_64 = cap_net_admin+ep\n')).toEqual([{path: '/usr/bin/qemu-system-x86_64', caps: {cap_net_admin: 'ep'}}]);
  });

  it('old missing-file message', () => {
    expect(simple("Failed to get capabilities of file `/usr/bin/qemu-kvm' (No such file or directory)\n")).toEqual([
      {path: '/usr/bin/qemu-kvm', caps: {}, error: 'No such file or directory'},
    ]);
  });

  it('= sets, + adds, - removes; empty cap list means all; paths with spaces', () => {
    expect(simple('/opt/my qemu/bin cap_net_admin=eip-i cap_sys_nice+p cap_sys_nice+e\n')).toEqual([
      {path: '/opt/my qemu/bin', caps: {cap_net_admin: 'ep', cap_sys_nice: 'ep'}},
    ]);
    expect(simple('/x =ep\n')).toEqual([{path: '/x', caps: {all: 'ep'}}]);
    expect(simple('/x cap_net_admin=ep cap_net_admin=\n')).toEqual([{path: '/x', caps: {}}]);
    expect(simple('/x CAP_NET_ADMIN+EP\n')).toEqual([{path: '/x', caps: {cap_net_admin: 'ep'}}]);
  });

  it('-v prints a bare path for a file without capabilities', () => {
    expect(simple('/usr/bin/qemu-system-x86_64\n')).toEqual([{path: '/usr/bin/qemu-system-x86_64', caps: {}}]);
  });

  it('error text instead of output is a ParseError', () => {
    expect(() => parseGetcap('bash: getcap: command not found\n', 'getcap')).toThrow(ParseError);
    expect(() => parseGetcap('sh: /usr/sbin/getcap: Permission denied\n', 'getcap')).toThrow(ParseError);
    expect(() => parseGetcap('usage: getcap [-h] [-l] [-n] [-r] [-v] <filename> [<filename> ...]\n', 'getcap')).toThrow(ParseError);
  });
});

describe('robustness', () => {
  it('random mutations of real output give a model or a ParseError', () => {
    const inputs = ['recursive', 'two-clauses', 'missing-file-stderr'].map(sample);
    fc.assert(
      fc.property(fc.constantFrom(...inputs), edits({specials: SPECIALS}), (text, ops) =>
        survives(() => {
          const lines = parseGetcap(applyEdits(text, ops), 's');
          capsOf(lines, '/usr/bin/qemu-system-x86_64');
        }),
      ),
    );
  });
});
