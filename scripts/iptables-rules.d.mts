// Types of iptables-rules.mjs for the TypeScript tests that use the generator.
/** A deterministic, realistic iptables-save -c rule set of ruleCount rules that iptables-restore accepts. */
export function generate(ruleCount: number): string;
