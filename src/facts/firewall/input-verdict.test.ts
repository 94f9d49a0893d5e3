// The INPUT verdict for a tunnel peer's packets over real listings (nft 1.0.6 JSON and text,
// iptables 1.8.9, firewalld's generated nft table) and over firewalld zones and SuSEfirewall2.
import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {parseFirewalldZoneXml} from '../../parsers/firewalld.js';
import {parseIptablesSave} from '../../parsers/iptables/index.js';
import {parseNftJson, parseNftText} from '../../parsers/nft/index.js';
import {parseSuSEfirewall2} from '../../parsers/susefirewall2.js';
import {firewallZones, zoneInputPath} from './firewalld.js';
import {hostInputVerdict, type InputPacket} from './input-verdict.js';
import {iptablesInput} from './iptables.js';
import type {InputPath} from './model.js';
import {nftInput} from './nftables.js';
import {suseFirewall2InputPath} from './susefirewall2.js';

const sample = (kind: string, name: string) => readFileSync(new URL(`../../../test/samples/${kind}/${name}`, import.meta.url), 'utf8');
const gre = (source: string, inIf?: string): InputPacket => ({protocol: 'gre', source, ...(inIf ? {inIf} : {})});
const vxlan = (source: string, inIf?: string): InputPacket => ({protocol: 'udp', source, dport: 4789, ...(inIf ? {inIf} : {})});

/** Both listings of one scenario, as input paths. */
function nftPaths(scenario: string): Array<[string, InputPath[]]> {
  return [
    ['json', nftInput(parseNftJson(sample('nft', `generated-input-${scenario}-json.txt`), 'nft.ruleset'), 'nft.ruleset')],
    ['text', nftInput(parseNftText(sample('nft', `generated-input-${scenario}-text.txt`), 'nft.ruleset'), 'nft.ruleset')],
  ];
}

/** verdict, the deciding rule (or "policy"), the condition: what a finding is built from. */
function judge(paths: InputPath[], pkt: InputPacket): [string, string, string?] {
  const d = hostInputVerdict(paths, pkt)!;
  const out: [string, string, string?] = [d.verdict, d.rule ? d.rule.text : `policy ${d.path.policy}`];
  if (d.condition) out.push(d.condition.text);
  return out;
}

describe('INPUT verdict for tunnel packets, nft (JSON and text alike)', () => {
  it.each(nftPaths('droppeer'))('%s: a drop for one peer names that peer only', (_format, paths) => {
    expect(judge(paths, gre('192.0.2.11'))).toEqual(['drop', expect.stringMatching(/ip saddr "?192\.0\.2\.11"? ip protocol "?gre"? counter packets 0 bytes 0 drop/)]);
    expect(judge(paths, gre('192.0.2.12'))[0]).toBe('accept');
    // VXLAN is UDP: the GRE drop does not touch it
    expect(judge(paths, vxlan('192.0.2.11'))[0]).toBe('accept');
  });

  it.each(nftPaths('policydrop'))('%s: policy drop with an anonymous peer set and a VXLAN port', (_format, paths) => {
    expect(judge(paths, gre('192.0.2.12'))[0]).toBe('accept');
    expect(judge(paths, gre('192.0.2.13'))[0]).toBe('accept');
    expect(judge(paths, gre('192.0.2.11'))).toEqual(['drop', 'policy drop']);
    expect(judge(paths, vxlan('192.0.2.11'))[0]).toBe('accept');
    expect(judge(paths, {protocol: 'udp', source: '192.0.2.11', dport: 8472})).toEqual(['drop', 'policy drop']);
  });

  it.each(nftPaths('conditional'))('%s: a named set accepts its peer; an unjudgeable mark makes the reject in a user chain conditional', (_format, paths) => {
    expect(judge(paths, gre('192.0.2.12'))[0]).toBe('accept');
    const [verdict, rule, condition] = judge(paths, gre('192.0.2.11'));
    expect([verdict, rule]).toEqual(['conditional', expect.stringMatching(/^reject/)]);
    expect(condition).toMatch(/mark (0x0+)?1 accept/);
  });

  it.each(nftPaths('firewalld'))("%s: firewalld's generated table rejects GRE in the public zone (at filter_INPUT's end) and in the libvirt zone (its post chain)", (_format, paths) => {
    expect(judge(paths, gre('192.0.2.12', 'enp0s3'))).toEqual(['drop', expect.stringMatching(/^reject with icmpx/)]);
    expect(hostInputVerdict(paths, gre('192.0.2.12', 'enp0s3'))!.via).toEqual(['filter_INPUT_ZONES_SOURCE', 'filter_INPUT_ZONES', 'filter_IN_public', 'filter_IN_public_pre', 'filter_IN_public_log', 'filter_IN_public_deny', 'filter_IN_public_allow', 'filter_IN_public_post']);
    const libvirt = hostInputVerdict(paths, gre('192.0.2.12', 'virbr0'))!;
    expect([libvirt.verdict, libvirt.rule?.chain, libvirt.rule?.text]).toEqual(['drop', 'filter_IN_libvirt_post', expect.stringMatching(/^reject/)]);
    expect(judge(paths, vxlan('192.0.2.12', 'enp0s3'))[0]).toBe('drop');
    // Whatever zone an unknown interface lands in, it rejects
    expect(judge(paths, gre('192.0.2.12'))[0]).toBe('drop');
  });

  it.each(nftPaths('firewalldgre'))('%s: the zone allows protocol gre (firewall-cmd --add-protocol=gre): accepted', (_format, paths) => {
    expect(judge(paths, gre('192.0.2.12', 'enp0s3'))[0]).toBe('accept');
    expect(judge(paths, vxlan('192.0.2.12', 'enp0s3'))[0]).toBe('drop');
  });
});

