// "Heals at boot": runtime-only faults that the persisted config and the enabled units rebuild.
// A reboot is no risk for them (it is often the cure), so the gate shows them without blocking.
// A fault heals only when every persistence check that vouches for its rebuild ran and passed on
// this very report; otherwise it stays a blocker (never SAFE by assumption).
import type {CheckResult, Finding, Report} from '../model.js';

interface Rebuild {
  /** Persistence checks that must all have passed. */
  by: string[];
  /** Which of the check's findings are runtime-only (default: all of them). */
  applies?: (f: Finding) => boolean;
  /** Why the next boot rebuilds it, for the reader. */
  how: string;
}

const REBUILT_AT_BOOT: Record<string, Rebuild> = {
  // os-autoinst-openvswitch sets the tag of each job's tap when the job starts (set_vlan).
  TD003: {by: ['TD107'], how: 'tags are set per job by the enabled os-autoinst-openvswitch service (TD107 passed)'},
  // The switch service installs its flows when it starts on the bridge (both persisted).
  TD010: {by: ['TD102', 'TD107'], how: 'the persisted bridge (TD102 passed) and the enabled switch service (TD107 passed) install the flows at boot'},
  TD011: {by: ['TD102'], how: 'the persisted bridge config gives the bridge its address at boot (TD102 passed)'},
  TD009: {by: ['TD101'], applies: (f) => /^net\.ipv4\.(ip_forward|conf\.all\.forwarding)$/.test(f.subject), how: 'the persisted sysctl settings enable forwarding at boot (TD101 passed)'},
  TD012: {by: ['TD103'], how: 'the persisted tap configs make every worker tap a bridge port at boot (TD103 passed)'},
};

/** Why `f` heals at boot, or undefined when it does not (or that cannot be shown from this report). */
export function healsAtBoot(report: Report, f: Finding): string | undefined {
  const rule = REBUILT_AT_BOOT[f.checkId];
  if (!rule || (rule.applies && !rule.applies(f))) return undefined;
  const status = (id: string): CheckResult['status'] | undefined => report.results.find((r) => r.id === id)?.status;
  return rule.by.every((id) => status(id) === 'pass') ? rule.how : undefined;
}
