// The Open vSwitch columns tapdoctor reads, per table: ovsDbFromTables (parsers/ovs.ts) joins and
// reads these, with the _uuid it joins by, and the collector asks ovs-vsctl for them alone
// (sources/catalogue.ts): a 300-port host's Interface table also carries statistics, bfd, cfm,
// lacp and more, three times the bytes to print, send and parse. A column added here is one more
// the facts may read; one they read that is missing here is not collected.
export const OVS_DB_COLUMNS = {
  bridges: ['_uuid', 'name', 'ports', 'datapath_type', 'rstp_enable', 'stp_enable'],
  ports: ['_uuid', 'name', 'interfaces', 'tag', 'vlan_mode'],
  interfaces: ['_uuid', 'name', 'type', 'options', 'ofport', 'error', 'mtu', 'mtu_request', 'mac_in_use', 'link_state', 'status'],
} as const;
