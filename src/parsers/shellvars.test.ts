import {readFileSync} from 'node:fs';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {ParseError} from './errors.js';
import {parseShellVars} from './shellvars.js';
import {applyEdits, edits, survives} from '../../test/helpers/mutation.js';
import {catchError} from '../../test/helpers/thrown.js';

/** Strings of this format the mutations insert, besides COMMON_SPECIALS. */
const SPECIALS = ['"', "'", '\\', '=', '#', ';', 'export ', '$', '`'];

const sample = (dir: string, name: string) => readFileSync(new URL(`../../test/samples/${dir}/${name}`, import.meta.url), 'utf8');
const values = (text: string) => ({...parseShellVars(text, 's').values});

describe('parseShellVars on real ifcfg and sysconfig files', () => {
  it('SUSE ifcfg-br1 (openQA docs)', () => {
    expect(values(sample('ifcfg', 'openqa-docs-2020-suse-ifcfg-br1.txt'))).toEqual({
      BOOTPROTO: 'static',
      IPADDR: '10.0.2.2/15',
      STARTMODE: 'auto',
      OVS_BRIDGE: 'yes',
      OVS_BRIDGE_PORT_DEVICE_1: 'tap0',
      OVS_BRIDGE_PORT_DEVICE_2: 'tap1',
      OVS_BRIDGE_PORT_DEVICE_3: 'tap2',
    });
  });

  it('SUSE ifcfg-tap0 with empty values and line numbers', () => {
    const parsed = parseShellVars(sample('ifcfg', 'openqa-docs-2020-suse-ifcfg-tap0.txt'), 's');
    expect({...parsed.values}).toEqual({
      BOOTPROTO: 'none',
      IPADDR: '',
      NETMASK: '',
      PREFIXLEN: '',
      STARTMODE: 'auto',
      TUNNEL: 'tap',
      TUNNEL_SET_GROUP: 'nogroup',
      TUNNEL_SET_OWNER: '_openqa-worker',
    });
    expect(parsed.entries[0]).toEqual({name: 'BOOTPROTO', value: 'none', line: 2, exported: false});
  });

  it('spaces around = and an inline comment (insights sample)', () => {
    expect(values(sample('ifcfg', 'insights-spaces-inline-comment.txt'))).toEqual({
      TYPE: 'Ethernet',
      BOOTPROTO: 'dhcp',
      IPV4_FAILURE_FATAL: 'no',
      NAME: 'enp0s25',
    });
  });

  it('JSON inside single quotes', () => {
    const v = values(sample('ifcfg', 'insights-team-single-quoted-json.txt'));
    expect(JSON.parse(v.TEAM_CONFIG!)).toEqual({
      runner: {name: 'lacp', active: 'true', tx_hash: ['eth', 'ipv4']},
      tx_balancer: {name: 'basic'},
      link_watch: {name: 'ethtool'},
    });
    expect(v.IPADDR).toBe('192.168.0.1');
  });

  it('quotes nested in a Jinja template concatenate as in shell', () => {
    const v = values(sample('ifcfg', 'fedora-ifcfg-gre.j2-2016.txt'));
    expect(v.OVS_TUNNEL_OPTIONS).toBe('options:remote_ip={{ hostvars[item.1][eth0_ip] }}');
    expect(v.DEVICE).toBe('gre{{ item.0 }}');
  });

  it('values with spaces and placeholders, blank lines', () => {
    const v = values(sample('ifcfg', 'opensuse-tests-wicked-ovsbr0-placeholders.txt'));
    expect(v.NAME).toBe('OVS Bridge');
    expect(v.IPADDR).toBe('ip_address/16');
    expect(v.IPADDR6).toBe('fd00:c0de:ba5e:200::200/48');
  });

  it('unquoted RH files', () => {
    expect(values(sample('ifcfg', 'ovs-rhel-readme-ifcfg-ovsbridge0.txt'))).toEqual({
      DEVICE: 'ovsbridge0',
      ONBOOT: 'yes',
      DEVICETYPE: 'ovs',
      TYPE: 'OVSBridge',
      BOOTPROTO: 'static',
      IPADDR: 'A.B.C.D',
      NETMASK: 'X.Y.Z.0',
      HOTPLUG: 'no',
    });
    expect(values(sample('ifcfg', 'ovs-rhel-readme-ifcfg-eth0-ovsport.txt')).OVS_BRIDGE).toBe('ovsbridge0');
  });

  it('the os-autoinst-openvswitch placeholder (openQA docs 2016)', () => {
    expect(values(sample('os-autoinst-openvswitch', 'openqa-docs-2016-placeholder.txt'))).toEqual({OS_AUTOINST_USE_BRIDGE: 'bridge_name'});
  });
});

