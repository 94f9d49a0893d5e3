// TD008 masquerade-wrong-uplink: what the check is (the fields: check-meta.ts); its code is TD008-masquerade-wrong-uplink.ts.
import type {CheckMeta} from './check-meta.js';

export default {
  id: 'TD008',
  slug: 'masquerade-wrong-uplink',
  title: 'Masquerade/forward rules name an interface that is not the uplink',
  severity: 'error',
  appliesTo: ['tap-worker'],
  needs: [
    'firewall.files', 'firewalld.files', 'firewalld.permanent', 'firewalld.runtime', 'ip.addr', 'ip.route4',
    'ip.route6', 'ip6tables.save', 'iptables-legacy.save', 'iptables.save', 'network.ifcfg', 'nft.ruleset',
    'openqa.switch-config', 'openqa.workers-ini', 'ovs.bridges', 'ovs.interfaces', 'ovs.ports', 'ovs.show',
    'systemd.units', 'systemd.wants', 'tap.sysfs',
  ],
  kinds: {
    'uplink-not-masqueraded': {severity: 'error', title: 'No IPv4 masquerade covers the uplink (none at all, or the rules name another interface)'},
    'ipv6-uplink-not-masqueraded': {severity: 'warning', title: 'IPv6 masquerade is set up but names another interface than the uplink'},
    'firewalld-down': {severity: 'error', title: 'firewalld is set up here but not running: nothing masquerades'},
    'snat-sut-range': {severity: 'error', title: 'A source NAT rule matches a SUT range that no packet has after the OpenFlow rewrite'},
    'forward-names-other-interface': {severity: 'error', title: 'A FORWARD rule for the SUT traffic names another interface than the uplink'},
    'zone-mismatch': {severity: 'error', title: 'firewalld zones: the uplink in several zones, or the bridge outside the zone that masquerades'},
  },
} satisfies CheckMeta;
