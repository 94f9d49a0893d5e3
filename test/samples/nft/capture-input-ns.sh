#!/bin/bash
# Regenerates the generated-input-* samples: real nftables 1.0.6 / iptables 1.8.9 (nf_tables)
# listings of INPUT rulesets that judge tunnel packets (GRE, VXLAN) from peers, captured inside
# throwaway network namespaces. Needs root; touches nothing outside the namespaces it creates.
#   usage: test/samples/nft/capture-input-ns.sh
#
# Scenarios (one namespace each):
#   droppeer     policy accept; GRE from 192.0.2.11 dropped (the live fleet test's fault)
#   policydrop   policy drop; ssh, ICMP, established; GRE from an anonymous set of two peers;
#                VXLAN (udp 4789) from anyone; everything else dropped by the policy
#   conditional  a named peer set accepts GRE; a mark accepts anything; then reject
#   firewalld    firewalld's inet table (INPUT part) as insights-core's test data lists it
#                (insights-firewalld-inet-input-excerpt.nft.txt), loaded as is
#   firewalldgre the same after `meta l4proto gre ct state new,untracked accept` in
#                filter_IN_public_allow (what `firewall-cmd --add-protocol=gre` adds to the zone)
#   iptables     a Fedora-style iptables INPUT (ssh, GRE from one peer, REJECT the rest)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
namespaces=()
cleanup() { for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done; }
trap cleanup EXIT

new_ns() {
  ns=tdin-$1-$$
  ip netns add "$ns"
  namespaces+=("$ns")
}

capture() { # scenario
  ip netns exec "$ns" nft -j list ruleset >"$here/generated-input-$1-json.txt"
  ip netns exec "$ns" nft list ruleset >"$here/generated-input-$1-text.txt"
}

new_ns droppeer
ip netns exec "$ns" nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
		ip saddr 192.0.2.11 ip protocol gre counter drop
	}
}
NFT
capture droppeer

new_ns policydrop
ip netns exec "$ns" nft -f - <<'NFT'
table inet filter {
	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept
		iifname "lo" accept
		meta l4proto icmp accept
		tcp dport 22 accept
		ip saddr { 192.0.2.12, 192.0.2.13 } meta l4proto gre accept
		udp dport 4789 accept
	}
}
NFT
capture policydrop

new_ns conditional
ip netns exec "$ns" nft -f - <<'NFT'
table ip filter {
	set tunnel_peers {
		type ipv4_addr
		elements = { 192.0.2.12 }
	}
	chain input {
		type filter hook input priority filter; policy accept;
		ip saddr @tunnel_peers ip protocol gre accept
		meta mark 0x00000001 accept
		jump tail
	}
	chain tail {
		reject with icmp type admin-prohibited
	}
}
NFT
capture conditional

new_ns firewalld
ip netns exec "$ns" nft -f "$here/insights-firewalld-inet-input-excerpt.nft.txt"
capture firewalld
ip netns exec "$ns" nft add rule inet firewalld filter_IN_public_allow meta l4proto gre ct state new,untracked accept
capture firewalldgre

new_ns iptables
ip netns exec "$ns" iptables-restore <<'IPT'
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p icmp -j ACCEPT
-A INPUT -i lo -j ACCEPT
-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
-A INPUT -m conntrack --ctstate NEW -m tcp -p tcp --dport 22 -j ACCEPT
-A INPUT -s 192.0.2.12/32 -p gre -j ACCEPT
-A INPUT -j REJECT --reject-with icmp-host-prohibited
COMMIT
IPT
ip netns exec "$ns" iptables-save | grep -v '^#' >"$here/generated-input-iptables-save.txt"
