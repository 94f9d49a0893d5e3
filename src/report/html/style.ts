// The page's inline stylesheet.

export const CSS = `
:root { color-scheme: light; --red: #c40000; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 0; color: #1b1b1b; background: #fafafa; }
header, main, footer { max-width: 1160px; margin: 0 auto; padding: 0 20px; }
h1 { font-size: 22px; margin: 20px 0 4px; } h2 { font-size: 18px; margin: 28px 0 10px; border-bottom: 1px solid #ddd; } h3 { font-size: 16px; }
.target { margin: 0 0 10px; color: #555; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
.summary { list-style: none; padding: 0; margin: 10px 0; display: flex; flex-wrap: wrap; gap: 8px; }
.gate-banner { max-width: 1160px; margin: 0 auto 12px; padding: 10px 20px; border-radius: 0 0 6px 6px; color: #fff; }
.gate-banner .verdict { font-size: 1.4em; font-weight: bold; margin: 0 0 4px; }
.gate-banner ul { margin: 2px 0 6px; padding-left: 22px; } .gate-banner li { overflow-wrap: anywhere; }
.gate-safe { background: #1e7b34; } .gate-not-safe { background: #b3261e; } .gate-cannot-tell { background: #8a5a00; }
.run { list-style: none; padding: 0; margin: 4px 0; color: #555; font-size: .9em; } .run .deselected, .run .waiver-expired { color: #8a5a00; font-weight: bold; }
.waived-finding { border-left: 4px solid #999; padding: 4px 12px; margin: 8px 0; background: #f6f6f6; } .waiver { font-style: italic; }
.badge { border-radius: 4px; padding: 3px 10px; background: #eee; }
.badge.zero { opacity: .55; }
.badge.sev-error, .badge.st-fail { background: #fde2e2; } .badge.sev-warning { background: #fff1cc; } .badge.sev-info { background: #e4efff; }
.badge.st-pass { background: #ddf3e0; } .badge.st-error { background: #f3e1f7; }
svg.topology { display: block; max-width: 100%; height: auto; background: #fff; border: 1px solid #ddd; border-radius: 6px; }
svg text { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; fill: #1b1b1b; }
svg text.name { font-weight: 700; font-size: 13px; }
svg text.sub { fill: #333; }
svg text.bad { fill: var(--red); font-weight: 700; }
svg text.finding-ids { fill: var(--red); font-weight: 700; }
svg text.frame-label, svg text.row-label, svg text.legend-label { font-family: system-ui, sans-serif; font-weight: 600; font-size: 13px; }
svg .node rect { fill: #fff; stroke: #555; stroke-width: 1.5; }
svg .node.uplink.primary rect { fill: #eef6ee; }
svg .node.bridge rect { fill: #eef2fb; stroke: #2d4a8a; stroke-width: 2; }
svg .node.tap rect { fill: var(--fill, #e6e6e6); stroke: var(--stroke, #8a8a8a); stroke-width: 2; }
svg .node.dashed rect { stroke-dasharray: 6 4; }
svg .node.unknown rect { fill: #f3f3f3; stroke: #999; }
svg .node.has-findings rect { stroke: var(--red); stroke-width: 3.5; }
svg .tap-frame rect { fill: none; stroke: #bbb; stroke-dasharray: 3 3; }
svg .peer ellipse { fill: #f6f6f6; stroke: #777; stroke-dasharray: 4 3; }
svg line.wire { stroke: #666; stroke-width: 2; } svg line.wire.primary { stroke: #2d7a2d; stroke-width: 3; }
svg line.tunnel-wire { stroke-dasharray: 6 4; }
svg .vlan-legend-entry rect { fill: var(--fill, #e6e6e6); stroke: var(--stroke, #8a8a8a); stroke-width: 2; }
svg .outline-key rect.key-findings { fill: #fff; stroke: var(--red); stroke-width: 3; }
svg .outline-key rect.key-dashed { fill: #fff; stroke: #555; stroke-width: 1.5; stroke-dasharray: 4 3; }
.topology-notes { color: #555; }
.finding { background: #fff; border: 1px solid #ddd; border-left: 5px solid #999; border-radius: 4px; padding: 8px 14px; margin: 10px 0; }
.finding.sev-error { border-left-color: var(--red); } .finding.sev-warning { border-left-color: #d69a00; } .finding.sev-info { border-left-color: #2d6fd6; }
.finding h4 { margin: 2px 0 4px; font-size: 15px; } .finding .check-id { font-family: ui-monospace, monospace; }
.finding .slug { color: #666; font-weight: 400; } .finding .subject { font-family: ui-monospace, monospace; background: #f1f1f1; padding: 0 4px; border-radius: 3px; }
.finding .message { font-weight: 600; margin: 4px 0; } .finding .explanation { margin: 4px 0; color: #333; }
.fix-label { font-weight: 600; margin-top: 6px; }
pre { background: #f4f4f4; padding: 8px 10px; border-radius: 4px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; margin: 4px 0; }
.evidence .source { font-family: ui-monospace, monospace; color: #555; margin-top: 4px; }
table { border-collapse: collapse; width: 100%; background: #fff; } th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
tr.st-fail .status { color: var(--red); font-weight: 700; } tr.st-error .status { color: #8a2da0; font-weight: 700; } tr.st-skip .status { color: #777; } tr.st-na .status { color: #999; font-style: italic; } tr.st-pass .status { color: #2d7a2d; }
footer { color: #777; margin: 30px auto 20px; }
`;
