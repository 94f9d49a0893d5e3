// firewalld adapter: zones (runtime or permanent) -> the zone model and zone-derived NAT rules.
import {FIREWALLD_NOT_RUNNING, type FirewalldZone} from '../../parsers/firewalld.js';
import type {SourceText} from '../../sources/snapshot.js';
import type {FirewallZones, InputPath, InputRule, NatRule, PacketConditions} from './model.js';

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

// --- zones as input rules ----------------------------------------------------------------------
// For a firewalld whose generated rules are not visible (only the zone settings: `firewall-cmd
// --list-all-zones`, or the permanent zone files the next start loads), the zones become one
// input path in firewalld's own order: a source-bound zone first, then the interface's zone, then
// the default zone; within a zone, rich rules with a negative priority, then denying rich rules,
// then what the zone allows (rich accept rules, services, ports, protocols), then rich rules with
// a positive priority, then the zone's target (default and %%REJECT%% reject, DROP drops).

/** Stock services a tunnel packet can match (firewalld's services/*.xml); the others open TCP/UDP ports. */
const SERVICES: Record<string, {protocols: string[]; dports?: string[]}> = {
  gre: {protocols: ['gre']},
  vxlan: {protocols: ['udp'], dports: ['4789']},
  ssh: {protocols: ['tcp'], dports: ['22']},
  'dhcpv6-client': {protocols: ['udp'], dports: ['546']},
  mdns: {protocols: ['udp'], dports: ['5353']},
  cockpit: {protocols: ['tcp'], dports: ['9090']},
  http: {protocols: ['tcp'], dports: ['80']},
  https: {protocols: ['tcp'], dports: ['443']},
  nfs: {protocols: ['tcp', 'udp'], dports: ['2049']},
};

function serviceConditions(name: string, when: PacketConditions): void {
  const known = SERVICES[name];
  if (known) {
    when.protocols = {values: known.protocols, negated: false};
    if (known.dports) when.dports = {values: known.dports, negated: false};
    return;
  }
  // A service whose definition is not captured: ports of some transport protocol, which ones unknown.
  when.protocols = {values: ['tcp', 'udp', 'sctp', 'dccp'], negated: false};
  when.opaque.push(`service ${name}`);
}

const NOT_INPUT = new Set(['masquerade', 'forward-port']);

/** One rich rule as an input rule with its priority; undefined when it sets no input verdict (log only, masquerade, forward-port). */
function richRuleInput(text: string, chain: string, origin: string, line?: number): {rule: InputRule; priority: number} | undefined {
  const when: PacketConditions = {opaque: []};
  let element = '';
  let invert = false;
  let verdict: string | undefined;
  let priority = 0;
  for (const m of text.matchAll(/([A-Za-z][A-Za-z0-9-]*)(?:="([^"]*)")?/g)) {
    const key = m[1]!;
    const value = m[2];
    if (value === undefined) {
      if (NOT_INPUT.has(key)) return undefined;
      if (key === 'NOT') invert = true;
      else if (key === 'accept' || key === 'drop' || key === 'reject') verdict = key;
      else if (key === 'icmp-block' || key === 'icmp-type') when.protocols = {values: ['icmp', 'ipv6-icmp'], negated: false};
      else if (key === 'source-port') when.opaque.push('source-port');
      // a limit belongs to what precedes it: on log or audit it limits logging, on a verdict the verdict
      if (key === 'limit') element = `limit:${element}`;
      else if (key !== 'NOT') element = key;
      if (key !== 'NOT' && key !== 'source' && key !== 'destination') invert = false;
      continue;
    }
    if (key === 'family') when.family = value === 'ipv6' ? 'ipv6' : 'ipv4';
    else if (key === 'priority') priority = Number(value) || 0;
    else if (element === 'source' && key === 'address') when.sources = {values: [value], negated: invert};
    else if (element === 'source' || element === 'destination') when.opaque.push(`${element} ${key}="${value}"`);
    else if (element === 'service' && key === 'name') serviceConditions(value, when);
    else if (element === 'port' && key === 'port') when.dports = {values: [value], negated: false};
    else if ((element === 'port' || element === 'protocol') && (key === 'protocol' || key === 'value')) when.protocols = {values: [value.toLowerCase()], negated: false};
    else if (key === 'value' && ['limit:accept', 'limit:drop', 'limit:reject'].includes(element)) when.opaque.push(`limit value="${value}"`);
  }
  if (verdict === undefined) return undefined;
  const rule: InputRule = {backend: 'firewalld', origin, text, chain, verdict, when};
  if (line !== undefined) rule.line = line;
  return {rule, priority};
}

