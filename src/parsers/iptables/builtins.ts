// The tables iptables knows and their built-in chains (kernel: iptable_*.c valid_hooks).

export const BUILTIN_CHAINS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  filter: Object.freeze(['INPUT', 'FORWARD', 'OUTPUT']),
  nat: Object.freeze(['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING']),
  mangle: Object.freeze(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']),
  raw: Object.freeze(['PREROUTING', 'OUTPUT']),
  security: Object.freeze(['INPUT', 'FORWARD', 'OUTPUT']),
});

export function isKnownTable(table: string): boolean {
  return Object.prototype.hasOwnProperty.call(BUILTIN_CHAINS, table);
}

export function isBuiltinChain(table: string, chain: string): boolean {
  return isKnownTable(table) && BUILTIN_CHAINS[table]!.includes(chain);
}
