// VLAN colours: one stable colour per tag, kept apart from each other and from the red of findings.
import type {TapNode} from '../../facts/topology.js';

export interface VlanColor {
  fill: string;
  stroke: string;
}

// [hue, fill lightness]: hues kept apart from each other and from the red of findings; hues that
// sit close (blue/indigo, orange/salmon, purple/magenta) get different lightness.
const PALETTE: ReadonlyArray<readonly [number, number]> = [
  [210, 87], [35, 85], [130, 85], [280, 88], [185, 82], [55, 85],
  [330, 88], [95, 76], [245, 78], [15, 78], [160, 74], [300, 78],
];

/**
 * One colour per VLAN tag in ascending order. Up to 12 VLANs: the palette. More: hues spread evenly
 * over 20°-340° (red stays reserved for findings) with alternating lightness, so neighbours differ;
 * the tag printed in each cell stays the exact key.
 */
export function vlanColors(taps: readonly TapNode[]): Map<number, VlanColor> {
  const tags = [...new Set(taps.flatMap((t) => (t.tag !== undefined ? [t.tag] : [])))].sort((a, b) => a - b);
  const out = new Map<number, VlanColor>();
  const spread = tags.length > PALETTE.length;
  tags.forEach((tag, i) => {
    const [hue, light] = spread ? [Math.round(20 + (i * 320) / tags.length), i % 2 === 0 ? 87 : 75] : PALETTE[i]!;
    out.set(tag, {fill: `hsl(${hue} 70% ${light}%)`, stroke: `hsl(${hue} 60% 32%)`});
  });
  return out;
}
