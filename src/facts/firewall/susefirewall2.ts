// SuSEfirewall2 adapter: /etc/sysconfig/SuSEfirewall2 -> what SuSEfirewall2.service sets up at boot:
// masquerade on FW_MASQ_DEV (default FW_DEV_EXT) when FW_MASQUERADE=yes, forwarding between the
// zones when FW_ROUTE=yes, and the internal interfaces (FW_DEV_INT). Semantics: upstream template
// openSUSE/susefirewall2 SuSEfirewall2.sysconfig (see src/parsers/susefirewall2.ts).
import {ParseError} from '../../parsers/errors.js';
import {parseSuSEfirewall2, type SuSEfirewall2Config} from '../../parsers/susefirewall2.js';
import {FactUnavailable, type Fact} from '../facts.js';

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
