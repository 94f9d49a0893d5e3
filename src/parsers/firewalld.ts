// firewalld parsers: zone XML files (/etc/firewalld/zones/*.xml, /usr/lib/firewalld/zones/*.xml),
// `firewall-cmd [--permanent] --list-all-zones` text, and firewalld.conf (DefaultZone).
// All three give the same FirewalldZone shape, so runtime and persisted zones compare directly.
import {XMLParser, XMLValidator} from 'fast-xml-parser';
import {clip, ParseError, splitLines} from './errors.js';

export interface FirewalldZone {
  name: string;
  /** 'ACCEPT', 'DROP', '%%REJECT%%', 'default'; undefined when the XML sets none (= default). */
  target?: string;
  interfaces: string[];
  sources: string[];
  services: string[];
  ports: string[];
  /** IP protocols the zone accepts (`<protocol value="gre"/>`, `protocols: gre`). */
  protocols: string[];
  masquerade: boolean;
  /** Intra-zone forwarding (`<forward/>`, `forward: yes`); undefined when the output predates it. */
  forward?: boolean;
  /** `port=80:proto=tcp:toport=8080:toaddr=` entries. */
  forwardPorts: string[];
  /** Rich rules: the rule text (list-all-zones) or a summary of the element (XML). */
  richRules: string[];
  /** A rich rule masquerades (for some source range only, unlike the zone-wide flag). */
  richRuleMasquerade: boolean;
  /** list-all-zones header flags. */
  active?: boolean;
  isDefault?: boolean;
  /** 1-based line of the zone header (list-all-zones). */
  line?: number;
}

export interface FirewalldZoneList {
  /** false when firewall-cmd said "FirewallD is not running": a state, not an error. */
  running: boolean;
  zones: FirewalldZone[];
  /** The zone whose header says `default`. */
  defaultZone?: string;
}

export interface FirewalldConf {
  defaultZone?: string;
  /** FirewallBackend=nftables|iptables. */
  backend?: string;
  values: Record<string, string>;
}

export const FIREWALLD_NOT_RUNNING = 'FirewallD is not running';

function emptyZone(name: string): FirewalldZone {
  return {name, interfaces: [], sources: [], services: [], ports: [], protocols: [], masquerade: false, forwardPorts: [], richRules: [], richRuleMasquerade: false};
}

/** `/etc/firewalld/zones/trusted.xml` -> `trusted`. */
export function zoneNameFromPath(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base.endsWith('.xml') ? base.slice(0, -4) : base;
}

// --- zone XML ----------------------------------------------------------------------------------

const ZONE_ARRAYS = new Set(['zone.interface', 'zone.source', 'zone.service', 'zone.port', 'zone.rule', 'zone.forward-port', 'zone.protocol']);

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  isArray: (_name, jpath) => ZONE_ARRAYS.has(String(jpath)),
  parseTagValue: false,
  parseAttributeValue: false,
});

type XmlNode = Record<string, unknown>;

function isNode(v: unknown): v is XmlNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nodes(v: unknown): XmlNode[] {
  return Array.isArray(v) ? v.filter(isNode) : [];
}

function attr(node: XmlNode, name: string): string | undefined {
  const v = node[`@_${name}`];
  return typeof v === 'string' ? v : undefined;
}

