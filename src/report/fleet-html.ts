// One self-contained HTML page for a fleet run: the mesh as an SVG picture (hosts grouped by
// location; edges both ways, one way, missing, towards an unknown address; hosts and edges with
// fleet findings outlined in red), the host table, the fleet findings, and a section per host with
// its own findings and wiring. Inline CSS and SVG only, no scripts, no fetches (CSP).
import type {FleetFinding} from '../fleet/define.js';
import {Fleet, locationClasses} from '../fleet/fleet.js';
import {fleetFindings, fleetSummary, hostVerdict, type FleetReport} from '../fleet/report.js';
import type {FleetHostView} from '../fleet/host-view.js';
import {SEVERITIES} from '../model.js';
import {documentHead, esc, idPart, renderFinding} from './html/index.js';

export type EdgeKind = 'both' | 'one-way' | 'missing' | 'unknown';

export interface MeshEdge {
  from: string;
  /** A host name, or the unknown address for kind 'unknown'. */
  to: string;
  kind: EdgeKind;
  /** Fleet findings naming both ends. */
  findings: FleetFinding[];
}

/** Every edge of the picture: tunnels that exist (by direction), required pairs without one, unknown peers. */
export function meshEdges(report: FleetReport): MeshEdge[] {
  const views = report.hosts.flatMap((h) => (h.view ? [h.view] : []));
  const fleet = new Fleet(views, {complete: report.complete, topology: report.fleet.topology.kind === 'star' ? {kind: 'star', hub: report.fleet.topology.hub!} : undefined});
  const findings = fleetFindings(report);
  const about = (a: string, b: string) => findings.filter((f) => f.hosts.includes(a) && (f.hosts.includes(b) || f.subject.includes(b)));
  const edges: MeshEdge[] = [];
  const seen = new Set<string>();
  const required = new Set(fleet.pairs.map((p) => [p.a, p.b].sort().join('|')));
  for (let i = 0; i < views.length; i++) {
    for (let j = i + 1; j < views.length; j++) {
      const a = views[i]!;
      const b = views[j]!;
      const key = [a.name, b.name].sort().join('|');
      if (seen.has(key)) continue;
      seen.add(key);
      const ab = fleet.tunnelsTo(a, b).length > 0;
      const ba = fleet.tunnelsTo(b, a).length > 0;
      if (ab && ba) edges.push({from: a.name, to: b.name, kind: 'both', findings: about(a.name, b.name)});
      else if (ab || ba) edges.push({from: ab ? a.name : b.name, to: ab ? b.name : a.name, kind: 'one-way', findings: about(a.name, b.name)});
      else if (required.has(key)) edges.push({from: a.name, to: b.name, kind: 'missing', findings: about(a.name, b.name)});
    }
  }
  for (const h of views) {
    for (const t of h.tunnels) if (!fleet.hostAt(t.remoteIp)) edges.push({from: h.name, to: t.remoteIp, kind: 'unknown', findings: findings.filter((f) => f.hosts.includes(h.name) && f.subject.includes(t.port))});
  }
  return edges;
}

const BOX_W = 220;
const BOX_H = 58;
const COL_W = 330;
const ROW_H = 110;

