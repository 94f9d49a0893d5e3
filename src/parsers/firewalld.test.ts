import {readFileSync} from 'node:fs';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {ParseError} from './errors.js';
import {parseFirewallCmdZones, parseFirewalldConf, parseFirewalldZoneXml, zoneNameFromPath} from './firewalld.js';
import {mutationsOf, survives} from '../../test/helpers/mutation.js';
import {parseErrorOf} from '../../test/helpers/thrown.js';

const sample = (kind: string, name: string) => readFileSync(new URL(`../../test/samples/${kind}/${name}`, import.meta.url), 'utf8');

describe('parseFirewallCmdZones (firewall-cmd --list-all-zones)', () => {
  it('reads the RHEL 7 output: headers with flags, targets, lists, multi-line forward-ports and rich rules', () => {
    const list = parseFirewallCmdZones(sample('firewall-cmd-list-all-zones', 'insights-rhel7-rich-rules.txt'), 'firewalld.runtime');
    expect(list.running).toBe(true);
    expect(list.defaultZone).toBe('public');
    expect(list.zones.map((z) => [z.name, z.line, z.active, z.isDefault, z.target, z.interfaces, z.services, z.masquerade, z.forward])).toEqual([
      ['block', 1, false, false, '%%REJECT%%', [], [], false, undefined],
      ['dmz', 16, false, false, 'default', [], ['ssh'], false, undefined],
      ['public', 31, true, true, 'default', ['eno1'], ['dhcpv6-client', 'ssh'], false, undefined],
      ['trusted', 52, false, false, 'ACCEPT', [], [], false, undefined],
    ]);
    const pub = list.zones[2]!;
    expect(pub.forwardPorts).toEqual([
      'port=80:proto=tcp:toport=12345:toaddr=',
      'port=81:proto=tcp:toport=1234:toaddr=',
      'port=83:proto=tcp:toport=456:toaddr=10.72.47.45',
    ]);
    expect(pub.richRules).toEqual([
      'rule family="ipv4" source address="10.0.0.0/24" destination address="192.168.0.10/32" port port="8080-8090" protocol="tcp" accept',
      'rule family="ipv4" source address="10.0.0.0/24" destination address="192.168.0.10/32" port port="443" protocol="tcp" reject',
      'rule family="ipv4" source address="192.168.0.10/24" reject',
      'rule family="ipv6" source address="1:2:3:4:6::" forward-port port="4011" protocol="tcp" to-port="4012" to-addr="1::2:3:4:7"',
    ]);
    expect(pub.richRuleMasquerade).toBe(false);
  });

  it('reads "FirewallD is not running" as a state', () => {
    expect(parseFirewallCmdZones(sample('firewall-cmd-list-all-zones', 'insights-not-running.txt'), 'firewalld.runtime')).toEqual({running: false, zones: []});
  });

  it('reads the firewalld 1.x layout: (default, active), forward, priorities, trailing blanks', () => {
    const text = [
      'trusted (default, active)',
      '  target: ACCEPT',
      '  ingress-priority: 0',
      '  egress-priority: 0',
      '  icmp-block-inversion: no',
      '  interfaces: br1 eth0 ovs-system ',
      '  sources: ',
      '  services: ',
      '  ports: ',
      '  protocols: ',
      '  forward: yes',
      '  masquerade: yes',
      '  forward-ports: ',
      '  source-ports: ',
      '  icmp-blocks: ',
      '  rich rules: ',
      '\trule family="ipv4" source address="10.1.0.0/16" masquerade',
      '',
      'public',
      '  target: default',
      '  interfaces: ',
      '  forward: no',
      '  masquerade: no',
    ].join('\n');
    const list = parseFirewallCmdZones(text, 'firewalld.runtime');
    expect(list.defaultZone).toBe('trusted');
    expect(list.zones[0]).toEqual({
      name: 'trusted',
      line: 1,
      active: true,
      isDefault: true,
      target: 'ACCEPT',
      interfaces: ['br1', 'eth0', 'ovs-system'],
      sources: [],
      services: [],
      ports: [],
      protocols: [],
      masquerade: true,
      forward: true,
      forwardPorts: [],
      richRules: ['rule family="ipv4" source address="10.1.0.0/16" masquerade'],
      richRuleMasquerade: true,
    });
    expect(list.zones[1]).toMatchObject({name: 'public', active: false, isDefault: false, forward: false, masquerade: false, interfaces: []});
  });

  it('reads the unindented copy-paste variant of --list-all', () => {
    const list = parseFirewallCmdZones('public (default, active)\ninterfaces: eth0\nsources: \nservices: dhcpv6-client\nports: 443/tcp 80/tcp\nmasquerade: no\n', 'x');
    expect(list.zones).toHaveLength(1);
    expect(list.zones[0]).toMatchObject({name: 'public', interfaces: ['eth0'], ports: ['443/tcp', '80/tcp']});
  });

  it.each([
    ['bash: firewall-cmd: command not found', 1, 'expected a zone header (`public (active, default)`)'],
    ['Error: INVALID_ZONE: nosuch', 1, 'expected a zone header (`public (active, default)`)'],
    ['  interfaces: eth0', 1, 'zone setting before any zone header'],
    ['  port=80:proto=tcp', 1, 'indented line outside a zone'],
  ])('rejects %j with a ParseError', (text, line, detail) => {
    const err = parseErrorOf(() => parseFirewallCmdZones(text, 'firewalld.runtime'));
    expect([err.line, err.detail]).toEqual([line, detail]);
  });

  it('gives a model or a ParseError for mutated output', () => {
    const base = sample('firewall-cmd-list-all-zones', 'insights-rhel7-rich-rules.txt');
    fc.assert(
      fc.property(mutationsOf([base], {text: fc.string({maxLength: 8})}), (text) => survives(() => parseFirewallCmdZones(text, 'fuzz'))),
      {numRuns: 300},
    );
  });
});

