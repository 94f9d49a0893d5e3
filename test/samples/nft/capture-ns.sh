#!/bin/bash
# Regenerates the generated-* samples: real nftables 1.0.6 / iptables 1.8.9 (nf_tables) output
# captured inside throwaway network namespaces. Needs root; touches nothing outside the namespaces
# it creates, and always deletes them.
#   usage: test/samples/nft/capture-ns.sh   (from the repo root or anywhere)
#
# Scenarios (one namespace each, so rulesets never mix unless a scenario says so):
#   suse       salt-states-openqa's /etc/firewall.nft (ip + ip6 nat, "{{ bridge_iface }}" -> eth0)
#   fedora     Fedora's nftables rules in `add ...` line form (tables/chains first, then the rules)
#   iptnft     Fedora's iptables flavour loaded with iptables-restore (nf_tables backend), seen by nft
#   mixed      iptnft + suse in one namespace: both write `table ip nat` (dedupe case)
#   features   nft syntax coverage (sets, maps, named counters, user chains, all NAT statements)
#   twouplinks two interface names rendered into one quoted string (loads; matches nothing)
#   empty      a namespace without rules
# Load errors of misplaced masquerade are recorded in generated-load-errors.txt: `nft -c -f` (check
# only) and a real `nft -f` in a fresh namespace, whose ruleset is listed afterwards (atomic load).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
namespaces=()
cleanup() {
  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

new_ns() { # name -> creates tdnft-<name>-$$ with lo up and sets $ns (no subshell: the list must grow)
  ns=tdnft-$1-$$
  ip netns add "$ns"
  namespaces+=("$ns")
  ip netns exec "$ns" ip link set lo up
}

capture_all() { # scenario, namespace
  local s=$1 ns=$2
  ip netns exec "$ns" nft -j list ruleset >"$here/generated-$s-json.txt"
  ip netns exec "$ns" nft list ruleset >"$here/generated-$s-text.txt"
  ip netns exec "$ns" nft -a list ruleset >"$here/generated-$s-a-text.txt"
  ip netns exec "$ns" iptables-save -c >"$here/generated-$s-iptables-save-c.txt"
}

# --- SUSE: salt-states-openqa:etc/firewall.nft with the Jinja placeholder rendered ----------------
cat >"$tmp/firewall.nft" <<'EOF'
table ip nat {
    chain postrouting {
        type nat hook postrouting priority 100; policy accept;
        oifname "eth0" masquerade
        oifname "br1" masquerade
        oifname "ovs-system" masquerade
    }
}
table ip6 nat {
    chain postrouting {
        type nat hook postrouting priority 100; policy accept;
        oifname "eth0" masquerade
        oifname "br1" masquerade
        oifname "ovs-system" masquerade
    }
}
EOF
cp "$tmp/firewall.nft" "$here/generated-suse-firewall.nft.txt"
new_ns suse
ip netns exec "$ns" nft -f "$tmp/firewall.nft"
capture_all suse "$ns"

# --- Fedora: nftables template shape (tables/chains, then group_vars' add-rule lines) ---------
# The INPUT counter is made non-zero by pinging over lo.
cat >"$tmp/fedora.nft" <<'EOF'
# Fedora openQA tap worker (shape of roles/base/templates/nftables/nftables, rendered)
define uplink = "eth0"
add table ip filter
add chain ip filter INPUT { type filter hook input priority filter; policy accept; }
add chain ip filter FORWARD { type filter hook forward priority filter; policy accept; }
add chain ip filter OUTPUT { type filter hook output priority filter; policy accept; }
add rule ip filter INPUT iifname "lo" counter accept
add rule ip filter INPUT ct state related,established counter accept
add rule ip filter FORWARD iifname "br0" counter accept
add rule ip filter FORWARD iifname $uplink oifname "br0" ct state related,established counter accept
add rule ip filter INPUT iifname "br0" counter accept
add rule ip filter INPUT counter reject with icmp type host-prohibited
add rule ip filter FORWARD counter reject with icmp type host-prohibited
add table ip nat
add chain ip nat POSTROUTING { type nat hook postrouting priority srcnat; policy accept; }
add rule ip nat POSTROUTING oifname "eth0" counter masquerade
EOF
cp "$tmp/fedora.nft" "$here/generated-fedora-nftables.txt"
new_ns fedora
ip netns exec "$ns" nft -f "$tmp/fedora.nft"
ip netns exec "$ns" ping -c 1 -W 1 127.0.0.1 >/dev/null
capture_all fedora "$ns"

# --- iptables-nft: Fedora's iptables flavour with counters -----------------------------------
cat >"$tmp/iptables" <<'EOF'
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
[10:600] -A INPUT -i br0 -j ACCEPT
[0:0] -A INPUT -j REJECT --reject-with icmp-host-prohibited
[1234:98765] -A FORWARD -i br0 -j ACCEPT
[567:43210] -A FORWARD -i eth0 -o br0 -m state --state RELATED,ESTABLISHED -j ACCEPT
[0:0] -A FORWARD -j REJECT --reject-with icmp-host-prohibited
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
[42:2520] -A POSTROUTING -o eth0 -j MASQUERADE
COMMIT
EOF
new_ns iptnft
ip netns exec "$ns" iptables-restore -c <"$tmp/iptables"
capture_all iptnft "$ns"

# --- mixed: the same namespace gets SUSE's file on top ---------------------------------------
ip netns exec "$ns" nft -f "$tmp/firewall.nft"
capture_all mixed "$ns"

# --- two uplink names rendered into one string (os-autoinst@303d8519): nft 1.0.6 loads it ----
new_ns twouplinks
printf 'table ip nat {\n    chain postrouting {\n        type nat hook postrouting priority 100; policy accept;\n        oifname "eth0\neth1" masquerade\n    }\n}\n' >"$tmp/two-uplinks.nft"
ip netns exec "$ns" nft -f "$tmp/two-uplinks.nft"
ip netns exec "$ns" nft -j list ruleset >"$here/generated-twouplinks-json.txt"
ip netns exec "$ns" nft list ruleset >"$here/generated-twouplinks-text.txt"

# --- features: syntax the parsers must read (sets, maps, named counters, negation, wildcards,
# sets of names, user chains, dnat/snat/redirect/masquerade flags, `srcnat + 10`). Keyword-named
# chains (`fwd`) and flowtables (need a loadable module here) are left out: nft refuses them.
cat >"$tmp/features.nft" <<'EOF'
define sut_bridge = "br1"
table inet tdfeat {
	set uplinks { type ifname; elements = { "eth0", "eth1" } }
	map portmap { type inet_service : ipv4_addr; elements = { 8080 : 10.0.2.15 } }
	counter named1 { }
	chain forward_chain {
		type filter hook forward priority filter; policy drop;
		iifname $sut_bridge oifname { "eth0", "en*" } counter accept
		iifname != "eth0" oif "lo" drop
		iifname @uplinks ct state established,related counter jump sut_in
		meta l4proto tcp tcp dport 22 counter name "named1" accept comment "ssh to SUTs"
		goto tail
	}
	chain sut_in { counter return; }
	chain tail { reject with icmpx type admin-prohibited; }
}
table ip tdnat {
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		iifname "eth0" tcp dport 8080 dnat to 10.0.2.15:80
		iifname "br1" tcp dport 80 redirect to :3128
	}
	chain post {
		type nat hook postrouting priority srcnat + 10; policy accept;
		ip saddr 10.1.0.0/16 oifname "eth*" counter snat to 192.0.2.1
		jump masq_chain
	}
	chain masq_chain {
		oifname "eth0" masquerade random,persistent
	}
}
EOF
cp "$tmp/features.nft" "$here/generated-features.nft.txt"
new_ns features
ip netns exec "$ns" nft -f "$tmp/features.nft"
capture_all features "$ns"

