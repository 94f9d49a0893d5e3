import {readFileSync} from 'node:fs';
import {expect} from 'vitest';
import {CheckTester} from '../../test/helpers/check-tester.js';
import {makeSnapshot} from '../../test/helpers/snapshot.js';
import check from './TD010-ovs-flows-missing.js';

const fixture = (path: string) => readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8');
const SUSE_FLOWS = fixture('healthy-suse/commands/ovs.flows/br1');
const UNITS = fixture('healthy-suse/commands/systemd.units');
const SWITCH_LINE = 'os-autoinst-openvswitch.service loaded active running os-autoinst openvswitch helper';

interface Host {
  flows?: Record<string, string>;
  units?: string | null;
  sysconfig?: string;
  workersIni?: string;
  failed?: Record<string, string>;
  /** ovs-ofctl dump-flows failed for these bridges, with this error. */
  flowErrors?: Record<string, string>;
  journal?: string;
  /** The installed os-autoinst-openvswitch script. */
  script?: string;
}

const ONLY_NORMAL = 'NXST_FLOW reply (xid=0x4):\n cookie=0x0, duration=2.568s, table=0, n_packets=0, n_bytes=0, idle_age=1, priority=0 actions=NORMAL\n';

const tester = new CheckTester(check, (h: Host) => {
  const snapshot = makeSnapshot({
    commands: {
      'ip.addr': fixture('healthy-suse/commands/ip.addr'),
      'ovs.bridges': fixture('healthy-suse/commands/ovs.bridges'),
      'ovs.ports': fixture('healthy-suse/commands/ovs.ports'),
      'ovs.interfaces': fixture('healthy-suse/commands/ovs.interfaces'),
      'ovs.flows': h.flows ?? {br1: SUSE_FLOWS},
      ...(h.units === null ? {} : {'systemd.units': h.units ?? UNITS}),
      ...(h.journal === undefined ? {} : {'journal.switch': h.journal}),
    },
    files: {
      'openqa.switch-config': {'/etc/sysconfig/os-autoinst-openvswitch': h.sysconfig ?? 'OS_AUTOINST_USE_BRIDGE=br1\n'},
      'openqa.workers-ini': {'/etc/openqa/workers.ini': h.workersIni ?? fixture('healthy-suse/files/etc/openqa/workers.ini')},
      'systemd.wants': {},
      ...(h.script === undefined ? {} : {'openqa.switch-script': {'/usr/lib/os-autoinst/script/os-autoinst-openvswitch': h.script}}),
    },
    failed: {...(h.units === null ? {'systemd.units': 'systemctl not found'} : {}), ...h.failed},
  });
  if (h.flowErrors) {
    const entries = Object.entries(h.flowErrors).map(([key, error]) => ({path: `commands/ovs.flows/${key}`, binding: `ovs-ofctl dump-flows ${key}`, key, exitCode: 1, durationMs: 1, bytes: 0, truncated: false, error}));
    snapshot.manifest.sources['ovs.flows'] = {name: 'ovs.flows', status: 'failed', reason: entries[0]!.error, entries};
  }
  return snapshot;
});

const withUnit = (line: string | undefined) => UNITS.split('\n').flatMap((l) => (l === SWITCH_LINE ? (line ? [line] : []) : [l])).join('\n');
const dropFlow = (match: string) => SUSE_FLOWS.split('\n').filter((l) => !l.includes(match)).join('\n');

const sample = (path: string) => readFileSync(new URL(`../../test/samples/${path}`, import.meta.url), 'utf8');
const SCRIPT_8 = sample('os-autoinst-openvswitch/os-autoinst-26013d06-init_switch-rules.txt');
const SCRIPT_5 = sample('os-autoinst-openvswitch/os-autoinst-2be705f6-init_switch-rules.txt');

// Captured from ovs-vsctl/ovs-ofctl 3.1 against a stopped ovsdb-server / ovs-vswitchd (test/samples).
const NO_DB = `ovs-vsctl exited 1: ${readFileSync(new URL('../../test/samples/ovs-vsctl-json/generated-ovs-3.1-netns-error-no-db.txt', import.meta.url), 'utf8').trim()}`;
const NO_SWITCH = `ovs-ofctl exited 1: ${readFileSync(new URL('../../test/samples/ovs-ofctl-dump-flows/generated-ovs-3.1-netns-error-no-bridge.txt', import.meta.url), 'utf8').trim().replace('br-nosuch', 'br1')}`;
const DB_SOURCES = ['ovs.bridges', 'ovs.ports', 'ovs.interfaces', 'ovs.show'];

