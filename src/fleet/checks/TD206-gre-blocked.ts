// TD206: a host whose firewall (running rules, or what the next boot loads) drops the tunnel
// packets of a peer it tunnels with (GRE: IP protocol 47; VXLAN: UDP 4789): the tunnel is up in
// OVSDB but nothing arrives. The verdicts come from src/facts/tunnel-input.ts (iptables, nft,
// firewalld zones, SuSEfirewall2); the fixes from src/remedies (acceptTunnelInput).
import {acceptTunnelInput} from '../../remedies/firewall.js';
import type {TunnelInputVerdict} from '../../facts/tunnel-input.js';
import {defineFleetCheck, hostEvidence, type FleetFindingDraft} from '../define.js';

const PACKETS = {gre: 'GRE (IP protocol 47)'} as const;

export default defineFleetCheck('TD206', (fleet) => {
  const out: FleetFindingDraft[] = [];
  for (const h of fleet.hosts) {
    for (const v of h.tunnelInput) {
      const peer = fleet.hostAt(v.peer);
      if (!peer || peer === h) continue;
      const dport = tunnelPort(h, v);
      const packets = v.tunnel === 'vxlan' ? `VXLAN (UDP ${dport ?? 4789})` : PACKETS.gre;
      const where = v.where === 'live' ? `the running firewall (${v.backend})` : `${v.where}, which the next boot loads,`;
      const decided = v.rule ? `\`${v.rule.text.trim()}\`${v.rule.line !== undefined ? ` (line ${v.rule.line})` : ''}` : `the ${v.policy?.text ?? 'chain policy'}`;
      const base = {hosts: [h.name, peer.name], subject: `${h.name} <- ${peer.name}: ${v.where === 'live' ? 'running firewall' : v.where}`};
      const evidence = [hostEvidence(h.name, v.source, ...[v.condition ? `may pass: ${lineOf(v.condition)}` : '', `${v.rule ? lineOf(v.rule) : lineOf(v.policy!)}`].filter(Boolean))];
      if (v.verdict === 'unknown') {
        out.push({
          ...base,
          severity: 'info',
          message: `${where} of ${h.name} sends ${packets} from its tunnel peer ${peer.name} (${v.peer}) where tapdoctor cannot follow (${decided}): whether it gets in is unknown`,
          fix: `# on ${h.name}: read the chain that ${decided} leads to, and make sure it accepts ${packets} from ${v.peer}`,
          evidence,
        });
        continue;
      }
      const steps = acceptTunnelInput(v, {peer: v.peer, tunnel: v.tunnel, ...(dport !== undefined ? {dport} : {})});
      const fix = [`# on ${h.name}:`, ...steps.flatMap((s) => s.lines)].join('\n');
      if (v.verdict === 'conditional') {
        out.push({
          ...base,
          severity: 'warning',
          message: `${where} of ${h.name} drops ${packets} from its tunnel peer ${peer.name} (${v.peer}) at ${decided} unless \`${v.condition?.text.trim() ?? 'an earlier rule'}\` lets it through, a condition tapdoctor cannot judge: SUT traffic from ${peer.name} may never reach ${h.name}'s bridge`,
          fix,
          evidence,
        });
        continue;
      }
      out.push({
        ...base,
        message: `${where} of ${h.name} ${v.rule?.verdict === 'reject' ? 'rejects' : 'drops'} ${packets} from its tunnel peer ${peer.name} (${v.peer}) at ${decided}, expected accept: SUT traffic from ${peer.name} never reaches ${h.name}'s bridge`,
        fix,
        evidence,
      });
    }
  }
  return out;
});

function lineOf(r: {text: string; line?: number}): string {
  return `${r.line !== undefined ? `line ${r.line}: ` : ''}${r.text.trim()}`;
}

function tunnelPort(h: {tunnels: Array<{remoteIp: string; type: string; dstPort?: number}>}, v: TunnelInputVerdict): number | undefined {
  return v.tunnel === 'vxlan' ? h.tunnels.find((t) => t.remoteIp === v.peer && t.type === 'vxlan')?.dstPort : undefined;
}
