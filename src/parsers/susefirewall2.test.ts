import {readFileSync} from 'node:fs';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {ParseError} from './errors.js';
import {parseSuSEfirewall2} from './susefirewall2.js';
import {applyEdits, edits, survives} from '../../test/helpers/mutation.js';
import {catchError} from '../../test/helpers/thrown.js';

// Hand-written in the upstream template's layout (provenance: test/samples/README.md).
const WORKER = readFileSync(new URL('../../test/samples/susefirewall2/openqa-worker-sle12.txt', import.meta.url), 'utf8');

describe('parseSuSEfirewall2', () => {
  it('reads the openQA worker setup: zones, routing, masquerade on the expanded $FW_DEV_EXT, GRE allowed', () => {
    const c = parseSuSEfirewall2(WORKER, '/etc/sysconfig/SuSEfirewall2');
    expect(c.devExt).toEqual(['eth0']);
    expect(c.devInt).toEqual(['br1', 'ovs-system']);
    expect(c.route).toBe(true);
    expect(c.masquerade).toBe(true);
    expect(c.masqDev).toEqual(['eth0']);
    expect(c.masqNets).toEqual(['0/0']);
    expect(c.servicesExtIp).toEqual(['47']);
    expect(c.problems).toEqual([]);
    expect(WORKER.split('\n')[c.lines.FW_MASQUERADE! - 1]).toBe('FW_MASQUERADE="yes"');
  });

  it('applies the template defaults when variables are unset: no routing, no masquerade, FW_MASQ_DEV = FW_DEV_EXT, FW_MASQ_NETS = 0/0', () => {
    const c = parseSuSEfirewall2('FW_DEV_EXT="eth1 any"\n', 's');
    expect(c.route).toBe(false);
    expect(c.masquerade).toBe(false);
    expect(c.devExt).toEqual(['eth1']);
    expect(c.extAny).toBe(true);
    // "any" never masquerades: the template says forwarding/masquerading need named interfaces
    expect(c.masqDev).toEqual(['eth1']);
    expect(c.masqNets).toEqual(['0/0']);
  });

  it('keeps "auto" (the default route device) for the caller, and ${VAR} expands too', () => {
    const c = parseSuSEfirewall2('FW_DEV_EXT=auto\nFW_MASQ_DEV="${FW_DEV_EXT}"\n', 's');
    expect(c.extAuto).toBe(true);
    expect(c.devExt).toEqual([]);
    expect(c.masqDev).toEqual(['auto']);
  });

  it('reports values that are not yes/no and references to unset variables with their line', () => {
    const c = parseSuSEfirewall2('# comment\nFW_ROUTE="Yes"\nFW_MASQ_DEV="$FW_DEV_EXT"\nFW_MASQUERADE=yes # inline\n', 's');
    expect(c.route).toBe(false);
    expect(c.masquerade).toBe(true);
    expect(c.masqDev).toEqual([]);
    expect(c.problems).toEqual([
      {line: 3, message: 'FW_MASQ_DEV refers to $FW_DEV_EXT, which is not set before it: expands to nothing'},
      {line: 2, message: 'FW_ROUTE="Yes" is neither "yes" nor "no": SuSEfirewall2 treats it as "no"'},
    ]);
  });

  it('refuses a broken file with a ParseError naming the line', () => {
    const e = catchError(() => parseSuSEfirewall2('FW_ROUTE="yes"\nFW_DEV_INT="br1\n', '/etc/sysconfig/SuSEfirewall2'));
    expect(e).toBeInstanceOf(ParseError);
    expect((e as ParseError).line).toBe(2);
  });
});

describe('robustness', () => {
  it('random mutations of the worker file give a model or a ParseError', () => {
    fc.assert(fc.property(edits({specials: ['"', "'", '$', '${', '=', '#', '\\', 'yes', 'FW_DEV_EXT']}), (ops) => survives(() => parseSuSEfirewall2(applyEdits(WORKER, ops), 's'))));
  });
});
