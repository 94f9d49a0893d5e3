// TD002: a MASQUERADE/SNAT/DNAT/REDIRECT rule outside the nat table, or an nft `masquerade` in a
// chain that is not `type nat hook postrouting` (docs/checks/TD002.md).
//
// The persisted files matter most: such a rule never shows up live, because the kernel refuses it
// and the whole file fails to load with it (nft aborts the atomic load, iptables-restore refuses the
// file). The live signature is then missing NAT, maybe an empty ruleset, and a failed unit; those
// are added to the finding as corroboration. Live rules are judged too (facts/firewall/ decides
// legality), for rulesets loaded by hand or by tools tapdoctor does not read the files of.
import {FactUnavailable, type Facts} from '../facts/facts.js';
import {masqueradesFor, liveFirewall, persistedFirewall, type FirewallView, type NatRule, type PersistedRuleFile} from '../facts/firewall/index.js';
import {activeUnits} from '../facts/host/units.js';
import type {Evidence} from '../model.js';
import {parseNftText} from '../parsers/nft/index.js';
import {modelOrParseError, ParseError} from '../parsers/errors.js';
import {iptablesRuleSpec, iptablesTool, moveNatRules, nftRuleStatement, reloadRuleFile, replaceIptablesRule, replaceNftRule, type NatMove} from '../remedies/firewall.js';
import {withoutCounters} from '../parsers/iptables/numbers.js';
import type {Step} from '../remedies/step.js';
import {defineCheck, evidence, pass, type FindingDraft} from './define.js';
import meta from './TD002-nat-wrong-table.meta.js';
import {withFirewallLimits} from './firewall-limits.js';
import {uplink as uplinkFact} from '../facts/uplink.js';

export default defineCheck(meta, (f) => withFirewallLimits(f, () => {
  const live = f.try(liveFirewall);
  const persisted = f.try(persistedFirewall);
  if (!live.ok && !persisted.ok) throw new FactUnavailable(`${live.reason}; ${persisted.reason}`);

  const findings: FindingDraft[] = [];
  const notes: string[] = [];
  const liveView = live.ok ? live.value : undefined;
  if (persisted.ok) {
    for (const file of persisted.value.files) {
      const finding = fileFinding(f, file, liveView);
      if (finding) findings.push(finding);
    }
  } else notes.push(`persisted firewall files not checked: ${persisted.reason}`);
  if (live.ok) findings.push(...liveFindings(live.value));
  else notes.push(`live ruleset not checked: ${live.reason}`);

  if (findings.length > 0) return findings;
  return notes.length > 0 ? pass(notes.join('; ')) : [];
}));

// --- what counts -------------------------------------------------------------------------------

/**
 * firewalld's own NAT chains (iptables: POST_public, POSTROUTING_ZONES; nft: nat_POST_public_allow in
 * `table inet firewalld`). A zone no interface is bound to has chains nothing jumps to: by design, no fault.
 */
const FIREWALLD_CHAIN = /^(nat_)?(PRE|POST)(ROUTING)?_|_ZONES?(_SOURCE)?$/;

function isFirewalldRule(n: NatRule): boolean {
  return n.backend === 'firewalld' || n.table === 'firewalld' || FIREWALLD_CHAIN.test(n.chain);
}

/** An illegal rule this check reports: misplaced (refused by the kernel), or never reached and not firewalld's. */
function reportable(n: NatRule): boolean {
  if (n.legal) return false;
  return n.refusedByKernel === true || !isFirewalldRule(n);
}

const NAT_WORD = /\b(masquerade|snat|dnat|redirect)\b/i;

/** Where each NAT action belongs: the base chain's hook, its conventional name and nft priority. */
const NAT_HOME: Record<NatRule['action'], {chain: string; hook: string; priority: string}> = {
  masquerade: {chain: 'POSTROUTING', hook: 'postrouting', priority: 'srcnat'},
  snat: {chain: 'POSTROUTING', hook: 'postrouting', priority: 'srcnat'},
  dnat: {chain: 'PREROUTING', hook: 'prerouting', priority: 'dstnat'},
  redirect: {chain: 'PREROUTING', hook: 'prerouting', priority: 'dstnat'},
};

// --- persisted files ---------------------------------------------------------------------------

