// The list of checks as `checks list` and `explain` (without an ID) print it: a cli-table3 table
// without borders that fits the output width (titles wrap in their column), or JSON.
import Table from 'cli-table3';
import type {CheckMeta} from '../checks/meta.js';

export function checkListJson(meta: readonly CheckMeta[]): string {
  const kinds = (m: CheckMeta) => Object.entries(m.kinds ?? {}).map(([k, v]) => ({kind: `${m.id}/${k}`, severity: v.severity, title: v.title}));
  return `${JSON.stringify(meta.map((m) => ({id: m.id, slug: m.slug, severity: m.severity, title: m.title, gateOnly: Boolean(m.gate), kinds: kinds(m), needs: m.needs ?? []})), null, 2)}\n`;
}

/** Every border character empty: plain columns, two spaces apart. */
const NO_BORDERS = Object.fromEntries(
  ['top', 'top-mid', 'top-left', 'top-right', 'bottom', 'bottom-mid', 'bottom-left', 'bottom-right', 'left', 'left-mid', 'mid', 'mid-mid', 'right', 'right-mid', 'middle'].map((c) => [c, '']),
);
const GAP = 2;
/** The title column never gets narrower than this, however narrow the terminal. */
const MIN_TITLE = 20;

export function renderCheckList(meta: readonly CheckMeta[], width: number, bold: (s: string) => string = (s) => s): string {
  const head = ['ID', 'SLUG', 'SEVERITY', 'TITLE'];
  const rows = meta.map((m) => [m.id, m.slug, m.severity, `${m.title}${m.gate ? ' (gate)' : ''}`]);
  // colWidths include the padding (the gap after each column but the last).
  const lead = head.slice(0, 3).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)) + GAP);
  const title = Math.max(MIN_TITLE, width - lead.reduce((a, b) => a + b, 0));
  const table = new Table({
    head: head.map(bold),
    chars: NO_BORDERS,
    colWidths: [...lead, title],
    wordWrap: true,
    style: {'padding-left': 0, 'padding-right': 0, head: [], border: []},
  });
  table.push(...rows);
  // cli-table3 pads every cell to its column: the last column's padding is trailing blanks.
  return `${table.toString().split('\n').map((l) => l.trimEnd()).join('\n')}\n`;
}
