// Small formatting helpers shared by messages across the tool.

/** Milliseconds as seconds for messages: 10000 -> "10", 150 -> "0.15", 1234 -> "1.234". */
export function formatSeconds(ms: number): string {
  return String(Number((ms / 1000).toFixed(3)));
}
