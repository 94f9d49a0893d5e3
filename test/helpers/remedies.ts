// Expected fix lines shared by the tests of every check whose remedy writes them (one remedy, one
// expectation): the wicked tap file of the setup script, and its line in the bridge's port list.

/** The lines that write a wicked ifcfg-<tap> owned by _openqa-worker:nogroup (a link there is replaced). */
export function wickedTapFileLines(tap: string): string[] {
  return [
    'mkdir -p /etc/sysconfig/network',
    `rm -f /etc/sysconfig/network/ifcfg-${tap}`,
    `printf '%s\\n' "BOOTPROTO='none'" "STARTMODE='auto'" "TUNNEL='tap'" "TUNNEL_SET_OWNER='_openqa-worker'" "TUNNEL_SET_GROUP='nogroup'" > /etc/sysconfig/network/ifcfg-${tap}`,
  ];
}

/** The line that adds the tap to ifcfg-br1's OVS_BRIDGE_PORT_DEVICE list once, under suffix n. */
export function bridgePortLine(tap: string, n: number): string {
  return `grep -Eq "^OVS_BRIDGE_PORT_DEVICE(_[0-9]+)?='?${tap}'?\\$" /etc/sysconfig/network/ifcfg-br1 || echo "OVS_BRIDGE_PORT_DEVICE_${n}='${tap}'" >> /etc/sysconfig/network/ifcfg-br1`;
}
