// Stand-ins for the service managers a repair plan calls (the namespace host runs no systemd, no
// wicked, no NetworkManager). Each does what the real one would do for the units involved, on
// this host's namespace and root dir:
//   systemctl restart nftables(.service)   flush the ruleset, load the root's /etc/firewall.nft (nft -f)
//   systemctl restart iptables(.service)   iptables-restore the root's /etc/sysconfig/iptables
//   systemctl restart os-autoinst-openvswitch(.service)
//                                          the switch service's start: refuse unless the bridge's first
//                                          IPv4 is LOCAL_IP/NETMASK (as the script does), then replace
//                                          the bridge's flows by its rules
//   systemctl list-units                   the host's own stand-in (systemd.ts); a unit restarted here
//                                          reads active from then on
//   systemctl enable/start/reload/daemon-reload, permctl
//                                          recorded only (nothing on this host reads them at runtime)
//   wicked ifdown IF / nmcli device disconnect IF
//                                          the link down, its addresses and routes gone
//   tapdoctor ...                          the built CLI
// Every call is appended to calls.log, so a test can show what the plan asked for.
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {CLI} from './cli.js';
import {unitStatesFile} from './systemd.js';

export interface StandinContext {
  rootDir: string;
  bridge: string;
  /** LOCAL_IP/NETMASK the switch service insists on. */
  expectedAddress: string;
  /** The switch service's OpenFlow rules, one per line (ovs-ofctl add-flows syntax). */
  flows: string[];
  /** The host's systemctl stand-in directory (LiveHost.systemctlDir): list-units, and the unit states it reads. */
  systemctlDir: string;
}

/** Writes the stand-ins into dir/bin and returns that directory (to put first on PATH). */
export function writeStandins(dir: string, ctx: StandinContext): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, {recursive: true});
  const log = join(dir, 'calls.log');
  const flows = join(dir, 'switch-flows.txt');
  writeFileSync(flows, `${ctx.flows.join('\n')}\n`);
  const units = unitStatesFile(ctx.systemctlDir);
  const record = `echo "$(basename "$0") $*" >> '${log}'`;
  const scripts: Record<string, string> = {
    systemctl: `
${record}
# A unit that started is listed as active from then on.
started() { sed -i "s/^$1\\.service\t[a-z]*\t[a-z]*\t/$1.service\tactive\texited\t/" '${units}'; }
verb="$1"; unit="\${2:-}"; unit="\${unit%.service}"
case "$verb:$unit" in
  restart:nftables) nft flush ruleset && nft -f '${ctx.rootDir}/etc/firewall.nft' && started nftables ;;
  restart:iptables) iptables-restore '${ctx.rootDir}/etc/sysconfig/iptables' && started iptables ;;
  restart:os-autoinst-openvswitch)
    first=$(ip -4 -o addr show dev '${ctx.bridge}' | awk '{print $4; exit}')
    if [ "$first" != '${ctx.expectedAddress}' ]; then echo "bridge local port IP is expected to be ${ctx.expectedAddress}" >&2; exit 1; fi
    ovs-ofctl del-flows '${ctx.bridge}' && exec ovs-ofctl add-flows '${ctx.bridge}' '${flows}' ;;
  list-units:*) exec '${join(ctx.systemctlDir, 'systemctl')}' "$@" ;;
  enable:*|start:*|reload:*|daemon-reload:*) exit 0 ;;
  *) echo "systemctl stand-in: $* not modelled" >&2; exit 1 ;;
esac`,
    wicked: `
${record}
case "$1" in
  ifdown) ip address flush dev "$2" && exec ip link set "$2" down ;;
  *) echo "wicked stand-in: $* not modelled" >&2; exit 1 ;;
esac`,
    nmcli: `
${record}
if [ "$1 $2" = "device disconnect" ]; then ip address flush dev "$3" && exec ip link set "$3" down; fi
echo "nmcli stand-in: $* not modelled" >&2; exit 1`,
    permctl: `\n${record}\nexit 0`,
    tapdoctor: `\n${record}\nexec '${process.execPath}' '${CLI}' "$@"`,
  };
  for (const [name, body] of Object.entries(scripts)) {
    const path = join(bin, name);
    writeFileSync(path, `#!/bin/sh\n${body.trim()}\n`);
    chmodSync(path, 0o755);
  }
  return bin;
}
