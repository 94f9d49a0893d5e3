// Names nft uses: families, symbolic priorities, interface wildcards, chain keys.

export const NFT_FAMILIES: readonly string[] = ['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev'];

/** Symbolic chain priorities (nft(8) "PRIORITY"); the bridge family has its own scale. */
const PRIORITY_NAMES: Record<string, number> = {raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100};
const BRIDGE_PRIORITY_NAMES: Record<string, number> = {dstnat: -300, filter: -200, out: 100, srcnat: 300};

export function nftPriority(family: string, name: string): number | undefined {
  const table = family === 'bridge' ? BRIDGE_PRIORITY_NAMES : PRIORITY_NAMES;
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

/** `en*` is a wildcard; `en\*` is a literal star. */
export function isNftWildcard(name: string): boolean {
  return name.endsWith('*') && !name.endsWith('\\*');
}

export function nftChainKey(family: string, table: string, chain: string): string {
  return `${family} ${table} ${chain}`;
}