/** One zone file. The zone's name is its file name (pass it), not part of the XML. */
export function parseFirewalldZoneXml(text: string, source: string, name = zoneNameFromPath(source)): FirewalldZone {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const line = valid.err.line ?? 1;
    throw new ParseError(source, line, splitLines(text)[line - 1] ?? '', `not a zone file: ${valid.err.msg}`);
  }
  let doc: unknown;
  try {
    doc = xml.parse(text);
  } catch (error) {
    throw new ParseError(source, 1, clip(text), `not a zone file: ${(error as Error).message}`);
  }
  const zoneNode = isNode(doc) ? doc['zone'] : undefined;
  if (zoneNode === undefined) throw new ParseError(source, 1, clip(text), 'no <zone> element');
  const z = isNode(zoneNode) ? zoneNode : {}; // `<zone></zone>` parses to ''
  const zone = emptyZone(name);
  const target = attr(z, 'target');
  if (target !== undefined) zone.target = target;
  zone.interfaces = nodes(z['interface']).flatMap((n) => attr(n, 'name') ?? []);
  zone.sources = nodes(z['source']).flatMap((n) => attr(n, 'address') ?? attr(n, 'mac') ?? attr(n, 'ipset') ?? []);
  zone.services = nodes(z['service']).flatMap((n) => attr(n, 'name') ?? []);
  zone.ports = nodes(z['port']).map((n) => `${attr(n, 'port') ?? ''}/${attr(n, 'protocol') ?? ''}`);
  zone.protocols = nodes(z['protocol']).flatMap((n) => attr(n, 'value') ?? []);
  zone.masquerade = 'masquerade' in z;
  zone.forward = 'forward' in z;
  zone.forwardPorts = nodes(z['forward-port']).map(
    (n) => `port=${attr(n, 'port') ?? ''}:proto=${attr(n, 'protocol') ?? ''}:toport=${attr(n, 'to-port') ?? ''}:toaddr=${attr(n, 'to-addr') ?? ''}`,
  );
  for (const rule of nodes(z['rule'])) {
    zone.richRules.push(richRuleText(rule));
    if ('masquerade' in rule) zone.richRuleMasquerade = true;
  }
  return zone;
}

/** Rich-rule attributes in the order firewall-cmd prints them. */
const RICH_ATTRS: Record<string, string[]> = {
  source: ['address', 'mac', 'ipset'],
  destination: ['address', 'ipset'],
  service: ['name'],
  port: ['port', 'protocol'],
  protocol: ['value'],
  'icmp-block': ['name'],
  'icmp-type': ['name'],
  'source-port': ['port', 'protocol'],
  'forward-port': ['port', 'protocol', 'to-port', 'to-addr'],
  log: ['prefix', 'level'],
  reject: ['type'],
  mark: ['set'],
};
const RICH_ORDER = ['source', 'destination', 'service', 'port', 'protocol', 'icmp-block', 'icmp-type', 'masquerade', 'forward-port', 'source-port', 'log', 'audit', 'accept', 'reject', 'drop', 'mark'];

/**
 * A rich rule element as `firewall-cmd --list-all` prints it (`rule family="ipv4" source
 * address="192.0.2.12" protocol value="gre" accept`), so XML and runtime rules read alike.
 */
function richRuleText(rule: XmlNode): string {
  const parts = ['rule'];
  for (const a of ['family', 'priority']) if (attr(rule, a) !== undefined) parts.push(`${a}="${attr(rule, a)}"`);
  for (const el of RICH_ORDER) {
    if (!(el in rule)) continue;
    const node = isNode(rule[el]) ? (rule[el] as XmlNode) : {};
    const invert = /^(true|yes)$/i.test(attr(node, 'invert') ?? '') ? ' NOT' : '';
    const attrs = (RICH_ATTRS[el] ?? []).flatMap((a) => (attr(node, a) !== undefined ? [`${a}="${attr(node, a)}"`] : []));
    const limit = isNode(node['limit']) ? attr(node['limit'], 'value') : undefined;
    parts.push(`${el}${invert}${attrs.length ? ` ${attrs.join(' ')}` : ''}${limit !== undefined ? ` limit value="${limit}"` : ''}`);
  }
  return parts.join(' ');
}

// --- firewall-cmd --list-all-zones ------------------------------------------------------------

const LIST_KEYS = new Set(['interfaces', 'sources', 'services', 'ports', 'protocols', 'source-ports', 'icmp-blocks']);
const KNOWN_KEYS = new Set([
  ...LIST_KEYS,
  'target',
  'icmp-block-inversion',
  'masquerade',
  'forward',
  'forward-ports',
  'rich rules',
  'ingress-priority',
  'egress-priority',
  'summary',
  'description',
]);