# --- empty ------------------------------------------------------------------------------------
new_ns empty
ip netns exec "$ns" nft -j list ruleset >"$here/generated-empty-json.txt"

# --- load errors: what nft says when a file misplaces masquerade ------------------------------
cat >"$tmp/masq-in-filter.nft" <<'EOF'
table ip filter {
	chain FORWARD {
		type filter hook forward priority filter; policy accept;
		oifname "eth0" masquerade
	}
}
EOF
cat >"$tmp/undeclared-chain.nft" <<'EOF'
add table ip filter
add chain ip filter FORWARD { type filter hook forward priority filter; policy accept; }
add rule ip filter FORWARD iifname "br0" counter accept
add rule ip filter POSTROUTING oifname "eth0" counter masquerade
EOF
{
  for f in masq-in-filter undeclared-chain two-uplinks; do
    echo "### $f.nft"
    sed 's/^/> /' "$tmp/$f.nft"
    for mode in -c ''; do
      new_ns "err-$f${mode:+-check}"
      rc=0
      out=$(cd "$tmp" && ip netns exec "$ns" nft $mode -f "$f.nft" 2>&1) || rc=$?
      echo "\$ nft $mode${mode:+ }-f $f.nft  -> rc=$rc"
      [ -z "$out" ] || echo "$out"
      echo "\$ nft list ruleset  -> $(ip netns exec "$ns" nft list ruleset | grep -c . || true) lines"
    done
    echo
  done
  echo "### iptables-restore, MASQUERADE under *filter (/etc/sysconfig/iptables shape)"
  printf '*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -o eth0 -j MASQUERADE\nCOMMIT\n*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -o eth0 -j MASQUERADE\nCOMMIT\n' >"$tmp/iptables-masq-in-filter"
  sed 's/^/> /' "$tmp/iptables-masq-in-filter"
  new_ns err-iptables
  rc=0
  out=$(ip netns exec "$ns" iptables-restore <"$tmp/iptables-masq-in-filter" 2>&1) || rc=$?
  echo "\$ iptables-restore  -> rc=$rc"
  echo "$out"
  echo "\$ iptables-save  -> $(ip netns exec "$ns" iptables-save | grep -c -- '^-A' || true) rules"
} >"$here/generated-load-errors.txt"
echo "ok: samples written to $here"
