// TD206: a host whose firewall (running rules, or what the next boot loads) drops the tunnel
// packets of a peer it tunnels with (GRE: IP protocol 47; VXLAN: UDP 4789): the tunnel is up in
// OVSDB but nothing arrives. The verdicts come from src/facts/tunnel-input.ts (iptables, nft,
// firewalld zones, SuSEfirewall2); the fixes from src/remedies (acceptTunnelInput).
import {VXLAN_PORT, type TunnelInputVerdict} from '../../facts/tunnel-input.js';
import {acceptTunnelInput} from '../../remedies/firewall.js';
import {manual} from '../../remedies/step.js';
import {defineFleetCheck, hostEvidence, type FleetFindingDraft} from '../define.js';
import type {FleetHostView} from '../host-view.js';

export default defineFleetCheck('TD206', (fleet) => {
  const out: FleetFindingDraft[] = [];
  for (const h of fleet.hosts) {
    for (const v of h.tunnelInput) {
      const peer = fleet.hostAt(v.peer);
      if (!peer || peer === h) continue;
      const dport = vxlanPort(h, v);
      const packets = v.tunnel === 'vxlan' ? `VXLAN (UDP ${dport ?? VXLAN_PORT})` : 'GRE (IP protocol 47)';
      const where = v.where === 'live' ? `the running firewall (${v.backend})` : `${v.where}, which the next boot loads,`;
      const at = v.rule ? `\`${v.rule.text.trim()}\`${v.rule.line !== undefined ? ` (line ${v.rule.line})` : ''}` : `the ${v.policy?.text ?? 'chain policy'}`;
      const draft = {
        hosts: [h.name, peer.name],
        subject: `${h.name} <- ${peer.name}: ${v.where === 'live' ? 'running firewall' : v.where}`,
        evidence: [hostEvidence(h.name, v.source, ...(v.condition ? [`may pass: ${lineOf(v.condition)}`] : []), lineOf(v.rule ?? v.policy ?? {text: 'policy'}))],
      };
      if (v.verdict === 'unknown') {
        const lines = [`# read where ${at} leads and make sure it accepts ${packets} from ${v.peer}`];
        out.push({
          ...draft,
          severity: 'info',
          message: `${where} of ${h.name} sends ${packets} from its tunnel peer ${peer.name} (${v.peer}) where tapdoctor cannot follow (${at}): whether it gets in is unknown`,
          fix: [{host: h.name, steps: [manual(`tunnel-input:${v.where}:${v.peer}`, 'tapdoctor cannot see where the packet goes', lines)]}],
        });
        continue;
      }
      const fix = [{host: h.name, steps: acceptTunnelInput(v, {peer: v.peer, tunnel: v.tunnel, ...(dport !== undefined ? {dport} : {})})}];
      const breaks = `SUT traffic from ${peer.name} ${v.verdict === 'conditional' ? 'may never reach' : 'never reaches'} ${h.name}'s bridge${v.where === 'live' ? '' : ' after the next reboot'}`;
      out.push(
        v.verdict === 'conditional'
          ? {
              ...draft,
              severity: 'warning',
              message: `${where} of ${h.name} drops ${packets} from its tunnel peer ${peer.name} (${v.peer}) at ${at} unless \`${v.condition?.text.trim() ?? 'an earlier rule'}\` lets it through, a condition tapdoctor cannot judge: ${breaks}`,
              fix,
            }
          : {
              ...draft,
              message: `${where} of ${h.name} ${v.rule?.verdict === 'reject' ? 'rejects' : 'drops'} ${packets} from its tunnel peer ${peer.name} (${v.peer}) at ${at}, expected accept: ${breaks}`,
              fix,
            },
      );
    }
  }
  return out;
});

function lineOf(r: {text: string; line?: number}): string {
  return `${r.line !== undefined ? `line ${r.line}: ` : ''}${r.text.trim()}`;
}

function vxlanPort(h: FleetHostView, v: TunnelInputVerdict): number | undefined {
  return v.tunnel === 'vxlan' ? h.tunnels.find((t) => t.remoteIp === v.peer && t.type === 'vxlan')?.dstPort : undefined;
}
