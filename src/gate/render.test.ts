import {describe, expect, it} from 'vitest';
import type {GateDecision} from './decide.js';
import {renderGate, verdictLine} from './render.js';

const base: GateDecision = {verdict: 'safe', exitCode: 0, blockers: [], unknowns: [], notes: ['openQA http://o/: 2 workers of w5, 0 with a job']};

describe('gate text', () => {
  it('ends with the verdict line, singular and plural', () => {
    expect(verdictLine(base)).toBe('SAFE TO REBOOT');
    const one = {...base, verdict: 'not-safe' as const, exitCode: 1 as const, blockers: [{id: 'TD101', subject: 'net.ipv4.ip_forward', message: 'm', fix: 'f'}]};
    expect(verdictLine(one)).toBe('NOT SAFE TO REBOOT: 1 blocker');
    expect(verdictLine({...one, blockers: [...one.blockers, ...one.blockers]})).toBe('NOT SAFE TO REBOOT: 2 blockers');
    expect(verdictLine({...base, verdict: 'unknown', exitCode: 2, unknowns: [{what: 'a', reason: 'b'}, {what: 'c', reason: 'd'}]})).toBe('CANNOT TELL IF SAFE TO REBOOT: 2 open questions');
  });

  it('lists blockers with every fix line, open questions and notes before the verdict', () => {
    const d: GateDecision = {
      verdict: 'not-safe',
      exitCode: 1,
      blockers: [{id: 'TD103', subject: 'tap1', message: 'tap1 is hand-made', fix: 'ln -sf ifcfg-tap0 /etc/sysconfig/network/ifcfg-tap1\necho x >> y'}],
      unknowns: [{what: 'openQA http://o/', reason: 'could not ask openQA: no answer'}],
      notes: ['pool: 0 live qemu processes'],
    };
    expect(renderGate(d, {color: false})).toBe(
      [
        'Pre-reboot gate',
        '  1. TD103 tap1 is hand-made',
        '       fix: ln -sf ifcfg-tap0 /etc/sysconfig/network/ifcfg-tap1',
        '            echo x >> y',
        '  ? openQA http://o/: could not ask openQA: no answer',
        '  pool: 0 live qemu processes',
        'NOT SAFE TO REBOOT: 1 blocker',
        '',
      ].join('\n'),
    );
    expect(renderGate(d, {color: true})).toContain('\u001b[');
  });

  it('names the subject once, wraps long messages under the number and keeps commands whole', () => {
    const d: GateDecision = {
      verdict: 'not-safe',
      exitCode: 1,
      blockers: [
        {id: 'TD104', subject: 'eth0', message: 'no masquerade for eth0', fix: 'nft -c -f /etc/firewall.nft'},
        {id: 'TD010', subject: 'br1', message: `br1: only the default rule ${'word '.repeat(20).trim()}`, fix: `systemctl restart os-autoinst-openvswitch.service   # ${'why '.repeat(25).trim()}`},
      ],
      unknowns: [],
      notes: [],
    };
    expect(renderGate(d, {color: false, width: 100}).split('\n')).toEqual([
      'Pre-reboot gate',
      '  1. TD104 eth0: no masquerade for eth0',
      '       fix: nft -c -f /etc/firewall.nft',
      '  2. TD010 br1: only the default rule word word word word word word word word word word word word',
      '       word word word word word word word word',
      // fix lines are never wrapped, comments included; the trailing comment moves above its command
      `       fix: # ${'why '.repeat(25).trim()}`,
      '            systemctl restart os-autoinst-openvswitch.service',
      'NOT SAFE TO REBOOT: 2 blockers',
      '',
    ]);
  });
});