describe('INPUT verdict, iptables', () => {
  const paths = iptablesInput(parseIptablesSave(sample('nft', 'generated-input-iptables-save.txt'), 'iptables.save'), 'iptables', 'iptables.save');
  it('accepts GRE from the allowed peer, rejects the others at the REJECT line', () => {
    expect(judge(paths, gre('192.0.2.12'))[0]).toBe('accept');
    expect(judge(paths, gre('192.0.2.11'))).toEqual(['drop', '-A INPUT -j REJECT --reject-with icmp-host-prohibited']);
    expect(hostInputVerdict(paths, gre('192.0.2.11'))!.rule!.line).toBe(10);
  });
  it('follows a user chain and its RETURN', () => {
    const text = ['*filter', ':INPUT DROP [0:0]', ':PEERS - [0:0]', '-A INPUT -p gre -j PEERS', '-A PEERS -s 192.0.2.12/32 -j ACCEPT', '-A PEERS -j RETURN', 'COMMIT', ''].join('\n');
    const p = iptablesInput(parseIptablesSave(text, 'f'), 'iptables', 'f');
    expect(judge(p, gre('192.0.2.12'))[0]).toBe('accept');
    expect(judge(p, gre('192.0.2.11'))).toEqual(['drop', 'policy drop']);
  });
});

const zone = (name: string, xml: string) => parseFirewalldZoneXml(`<?xml version="1.0" encoding="utf-8"?>\n${xml}\n`, `/etc/firewalld/zones/${name}.xml`);
const PUBLIC = '<zone>\n  <short>Public</short>\n  <service name="ssh"/>\n  <service name="dhcpv6-client"/>\n  <interface name="eth0"/>\n</zone>';