/** `  interfaces: eth0 br1` -> key and value; bounded classes, no backtracking blow-up. */
const KEY_LINE = /^([a-z][a-z0-9 -]{0,40}):(.*)$/;
const ZONE_HEADER = /^([A-Za-z0-9_.+@-]{1,64})(?:\s+\(([a-z, ]{0,40})\))?\s*$/;

export function parseFirewallCmdZones(text: string, source: string): FirewalldZoneList {
  const lines = splitLines(text);
  const first = lines.find((l) => l.trim() !== '');
  if (first !== undefined && first.trim() === FIREWALLD_NOT_RUNNING) return {running: false, zones: []};
  const out: FirewalldZoneList = {running: true, zones: []};
  let zone: FirewalldZone | undefined;
  let lastKey: string | undefined;

  const setKey = (key: string, value: string, lineNo: number, line: string) => {
    if (!zone) throw new ParseError(source, lineNo, line, 'zone setting before any zone header');
    lastKey = key;
    applyZoneKey(zone, key, value.trim());
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const indented = line[0] === ' ' || line[0] === '\t';
    const keyMatch = KEY_LINE.exec(trimmed);
    if (keyMatch && KNOWN_KEYS.has(keyMatch[1]!)) {
      setKey(keyMatch[1]!, keyMatch[2]!, i + 1, line); // also the unindented copy-paste variant
    } else if (!indented) {
      const header = ZONE_HEADER.exec(trimmed);
      if (!header) throw new ParseError(source, i + 1, line, 'expected a zone header (`public (active, default)`)');
      const flags = (header[2] ?? '').split(',').map((f) => f.trim());
      zone = emptyZone(header[1]!);
      zone.line = i + 1;
      zone.active = flags.includes('active');
      zone.isDefault = flags.includes('default');
      if (zone.isDefault) out.defaultZone = zone.name;
      out.zones.push(zone);
      lastKey = undefined;
    } else if (keyMatch && lastKey !== 'rich rules' && lastKey !== 'forward-ports') {
      setKey(keyMatch[1]!, keyMatch[2]!, i + 1, line); // a key this parser does not know yet
    } else {
      // continuation of a multi-line value (forward-ports, rich rules)
      if (!zone || lastKey === undefined) throw new ParseError(source, i + 1, line, 'indented line outside a zone');
      applyZoneKey(zone, lastKey, trimmed);
    }
  }
  return out;
}

function applyZoneKey(zone: FirewalldZone, key: string, value: string): void {
  const words = value === '' ? [] : value.split(/\s+/);
  switch (key) {
    case 'target':
      zone.target = value;
      break;
    case 'interfaces':
      zone.interfaces.push(...words);
      break;
    case 'sources':
      zone.sources.push(...words);
      break;
    case 'services':
      zone.services.push(...words);
      break;
    case 'ports':
      zone.ports.push(...words);
      break;
    case 'protocols':
      zone.protocols.push(...words);
      break;
    case 'masquerade':
      zone.masquerade = value === 'yes';
      break;
    case 'forward':
      zone.forward = value === 'yes';
      break;
    case 'forward-ports':
      if (value !== '') zone.forwardPorts.push(value);
      break;
    case 'rich rules':
      if (value !== '') {
        zone.richRules.push(value);
        if (/\bmasquerade\b/.test(value)) zone.richRuleMasquerade = true;
      }
      break;
    default:
      break;
  }
}

// --- firewalld.conf ----------------------------------------------------------------------------

export function parseFirewalldConf(text: string, source: string): FirewalldConf {
  const out: FirewalldConf = {values: {}};
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i]!.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) throw new ParseError(source, i + 1, lines[i]!, 'expected KEY=value');
    const key = trimmed.slice(0, eq).trim();
    let value = trimmed.slice(eq + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0]!)) value = value.slice(1, -1);
    out.values[key] = value;
  }
  if (out.values['DefaultZone']) out.defaultZone = out.values['DefaultZone'];
  if (out.values['FirewallBackend']) out.backend = out.values['FirewallBackend'];
  return out;
}