describe('parseFirewalldZoneXml', () => {
  it("reads salt's 2020 trusted zone: interfaces (one a Jinja placeholder), masquerade, no forward", () => {
    const zone = parseFirewalldZoneXml(sample('firewalld-zone-xml', 'salt-openqa-trusted-2020.txt'), '/etc/firewalld/zones/trusted.xml');
    expect(zone).toEqual({
      name: 'trusted',
      target: 'ACCEPT',
      interfaces: ['br1', 'ovs-system', "{{ pillar['workerconf'][grains['host']]['bridge_port'] }}"],
      sources: [],
      services: [],
      ports: [],
      protocols: [],
      masquerade: true,
      forward: false,
      forwardPorts: [],
      richRules: [],
      richRuleMasquerade: false,
    });
  });

  it('reads the stock trusted zone: forward but no masquerade', () => {
    const zone = parseFirewalldZoneXml(sample('firewalld-zone-xml', 'firewalld-stock-trusted-current.txt'), '/usr/lib/firewalld/zones/trusted.xml');
    expect([zone.name, zone.target, zone.masquerade, zone.forward, zone.interfaces]).toEqual(['trusted', 'ACCEPT', false, true, []]);
  });

  it('reads services, ports, sources, forward-ports and a masquerading rich rule', () => {
    const zone = parseFirewalldZoneXml(
      [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<zone>',
        '  <service name="ssh"/><port port="20003" protocol="tcp"/><source address="10.0.0.0/8"/>',
        '  <forward-port port="80" protocol="tcp" to-port="8080"/>',
        '  <rule family="ipv4"><source address="10.1.0.0/16"/><masquerade/></rule>',
        '</zone>',
      ].join('\n'),
      '/etc/firewalld/zones/public.xml',
    );
    expect(zone).toEqual({
      name: 'public',
      interfaces: [],
      sources: ['10.0.0.0/8'],
      services: ['ssh'],
      ports: ['20003/tcp'],
      protocols: [],
      masquerade: false,
      forward: false,
      forwardPorts: ['port=80:proto=tcp:toport=8080:toaddr='],
      // the same text firewall-cmd prints for it
      richRules: ['rule family="ipv4" source address="10.1.0.0/16" masquerade'],
      richRuleMasquerade: true,
    });
  });

  it.each([
    ['<zone>\n  <interface name="br1">\n</zone>', 3, "not a zone file: Expected closing tag 'interface' (opened in line 2, col 3) instead of closing tag 'zone'."],
    ['FirewallD is not running', 1, "not a zone file: char 'F' is not expected."],
    ['<service><short>x</short></service>', 1, 'no <zone> element'],
  ])('rejects %j with a ParseError', (text, line, detail) => {
    const err = parseErrorOf(() => parseFirewalldZoneXml(text, 'z.xml'));
    expect([err.line, err.detail]).toEqual([line, detail]);
  });

  it('names zones by file', () => {
    expect([zoneNameFromPath('/etc/firewalld/zones/trusted.xml'), zoneNameFromPath('public')]).toEqual(['trusted', 'public']);
  });

  it('gives a model or a ParseError for mutated XML', () => {
    const base = sample('firewalld-zone-xml', 'salt-openqa-trusted-2020.txt');
    fc.assert(
      fc.property(mutationsOf([base], {specials: ['<', '>', '/>', '"', '&amp;', '<!DOCTYPE x>'], text: fc.string({maxLength: 8})}), (text) =>
        survives(() => parseFirewalldZoneXml(text, 'fuzz.xml')),
      ),
      {numRuns: 300},
    );
  });
});

describe('parseFirewalldConf', () => {
  it('reads DefaultZone and FirewallBackend, skipping comments', () => {
    const conf = parseFirewalldConf('# firewalld config file\n\n# default zone\nDefaultZone=trusted\nFirewallBackend=nftables\nIPv6_rpfilter=yes\n', '/etc/firewalld/firewalld.conf');
    expect(conf).toEqual({defaultZone: 'trusted', backend: 'nftables', values: {DefaultZone: 'trusted', FirewallBackend: 'nftables', IPv6_rpfilter: 'yes'}});
  });

  it('rejects a line without KEY=value', () => {
    const err = parseErrorOf(() => parseFirewalldConf('DefaultZone=public\nbroken line\n', 'f'));
    expect([err.line, err.detail]).toEqual([2, 'expected KEY=value']);
  });
});