describe('INPUT verdict, firewalld zones (permanent XML)', () => {
  const path = (...zones: ReturnType<typeof zone>[]) => [zoneInputPath(firewallZones(false, zones, 'public'), 'firewalld permanent')];

  it("the stock public zone rejects GRE at its default target; <protocol value=\"gre\"/> accepts it", () => {
    expect(judge(path(zone('public', PUBLIC)), gre('192.0.2.12', 'eth0'))).toEqual(['drop', 'zone public: target: default (rejects what the zone does not allow)']);
    expect(judge(path(zone('public', PUBLIC.replace('</zone>', '  <protocol value="gre"/>\n</zone>'))), gre('192.0.2.12', 'eth0'))[0]).toBe('accept');
    // the stock vxlan service opens UDP 4789
    expect(judge(path(zone('public', PUBLIC.replace('</zone>', '  <service name="vxlan"/>\n</zone>'))), vxlan('192.0.2.12', 'eth0'))[0]).toBe('accept');
  });

  it('a rich rule accepts GRE from one peer only; a denying rich rule wins over the zone allowing gre', () => {
    const rich = PUBLIC.replace('</zone>', '  <rule family="ipv4">\n    <source address="192.0.2.12"/>\n    <protocol value="gre"/>\n    <accept/>\n  </rule>\n</zone>');
    expect(judge(path(zone('public', rich)), gre('192.0.2.12', 'eth0'))[0]).toBe('accept');
    expect(judge(path(zone('public', rich)), gre('192.0.2.11', 'eth0'))[0]).toBe('drop');
    const deny = PUBLIC.replace('</zone>', '  <protocol value="gre"/>\n  <rule family="ipv4">\n    <source address="192.0.2.11"/>\n    <drop/>\n  </rule>\n</zone>');
    expect(judge(path(zone('public', deny)), gre('192.0.2.11', 'eth0'))).toEqual(['drop', 'rule family="ipv4" source address="192.0.2.11" drop']);
    expect(judge(path(zone('public', deny)), gre('192.0.2.12', 'eth0'))[0]).toBe('accept');
  });

  it("the interface's zone decides (trusted: target ACCEPT); a source-bound zone comes first; an unbound interface lands in the default zone", () => {
    const trusted = zone('trusted', '<zone target="ACCEPT">\n  <interface name="br1"/>\n  <interface name="eth1"/>\n</zone>');
    const peers = zone('peers', '<zone target="DROP">\n  <source address="192.0.2.11/32"/>\n</zone>');
    expect(judge(path(zone('public', PUBLIC), trusted), gre('192.0.2.12', 'eth1'))[0]).toBe('accept');
    expect(judge(path(zone('public', PUBLIC), trusted, peers), gre('192.0.2.11', 'eth1'))).toEqual(['drop', 'zone peers: target: DROP']);
    expect(judge(path(zone('public', PUBLIC), trusted), gre('192.0.2.12', 'eth7'))[0]).toBe('drop');
  });
});

describe('INPUT verdict, SuSEfirewall2', () => {
  const text = sample('susefirewall2', 'openqa-worker-sle12.txt');
  const path = (t: string) => [suseFirewall2InputPath(parseSuSEfirewall2(t, '/etc/sysconfig/SuSEfirewall2'))];
  const ext = parseSuSEfirewall2(text, 'x').devExt[0]!;
  it('FW_SERVICES_EXT_IP="47" accepts GRE on the external interface; without it the external zone drops it', () => {
    expect(judge(path(text), gre('192.0.2.12', ext))[0]).toBe('accept');
    const without = text.replace(/^FW_SERVICES_EXT_IP=.*$/m, 'FW_SERVICES_EXT_IP=""');
    expect(judge(path(without), gre('192.0.2.12', ext))).toEqual(['drop', 'the external zone drops what it does not allow (FW_REJECT="no", the default)']);
    // one peer through FW_SERVICES_ACCEPT_EXT (net,protocol)
    const onePeer = `${without}\nFW_SERVICES_ACCEPT_EXT="192.0.2.12,47"\n`;
    expect(judge(path(onePeer), gre('192.0.2.12', ext))[0]).toBe('accept');
    expect(judge(path(onePeer), gre('192.0.2.11', ext))[0]).toBe('drop');
  });
  it('an internal interface is trusted; the bridge (FW_DEV_INT) lets anything in', () => {
    const c = parseSuSEfirewall2(text, 'x');
    expect(c.devInt.length).toBeGreaterThan(0);
    expect(judge(path(text.replace(/^FW_SERVICES_EXT_IP=.*$/m, 'FW_SERVICES_EXT_IP=""')), gre('192.0.2.12', c.devInt[0]!))[0]).toBe('accept');
  });
});
