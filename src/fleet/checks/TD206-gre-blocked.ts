// TD206: a host whose firewall (running rules, or the persisted rule file the next boot loads)
// rejects or drops GRE (IP protocol 47) from a peer it tunnels with: its tunnel is up in OVSDB
// but nothing arrives. Evaluated over iptables-save filter INPUT (gre-input.ts).
import {defineFleetCheck, hostEvidence, type FleetFindingDraft} from '../define.js';
import {acceptGreNow} from '../fixes.js';
import {manual} from '../../remedies/step.js';

export default defineFleetCheck('TD206', (fleet) => {
  const out: FleetFindingDraft[] = [];
  for (const h of fleet.hosts) {
    for (const v of h.greInput) {
      const peer = fleet.hostAt(v.peer);
      if (!peer || peer === h) continue;
      const where = v.where === 'live' ? 'the running firewall' : `the persisted ${v.where}${v.line ? ` line ${v.line}` : ''}`;
      const persistFix = v.where === 'live' ? 'add the same rule to the rule file the firewall loads at boot' : `${v.where}: add before line ${v.line ?? '?'}: -A INPUT -p gre -s ${v.peer} -j ACCEPT`;
      out.push({
        hosts: [h.name, peer.name],
        subject: `${h.name}: INPUT`,
        message: `${where} of ${h.name} ${v.verdict === 'drop' ? 'drops' : 'rejects'} GRE (IP protocol 47) from its tunnel peer ${peer.name} (${v.peer}), expected accept: SUT traffic from ${peer.name} never reaches ${h.name}'s bridge`,
        fix: [{host: h.name, steps: [acceptGreNow(v.peer), manual(`gre-accept-persist:${v.peer}`, 'the rule file is edited where the firewall keeps it', [`# ${persistFix}`])]}],
        evidence: [hostEvidence(h.name, v.where === 'live' ? 'iptables.save' : 'firewall.files', `${v.line ? `${v.where}:${v.line}: ` : ''}${v.rule}`)],
      });
    }
  }
  return out;
});