interface BadLine {
  line: number;
  text: string;
  reason: string;
  /** The whole file fails to load because of it. */
  fatal: boolean;
  rule?: NatRule;
}

/** NAT-related load errors and illegal NAT rules of one file, one entry per line. */
function badNatLines(file: PersistedRuleFile): BadLine[] {
  const byLine = new Map<number, BadLine>();
  const natByLine = new Map(file.view.nat.filter((n) => n.line !== undefined).map((n) => [n.line!, n]));
  for (const e of file.loadErrors) {
    const rule = natByLine.get(e.line);
    if (!rule && !NAT_WORD.test(e.text)) continue;
    byLine.set(e.line, {line: e.line, text: e.text, reason: e.reason, fatal: true, ...(rule ? {rule} : {})});
  }
  for (const n of file.view.nat) {
    if (!reportable(n) || n.line === undefined || byLine.has(n.line)) continue;
    byLine.set(n.line, {line: n.line, text: n.text, reason: n.illegalReason ?? 'not in a nat chain', fatal: n.refusedByKernel === true, rule: n});
  }
  return [...byLine.values()].sort((a, b) => a.line - b.line);
}

function fileFinding(f: Facts, file: PersistedRuleFile, live: FirewallView | undefined): FindingDraft | undefined {
  const bad = badNatLines(file);
  if (bad.length === 0) return undefined;
  const fatal = bad.some((b) => b.fatal);
  const text = fileText(f, file.path);
  const where = bad.map((b) => `line ${b.line} (${b.rule ? `${b.rule.action} in ${b.rule.table}/${b.rule.chain}` : 'NAT rule'})`).join(', ');
  const liveNote = fatal ? liveSignature(f, live) : undefined;
  const consequence = fatal
    ? `${file.format === 'nft' ? 'nft aborts the atomic load' : 'iptables-restore refuses the file'}: none of its rules load, NAT included${liveNote ? `; ${liveNote.summary}` : ''}`
    : 'the rule never applies, so SUT traffic leaves without NAT';
  const evidenceList: Evidence[] = [
    evidence(
      'firewall.files',
      ...bad.map((b) => `${file.path}:${b.line}: ${rawLine(text, b.line) ?? b.text}`),
      ...bad.map((b) => `line ${b.line}: ${b.reason}`),
    ),
    ...(liveNote?.evidence ?? []),
  ];
  return {
    kind: 'persisted-rule-misplaced',
    subject: file.path,
    ...(fatal ? {} : {severity: 'warning' as const}),
    message: `${where}: expected in a nat chain at ${homesOf(bad)}; ${consequence}`,
    fix: [moveNatRules(file.path, file.format === 'nft' ? 'nft' : 'iptables-save', bad.map((b) => natMove(file, text, b))), reloadRuleFile(file.path)],
    evidence: evidenceList,
  };
}

function homesOf(bad: BadLine[]): string {
  const hooks = new Set(bad.map((b) => NAT_HOME[b.rule?.action ?? 'masquerade'].hook));
  return [...hooks].join('/');
}

/** The file's text as captured (for the exact line and for what it declares). */
function fileText(f: Facts, path: string): string | undefined {
  try {
    return f.file('firewall.files', path)?.text;
  } catch (error) {
    if (error instanceof FactUnavailable) return undefined;
    throw error;
  }
}

function rawLine(text: string | undefined, line: number): string | undefined {
  if (text === undefined) return undefined;
  const l = text.split('\n')[line - 1];
  return l === undefined ? undefined : l.replace(/\r$/, '').trim();
}

/** How the live host shows a file that failed to load: no masquerade for the uplink, a failed firewall unit. */
function liveSignature(f: Facts, live: FirewallView | undefined): {summary: string; evidence: Evidence[]} | undefined {
  const parts: string[] = [];
  const ev: Evidence[] = [];
  const up = f.try(uplinkFact);
  const uplink = up.ok ? up.value.name : undefined;
  if (live && uplink !== undefined && masqueradesFor(live, uplink).filter((n) => n.legal).length === 0) {
    parts.push(`the running ruleset has no masquerade for ${uplink} either`);
  }
  const units = f.try(activeUnits);
  if (units.ok) {
    for (const name of ['nftables.service', 'iptables.service', 'ip6tables.service', 'netfilter-persistent.service']) {
      const u = units.value[name];
      if (u?.active !== 'failed') continue;
      parts.push(`${name} failed`);
      ev.push(evidence('systemd.units', `${name} ${u.load} ${u.active} ${u.sub} ${u.description}`));
    }
  }
  return parts.length > 0 ? {summary: parts.join(', '), evidence: ev} : undefined;
}

