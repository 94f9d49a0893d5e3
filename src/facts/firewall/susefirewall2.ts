// SuSEfirewall2 adapter: /etc/sysconfig/SuSEfirewall2 -> what SuSEfirewall2.service sets up at boot:
// masquerade on FW_MASQ_DEV (default FW_DEV_EXT) when FW_MASQUERADE=yes, forwarding between the
// zones when FW_ROUTE=yes, and the internal interfaces (FW_DEV_INT). Semantics: upstream template
// openSUSE/susefirewall2 SuSEfirewall2.sysconfig (see src/parsers/susefirewall2.ts).
import {ParseError} from '../../parsers/errors.js';
import {parseSuSEfirewall2, type SuSEfirewall2Config} from '../../parsers/susefirewall2.js';
import {FactUnavailable, type Fact} from '../facts.js';
import type {InputPath, InputRule, PacketConditions} from './model.js';

export const SUSEFIREWALL2_PATH = '/etc/sysconfig/SuSEfirewall2';

export interface SuSEfirewall2Setup {
  config: SuSEfirewall2Config;
  /** FW_ROUTE=yes: SuSEfirewall2 forwards between its zones. */
  forwards: boolean;
  internal: string[];
}

/** The captured SuSEfirewall2 configuration; undefined when the host has none. */
export const suseFirewall2: Fact<SuSEfirewall2Setup | undefined> = (f) => {
  const file = f.entries('susefirewall2.files').find((e) => e.name === SUSEFIREWALL2_PATH);
  if (!file) return undefined;
  let config: SuSEfirewall2Config;
  try {
    config = parseSuSEfirewall2(file.text, file.name);
  } catch (error) {
    if (error instanceof ParseError) throw new FactUnavailable(`cannot parse ${error.message}`);
    throw error;
  }
  return {config, forwards: config.route, internal: config.devInt};
};

/**
 * Whether SuSEfirewall2 masquerades traffic leaving by `uplink`, and the line that says so or why
 * not. FW_MASQUERADE alone does nothing without FW_ROUTE (template, 5.): both must be yes.
 * "auto" in FW_MASQ_DEV is the default route's device, which is what the uplink is.
 */
export function suseFirewall2Masquerades(c: SuSEfirewall2Config, uplink: string): {masquerades: boolean; why: string} {
  const at = (name: string) => (c.lines[name] !== undefined ? `${c.path}:${c.lines[name]}` : `${c.path} (unset)`);
  const show = (name: string) => `${name}="${c.values[name] ?? ''}"`;
  if (!c.masquerade) return {masquerades: false, why: `${at('FW_MASQUERADE')}: ${show('FW_MASQUERADE')} (masquerading is off)`};
  if (!c.route) return {masquerades: false, why: `${at('FW_ROUTE')}: ${show('FW_ROUTE')} (no routing, so no masquerading)`};
  const devVar = 'FW_MASQ_DEV' in c.values ? 'FW_MASQ_DEV' : 'FW_DEV_EXT';
  if (!c.masqDev.some((d) => d === uplink || d === 'auto')) return {masquerades: false, why: `${at(devVar)}: masquerades on "${c.masqDev.join(' ')}", not on ${uplink}`};
  return {masquerades: true, why: `${at('FW_MASQUERADE')}: FW_MASQUERADE="yes", FW_ROUTE="yes", ${devVar} "${c.masqDev.join(' ')}"`};
}

/**
 * What SuSEfirewall2 does with packets to the host, as one input path (template, sections 2-4 and
 * 8-9): internal interfaces are trusted unless FW_PROTECT_FROM_INT=yes; the external zone (FW_DEV_EXT,
 * "any"/"auto" taking the interfaces no zone lists) accepts FW_TRUSTED_NETS, FW_SERVICES_ACCEPT_EXT
 * ("net,protocol[,dport]"), the IP protocols of FW_SERVICES_EXT_IP and the ports of
 * FW_SERVICES_EXT_UDP/TCP, and drops the rest (rejects with FW_REJECT=yes). The DMZ and a
 * protected internal zone are not modelled: their verdict is unknown.
 */
