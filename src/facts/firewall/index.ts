// The firewall as the checks see it, whichever backend the host uses. Checks ask four questions —
// which NAT rules exist and where they sit (legal or not), which FORWARD rules pass bridge traffic and
// what their counters say, which firewalld zone an interface is in, what the input hook does with a
// packet to the host (input-verdict.ts) — and get the same answer shape from every backend. Rooms: model.ts (the shape and interface matching), paths.ts (conditions along
// jumps), iptables.ts / nftables.ts / firewalld.ts (one adapter per backend), read.ts (reading a
// command source), live.ts and persisted.ts (the two facts).
export * from './model.js';
export {iptablesChainKeys, iptablesInEffect, iptablesView} from './iptables.js';
export {nftView} from './nftables.js';
export {firewallZones, zoneInputPath, zoneNatRules} from './firewalld.js';
export {liveFirewall} from './live.js';
export {firewalldDown, FIREWALLD_UNIT, type FirewalldDown} from './firewalld-down.js';
export {detectRuleFileFormat, persistedFirewall} from './persisted.js';
export {forwardVerdict, hasHiddenConditions, type ForwardDecision} from './forward-verdict.js';
export {hostInputVerdict, type InputDecision, type InputPacket, type InputVerdict} from './input-verdict.js';
