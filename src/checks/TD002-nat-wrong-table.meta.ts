// TD002 nat-wrong-table: what the check is (the fields: check-meta.ts); its code is TD002-nat-wrong-table.ts.
import type {CheckMeta} from './check-meta.js';

export default {
  id: 'TD002',
  slug: 'nat-wrong-table',
  title: 'NAT rule outside the nat table / postrouting chain',
  severity: 'error',
  needs: [
    'firewall.files', 'firewalld.files', 'firewalld.permanent', 'firewalld.runtime', 'ip.addr', 'ip.route4',
    'ip.route6', 'ip6tables.save', 'iptables-legacy.save', 'iptables.save', 'nft.ruleset', 'ovs.bridges',
    'ovs.interfaces', 'ovs.ports', 'ovs.show', 'systemd.units',
  ],
  kinds: {
    'persisted-rule-misplaced': {severity: 'error', title: 'A rule file puts NAT outside a nat chain: the whole file fails to load (warning when it still loads)'},
    'live-rule-misplaced': {severity: 'warning', title: 'A live NAT rule sits in a chain where it never applies (error when the kernel refuses it)'},
  },
} satisfies CheckMeta;
