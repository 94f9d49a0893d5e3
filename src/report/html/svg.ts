// The SVG drawing of the host's wiring (uplinks → bridge → taps by VLAN, GRE tunnels): geometry,
// boxes and lines, the VLAN legend; elements with findings are outlined in red.
import type {BridgeNode, FindingRef, HostTopology, TapNode, TunnelNode, UplinkNode} from '../../facts/topology.js';
import {clip, esc, idPart} from './escape.js';
import {vlanColors, type VlanColor} from './palette.js';

const W = 1120;
const M = 20;
const INNER = W - 2 * M;
const CELL_W = 128;
const CELL_H = 72;
const CELL_GAP = 8;
const UPLINK_W = 220;
const UPLINK_H = 76;
const BRIDGE_W = 300;
const BRIDGE_H = 80;
const TUNNEL_W = 170;
const TUNNEL_H = 44;
const TUNNEL_GAP = 10;
/** Approximate advance of one character of the 12px monospace font, for truncation. */
const CHAR_W = 7.3;

/** The drawing alone (exported for tests). Height grows with the number of taps. */
export function renderTopologySvg(t: HostTopology): string {
  const parts: string[] = [];
  let y = M;

  // Row 1: uplinks, then NAT names that match no uplink (dashed: suspects).
  const topItems: Array<{kind: 'uplink'; node: UplinkNode} | {kind: 'nat'; name: string; findings: FindingRef[]} | {kind: 'none'}> = [
    ...t.uplinks.map((node) => ({kind: 'uplink' as const, node})),
    ...t.natNames.map((n) => ({kind: 'nat' as const, name: n.name, findings: n.findings})),
  ];
  if (topItems.length === 0) topItems.push({kind: 'none'});
  const topPos = flow(topItems.length, UPLINK_W, UPLINK_H, 24, 16, y);
  const bridgeX = (W - BRIDGE_W) / 2;
  const tunnelX = W / 2 + BRIDGE_W / 2 + 60;
  const bandTop = topPos.bottom + 44;
  const tunnelBand = t.tunnels.length * (TUNNEL_H + TUNNEL_GAP) - TUNNEL_GAP;
  const bandH = Math.max(BRIDGE_H, tunnelBand);
  const bridgeY = bandTop + (bandH - BRIDGE_H) / 2;

  topItems.forEach((item, i) => {
    const {x, y: iy} = topPos.at[i]!;
    if (item.kind === 'uplink') {
      // The wire from an uplink to the bridge: traffic from the taps leaves the host here.
      parts.push(line(x + UPLINK_W / 2, iy + UPLINK_H, W / 2, bridgeY, item.node.primary ? 'wire primary' : 'wire'));
      parts.push(uplinkBox(item.node, x, iy));
    } else if (item.kind === 'nat') {
      parts.push(natBox(item.name, item.findings, x, iy));
    } else {
      // Known-but-none is itself a problem (no default route); unknown is missing data.
      const label = t.unknown.includes('uplinks') ? 'uplinks unknown' : 'no active uplink';
      parts.push(placeholder('uplink-unknown', label, x, iy, UPLINK_W, UPLINK_H));
    }
  });

  // Row 2: the bridge, tunnels fanning out to the right.
  if (t.bridge) parts.push(bridgeBox(t.bridge, bridgeX, bridgeY));
  else parts.push(placeholder('bridge-unknown', 'bridge unknown', bridgeX, bridgeY, BRIDGE_W, BRIDGE_H));
  t.tunnels.forEach((tun, i) => {
    const ty = bandTop + i * (TUNNEL_H + TUNNEL_GAP) + (bandH - tunnelBand) / 2;
    parts.push(line(bridgeX + BRIDGE_W, bridgeY + BRIDGE_H / 2, tunnelX, ty + TUNNEL_H / 2, 'wire tunnel-wire'));
    parts.push(tunnelBox(tun, tunnelX, ty));
  });
  y = bandTop + bandH + 36;

  // Row 3: the tap grid in a frame, with the VLAN legend at its top.
  const frameTop = y;
  parts.push(line(W / 2, bridgeY + BRIDGE_H, W / 2, frameTop, 'wire'));
  const bridgeName = t.bridge?.name;
  const tapCount = t.taps.length;
  const frameLabel = bridgeName ? `Tap devices (${tapCount}) — ports of ${bridgeName} unless marked` : `Tap devices (${tapCount})`;
  const legend = renderLegend(t.taps, frameTop + 34);
  const gridTop = legend.bottom + 12;
  const cols = Math.max(1, Math.floor((INNER - 24 + CELL_GAP) / (CELL_W + CELL_GAP)));
  const rows = Math.ceil(tapCount / cols);
  const gridH = tapCount === 0 ? 28 : rows * (CELL_H + CELL_GAP) - CELL_GAP;
  const frameBottom = gridTop + gridH + 14;
  const colors = vlanColors(t.taps);
  parts.push(`<g class="tap-frame" id="tap-frame"><rect x="${M}" y="${frameTop}" width="${INNER}" height="${frameBottom - frameTop}" rx="8"/>`);
  parts.push(`<text class="frame-label" x="${M + 12}" y="${frameTop + 20}">${esc(frameLabel)}</text></g>`);
  parts.push(legend.svg);
  if (tapCount === 0) {
    const inventoryUnknown = t.unknown.includes('ovs') && t.unknown.includes('interfaces');
    const label = inventoryUnknown ? 'tap devices unknown (no Open vSwitch or interface data)' : 'no tap devices found';
    parts.push(`<text class="empty" x="${M + 12}" y="${gridTop + 18}">${label}</text>`);
  }
  // Few taps: centre them; many: fill rows left to right.
  const usedCols = Math.min(cols, Math.max(tapCount, 1));
  const gridLeft = M + (INNER - (usedCols * (CELL_W + CELL_GAP) - CELL_GAP)) / 2;
  t.taps.forEach((tap, i) => {
    const cx = gridLeft + (i % cols) * (CELL_W + CELL_GAP);
    const cy = gridTop + Math.floor(i / cols) * (CELL_H + CELL_GAP);
    parts.push(tapCell(tap, cx, cy, colors, bridgeName));
  });
  y = frameBottom + 28;

  // Row 4: other bridges (Linux bridges, a second OVS bridge): context, and where strays sit.
  if (t.otherBridges.length > 0) {
    parts.push(`<text class="row-label" x="${M}" y="${y + 4}">Other bridges</text>`);
    const pos = flow(t.otherBridges.length, 220, 56, 16, 12, y + 14);
    t.otherBridges.forEach((b, i) => parts.push(otherBridgeBox(b, pos.at[i]!.x, pos.at[i]!.y)));
    y = pos.bottom + 20;
  }

  const height = Math.ceil(y);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" id="topology-svg" class="topology" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" role="img" aria-label="${esc(`Network topology of ${t.host}`)}">`,
    ...parts,
    '</svg>',
  ].join('\n');
}

interface Flow {
  at: Array<{x: number; y: number}>;
  bottom: number;
}

/** Lay out `n` equal boxes in centred rows that wrap at the drawing width. */
function flow(n: number, w: number, h: number, gapX: number, gapY: number, top: number): Flow {
  const perRow = Math.max(1, Math.floor((INNER + gapX) / (w + gapX)));
  const at: Array<{x: number; y: number}> = [];
  for (let i = 0; i < n; i++) {
    const row = Math.floor(i / perRow);
    const inRow = Math.min(perRow, n - row * perRow);
    const left = M + (INNER - (inRow * (w + gapX) - gapX)) / 2;
    at.push({x: left + (i % perRow) * (w + gapX), y: top + row * (h + gapY)});
  }
  const rows = Math.ceil(n / perRow);
  return {at, bottom: top + rows * (h + gapY) - gapY};
}

function uplinkBox(u: UplinkNode, x: number, y: number): string {
  const role = u.primary ? 'uplink (default route)' : 'also active';
  const nat = u.masqueraded === undefined ? 'NAT unknown' : u.masqueraded ? 'masquerade: yes' : 'masquerade: NO';
  const lines = [
    {text: u.name, cls: 'name'},
    {text: role, cls: 'sub'},
    {text: u.addrs[0] ?? 'no address', cls: 'sub'},
    {text: nat, cls: u.masqueraded === false ? 'sub bad' : 'sub'},
  ];
  const tip = [`${u.name}: ${role}`, ...u.addrs, nat, ...u.reasons, ...findingTips(u.findings)].join('\n');
  return box({
    id: `uplink-${idPart(u.name)}`,
    cls: `uplink${u.primary ? ' primary' : ''}`,
    x,
    y,
    w: UPLINK_W,
    h: UPLINK_H,
    lines,
    findings: u.findings,
    tip,
    idsInline: true,
  });
}

function natBox(name: string, findings: FindingRef[], x: number, y: number): string {
  return box({
    id: `nat-${idPart(name)}`,
    cls: 'nat-name dashed',
    x,
    y,
    w: UPLINK_W,
    h: UPLINK_H,
    lines: [
      {text: name, cls: 'name'},
      {text: 'named by masquerade', cls: 'sub'},
      {text: 'but not an active uplink', cls: 'sub bad'},
    ],
    findings,
    tip: [`masquerade rule names ${name}, which is not an active uplink`, ...findingTips(findings)].join('\n'),
  });
}

function bridgeBox(b: HostTopology['bridge'] & {}, x: number, y: number): string {
  const lines = [
    {text: `${b.name}  (${b.kind === 'ovs' ? 'Open vSwitch' : 'Linux'} bridge)`, cls: 'name'},
    {text: b.addrs.length > 0 ? b.addrs.slice(0, 2).join('  ') : b.exists ? 'no address' : 'does not exist', cls: b.addrs.length > 0 ? 'sub' : 'sub bad'},
    {text: b.source === 'switch-config' ? 'OS_AUTOINST_USE_BRIDGE' : 'guessed (switch config unknown)', cls: 'sub'},
  ];
  const tip = [`${b.name}`, ...b.addrs, b.otherPorts.length > 0 ? `other ports: ${b.otherPorts.join(', ')}` : '', ...findingTips(b.findings)].filter(Boolean).join('\n');
  return box({id: `bridge-${idPart(b.name)}`, cls: `bridge${b.exists ? '' : ' dashed'}`, x, y, w: BRIDGE_W, h: BRIDGE_H, lines, findings: b.findings, tip});
}

function tunnelBox(tun: TunnelNode, x: number, y: number): string {
  const peerX = x + TUNNEL_W + 40;
  const peerW = W - M - peerX;
  const peer = tun.remoteIp ?? 'no remote_ip';
  const out = [
    line(x + TUNNEL_W, y + TUNNEL_H / 2, peerX, y + TUNNEL_H / 2, 'wire tunnel-wire'),
    `<g class="peer"><ellipse cx="${peerX + peerW / 2}" cy="${y + TUNNEL_H / 2}" rx="${peerW / 2}" ry="${TUNNEL_H / 2 - 2}"/>`,
    `<text class="sub" x="${peerX + peerW / 2}" y="${y + TUNNEL_H / 2 + 4}" text-anchor="middle">${esc(clip(peer, Math.floor((peerW - 12) / CHAR_W)))}</text></g>`,
  ];
  out.push(
    box({
      id: `tunnel-${idPart(tun.name)}`,
      cls: `tunnel tunnel-${idPart(tun.type)}`,
      x,
      y,
      w: TUNNEL_W,
      h: TUNNEL_H,
      lines: [
        {text: `${tun.name} (${tun.type})`, cls: 'name'},
        {text: tun.bridge ? `on ${tun.bridge}` : 'on no bridge', cls: 'sub'},
      ],
      findings: tun.findings,
      tip: [`${tun.name}: ${tun.type} tunnel to ${peer}`, ...findingTips(tun.findings)].join('\n'),
      idsInline: true,
    }),
  );
  return out.join('\n');
}

function otherBridgeBox(b: BridgeNode, x: number, y: number): string {
  return box({
    id: `other-bridge-${idPart(b.name)}`,
    cls: 'other-bridge',
    x,
    y,
    w: 220,
    h: 56,
    lines: [
      {text: `${b.name} (${b.kind === 'ovs' ? 'OVS' : 'Linux'})`, cls: 'name'},
      {text: b.addrs[0] ?? (b.otherPorts.length > 0 ? `ports: ${b.otherPorts.join(', ')}` : 'no ports'), cls: 'sub'},
    ],
    findings: b.findings,
    tip: [b.name, ...b.addrs, `ports: ${b.otherPorts.join(', ') || 'none'}`, ...findingTips(b.findings)].join('\n'),
    idsInline: true,
  });
}

function tapCell(tap: TapNode, x: number, y: number, colors: Map<number, VlanColor>, bridgeName: string | undefined): string {
  const color = tap.tag !== undefined ? colors.get(tap.tag) : undefined;
  const offBridge = bridgeName !== undefined && tap.bridge !== bridgeName;
  const vlanText = tap.tag !== undefined ? `VLAN ${tap.tag}` : 'untagged';
  const jobVlanDiffers = tap.job?.vlan !== undefined && tap.job.vlan !== tap.tag;
  const jobText = tap.job ? `#${tap.job.instance}${tap.job.test ? ` ${tap.job.test}` : ''}` : 'idle';
  // Short problem words so they fit beside the finding ids on the last line (the tooltip has it all).
  const problems: string[] = [];
  // "no device" says it all for a tap that exists only in a job's TAPDEV.
  if (tap.inKernel === false) problems.push('no device');
  else if (tap.error) problems.push('ovs error');
  if (tap.bridge === undefined && tap.inKernel !== false) problems.push('no bridge');
  else if (offBridge && tap.bridge !== undefined) problems.push(`on ${tap.bridge}`);
  if (tap.job && !tap.job.alive) problems.push('stale');
  const ids = [...new Set(tap.findings.map((f) => f.checkId))];
  const lines = [
    {text: tap.name, cls: 'name'},
    {text: jobVlanDiffers ? `${vlanText} job:${tap.job!.vlan}` : vlanText, cls: jobVlanDiffers ? 'sub bad' : 'sub'},
    {text: jobText, cls: 'sub'},
    {text: [...problems, ...ids].join(' '), cls: 'sub bad finding-ids'},
  ];
  const tip = [
    `${tap.name}: ${vlanText}${tap.vlanMode ? ` (${tap.vlanMode})` : ''}`,
    tap.bridge ? `bridge ${tap.bridge}` : 'on no OVS bridge',
    tap.job
      ? `job: instance ${tap.job.instance}, ${tap.job.dir}${tap.job.test ? `, TEST=${tap.job.test}` : ''}, NICVLAN ${tap.job.vlan ?? '?'}${tap.job.alive ? '' : ', qemu not running'}`
      : 'no job',
    tap.error ?? '',
    tap.inKernel === false ? 'no kernel device' : '',
    ...findingTips(tap.findings),
  ]
    .filter(Boolean)
    .join('\n');
  const style = color ? ` style="--fill:${color.fill};--stroke:${color.stroke}"` : '';
  return box({
    id: `tap-${idPart(tap.name)}`,
    cls: `tap${tap.tag === undefined ? ' untagged' : ''}${offBridge || tap.bridge === undefined || tap.inKernel === false ? ' dashed' : ''}`,
    x,
    y,
    w: CELL_W,
    h: CELL_H,
    lines: lines.filter((l) => l.text !== ''),
    findings: tap.findings,
    tip,
    extraAttrs: ` data-vlan="${tap.tag ?? 'untagged'}"`,
    style,
    idsShown: true,
  });
}

