import {describe, expect, it} from 'vitest';
import type {GateDecision} from './decide.js';
import {renderGate, verdictLine} from './render.js';

const base: GateDecision = {verdict: 'safe', exitCode: 0, blockers: [], heals: [], unknowns: [], notes: ['openQA http://o/: 2 workers of w5, 0 with a job'], runningJobsFrom: 'openqa'};

describe('gate text', () => {
  it('ends with the verdict line, singular and plural', () => {
    expect(verdictLine(base)).toBe('SAFE TO REBOOT');
    const one = {...base, verdict: 'not-safe' as const, blockers: [{id: 'TD101', subject: 'net.ipv4.ip_forward', message: 'm', fix: 'f'}]};
    expect(verdictLine(one)).toBe('NOT SAFE TO REBOOT: 1 blocker');
    expect(verdictLine({...one, blockers: [...one.blockers, ...one.blockers]})).toBe('NOT SAFE TO REBOOT: 2 blockers');
    expect(verdictLine({...base, verdict: 'unknown', unknowns: [{what: 'a', reason: 'b'}, {what: 'c', reason: 'd'}]})).toBe('CANNOT TELL IF SAFE TO REBOOT: 2 open questions');
  });

  it('gives blockers, heals and open questions one line each, then the persistence steps, then the verdict', () => {
    const d: GateDecision = {
      verdict: 'not-safe',
      exitCode: 1,
      blockers: [
        {id: 'TD103', subject: 'tap1', message: 'tap1 is hand-made', fix: 'ln -sf ifcfg-tap0 /etc/sysconfig/network/ifcfg-tap1\necho x >> y'},
        {id: 'qemu', subject: '/var/lib/openqa/pool/1', message: 'qemu (pid 7) of worker instance 1 is alive', fix: 'wait'},
      ],
      heals: [{id: 'TD010', subject: 'br1', message: 'br1 has only the default flow\nsecond line', why: 'the enabled switch service installs them at boot'}],
      unknowns: [{what: 'openQA http://o/', reason: 'could not ask openQA: no answer'}],
      notes: ['running jobs from the pool: 1 live qemu process'],
      runningJobsFrom: 'qemu',
    };
    expect(renderGate(d, {color: false})).toBe(
      [
        'Pre-reboot gate',
        'BLOCKS REBOOT (2)',
        '  ✖ TD103 tap1 is hand-made',
        '  ✖ qemu /var/lib/openqa/pool/1: qemu (pid 7) of worker instance 1 is alive',
        'HEALS AT BOOT (1)',
        '  ↻ TD010 br1 has only the default flow second line — at boot: the enabled switch service installs them at boot',
        'OPEN QUESTIONS (1)',
        '  ? openQA http://o/: could not ask openQA: no answer',
        '  running jobs from the pool: 1 live qemu process',
        'PERSIST BEFORE REBOOTING',
        '  # TD103 tap1',
        '  ln -sf ifcfg-tap0 /etc/sysconfig/network/ifcfg-tap1',
        '  echo x >> y',
        'NOT SAFE TO REBOOT: 2 blockers',
        '',
      ].join('\n'),
    );
    expect(renderGate(d, {color: true})).toContain('\u001b[');
  });
});
