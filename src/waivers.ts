// Site waivers, like lint suppressions with accountability: a waiver in the settings file accepts
// the findings of one check (and subject glob) for a reason until a date. A waived finding stays
// in every report, marked with its waiver, but counts for no exit code and no gate verdict. A
// waiver past its date accepts nothing and is itself a warning; one that matches nothing is info,
// so stale waivers do not pile up unnoticed.
import type {Waiver} from './config.js';
import {summarize, type Report, type WaiverUse} from './model.js';

export type {WaiverUse};

/** `*` any run of characters, `?` one character; everything else literal; whole-string match. */
export function globMatches(glob: string, text: string): boolean {
  const re = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(text);
}

/**
 * Mark the findings the waivers accept and record each waiver's use in `report.run.waivers`.
 * `today` is YYYY-MM-DD (the run's date): a waiver holds through its `expires` day.
 */
export function applyWaivers(report: Report, waivers: readonly Waiver[], today: string): WaiverUse[] {
  const uses: WaiverUse[] = [];
  for (const w of waivers) {
    const expired = w.expires < today;
    let matched = 0;
    for (const r of report.results) {
      for (const f of r.findings) {
        if (f.checkId !== w.check || (w.subject !== undefined && !globMatches(w.subject, f.subject))) continue;
        matched += 1;
        if (!expired && !f.waiver) f.waiver = {check: w.check, ...(w.subject !== undefined ? {subject: w.subject} : {}), reason: w.reason, expires: w.expires};
      }
    }
    const status = expired ? 'expired' : matched > 0 ? 'applied' : 'unused';
    uses.push({...w, status, matched, ...(status === 'expired' ? {severity: 'warning' as const} : status === 'unused' ? {severity: 'info' as const} : {})});
  }
  report.summary = summarize(report.results);
  return uses;
}

/** One line for text and other line formats: "TD001 eth1 (reason, until 2027-03-31): applied to 1 finding". */
export function waiverLine(u: WaiverUse): string {
  const what = `${u.check}${u.subject !== undefined ? ` ${u.subject}` : ''}`;
  const n = (k: number) => `${k} finding${k === 1 ? '' : 's'}`;
  const state =
    u.status === 'applied' ? `waives ${n(u.matched)}` : u.status === 'expired' ? `EXPIRED on ${u.expires}: waives nothing${u.matched > 0 ? `, ${n(u.matched)} count again` : ''}` : 'matches no finding (remove it, or fix its check/subject)';
  return `${what} "${u.reason}" until ${u.expires}: ${state}`;
}