/** The zones as one input path (see above). */
export function zoneInputPath(zones: FirewallZones, origin: string): InputPath {
  const chainOf = (zone: string) => `zone ${zone}`;
  const ref = (z: FirewalldZone, text: string, verdict: string, when: PacketConditions): InputRule => {
    const r: InputRule = {backend: 'firewalld', origin, text: `zone ${z.name}: ${text}`, chain: chainOf(z.name), verdict, when};
    if (z.line !== undefined) r.line = z.line;
    return r;
  };
  const dispatch: InputRule[] = [];
  const chains: Record<string, InputRule[]> = {};
  for (const z of zones.zones) {
    if (z.sources.length > 0) dispatch.push({...ref(z, `sources: ${z.sources.join(' ')}`, `goto ${chainOf(z.name)}`, {sources: {values: z.sources, negated: false}, opaque: []}), chain: 'INPUT'});
  }
  for (const z of zones.zones) {
    if (z.interfaces.length > 0) dispatch.push({...ref(z, `interfaces: ${z.interfaces.join(' ')}`, `goto ${chainOf(z.name)}`, {opaque: []}), chain: 'INPUT', in: z.interfaces.map((name) => ({name, negated: false, wildcard: false}))});
  }
  const fallback = zones.defaultZone ?? 'public';
  dispatch.push({backend: 'firewalld', origin, text: `default zone: ${fallback}`, chain: 'INPUT', verdict: `goto ${chainOf(fallback)}`, when: {opaque: []}});
  for (const z of zones.zones) {
    const rich = z.richRules.flatMap((t) => richRuleInput(t, chainOf(z.name), origin, z.line) ?? []);
    const allow: InputRule[] = [
      ...rich.filter((r) => r.priority === 0 && r.rule.verdict === 'accept').map((r) => r.rule),
      ...z.services.map((s) => {
        const when: PacketConditions = {opaque: []};
        serviceConditions(s, when);
        return ref(z, `service ${s}`, 'accept', when);
      }),
      ...z.ports.map((p) => {
        const [port, proto] = p.split('/');
        return ref(z, `port ${p}`, 'accept', {protocols: {values: [proto ?? 'tcp'], negated: false}, dports: {values: [port ?? ''], negated: false}, opaque: []});
      }),
      ...z.protocols.map((p) => ref(z, `protocol ${p}`, 'accept', {protocols: {values: [p.toLowerCase()], negated: false}, opaque: []})),
    ];
    const target = (z.target ?? 'default').toUpperCase();
    const targetVerdict = target === 'ACCEPT' ? 'accept' : target === 'DROP' ? 'drop' : 'reject';
    chains[chainOf(z.name)] = [
      ...rich.filter((r) => r.priority < 0).sort((a, b) => a.priority - b.priority).map((r) => r.rule),
      ...rich.filter((r) => r.priority === 0 && r.rule.verdict !== 'accept').map((r) => r.rule),
      ...allow,
      ...rich.filter((r) => r.priority > 0).sort((a, b) => a.priority - b.priority).map((r) => r.rule),
      ref(z, `target: ${z.target ?? 'default'}${targetVerdict === 'reject' && target !== '%%REJECT%%' ? ' (rejects what the zone does not allow)' : ''}`, targetVerdict, {opaque: []}),
    ];
  }
  if (!chains[chainOf(fallback)]) chains[chainOf(fallback)] = [{backend: 'firewalld', origin, text: `default zone ${fallback}: not among the zones read`, chain: chainOf(fallback), verdict: 'unknown', when: {opaque: []}}];
  return {backend: 'firewalld', family: 'inet', table: 'firewalld', chain: 'INPUT', policy: 'accept', origin, rules: dispatch, chains};
}
