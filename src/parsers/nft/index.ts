// nftables parsers: `nft -j list ruleset` (JSON) and `nft [-a] list ruleset` / nftables config files
// (text) into one NftRuleset model. See README.md.
import {parseNftJson} from './json.js';
import {parseNftText} from './text.js';
import type {NftRuleset} from './types.js';

export * from './types.js';
export {isNftWildcard, NFT_FAMILIES, nftChainKey, nftPriority} from './names.js';
export {parseNftJson} from './json.js';
export {parseNftText} from './text.js';

/** Dispatch on the content: JSON starts with `{`, anything else is text. */
export function parseNft(text: string, source: string): NftRuleset {
  return text.trimStart().startsWith('{') ? parseNftJson(text, source) : parseNftText(text, source);
}
