// Text of a fleet run: one line per host (name, verdict, error/warning counts), the fleet
// findings in full, then (with --hosts-detail) every host's own report.
import {Chalk} from 'chalk';
import {fleetFindings, fleetSummary, hostVerdict, type FleetReport} from '../fleet/report.js';
import {SEVERITIES, type Finding, type Severity} from '../model.js';
import {fixLines, hanging, renderText, WIDTH} from './text.js';

export function renderFleetText(report: FleetReport, opts: {color: boolean; hostsDetail: boolean; width?: number}): string {
  const width = opts.width ?? WIDTH;
  const c = new Chalk({level: opts.color ? 1 : 0});
  const paint: Record<Severity, (s: string) => string> = {error: c.red.bold, warning: c.yellow.bold, info: c.cyan.bold};
  const verdictPaint = {ok: c.green, warning: c.yellow, error: c.red, unreadable: c.magenta};
  const out: string[] = [];
  const sum = fleetSummary(report);
  out.push(c.bold(`tapdoctor fleet: ${sum.hosts} host${sum.hosts === 1 ? '' : 's'}, topology ${report.fleet.topology.kind}${report.fleet.topology.hub ? ` (hub ${report.fleet.topology.hub})` : ''}`), `  ${report.fleet.topology.basis}`, '');
  const findings = fleetFindings(report);
  out.push(c.bold('HOSTS'));
  const nameWidth = Math.min(40, Math.max(4, ...report.hosts.map((h) => h.name.length)));
  for (const h of report.hosts) {
    const v = hostVerdict(h);
    const fleet = findings.filter((f) => f.hosts.includes(h.name)).length;
    const counts = h.report ? `${h.report.summary.findings.error} errors, ${h.report.summary.findings.warning} warnings${fleet > 0 ? `; in ${fleet} fleet finding${fleet === 1 ? '' : 's'}` : ''}` : h.unreadable ?? '';
    out.push(`  ${h.name.padEnd(nameWidth)}  ${verdictPaint[v](v.padEnd(10))}  ${counts}`);
    for (const s of h.superseded ?? []) out.push(c.dim(`  ${''.padEnd(nameWidth)}  newer snapshot counts; ignored ${s.path} (captured ${s.capturedAt})`));
  }
  out.push('');

  if (findings.length === 0) out.push(c.green('No fleet findings: the tunnels between these hosts agree.'), '');
  for (const sev of SEVERITIES) {
    const group = findings.filter((f) => f.severity === sev);
    if (group.length === 0) continue;
    out.push(paint[sev](`FLEET ${sev.toUpperCase()}${sev === 'info' ? '' : 'S'} (${group.length})`));
    for (const f of group) out.push(...block(f, c, paint[sev], width), '');
  }
  const notRun = report.fleet.results.filter((r) => r.status === 'skip' || r.status === 'error');
  if (notRun.length > 0) {
    out.push(c.bold(`FLEET CHECKS NOT RUN (${notRun.length})`));
    for (const r of notRun) out.push(...hanging('  ', 4, `${r.id} ${r.slug}: ${r.reason ?? ''}`, width));
    out.push('');
  }
  if (opts.hostsDetail) {
    for (const h of report.hosts) {
      if (!h.report) continue;
      out.push(c.bold(`── ${h.name} ${'─'.repeat(Math.max(0, width - h.name.length - 4))}`), renderText(h.report, {color: opts.color, width}));
    }
  }
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  out.push(
    `${c.bold('Summary:')} ${n(sum.hosts, 'host')} (${sum.unreadable} unreadable); fleet: ${n(sum.fleetFindings.error, 'error')}, ${n(sum.fleetFindings.warning, 'warning')}, ${sum.fleetFindings.info} info; all: ${n(sum.findings.error, 'error')}, ${n(sum.findings.warning, 'warning')}${opts.hostsDetail ? '' : ' (per-host details: --hosts-detail)'}`,
  );
  return `${out.join('\n')}\n`;
}

function block(f: Finding & {hosts: string[]}, c: InstanceType<typeof Chalk>, sev: (s: string) => string, width: number): string[] {
  const waived = f.waiver ? c.dim(` (waived until ${f.waiver.expires}: ${f.waiver.reason})`) : '';
  const lines = [`${sev(f.checkId)} ${c.bold(f.slug)}  ${c.underline(f.subject)}  ${c.dim(`[${f.hosts.join(', ')}]`)}${waived}`];
  lines.push(...hanging('  ', 2, f.message, width));
  if (f.explanation) lines.push(...hanging(`  ${c.bold('Why:')} `, 7, f.explanation, width));
  lines.push(`  ${c.bold('Fix:')}`, ...fixLines(f.fix, width - 4).map((l) => `    ${c.green(l)}`));
  for (const e of f.evidence) {
    lines.push(`  ${c.bold('Evidence')} ${c.dim(`(${e.source})`)}:`);
    for (const l of e.lines) lines.push(`    ${c.dim(l)}`);
  }
  return lines;
}
