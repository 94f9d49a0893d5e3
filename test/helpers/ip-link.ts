// One link of `ip -j -d addr show`, for tests that build the ip.addr source by hand.

/**
 * An Ethernet link that is up with carrier, with global IPv4 addresses given as CIDR. `extra`
 * adds or overrides fields (master, linkinfo, ifindex, address); the addresses stay as given.
 */
export function ipAddrLink(name: string, inet: readonly string[] = [], extra: object = {}): object {
  return {
    ifindex: name.length,
    ifname: name,
    flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    mtu: 1500,
    operstate: 'UP',
    link_type: 'ether',
    address: '52:54:00:00:00:01',
    ...extra,
    addr_info: inet.map((a) => ({family: 'inet', local: a.split('/')[0], prefixlen: Number(a.split('/')[1]), scope: 'global'})),
  };
}
