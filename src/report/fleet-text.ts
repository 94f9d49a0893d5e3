// Text of a fleet run: one line per host (name, verdict, error/warning counts), the fleet
// findings in full, then (with --hosts-detail) every host's own report. Laid out like the
// single-host text, with its pieces (text.ts): prose wrapped to the width (the terminal's, 80 when
// piped), fix lines never wrapped, evidence cut with a marker; --brief: one line per finding;
// --quiet: error findings only (the summary still counts every finding).
import {Chalk} from 'chalk';
import {fleetFindings, fleetSummary, hostVerdict, type FleetReport} from '../fleet/report.js';
import type {FleetFinding} from '../fleet/define.js';
import {SEVERITIES} from '../model.js';
import {briefLine, findingBlock, hanging, renderText, severityPaint, WIDTH} from './text.js';

export interface FleetTextOptions {
  color: boolean;
  hostsDetail: boolean;
  width?: number;
  brief?: boolean;
  quiet?: boolean;
}

export function renderFleetText(report: FleetReport, opts: FleetTextOptions): string {
  const width = opts.width ?? WIDTH;
  const c = new Chalk({level: opts.color ? 1 : 0});
  const paint = severityPaint(c);
  const verdictPaint = {ok: c.green, warning: c.yellow, error: c.red, unreadable: c.magenta};
  const out: string[] = [];
  const sum = fleetSummary(report);
  out.push(c.bold(`tapdoctor fleet: ${sum.hosts} host${sum.hosts === 1 ? '' : 's'}, topology ${report.fleet.topology.kind}${report.fleet.topology.hub ? ` (hub ${report.fleet.topology.hub})` : ''}`));
  if (!opts.brief) out.push(...hanging('  ', 2, report.fleet.topology.basis, width), '');
  const findings = fleetFindings(report);
  const shown = opts.quiet ? findings.filter((f) => f.severity === 'error') : findings;
  const hidden = findings.length - shown.length;
  if (!opts.brief) out.push(c.bold('HOSTS'));
  const nameWidth = Math.min(40, Math.max(4, ...report.hosts.map((h) => h.name.length)));
  for (const h of report.hosts) {
    const v = hostVerdict(h);
    const fleet = findings.filter((f) => f.hosts.includes(h.name)).length;
    const counts = h.report ? `${h.report.summary.findings.error} errors, ${h.report.summary.findings.warning} warnings${fleet > 0 ? `; in ${fleet} fleet finding${fleet === 1 ? '' : 's'}` : ''}` : h.unreadable ?? '';
    out.push(`  ${h.name.padEnd(nameWidth)}  ${verdictPaint[v](v.padEnd(10))}  ${counts}`);
    for (const s of h.superseded ?? []) out.push(c.dim(`  ${''.padEnd(nameWidth)}  newer snapshot counts; ignored ${s.path} (captured ${s.capturedAt})`));
  }
  if (!opts.brief) out.push('');

  const tag = (f: FleetFinding) => `  ${c.dim(`[${f.hosts.join(', ')}]`)}${f.waiver ? c.dim(` (waived until ${f.waiver.expires}: ${f.waiver.reason})`) : ''}`;
  const notRun = report.fleet.results.filter((r) => r.status === 'skip' || r.status === 'error');
  if (opts.brief) {
    out.push(...shown.map((f) => briefLine(f, c, ` [${f.hosts.join(', ')}]${f.waiver ? ' (waived)' : ''}`)));
    // What did not run stays visible: a short report must not read as a clean one.
    if (notRun.length > 0) out.push(`${c.yellow('?')} fleet checks not run: ${notRun.map((r) => r.id).join(', ')} (run without --brief for why)`);
  } else {
    if (findings.length === 0) out.push(c.green('No fleet findings: the tunnels between these hosts agree.'), '');
    for (const sev of SEVERITIES) {
      const group = shown.filter((f) => f.severity === sev);
      if (group.length === 0) continue;
      out.push(paint[sev](`FLEET ${sev.toUpperCase()}${sev === 'info' ? '' : 'S'} (${group.length})`));
      for (const f of group) out.push(...findingBlock(f, c, paint[sev], width, tag(f)), '');
    }
    if (notRun.length > 0) {
      out.push(c.bold(`FLEET CHECKS NOT RUN (${notRun.length})`));
      for (const r of notRun) out.push(...hanging('  ', 4, `${r.id} ${r.slug}: ${r.reason ?? ''}`, width));
      out.push('');
    }
  }
  if (opts.hostsDetail) {
    for (const h of report.hosts) {
      if (!h.report) continue;
      out.push(c.bold(`── ${h.name} ${'─'.repeat(Math.max(0, width - h.name.length - 4))}`), renderText(h.report, {color: opts.color, width, brief: opts.brief, quiet: opts.quiet}));
    }
  }
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  out.push(
    `${c.bold('Summary:')} ${n(sum.hosts, 'host')} (${sum.unreadable} unreadable); fleet: ${n(sum.fleetFindings.error, 'error')}, ${n(sum.fleetFindings.warning, 'warning')}, ${sum.fleetFindings.info} info${hidden > 0 ? ` (${hidden} not shown: --quiet)` : ''}; all: ${n(sum.findings.error, 'error')}, ${n(sum.findings.warning, 'warning')}${opts.hostsDetail ? '' : ' (per-host details: --hosts-detail)'}`,
  );
  return `${out.join('\n')}\n`;
}