// --- fixes -------------------------------------------------------------------------------------

/** Where a misplaced NAT line goes: the nat chain of its hook (declared when the file has none). */
function natMove(file: PersistedRuleFile, text: string | undefined, b: BadLine): NatMove {
  const action = b.rule?.action ?? actionFromText(b.text);
  const home = NAT_HOME[action];
  const current = rawLine(text, b.line) ?? b.text;
  if (file.format === 'iptables-save') {
    const rule = withoutCounters(current).replace(/^-[AI]\s+\S+(\s+\d+)?/, `-A ${home.chain}`).replace(/\s-t\s+\S+/, '');
    return {line: b.line, current, family: 'ip', table: 'nat', chain: home.chain, rule};
  }
  const family = b.rule?.family ?? 'ip';
  const target = natChainIn(text, file.path, family, home.hook);
  const chain = target ?? {table: 'nat', name: home.chain.toLowerCase()};
  return {line: b.line, current, family, table: chain.table, chain: chain.name, rule: nftRuleStatement(current), ...(target ? {} : {declare: {hook: home.hook, priority: home.priority}})};
}

function actionFromText(text: string): NatRule['action'] {
  const m = NAT_WORD.exec(text);
  return (m?.[1]?.toLowerCase() ?? 'masquerade') as NatRule['action'];
}

/** A chain of the file declared `type nat hook <hook>` for the family, to put the rule in. */
function natChainIn(text: string | undefined, path: string, family: string, hook: string): {table: string; name: string} | undefined {
  if (text === undefined) return undefined;
  const ruleset = modelOrParseError(() => parseNftText(text, path));
  if (ruleset instanceof ParseError) return undefined;
  const c = ruleset.chains.find((ch) => ch.family === family && ch.type === 'nat' && ch.hook === hook);
  return c ? {table: c.table, name: c.name} : undefined;
}

// --- live rules --------------------------------------------------------------------------------

function liveFindings(view: FirewallView): FindingDraft[] {
  const byChain = new Map<string, NatRule[]>();
  for (const n of view.nat) {
    if (!reportable(n)) continue;
    const key = `${n.table}/${n.chain}`;
    // Appended in place: an unreached chain may hold thousands of rules.
    let rules = byChain.get(key);
    if (!rules) byChain.set(key, (rules = []));
    rules.push(n);
  }
  return [...byChain].map(([subject, rules]) => {
    const first = rules[0]!;
    const home = NAT_HOME[first.action];
    const refused = rules.some((r) => r.refusedByKernel);
    return {
      kind: 'live-rule-misplaced',
      subject,
      ...(refused ? {severity: 'error' as const} : {}),
      message: `${rules.length} live NAT rule(s) in ${first.family} ${subject}, expected in a chain of type nat hook ${home.hook}: ${first.illegalReason ?? 'never applies'}`,
      fix: rules.map(liveRuleFix),
      evidence: [evidence(first.origin, ...rules.map((r) => r.text))],
    };
  });
}

function liveRuleFix(n: NatRule): Step {
  const home = NAT_HOME[n.action];
  const key = `nat-live:${n.text}`;
  if (n.backend === 'nftables') {
    return replaceNftRule(key, "the rule's handle must be looked up first; correct the persisted rule file the same way, or the next boot brings the rule back", {family: n.family, table: n.table, chain: n.chain, text: n.text}, {table: 'nat', chain: home.chain, statement: nftRuleStatement(n.text), note: `into the nat ${home.hook} chain`});
  }
  const spec = iptablesRuleSpec(n.text);
  return replaceIptablesRule(key, iptablesTool(n.backend), {table: n.table, chain: n.chain, spec}, {table: 'nat', chain: home.chain, spec}, ['# then correct the persisted rule file the same way, or the next boot brings the rule back']);
}