export function suseFirewall2InputPath(c: SuSEfirewall2Config): InputPath {
  const v = (name: string) => (c.values[name] ?? '').split(/\s+/).filter((w) => w !== '');
  const rule = (variable: string, text: string, verdict: string, when: Omit<PacketConditions, 'opaque'> & {opaque?: string[]} = {}, inIf?: string[]): InputRule => {
    const r: InputRule = {backend: 'susefirewall2', origin: c.path, text, chain: 'input', verdict, when: {opaque: [], ...when}};
    if (c.lines[variable] !== undefined) r.line = c.lines[variable];
    if (inIf && inIf.length > 0) r.in = inIf.map((name) => ({name, negated: false, wildcard: false}));
    return r;
  };
  const show = (name: string) => `${name}="${c.values[name] ?? ''}"`;
  const dispatch: InputRule[] = [];
  if (c.devInt.length > 0) {
    dispatch.push(c.values['FW_PROTECT_FROM_INT'] === 'yes' ? rule('FW_PROTECT_FROM_INT', `${show('FW_DEV_INT')} with ${show('FW_PROTECT_FROM_INT')} (not modelled)`, 'unknown', {}, c.devInt) : rule('FW_DEV_INT', `${show('FW_DEV_INT')}: internal, not protected`, 'accept', {}, c.devInt));
  }
  if (c.devDmz.length > 0) dispatch.push(rule('FW_DEV_DMZ', `${show('FW_DEV_DMZ')} (not modelled)`, 'unknown', {}, c.devDmz));
  if (c.devExt.length > 0) dispatch.push(rule('FW_DEV_EXT', show('FW_DEV_EXT'), 'goto ext', {}, c.devExt));
  dispatch.push(c.extAny || c.extAuto ? rule('FW_DEV_EXT', `${show('FW_DEV_EXT')}: other interfaces are external`, 'goto ext') : rule('FW_DEV_EXT', `${show('FW_DEV_EXT')}: the interface is in no zone (not modelled)`, 'unknown'));

  const ext: InputRule[] = [];
  const entry = (variable: string, e: string): InputRule => {
    const [net, proto, dport] = e.split(',');
    const when: Omit<PacketConditions, 'opaque'> = {};
    if (net && net !== '0/0') when.sources = {values: [net], negated: false};
    if (proto) when.protocols = {values: [proto.toLowerCase()], negated: false};
    if (dport) when.dports = {values: [dport.replace(':', '-')], negated: false};
    return rule(variable, `${variable}: ${e}`, 'accept', when);
  };
  for (const e of v('FW_TRUSTED_NETS')) ext.push(entry('FW_TRUSTED_NETS', e));
  for (const e of v('FW_SERVICES_ACCEPT_EXT')) ext.push(entry('FW_SERVICES_ACCEPT_EXT', e));
  if (c.servicesExtIp.length > 0) ext.push(rule('FW_SERVICES_EXT_IP', show('FW_SERVICES_EXT_IP'), 'accept', {protocols: {values: c.servicesExtIp.map((p) => p.toLowerCase()), negated: false}}));
  for (const [variable, proto] of [['FW_SERVICES_EXT_UDP', 'udp'], ['FW_SERVICES_EXT_TCP', 'tcp']] as const) {
    const ports = v(variable);
    if (ports.length > 0) ext.push(rule(variable, show(variable), 'accept', {protocols: {values: [proto], negated: false}, dports: {values: ports.map((p) => p.replace(':', '-')), negated: false}}));
  }
  const reject = c.values['FW_REJECT'] === 'yes';
  ext.push(rule(reject ? 'FW_REJECT' : 'FW_DEV_EXT', reject ? `${show('FW_REJECT')}: the external zone rejects the rest` : 'the external zone drops what it does not allow (FW_REJECT="no", the default)', reject ? 'reject' : 'drop'));
  return {backend: 'susefirewall2', family: 'inet', table: 'SuSEfirewall2', chain: 'input', policy: 'accept', origin: c.path, rules: dispatch, chains: {ext}};
}
