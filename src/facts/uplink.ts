// The one answer to "which interface is the uplink?": the device SUT traffic should leave by, which
// the masquerade, FORWARD rules, forwarding sysctls and GRE budget are judged against. The site's
// configured `uplink` wins (it is what the firewall rules are meant to name, even when the routes
// are unreadable or point elsewhere); else the lowest-metric IPv4 default route (facts/network.ts
// resolves bond/bridge slaves to their master).
import {FactUnavailable, type Fact} from './facts.js';
import {uplinks} from './network.js';

export interface Uplink {
  name: string;
  /** Why this device, for messages: "the configured uplink", "the lowest-metric IPv4 default route". */
  why: string;
  configured: boolean;
}

export const CONFIGURED_UPLINK = 'the configured uplink';
export const DEFAULT_ROUTE_UPLINK = 'the lowest-metric IPv4 default route';
export const NO_UPLINK = 'the uplink is unknown (no IPv4 default route): set `uplink` in /etc/tapdoctor.yaml if traffic leaves otherwise';

/** The uplink; unavailable (with the reason) when none is configured and no IPv4 default route tells. */
export const uplink: Fact<Uplink> = (f) => {
  if (f.config.uplink) return {name: f.config.uplink, why: CONFIGURED_UPLINK, configured: true};
  let primary: string | undefined;
  try {
    primary = f.get(uplinks).primary;
  } catch (error) {
    // Unreadable links or routes: missing data or a parse error, kept as such.
    if (error instanceof FactUnavailable) throw new FactUnavailable(`the uplink is unknown (${error.reason})`, error.kind);
    throw error;
  }
  if (primary === undefined) throw new FactUnavailable(NO_UPLINK);
  return {name: primary, why: DEFAULT_ROUTE_UPLINK, configured: false};
};