interface BoxSpec {
  id: string;
  cls: string;
  x: number;
  y: number;
  w: number;
  h: number;
  lines: Array<{text: string; cls: string}>;
  findings: FindingRef[];
  tip: string;
  extraAttrs?: string;
  /** Inline style (the VLAN colours as CSS variables). */
  style?: string;
  /** Small boxes: finding ids go on the name line instead of a line of their own. */
  idsInline?: boolean;
  /** The lines already show the finding ids. */
  idsShown?: boolean;
}

/** A labelled rectangle; red outline and the finding ids when something names it. */
function box(s: BoxSpec): string {
  const ids = [...new Set(s.findings.map((f) => f.checkId))];
  const has = ids.length > 0;
  const maxChars = Math.floor((s.w - 14) / CHAR_W);
  const out = [`<g id="${s.id}" class="node ${s.cls}${has ? ' has-findings' : ''}"${s.extraAttrs ?? ''}${has ? ` data-findings="${esc(ids.join(' '))}"` : ''}${s.style ?? ''}>`];
  out.push(`<title>${esc(s.tip)}</title>`);
  out.push(`<rect x="${s.x}" y="${s.y}" width="${s.w}" height="${s.h}" rx="6"/>`);
  const lineH = 15;
  const inline = has && !s.idsShown && s.idsInline;
  // Inline ids take the right end of the first line; the name gets what is left.
  const inlineIds = inline ? clip(ids.join(' '), Math.max(5, Math.floor(maxChars / 2))) : '';
  let ty = s.y + 18;
  s.lines.forEach((l, i) => {
    if (ty > s.y + s.h - 4) return;
    const room = i === 0 && inline ? maxChars - inlineIds.length - 1 : maxChars;
    out.push(`<text class="${l.cls}" x="${s.x + 7}" y="${ty}">${esc(clip(l.text, room))}</text>`);
    ty += lineH;
  });
  if (has && !s.idsShown) {
    const idText = ids.join(' ');
    if (inline) {
      out.push(`<text class="finding-ids" x="${s.x + s.w - 6}" y="${s.y + 18}" text-anchor="end">${esc(inlineIds)}</text>`);
    } else {
      out.push(`<text class="finding-ids" x="${s.x + 7}" y="${Math.min(ty, s.y + s.h - 6)}">${esc(clip(idText, maxChars))}</text>`);
    }
  }
  out.push('</g>');
  return out.join('');
}