const WAITING = [
  '2026-11-21T06:02:12+0000 w1 os-autoinst-openvswitch[1482]: Initializing D-Bus service and Open vSwitch',
  "2026-11-21T06:02:14+0000 w1 os-autoinst-openvswitch[1482]: Waiting for IP on bridge 'br1', 298s left ...",
  "2026-11-21T06:02:15+0000 w1 os-autoinst-openvswitch[1482]: Waiting for IP on bridge 'br1', 297s left ...",
  '',
].join('\n');
// As the live test (test/live/dead-switch.test.ts) captured it after SIGKILL of ovs-vswitchd.
const STALE_MGMT = 'ovs-ofctl exited 1: ovs-ofctl: /run/openvswitch/br1.mgmt: failed to open socket (Connection refused)';

tester.run({
  valid: [
    {name: 'expects the rule set of the installed script: five rules pass with a pre-2025-11 script', host: {script: SCRIPT_5}},
    {name: 'passes with the five rules and the service active', host: {}},
    {
      name: 'is n/a on a host that is no tap worker',
      host: {units: withUnit(undefined), workersIni: '[global]\nHOST = http://localhost\n\n[1]\nWORKER_CLASS = qemu_x86_64\n'},
      status: 'n/a',
      reason: expect.stringContaining('not a tap worker'),
    },
    {
      name: 'checks the rules and passes with a note when the unit list was not captured',
      host: {units: null},
      reason: 'the state of os-autoinst-openvswitch.service could not be read (could not collect systemd.units: systemctl not found); only the rules were checked',
    },
    {name: 'is n/a when the configured bridge does not exist (TD011 reports it)', host: {sysconfig: 'OS_AUTOINST_USE_BRIDGE=br0\n'}, status: 'n/a', reason: expect.stringContaining('bridge br0 (OS_AUTOINST_USE_BRIDGE) does not exist')},
    {
      name: 'skips when the dump of the bridge failed',
      host: {flows: {br1: '2026-11-21T10:15:00Z|00001|vconn|WARN|unix:/var/run/openvswitch/br1.mgmt: version negotiation failed\novs-ofctl: br1: failed to connect to socket (Broken pipe)\n'}},
      status: 'skip',
      reason: expect.stringContaining('the rules of br1 could not be read'),
    },
    {
      name: 'a dead switch: a timeout or a missing ovs-vsctl proves nothing about the daemons: a skip, as before',
      host: {failed: Object.fromEntries([...DB_SOURCES, 'ovs.flows'].map((s) => [s, 'timed out after 10 s']))},
      status: 'skip',
    },
  ],
  invalid: [
    {
      name: 'reports the IPv6 rules a 2025-11 script installs but the bridge lacks (the service predates the update)',
      host: {script: SCRIPT_8},
      findings: [{kind: 'rules-missing', subject: 'br1', severity: 'error', message: /^br1: missing ipv6-nd .*ipv6-first .*ipv6-other .*\/usr\/lib\/os-autoinst\/script\/os-autoinst-openvswitch installs eight rules/}],
      assert: (r) => {
        expect(r.findings[0]!.evidence.find((e) => e.source === 'openqa.switch-script')?.lines[0]).toMatch(/os-autoinst-openvswitch:\d+: .*0x86dd/);
        expect(JSON.stringify(r.findings[0]!.fix)).toContain('systemctl restart os-autoinst-openvswitch');
      },
    },
    {
      name: 'reports a bridge with only the NORMAL rule',
      host: {flows: {br1: 'NXST_FLOW reply (xid=0x4):\n cookie=0x0, duration=2.568s, table=0, n_packets=16, n_bytes=1476, idle_age=1, priority=0 actions=NORMAL\n'}},
      findings: [
        {
          kind: 'rules-missing',
          subject: 'br1',
          message: 'br1: only the default rule (priority=0 actions=NORMAL): the service never installed its rules on this bridge, or the bridge was re-created after it started',
        },
      ],
      assert: (r) => {
        expect(r.findings[0]!.fix.split('\n')[0]).toBe('systemctl restart os-autoinst-openvswitch.service');
        expect(r.findings[0]!.evidence[0]).toEqual({source: 'ovs.flows', lines: ['cookie=0x0, duration=2.568s, table=0, n_packets=16, n_bytes=1476, idle_age=1, priority=0 actions=NORMAL']});
      },
    },
    {
      name: 'an ARP rule for another LOCAL_IP is missing for this one, with the hint to fix the address first',
      host: {flows: {br1: SUSE_FLOWS.replace('arp_tpa=10.0.2.2', 'arp_tpa=10.0.2.1')}},
      findings: [
        {
          kind: 'rules-missing',
          subject: 'br1',
          message: 'br1: missing arp-gateway (priority=100,arp,arp_tpa=10.0.2.2) (present: default, host-replies, ipv4-first, ipv4-other)',
          fix: expect.stringContaining('fix the address first (TD011)'),
        },
      ],
    },
    {name: 'reports a missing host-replies rule', host: {flows: {br1: dropFlow('in_port=LOCAL actions=resubmit')}}, findings: [{kind: 'rules-missing', subject: 'br1', message: expect.stringContaining('missing host-replies (priority=1,in_port=LOCAL resubmit(,1))')}]},
    {
      name: 'reports a failed service even when its rules are still there',
      host: {units: withUnit('os-autoinst-openvswitch.service loaded failed failed os-autoinst openvswitch helper')},
      findings: [
        {
          kind: 'switch-service-down',
          subject: 'os-autoinst-openvswitch.service',
          severity: 'error',
          evidence: [{source: 'systemd.units', lines: ['os-autoinst-openvswitch.service loaded failed failed os-autoinst openvswitch helper']}],
        },
      ],
    },
    // The unit is Type=dbus and the script takes its bus name before it waits for the bridge
    // (os-autoinst script/os-autoinst-openvswitch): activating is not "waiting", and rules are judged.
    {
      name: 'activating: a warning that it has no D-Bus name yet, and the missing rules are reported beside it',
      host: {units: withUnit('os-autoinst-openvswitch.service loaded activating start os-autoinst openvswitch helper'), flows: {br1: ONLY_NORMAL}},
      findings: [
        {
          kind: 'switch-service-activating',
          subject: 'os-autoinst-openvswitch.service',
          severity: 'warning',
          message: 'os-autoinst-openvswitch.service is activating (start), expected active: it has not taken its D-Bus name yet, so set_vlan calls fail',
        },
        {kind: 'rules-missing', subject: 'br1', severity: 'error'},
      ],
    },
    {
      name: 'active with no rules while the journal says it waits for the address: kind waiting-for-bridge, fix the address, no restart',
      host: {flows: {br1: ONLY_NORMAL}, journal: WAITING},
      findings: [{kind: 'waiting-for-bridge', severity: 'error', subject: 'br1', message: /is active but still waiting for the bridge \("Waiting for IP on bridge 'br1', 297s left \.\.\."\)/}],
      assert: (r) => expect(r.findings[0]!.fix).not.toContain('systemctl restart'),
    },
    {
      // Once it ran past the wait, missing rules are the plain finding again.
      name: 'once it ran past the wait, missing rules are the plain finding again',
      host: {flows: {br1: ONLY_NORMAL}, journal: `${WAITING}2026-11-21T06:02:16+0000 w1 os-autoinst-openvswitch[1482]: Running D-Bus service\n`},
      findings: [{kind: 'rules-missing', subject: 'br1'}],
    },
    {
      name: 'a tap worker without the service installed',
      host: {units: withUnit(undefined)},
      findings: [{kind: 'switch-service-down', subject: 'os-autoinst-openvswitch.service', message: expect.stringContaining('is not loaded (not installed?)')}],
    },
    {
      name: 'a dead switch: ovsdb-server down (database socket absent): error of kind ovsdb-server-down with the journal and the restart order',
      host: {failed: Object.fromEntries([...DB_SOURCES, 'ovs.flows'].map((s) => [s, s === 'ovs.flows' ? 'no bridge list: could not collect ovs.bridges' : NO_DB]))},
      findings: [
        {
          kind: 'ovsdb-server-down',
          severity: 'error',
          subject: 'ovsdb-server',
          message: 'ovsdb-server is not running: ovs-vsctl cannot reach the OVS database: ovs-vsctl exited 1: ovs-vsctl: unix:/run/tdovs/run/db.sock: database connection failed (No such file or directory)',
          explanation: /no frame crosses the bridge/,
        },
      ],
      assert: (r) => {
        const f = r.findings[0]!;
        expect(f.evidence[0]).toEqual({source: 'ovs.bridges', lines: [`could not collect ovs.bridges: ${NO_DB}`]});
        expect(f.fix.split('\n').map((l) => l.split('   #')[0])).toEqual([
          '# starts ovsdb-server, then ovs-vswitchd',
          'systemctl restart openvswitch.service',
          'systemctl restart os-autoinst-openvswitch.service',
          '# look: journalctl -b -u ovsdb-server -u openvswitch',
          '# look: ovs-vsctl show',
        ]);
      },
    },
    {
      name: 'a dead switch: ovsdb-server down with a stale socket (Connection refused) is the same finding',
      host: {failed: Object.fromEntries(DB_SOURCES.map((s) => [s, NO_DB.replace('No such file or directory', 'Connection refused')]))},
      findings: [{kind: 'ovsdb-server-down', subject: 'ovsdb-server'}],
    },
    {
      name: 'a dead switch: ovs-vswitchd down ("br1 is not a bridge or a socket"): error of kind ovs-vswitchd-down naming the dump that failed',
      host: {flowErrors: {br1: NO_SWITCH}},
      findings: [
        {
          kind: 'ovs-vswitchd-down',
          severity: 'error',
          subject: 'ovs-vswitchd',
          fix: expect.stringContaining('# look: journalctl -b -u ovs-vswitchd -u openvswitch   # why the switch daemon stopped (crash, OOM kill)'),
        },
      ],
      assert: (r) => expect(r.findings[0]!.evidence[0]).toEqual({source: 'ovs.flows', lines: [`ovs-ofctl dump-flows br1: ${NO_SWITCH}`]}),
    },
    {
      name: 'a dead switch: ovs-vswitchd killed (its stale br1.mgmt socket refuses connections) is the same finding',
      host: {flowErrors: {br1: STALE_MGMT}},
      findings: [{kind: 'ovs-vswitchd-down', subject: 'ovs-vswitchd'}],
    },
    {
      // The whole source failed, no per-bridge entry left: the bridge is named from the socket path.
      name: 'a dead switch: the whole flow source failed: the bridge is named from the socket path',
      host: {failed: {'ovs.flows': STALE_MGMT}},
      findings: [{kind: 'ovs-vswitchd-down', subject: 'ovs-vswitchd'}],
      assert: (r) => expect(r.findings[0]!.evidence[0]).toEqual({source: 'ovs.flows', lines: [`ovs-ofctl dump-flows br1: ${STALE_MGMT}`]}),
    },
    {
      name: 'a dead switch: a failed OVS unit is named in the evidence of the daemon it proves down',
      host: {units: UNITS.replace('ovs-vswitchd.service loaded active running', 'ovs-vswitchd.service loaded failed failed'), flowErrors: {br1: NO_SWITCH}},
      findings: [{kind: 'ovs-vswitchd-down', subject: 'ovs-vswitchd'}],
      assert: (r) => expect(r.findings[0]!.evidence[1]).toEqual({source: 'systemd.units', lines: ['ovs-vswitchd.service loaded failed failed Open vSwitch Forwarding Unit']}),
    },
    {
      name: 'a dead switch: a failed OVS unit alone (the daemons still answered when collected) is an error of kind openvswitch-unit-down',
      host: {units: UNITS.replace('openvswitch.service loaded active exited', 'openvswitch.service loaded failed failed')},
      findings: [
        {
          kind: 'openvswitch-unit-down',
          severity: 'error',
          subject: 'openvswitch.service',
          message: 'openvswitch.service is failed (failed), expected active: the switch of every SUT on this host is not running',
        },
      ],
    },
  ],
});
