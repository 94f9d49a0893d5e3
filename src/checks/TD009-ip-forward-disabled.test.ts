import {readFileSync} from 'node:fs';
import {expect} from 'vitest';
import {CheckTester} from '../../test/helpers/check-tester.js';
import {makeSnapshot} from '../../test/helpers/snapshot.js';
import check from './TD009-ip-forward-disabled.js';

const fixture = (path: string) => readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8');

interface Host {
  runtime: Record<string, string>;
  sysctl?: Record<string, string>;
  route4?: string;
  noSysctl?: boolean;
}

const tester = new CheckTester(check, (h: Host) =>
  makeSnapshot({
    commands: {'ip.addr': fixture('healthy-suse/commands/ip.addr'), 'ip.route4': h.route4 ?? fixture('healthy-suse/commands/ip.route4')},
    files: {
      ...(h.noSysctl ? {} : {'sysctl.runtime': Object.fromEntries(Object.entries(h.runtime).map(([k, v]) => [`/proc/sys/${k.replaceAll('.', '/')}`, `${v}\n`]))}),
      'sysctl.files': h.sysctl ?? {},
      'openqa.switch-config': {'/etc/sysconfig/os-autoinst-openvswitch': 'OS_AUTOINST_USE_BRIDGE=br1\n'},
    },
    failed: h.noSysctl ? {'sysctl.runtime': 'permission denied'} : {},
  }),
);

const ON = {'net.ipv4.ip_forward': '1', 'net.ipv4.conf.all.forwarding': '1', 'net.ipv4.conf.br1.forwarding': '1', 'net.ipv4.conf.eth0.forwarding': '1'};

tester.run({
  valid: [
    {name: "passes with forwarding on everywhere, persisted or not (persistence is the gate's)", host: {runtime: ON}, reason: undefined},
    {
      name: 'passes with a note when an interface flag was not captured',
      host: {runtime: {'net.ipv4.ip_forward': '1', 'net.ipv4.conf.eth0.forwarding': '1'}},
      reason: 'could not check every interface: net.ipv4.conf.br1.forwarding was not captured (no bridge br1 at runtime?)',
    },
    {name: 'passes with a note when the uplink is unknown', host: {runtime: ON, route4: '[]'}, reason: expect.stringContaining('the uplink is unknown (no IPv4 default route)')},
    {name: 'skips when the runtime values were not captured', host: {runtime: {}, noSysctl: true}, status: 'skip'},
    {name: 'skips when ip_forward was not captured', host: {runtime: {'net.ipv4.conf.br1.forwarding': '1'}}, status: 'skip', reason: '/proc/sys/net/ipv4/ip_forward was not captured'},
  ],
  invalid: [
    {
      name: 'reports ip_forward = 0 once, with the file to persist it in',
      host: {runtime: {...ON, 'net.ipv4.ip_forward': '0', 'net.ipv4.conf.br1.forwarding': '0', 'net.ipv4.conf.eth0.forwarding': '0'}},
      findings: [
        {
          kind: 'ip-forward-off',
          subject: 'net.ipv4.ip_forward',
          message: 'IPv4 forwarding is off: net.ipv4.ip_forward = 0, expected 1 (the host routes no SUT traffic at all)',
          evidence: [{source: 'sysctl.runtime', lines: ['/proc/sys/net/ipv4/ip_forward: 0']}],
          fix: "sysctl -w net.ipv4.ip_forward=1\nmkdir -p /etc/sysctl.d\ngrep -qxF -e 'net.ipv4.ip_forward = 1' /etc/sysctl.d/ip_forward.conf 2>/dev/null || echo 'net.ipv4.ip_forward = 1' >> /etc/sysctl.d/ip_forward.conf",
        },
      ],
    },
    {
      name: 'names the persisted line that says 0',
      host: {runtime: {...ON, 'net.ipv4.ip_forward': '0'}, sysctl: {'/etc/sysctl.d/90-net.conf': '# no routing\nnet.ipv4.ip_forward=0\n'}},
      findings: [{kind: 'ip-forward-off', subject: 'net.ipv4.ip_forward'}],
      assert: (r) => {
        const f = r.findings[0]!;
        expect(f.evidence[1]).toEqual({source: 'sysctl.files', lines: ['/etc/sysctl.d/90-net.conf:2: net.ipv4.ip_forward = 0']});
        expect(f.fix.split('\n').slice(1)).toEqual(['# /etc/sysctl.d/90-net.conf line 2: net.ipv4.ip_forward = 0 -> 1', "sed -i --follow-symlinks '2s/.*/net.ipv4.ip_forward = 1/' /etc/sysctl.d/90-net.conf"]);
      },
    },
    {
      name: 'reports the uplink flag when only it is off',
      host: {runtime: {...ON, 'net.ipv4.conf.eth0.forwarding': '0'}},
      findings: [
        {
          kind: 'uplink-forwarding-off',
          subject: 'net.ipv4.conf.eth0.forwarding',
          message: 'forwarding is off on the uplink eth0: net.ipv4.conf.eth0.forwarding = 0, expected 1 (replies entering from the uplink are not routed back to the SUTs)',
        },
      ],
    },
    {name: 'uses the configured uplink', host: {runtime: {...ON, 'net.ipv4.conf.bond0.forwarding': '0'}}, config: {uplink: 'bond0'}, findings: [{kind: 'uplink-forwarding-off', subject: 'net.ipv4.conf.bond0.forwarding'}]},
  ],
});