function placeholder(id: string, label: string, x: number, y: number, w: number, h: number): string {
  return `<g id="${id}" class="node unknown dashed"><rect x="${x}" y="${y}" width="${w}" height="${h}" rx="6"/><text class="sub" x="${x + 7}" y="${y + 18}">${esc(label)}</text></g>`;
}

function line(x1: number, y1: number, x2: number, y2: number, cls: string): string {
  return `<line class="${cls}" x1="${r(x1)}" y1="${r(y1)}" x2="${r(x2)}" y2="${r(y2)}"/>`;
}

function r(n: number): string {
  return String(Math.round(n * 10) / 10);
}

function findingTips(findings: readonly FindingRef[]): string[] {
  return findings.map((f) => `${f.checkId} ${f.severity}: ${f.message}`);
}

function renderLegend(taps: readonly TapNode[], top: number): {svg: string; bottom: number} {
  const colors = vlanColors(taps);
  const entries: Array<{key: string; label: string; color?: VlanColor; cls: string}> = [...colors.entries()].map(([tag, color]) => ({
    key: String(tag),
    label: `VLAN ${tag}`,
    color,
    cls: 'vlan-legend-entry',
  }));
  if (taps.some((t) => t.tag === undefined)) entries.push({key: 'untagged', label: 'untagged', cls: 'vlan-legend-entry untagged'});
  const entryW = 104;
  const perRow = Math.max(1, Math.floor((INNER - 100) / entryW));
  const out = [`<g class="vlan-legend" id="vlan-legend">`, `<text class="legend-label" x="${M + 12}" y="${top + 12}">VLANs:</text>`];
  entries.forEach((e, i) => {
    const x = M + 70 + (i % perRow) * entryW;
    const y = top + Math.floor(i / perRow) * 22;
    const style = e.color ? ` style="--fill:${e.color.fill};--stroke:${e.color.stroke}"` : '';
    out.push(
      `<g class="${e.cls}" data-vlan="${esc(e.key)}"${style}><rect x="${x}" y="${y}" width="16" height="16" rx="3"/><text x="${x + 22}" y="${y + 12}">${esc(e.label)}</text></g>`,
    );
  });
  const rows = Math.max(1, Math.ceil(entries.length / perRow));
  // The outline key: what red and dashed mean.
  const keyY = top + rows * 22;
  out.push(
    `<g class="outline-key"><rect class="key-findings" x="${M + 70}" y="${keyY}" width="16" height="16" rx="3"/><text x="${M + 92}" y="${keyY + 12}">has findings (ids in red)</text>`,
    `<rect class="key-dashed" x="${M + 300}" y="${keyY}" width="16" height="16" rx="3"/><text x="${M + 322}" y="${keyY + 12}">dashed: not on the bridge, or no device</text></g>`,
  );
  if (entries.length === 0) out.push(`<text class="sub" x="${M + 70}" y="${top + 12}">none</text>`);
  out.push('</g>');
  return {svg: out.join('\n'), bottom: keyY + 16};
}
