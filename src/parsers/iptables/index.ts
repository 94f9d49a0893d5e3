// tapdoctor's iptables parser: iptables-save dumps and iptables -L listings, their model, a
// serializer and the semantics the checks need. See README.md beside this file.

export type * from './types.js';
export {indexIptablesSave, parseIptablesSave, type IptablesSaveIndex} from './save.js';
export {serializeIptablesSave, serializeRule} from './serialize.js';
export {parseIptablesList} from './list.js';
export {CONVERTED_NOTE, dumpFromListings, dumpFromRuleSpecs, tableOfChains, type Converted, type ListedTable} from './from-list.js';
export {tokenize, Tokens, quoteToken} from './tokenize.js';
export {parseListedCount} from './numbers.js';
export * from './semantics.js';
export {ParseError} from '../errors.js';
