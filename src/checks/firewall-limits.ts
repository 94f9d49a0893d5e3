// Firewall checks that read rules converted from `iptables -L` listings or `iptables -S` (a
// sosreport, a paste) say what those inputs cannot show - match details, rounded counters, the
// table a bare listing was read as - in their pass note, skip reason or finding evidence, so a
// result is never taken for more than the data supports.
import {liveFirewall} from '../facts/firewall/index.js';
import type {Facts} from '../facts/facts.js';
import {evidence, pass, skip, type CheckOutcome, type FindingDraft} from './define.js';

export function withFirewallLimits(f: Facts, run: () => CheckOutcome | FindingDraft[]): CheckOutcome | FindingDraft[] {
  const out = run();
  const live = f.try(liveFirewall);
  const limits = live.ok ? (live.value.limits ?? []) : [];
  if (limits.length === 0) return out;
  const text = limits.join('; ');
  const withEvidence = (d: FindingDraft): FindingDraft => ({...d, evidence: [...d.evidence, evidence('iptables.save', ...limits)]});
  if (Array.isArray(out)) return out.length === 0 ? pass(text) : out.map(withEvidence);
  if (out.status === 'pass') return pass(out.note ? `${out.note}; ${text}` : text);
  if (out.status === 'skip') return skip(`${out.reason}; ${text}`);
  if (out.status === 'n/a') return out;
  return {status: 'fail', findings: out.findings.map(withEvidence)};
}
