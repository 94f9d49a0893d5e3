import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {makeSnapshot} from '../../test/helpers/snapshot.js';
import {DEFAULT_CONFIG, type TapdoctorConfig} from '../config.js';
import {analyzeSnapshot} from '../engine.js';
import check from './TD009-ip-forward-disabled.js';

const fixture = (path: string) => readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8');

function run(runtime: Record<string, string>, opts: {sysctl?: Record<string, string>; route4?: string; config?: Partial<TapdoctorConfig>; noSysctl?: boolean} = {}) {
  const snapshot = makeSnapshot({
    commands: {'ip.addr': fixture('healthy-suse/commands/ip.addr'), 'ip.route4': opts.route4 ?? fixture('healthy-suse/commands/ip.route4')},
    files: {
      ...(opts.noSysctl ? {} : {'sysctl.runtime': Object.fromEntries(Object.entries(runtime).map(([k, v]) => [`/proc/sys/${k.replaceAll('.', '/')}`, `${v}\n`]))}),
      'sysctl.files': opts.sysctl ?? {},
      'openqa.switch-config': {'/etc/sysconfig/os-autoinst-openvswitch': 'OS_AUTOINST_USE_BRIDGE=br1\n'},
    },
    failed: opts.noSysctl ? {'sysctl.runtime': 'permission denied'} : {},
  });
  return analyzeSnapshot(snapshot, [check], {...DEFAULT_CONFIG, ...opts.config}, {mode: 'snapshot'}).results[0]!;
}

const ON = {'net.ipv4.ip_forward': '1', 'net.ipv4.conf.all.forwarding': '1', 'net.ipv4.conf.br1.forwarding': '1', 'net.ipv4.conf.eth0.forwarding': '1'};

describe('TD009 ip-forward-disabled', () => {
  it('passes with forwarding on everywhere, persisted or not (persistence is the gate\'s)', () => {
    const r = run(ON);
    expect(r.status).toBe('pass');
    expect(r.reason).toBeUndefined();
  });

  it('reports ip_forward = 0 once, with the file to persist it in', () => {
    const r = run({...ON, 'net.ipv4.ip_forward': '0', 'net.ipv4.conf.br1.forwarding': '0', 'net.ipv4.conf.eth0.forwarding': '0'});
    expect(r.findings.map((f) => f.subject)).toEqual(['net.ipv4.ip_forward']);
    const f = r.findings[0]!;
    expect(f.message).toBe('IPv4 forwarding is off: net.ipv4.ip_forward = 0, expected 1 (the host routes no SUT traffic at all)');
    expect(f.evidence).toEqual([{source: 'sysctl.runtime', lines: ['/proc/sys/net/ipv4/ip_forward: 0']}]);
    expect(f.fix).toBe("sysctl -w net.ipv4.ip_forward=1\nmkdir -p /etc/sysctl.d\ngrep -qxF -e 'net.ipv4.ip_forward = 1' /etc/sysctl.d/ip_forward.conf 2>/dev/null || echo 'net.ipv4.ip_forward = 1' >> /etc/sysctl.d/ip_forward.conf");
  });

  it('names the persisted line that says 0', () => {
    const r = run({...ON, 'net.ipv4.ip_forward': '0'}, {sysctl: {'/etc/sysctl.d/90-net.conf': '# no routing\nnet.ipv4.ip_forward=0\n'}});
    const f = r.findings[0]!;
    expect(f.evidence[1]).toEqual({source: 'sysctl.files', lines: ['/etc/sysctl.d/90-net.conf:2: net.ipv4.ip_forward = 0']});
    expect(f.fix.split('\n').slice(1)).toEqual(['# /etc/sysctl.d/90-net.conf line 2: net.ipv4.ip_forward = 0 -> 1', "sed -i --follow-symlinks '2s/.*/net.ipv4.ip_forward = 1/' /etc/sysctl.d/90-net.conf"]);
  });

  it('reports the uplink flag when only it is off', () => {
    const r = run({...ON, 'net.ipv4.conf.eth0.forwarding': '0'});
    expect(r.findings.map((f) => [f.subject, f.message])).toEqual([
      ['net.ipv4.conf.eth0.forwarding', 'forwarding is off on the uplink eth0: net.ipv4.conf.eth0.forwarding = 0, expected 1 (replies entering from the uplink are not routed back to the SUTs)'],
    ]);
  });

  it('uses the configured uplink', () => {
    const r = run({...ON, 'net.ipv4.conf.bond0.forwarding': '0'}, {config: {uplink: 'bond0'}});
    expect(r.findings.map((f) => f.subject)).toEqual(['net.ipv4.conf.bond0.forwarding']);
  });

  it('passes with a note when an interface flag was not captured', () => {
    const r = run({'net.ipv4.ip_forward': '1', 'net.ipv4.conf.eth0.forwarding': '1'});
    expect(r.status).toBe('pass');
    expect(r.reason).toBe('could not check every interface: net.ipv4.conf.br1.forwarding was not captured (no bridge br1 at runtime?)');
  });

  it('passes with a note when the uplink is unknown', () => {
    const r = run(ON, {route4: '[]'});
    expect(r.reason).toContain('the uplink is unknown (no IPv4 default route)');
  });

  it('skips when the runtime values were not captured', () => {
    expect(run({}, {noSysctl: true}).status).toBe('skip');
    const r = run({'net.ipv4.conf.br1.forwarding': '1'});
    expect(r.status).toBe('skip');
    expect(r.reason).toBe('/proc/sys/net/ipv4/ip_forward was not captured');
  });
});