export function renderMeshSvg(report: FleetReport): string {
  const views = report.hosts.flatMap((h) => (h.view ? [h.view] : []));
  const groups = new Map<string, FleetHostView[]>();
  for (const v of views) {
    const key = locationClasses(v).sort().join(', ') || 'no location class';
    groups.set(key, [...(groups.get(key) ?? []), v]);
  }
  const findings = fleetFindings(report);
  const pos = new Map<string, {x: number; y: number}>();
  const parts: string[] = [];
  let col = 0;
  let rows = 0;
  for (const [label, hosts] of groups) {
    const x = 30 + col * COL_W;
    parts.push(`<g class="location" data-location="${esc(label)}"><rect class="location-box" x="${x - 15}" y="20" width="${BOX_W + 30}" height="${hosts.length * ROW_H + 40}" rx="10"/><text class="location-label" x="${x}" y="40">${esc(label)}</text></g>`);
    hosts.forEach((h, i) => pos.set(h.name, {x, y: 60 + i * ROW_H}));
    rows = Math.max(rows, hosts.length);
    col++;
  }
  const edges = meshEdges(report);
  const unknownAddrs = [...new Set(edges.filter((e) => e.kind === 'unknown').map((e) => e.to))];
  unknownAddrs.forEach((addr, i) => pos.set(`?${addr}`, {x: 30 + col * COL_W, y: 60 + i * ROW_H}));
  const width = 30 + (col + (unknownAddrs.length > 0 ? 1 : 0)) * COL_W;
  const height = 100 + Math.max(rows, unknownAddrs.length) * ROW_H;

  const edgeSvg = edges.map((e, n) => {
    const a = pos.get(e.from)!;
    const b = pos.get(e.kind === 'unknown' ? `?${e.to}` : e.to)!;
    const [x1, y1, x2, y2] = [a.x + BOX_W / 2, a.y + BOX_H / 2, b.x + BOX_W / 2, b.y + BOX_H / 2];
    // Hosts of one column are joined by an arc beside it, the longer the wider, so edges do not
    // run through boxes; edges to other columns and unknown addresses arch over the groups.
    const rows = Math.round(Math.abs(y2 - y1) / ROW_H);
    const mx = x1 === x2 ? x1 + BOX_W / 2 + 20 + rows * 28 + (n % 2) * 10 : (x1 + x2) / 2;
    const my = x1 === x2 ? (y1 + y2) / 2 : Math.min(y1, y2) - 140;
    const marker = e.kind === 'one-way' ? ' marker-end="url(#arrow)"' : '';
    const title = `${e.from} → ${e.to}: ${EDGE_LABEL[e.kind]}${e.findings.length > 0 ? `; ${e.findings.map((f) => f.checkId).join(', ')}` : ''}`;
    return `<path class="edge edge-${e.kind}${e.findings.length > 0 ? ' has-finding' : ''}" data-from="${esc(e.from)}" data-to="${esc(e.to)}" data-kind="${e.kind}" d="M${x1},${y1} Q${mx},${my} ${x2},${y2}"${marker}><title>${esc(title)}</title></path>`;
  });
  const hostSvg = views.map((v) => {
    const p = pos.get(v.name)!;
    const entry = report.hosts.find((h) => h.view === v)!;
    const mine = findings.filter((f) => f.hosts.includes(v.name));
    const cls = `host verdict-${hostVerdict(entry)}${mine.length > 0 ? ' has-finding' : ''}`;
    const sub = `${v.uplink?.addresses[0] ?? 'no uplink'} · ${v.tunnels.length} tunnel${v.tunnels.length === 1 ? '' : 's'}${mine.length > 0 ? ` · ${mine.length} ✖` : ''}`;
    return `<a href="#host-${idPart(v.name)}"><g class="${cls}" data-host="${esc(v.name)}"><rect x="${p.x}" y="${p.y}" width="${BOX_W}" height="${BOX_H}" rx="6"/><text class="host-name" x="${p.x + 10}" y="${p.y + 22}">${esc(clip(v.name, 24))}</text><text class="host-sub" x="${p.x + 10}" y="${p.y + 42}">${esc(sub)}</text>${mine.length > 0 ? `<title>${esc(mine.map((f) => `${f.checkId} ${f.message}`).join('\n'))}</title>` : ''}</g></a>`;
  });
  const unknownSvg = unknownAddrs.map((addr) => {
    const p = pos.get(`?${addr}`)!;
    return `<g class="unknown-peer" data-address="${esc(addr)}"><rect x="${p.x}" y="${p.y}" width="${BOX_W}" height="${BOX_H}" rx="6"/><text class="host-name" x="${p.x + 10}" y="${p.y + 22}">? ${esc(addr)}</text><text class="host-sub" x="${p.x + 10}" y="${p.y + 42}">no host of the set</text></g>`;
  });
  const legendY = height - 24;
  const legend = (['both', 'one-way', 'missing', 'unknown'] as EdgeKind[])
    .map((k, i) => `<g class="legend-item"><path class="edge edge-${k}" d="M${20 + i * 230},${legendY} L${70 + i * 230},${legendY}"/><text x="${78 + i * 230}" y="${legendY + 4}">${EDGE_LABEL[k]}</text></g>`)
    .join('');
  return [
    `<svg class="mesh" xmlns="http://www.w3.org/2000/svg" width="${Math.max(width, 940)}" height="${height}" viewBox="0 0 ${Math.max(width, 940)} ${height}" role="img" aria-label="tunnel mesh">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#d97706"/></marker></defs>',
    ...parts,
    ...edgeSvg,
    ...hostSvg,
    ...unknownSvg,
    legend,
    '</svg>',
  ].join('\n');
}

const EDGE_LABEL: Record<EdgeKind, string> = {both: 'tunnel both ways', 'one-way': 'one way only', missing: 'missing (must peer)', unknown: 'to an unknown address'};

export function renderFleetHtml(report: FleetReport): string {
  const sum = fleetSummary(report);
  const findings = fleetFindings(report);
  const title = `tapdoctor fleet: ${sum.hosts} hosts`;
  return [
    documentHead(title, CSS),
    '<body>',
    '<header>',
    `<h1>${esc(title)}</h1>`,
    `<p class="target">topology <b>${esc(report.fleet.topology.kind)}</b>${report.fleet.topology.hub ? ` (hub ${esc(report.fleet.topology.hub)})` : ''}: ${esc(report.fleet.topology.basis)}</p>`,
    `<ul class="summary" id="summary"><li class="badge sev-error"><b>${sum.fleetFindings.error}</b> fleet errors</li><li class="badge sev-warning"><b>${sum.fleetFindings.warning}</b> fleet warnings</li><li class="badge sev-info"><b>${sum.fleetFindings.info}</b> fleet info</li><li class="badge"><b>${sum.hosts}</b> hosts</li><li class="badge"><b>${sum.unreadable}</b> unreadable</li></ul>`,
    '</header>',
    '<main>',
    '<section id="mesh">',
    '<h2>Mesh</h2>',
    renderMeshSvg(report),
    '</section>',
    renderHostTable(report),
    '<section id="fleet-findings">',
    '<h2>Fleet findings</h2>',
    findings.length === 0 ? '<p class="no-findings">No fleet findings: the tunnels between these hosts agree.</p>' : '',
    ...SEVERITIES.flatMap((sev) => findings.filter((f) => f.severity === sev).map((f, i) => renderFinding(f, `fleet-${sev}-${i + 1}`))),
    '</section>',
    ...report.hosts.map((h) => {
      const own = h.report?.results.flatMap((r) => r.findings) ?? [];
      return [
        `<section class="host-section" id="host-${idPart(h.name)}">`,
        `<h2>${esc(h.name)} <span class="verdict verdict-${hostVerdict(h)}">${hostVerdict(h)}</span></h2>`,
        `<p class="target"><code>${esc(h.path)}</code>${h.view ? `, captured <time>${esc(h.view.capturedAt)}</time>` : ''}</p>`,
        h.unreadable ? `<p class="unreadable">Could not be analyzed: ${esc(h.unreadable)}</p>` : '',
        ...(h.superseded ?? []).map((s) => `<p class="superseded">The newer snapshot counts; ignored <code>${esc(s.path)}</code> (captured ${esc(s.capturedAt)}).</p>`),
        h.topologySvg ?? '',
        own.length === 0 && h.report ? '<p class="no-findings">No findings on this host.</p>' : '',
        ...own.map((f, i) => renderFinding(f, `${idPart(h.name)}-${i + 1}`)),
        '</section>',
      ]
        .filter(Boolean)
        .join('\n');
    }),
    '</main>',
    '<footer>Generated by tapdoctor.</footer>',
    '</body>',
    '</html>',
    '',
  ]
    .filter((l) => l !== '')
    .join('\n');
}

function renderHostTable(report: FleetReport): string {
  const rows = report.hosts.map((h) => {
    const v = h.view;
    const s = h.report?.summary.findings;
    const fleet = fleetFindings(report).filter((f) => f.hosts.includes(h.name)).length;
    return `<tr data-host="${esc(h.name)}"><td><a href="#host-${idPart(h.name)}">${esc(h.name)}</a></td><td class="verdict verdict-${hostVerdict(h)}">${hostVerdict(h)}</td><td>${s?.error ?? '–'}</td><td>${s?.warning ?? '–'}</td><td>${fleet}</td><td>${esc(v?.uplink ? `${v.uplink.name} ${v.uplink.addresses.join(', ')}` : '–')}</td><td>${esc(v?.classes.join(', ') ?? '–')}</td><td>${esc(v?.tunnels.map((t) => `${t.port}→${t.remoteIp}`).join(', ') || '–')}</td></tr>`;
  });
  return ['<section id="hosts">', '<h2>Hosts</h2>', '<table class="hosts"><thead><tr><th>Host</th><th>Verdict</th><th>Errors</th><th>Warnings</th><th>Fleet findings</th><th>Uplink</th><th>Worker classes</th><th>Tunnels</th></tr></thead><tbody>', ...rows, '</tbody></table>', '</section>'].join('\n');
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(1, max - 1))}…`;
}

const CSS = `
:root { color-scheme: light; --red: #c40000; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 0; color: #1b1b1b; background: #fafafa; }
header, main, footer { max-width: 1400px; margin: 0 auto; padding: 0 20px; }
h1 { font-size: 22px; margin: 20px 0 4px; } h2 { font-size: 18px; margin: 28px 0 10px; border-bottom: 1px solid #ddd; }
.target { margin: 0 0 10px; color: #555; }
.summary { list-style: none; padding: 0; display: flex; gap: 8px; flex-wrap: wrap; }
.badge { border: 1px solid #ccc; border-radius: 4px; padding: 2px 8px; background: #fff; }
.sev-error { border-color: var(--red); } .sev-warning { border-color: #d97706; } .sev-info { border-color: #0e7490; }
svg.mesh { background: #fff; border: 1px solid #ddd; max-width: 100%; height: auto; }
.location-box { fill: #f3f6fa; stroke: #c9d3df; }
.location-label { font-size: 13px; font-weight: 600; fill: #445; }
.host rect { fill: #fff; stroke: #607080; stroke-width: 1.5; }
.host.verdict-ok rect { fill: #effaf1; } .host.verdict-warning rect { fill: #fff7e6; } .host.verdict-error rect { fill: #fdecec; } .host.verdict-unreadable rect { fill: #eee; }
.host.has-finding rect, .unknown-peer rect { stroke: var(--red); stroke-width: 3; }
.unknown-peer rect { fill: #f6f6f6; stroke-dasharray: 4 3; }
.host-name { font-size: 14px; font-weight: 600; } .host-sub { font-size: 12px; fill: #555; }
.edge { fill: none; stroke-width: 2.5; }
.edge-both { stroke: #15803d; } .edge-one-way { stroke: #d97706; stroke-dasharray: 8 4; }
.edge-missing { stroke: var(--red); stroke-dasharray: 2 4; } .edge-unknown { stroke: #888; stroke-dasharray: 6 3; }
.edge.has-finding { stroke-width: 4; }
table.hosts { border-collapse: collapse; width: 100%; background: #fff; } table.hosts td, table.hosts th { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
.verdict-ok { color: #15803d; } .verdict-warning { color: #b45309; } .verdict-error, .unreadable { color: var(--red); } .verdict-unreadable { color: #6b21a8; }
.finding { background: #fff; border: 1px solid #ddd; border-left: 5px solid #999; padding: 8px 12px; margin: 10px 0; }
.finding.sev-error { border-left-color: var(--red); } .finding.sev-warning { border-left-color: #d97706; } .finding.sev-info { border-left-color: #0e7490; }
.finding h4 { margin: 0 0 4px; } .check-id { font-family: monospace; } .hosts { color: #555; font-weight: normal; }
pre { background: #f4f4f4; padding: 6px 8px; overflow-x: auto; white-space: pre-wrap; }
.fix-label { font-weight: 600; }
`;