describe('shell details', () => {
  it('export, double-quote escapes, backslashes, ;, last assignment wins', () => {
    const parsed = parseShellVars('export A="x \\"y\\" \\$z \\n"\nB=a\\ b; C=c\nA=again # note\n', 's');
    expect(parsed.entries.map((e) => [e.name, e.value, e.line, e.exported])).toEqual([
      ['A', 'x "y" $z \\n', 1, true],
      ['B', 'a b', 2, false],
      ['C', 'c', 2, false],
      ['A', 'again', 3, false],
    ]);
    expect(parsed.values.A).toBe('again');
  });

  it('multi-line quoted values keep line numbers right', () => {
    const parsed = parseShellVars("A='one\ntwo'\nB=\"x\ny\"\nC=3\n", 's');
    expect(parsed.entries.map((e) => [e.name, e.value, e.line])).toEqual([
      ['A', 'one\ntwo', 1],
      ['B', 'x\ny', 3],
      ['C', '3', 5],
    ]);
  });

  it('# inside a word is literal; a variable named export works', () => {
    expect(values('A=a#b\nexport=1\n')).toEqual({A: 'a#b', export: '1'});
  });

  it('reports errors with source, line and text', () => {
    expect(catchError(() => parseShellVars('A=1\nB=two words\n', 'ifcfg-x'))).toMatchObject({source: 'ifcfg-x', line: 2, text: 'B=two words'});
    expect(catchError(() => parseShellVars("A=1\nB='open\nC=3\n", 's'))).toMatchObject({line: 2, text: "B='open"});
    expect(catchError(() => parseShellVars('A=1\n\nB="open\n', 's'))).toMatchObject({line: 3, text: 'B="open'});
    expect(catchError(() => parseShellVars('bash: getcap: command not found\n', 's'))).toMatchObject({line: 1});
    expect(catchError(() => parseShellVars('1A=x\n', 's'))).toBeInstanceOf(ParseError);
  });

  it('empty input, CRLF, NUL inside a value', () => {
    expect(values('')).toEqual({});
    expect(values('A=1\r\nB="2"\r\n')).toEqual({A: '1', B: '2'});
    expect(values("A='a\0b'\n")).toEqual({A: 'a\0b'});
  });

  it('handles a huge line in linear time', () => {
    const big = `A=${'x'.repeat(2_000_000)}\n`;
    expect(parseShellVars(big, 's').values.A).toHaveLength(2_000_000);
  });
});

/** Real ifcfg files of several kinds (test/samples/ifcfg). */
const realFiles = () => [
  sample('ifcfg', 'insights-team-single-quoted-json.txt'),
  sample('ifcfg', 'fedora-ifcfg-gre.j2-2016.txt'),
  sample('ifcfg', 'insights-spaces-inline-comment.txt'),
  sample('ifcfg', 'openqa-docs-2020-suse-ifcfg-br1.txt'),
];

describe('robustness', () => {
  it('random mutations of real files give a model or a ParseError', () => {
    const inputs = realFiles();
    fc.assert(fc.property(fc.constantFrom(...inputs), edits({specials: SPECIALS}), (text, ops) => survives(() => parseShellVars(applyEdits(text, ops), 's'))));
  });

  // The one-match path for plain lines must be invisible: the same variables, lines and errors
  // as scanning every character, whatever the text.
  const outcome = (text: string, plainLines: boolean) => {
    try {
      const r = parseShellVars(text, 's', {plainLines});
      return {entries: r.entries, values: {...r.values}};
    } catch (error) {
      return {error: (error as Error).message};
    }
  };
  const piece = fc.constantFrom(
    'KEY', 'export', 'export ', 'A_1', '=', ' = ', "'v'", "'a b'", '"v"', '"a\\"b"', '"$x`y`"', 'val', 'a#b', ' #c', '#c', ';', ' ', '\t', '\r', '\n', "'", '"', '\\', '\\\n', '1x', '\f', 'é',
  );
  const text = fc.array(piece, {maxLength: 24}).map((p) => p.join(''));
  it('takes plain lines in one match with the same result as the scanner (property)', () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(outcome(t, true)).toEqual(outcome(t, false));
      }),
      {numRuns: 5000},
    );
  });

  it('the same on real files and their mutations', () => {
    const inputs = realFiles();
    for (const input of inputs) expect(outcome(input, true)).toEqual(outcome(input, false));
    fc.assert(
      fc.property(fc.constantFrom(...inputs), edits({specials: SPECIALS}), (t, ops) => {
        const mutated = applyEdits(t, ops);
        expect(outcome(mutated, true)).toEqual(outcome(mutated, false));
      }),
    );
  });

  it('takes the usual ifcfg lines on the fast path (export, blanks around =, comments, CRLF)', () => {
    const t = "# c\nexport A='x y'\r\nB = \"z\"  # note\n\nC=plain\nexport =1\n";
    // The last line is the scanner's error in both ways.
    expect(outcome(t, true)).toEqual(outcome(t, false));
    expect(outcome(t, true)).toEqual({error: 's:6: not a variable assignment: export =1'});
    expect(parseShellVars("# c\nexport A='x y'\r\nB = \"z\"  # note\n\nC=plain\n", 's').entries).toEqual([
      {name: 'A', value: 'x y', line: 2, exported: true},
      {name: 'B', value: 'z', line: 3, exported: false},
      {name: 'C', value: 'plain', line: 5, exported: false},
    ]);
  });
});
