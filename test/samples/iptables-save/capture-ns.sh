#!/bin/bash
# Regenerates the tapdoctor-ns-* samples: real iptables 1.8.9 output captured inside a throwaway
# network namespace (nf_tables and legacy backends, IPv4 and IPv6). Needs root; touches nothing
# outside the namespace it creates, and always deletes it.
#   usage: test/samples/iptables-save/capture-ns.sh   (from the repo root or anywhere)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
save_dir=$here
list_dir=$here/../iptables-list
ns=tdipt-$$
ip netns add "$ns"
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
in_ns() { ip netns exec "$ns" "$@"; }

# Counters are set with restore -c so the samples show counts above 2^32 and the K/M/G/T
# abbreviations of `-L` without -x. Rules cover: comments with escaped quotes and backslashes,
# negations, interface wildcards, -g goto, a rule without target, user chains, SNAT/DNAT/REDIRECT.
rules_v4=$(cat <<'EOF'
*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
[7:420] -A PREROUTING -i tap+ -p udp -m udp --dport 67 -j CT --notrack
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
[0:0] -A FORWARD -o br1 -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
COMMIT
*nat
:PREROUTING ACCEPT [1200:72000]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [35:2100]
:POSTROUTING ACCEPT [4300000000:390000000000]
:TD-SNAT - [0:0]
[3:180] -A PREROUTING -d 192.0.2.10/32 -i eth0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.0.2.15:80
[0:0] -A PREROUTING -i br1 -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 3128
[5000000000:6400000000000] -A POSTROUTING -o eth0 -j MASQUERADE
[42:2520] -A POSTROUTING -s 10.0.0.0/15 ! -d 10.0.0.0/15 -j TD-SNAT
[42:2520] -A TD-SNAT -o eth+ -j SNAT --to-source 192.0.2.1 --random-fully
COMMIT
*filter
:INPUT ACCEPT [123456:98765432]
:FORWARD DROP [12:3456]
:OUTPUT ACCEPT [99999:100000]
:TD-FWD - [0:0]
:TD-LOG - [0:0]
[1500:126000] -A INPUT -i lo -j ACCEPT
[2500000:3100000000] -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
[12:720] -A INPUT -p tcp -m tcp --dport 22 -m comment --comment "ssh \"admin\" access" -j ACCEPT
[0:0] -A INPUT -s 10.0.0.0/15 ! -i br1 -j DROP
[77:4620] -A INPUT -s 192.168.2.0/24
[1:84] -A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT
[9876543210:12345678901234] -A FORWARD -i br1 -j ACCEPT
[100001:150000000] -A FORWARD -i eth+ -o br1 -m state --state RELATED,ESTABLISHED -j ACCEPT
[0:0] -A FORWARD -o tap+ -g TD-FWD
[0:0] -A FORWARD ! -o eth0 -m comment --comment "back\\slash and \"quotes\"" -j TD-LOG
[5:300] -A FORWARD -j REJECT --reject-with icmp-host-prohibited
[0:0] -A TD-FWD -p udp -m multiport --dports 53,67:68 -j ACCEPT
[0:0] -A TD-FWD -m conntrack ! --ctstate INVALID -j RETURN
[0:0] -A TD-LOG -j LOG --log-prefix "td fwd: " --log-level 4
[0:0] -A TD-LOG -j DROP
COMMIT
EOF
)

rules_v6=$(cat <<'EOF'
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
[8000000000:900000000000] -A POSTROUTING -s fd00:10::/64 -o eth0 -j MASQUERADE
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
[10:800] -A FORWARD -i br1 -o eth+ -m comment --comment "sut \"v6\" out" -j ACCEPT
[0:0] -A FORWARD ! -i br1 -d fd00:10::/64 -p ipv6-icmp -j ACCEPT
[0:0] -A FORWARD -s 2001:db8::/32
COMMIT
EOF
)

capture() { # file, command...
  local file=$1; shift
  in_ns "$@" >"$file"
}
capture_merged() { # like capture, with stderr merged in (as a sosreport stores it)
  local file=$1; shift
  in_ns "$@" >"$file" 2>&1
}

# nf_tables backend (the default `iptables` here)
in_ns iptables-restore -c <<<"$rules_v4"
in_ns ip6tables-restore -c <<<"$rules_v6"
capture "$save_dir/tapdoctor-ns-1.8.9-nft-save.txt" iptables-save
capture "$save_dir/tapdoctor-ns-1.8.9-nft-save-c.txt" iptables-save -c
capture "$save_dir/tapdoctor-ns-1.8.9-nft-ip6-save-c.txt" ip6tables-save -c
capture "$list_dir/tapdoctor-ns-1.8.9-nft-filter-Lvnx.txt" iptables -L -v -n -x
capture "$list_dir/tapdoctor-ns-1.8.9-nft-filter-Lvn.txt" iptables -L -v -n
capture "$list_dir/tapdoctor-ns-1.8.9-nft-nat-Lvn-line-numbers.txt" iptables -t nat -L -v -n --line-numbers
capture "$list_dir/tapdoctor-ns-1.8.9-nft-ip6-filter-Lvnx.txt" ip6tables -L -v -n -x
capture "$list_dir/tapdoctor-ns-1.8.9-nft-ip6-nat-Lvn.txt" ip6tables -t nat -L -v -n

# legacy backend, same rules; afterwards iptables-save (nft) warns that legacy tables exist
in_ns iptables-legacy-restore -c <<<"$rules_v4"
capture "$save_dir/tapdoctor-ns-1.8.9-legacy-save-c.txt" iptables-legacy-save -c
capture "$list_dir/tapdoctor-ns-1.8.9-legacy-filter-Lvnx.txt" iptables-legacy -L -v -n -x
capture "$list_dir/tapdoctor-ns-1.8.9-legacy-nat-Lvn.txt" iptables-legacy -t nat -L -v -n
capture_merged "$save_dir/tapdoctor-ns-1.8.9-nft-save-legacy-warning-2to1.txt" iptables-save

# The kernel refuses MASQUERADE outside the nat table, so that case is a hand-written file; record
# what iptables-restore says about it for the README.
masq_in_filter='*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -o eth0 -j MASQUERADE\nCOMMIT\n'
for restore in iptables-restore iptables-legacy-restore; do
  rc=0; out=$(printf "$masq_in_filter" | in_ns "$restore" 2>&1) || rc=$?
  echo "$restore, MASQUERADE under *filter: rc=$rc: $out"
done
