// firewalld adapter: zones (runtime or permanent) -> the zone model and zone-derived NAT rules.
import {FIREWALLD_NOT_RUNNING, type FirewalldZone} from '../../parsers/firewalld.js';
import type {SourceText} from '../../sources/snapshot.js';
import type {FirewallZones, NatRule} from './model.js';

// --- firewalld ---------------------------------------------------------------------------------

export function firewallZones(running: boolean, zones: FirewalldZone[], defaultZone?: string): FirewallZones {
  const zonesOf = (ifname: string) => zones.filter((z) => z.interfaces.includes(ifname)).map((z) => z.name);
  const fz: FirewallZones = {
    running,
    zones,
    zoneOf: (ifname) => zonesOf(ifname)[0] ?? defaultZone,
    zonesOf,
  };
  if (defaultZone !== undefined) fz.defaultZone = defaultZone;
  return fz;
}

/** Masquerading zones as NAT rules (firewalld masquerades traffic leaving by the zone's interfaces). */
export function zoneNatRules(zones: FirewallZones, origin: string): NatRule[] {
  return zones.zones
    .filter((z) => z.masquerade)
    .map((z) => {
      const n: NatRule = {
        backend: 'firewalld',
        origin,
        text: `zone ${z.name}: masquerade: yes${z.interfaces.length ? `, interfaces: ${z.interfaces.join(' ')}` : ''}`,
        family: 'inet',
        table: 'firewalld',
        chain: `zone ${z.name}`,
        zone: z.name,
        action: 'masquerade',
        legal: true,
        counters: null,
      };
      if (z.line !== undefined) n.line = z.line;
      if (z.interfaces.length > 0) n.out = z.interfaces.map((name) => ({name, negated: false, wildcard: false}));
      return n;
    });
}

export function firewalldNotRunning(src: SourceText): boolean {
  return src.entry.exitCode === 252 || src.text.trim() === FIREWALLD_NOT_RUNNING || (src.text.trim() === '' && (src.entry.stderr ?? '').includes(FIREWALLD_NOT_RUNNING));
}
