// The list of checks as `checks list` and `explain` (without an ID) print it: plain aligned
// columns that fit the output width (titles wrap under their column), or JSON.
import type {CheckMeta} from '../checks/meta.js';
import {hanging} from '../report/text.js';

export function checkListJson(meta: readonly CheckMeta[]): string {
  return `${JSON.stringify(meta.map((m) => ({id: m.id, slug: m.slug, severity: m.severity, title: m.title, gateOnly: Boolean(m.gate)})), null, 2)}\n`;
}

export function renderCheckList(meta: readonly CheckMeta[], width: number, bold: (s: string) => string = (s) => s): string {
  const head = ['ID', 'SLUG', 'SEVERITY'];
  const rows = meta.map((m) => [m.id, m.slug, m.severity]);
  const cols = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const lead = (cells: string[]) => cells.map((c, i) => c.padEnd(cols[i]!)).join('  ') + '  ';
  const indent = lead(head).length;
  const out = [bold(`${lead(head)}TITLE`)];
  meta.forEach((m, i) => out.push(...hanging(lead(rows[i]!), indent, `${m.title}${m.gate ? ' (gate)' : ''}`, width)));
  return `${out.join('\n')}\n`;
}
