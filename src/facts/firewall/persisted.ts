// The persisted firewall: every rule file (format detected by content) on its own, with the reasons
// it would fail to load as a whole (a misplaced NAT rule or a rule for an undeclared chain aborts
// the load), and the firewalld configuration.
import {modelOrParseError, ParseError} from '../../parsers/errors.js';
import {parseFirewallCmdZones, parseFirewalldConf, parseFirewalldZoneXml, zoneNameFromPath, type FirewalldZone} from '../../parsers/firewalld.js';
import {indexIptablesSave, natTargetsOutsideNat} from '../../parsers/iptables/index.js';
import {parseNftText, type NftRuleset} from '../../parsers/nft/index.js';
import type {SourceFile} from '../../sources/snapshot.js';
import {FactUnavailable, type Fact, type Facts} from '../facts.js';
import {firewalldNotRunning, firewallZones} from './firewalld.js';
import {iptablesInEffect, iptablesInput, iptablesView} from './iptables.js';
import {noteSkipped, type FirewallView, type FirewallZones, type InputPath, LoadError, PersistedFirewall, PersistedRuleFile} from './model.js';
import {nftInput, nftView} from './nftables.js';
import {readCommand} from './read.js';

// --- persisted ---------------------------------------------------------------------------------

/** iptables-save format (`*filter`, `:CHAIN`, `-A`) or nft (everything else). */
export function detectRuleFileFormat(text: string): 'iptables-save' | 'nft' {
  for (const raw of text.split('\n', 200)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (/^(\*[a-z]|:[^ ]|-[AINPX] |COMMIT\b|\[\d+:\d+\] -[AI] )/.test(line)) return 'iptables-save';
    return 'nft';
  }
  return 'nft';
}

function emptyView(): FirewallView {
  return {backends: [], sources: [], nat: [], forward: [], input: () => [], problems: []};
}

function persistedIptables(f: Facts, file: SourceFile): PersistedRuleFile {
  const backend = /6/.test(file.name.slice(file.name.lastIndexOf('/'))) ? 'ip6tables' : 'iptables';
  // Every rule: any problem in the file makes iptables-restore refuse all of it.
  const index = indexIptablesSave(file.text, file.name);
  const dump = index.select(() => true);
  const view = emptyView();
  view.sources.push(file.name);
  noteSkipped(f, view, 'firewall.files', dump.errors, file.name);
  const v = iptablesView(dump, backend, file.name);
  view.nat = v.nat;
  view.forward = v.forward;
  // Worked out when a check asks (as the live view does): a file may hold every rule of the host.
  let input: InputPath[] | undefined;
  view.input = () => (input ??= iptablesInput(dump, backend, file.name));
  if (iptablesInEffect(index.tables)) view.backends.push(backend);
  const loadErrors: LoadError[] = dump.errors.map((e) => ({line: e.line, text: e.text, reason: `${e.detail}: iptables-restore refuses the whole file`}));
  for (const m of natTargetsOutsideNat(dump)) {
    loadErrors.push({
      line: m.rule.line,
      text: m.rule.text,
      reason: `${m.message}: iptables-restore refuses the whole file (nf_tables: "RULE_APPEND failed (Invalid argument)", legacy: "No chain/target/match by that name")`,
    });
  }
  loadErrors.sort((a, b) => a.line - b.line);
  return {path: file.name, format: 'iptables-save', view, loadErrors};
}

function persistedNft(
  file: SourceFile,
  rs: NftRuleset | ParseError,
  declaredElsewhere: (p: {family?: string; table?: string; chain?: string}) => boolean,
  unresolvedIncludes: boolean,
): PersistedRuleFile {
  const view = emptyView();
  if (rs instanceof ParseError) {
    view.problems.push(`cannot parse ${rs.message}`);
    return {path: file.name, format: 'nft', view, loadErrors: [{line: rs.line, text: rs.text, reason: `syntax: ${rs.detail}: nft refuses the whole file`}]};
  }
  view.sources.push(file.name);
  const v = nftView(rs, file.name);
  view.nat = v.nat;
  view.forward = v.forward;
  // Worked out when a check asks, as for an iptables-save file.
  let input: InputPath[] | undefined;
  view.input = () => (input ??= nftInput(rs, file.name));
  if (rs.chains.length > 0) view.backends.push('nftables');
  const loadErrors: LoadError[] = [];
  for (const p of rs.problems) {
    if (p.kind === 'undeclared-chain' || p.kind === 'undeclared-table') {
      // Another persisted file (an include, or the file that includes this one) may declare it.
      if (declaredElsewhere(p) || unresolvedIncludes) continue;
    }
    loadErrors.push({line: p.line, text: p.text, reason: p.reason});
  }
  for (const n of v.nat) if (n.refusedByKernel && n.illegalReason) loadErrors.push({line: n.line ?? 0, text: n.text, reason: n.illegalReason});
  loadErrors.sort((a, b) => a.line - b.line);
  return {path: file.name, format: 'nft', view, loadErrors};
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${escaped}$`);
}

function persistedZones(f: Facts, problems: string[]): FirewallZones | undefined {
  const runtime = readCommand(f, 'firewalld.runtime', (src) => !firewalldNotRunning(src), [252]);
  const running = runtime.ok ? runtime.value! : false;
  const permanent = readCommand(f, 'firewalld.permanent', (src) => (firewalldNotRunning(src) ? undefined : parseFirewallCmdZones(src.text, 'firewalld.permanent')), [252]);
  let conf: string | undefined;
  const xmlZones = new Map<string, FirewalldZone>();
  let files: SourceFile[] = [];
  try {
    files = f.entries('firewalld.files');
  } catch (error) {
    if (!(error instanceof FactUnavailable)) throw error;
    problems.push(`firewalld.files: ${error.reason}`);
  }
  // /etc overrides /usr/lib zone by zone: read /usr/lib first.
  const ordered = [...files].sort((a, b) => Number(a.name.startsWith('/etc/')) - Number(b.name.startsWith('/etc/')));
  for (const file of ordered) {
    try {
      if (file.name.endsWith('/firewalld.conf')) conf = parseFirewalldConf(file.text, file.name).defaultZone ?? conf;
      else if (file.name.endsWith('.xml')) xmlZones.set(zoneNameFromPath(file.name), parseFirewalldZoneXml(file.text, file.name));
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      problems.push(`cannot parse ${error.message}`);
      // Not only the gate's concern: every report names the zone file that was left out.
      f.noteParseProblems('firewalld.files', [{line: error.line, text: error.text, reason: `${error.detail}; the whole file was left out`}], file.name);
    }
  }
  if (permanent.ok && permanent.value) {
    const list = permanent.value;
    return firewallZones(running, list.zones, list.defaultZone ?? conf);
  }
  if (!permanent.ok && permanent.reason) problems.push(`firewalld.permanent: ${permanent.reason}`);
  if (xmlZones.size === 0 && conf === undefined) return undefined;
  // firewalld's built-in default when firewalld.conf says nothing
  return firewallZones(running, [...xmlZones.values()], conf ?? (xmlZones.size > 0 ? 'public' : undefined));
}

/** Persisted rule files and firewalld configuration, each file with the reasons it would not load. */
export const persistedFirewall: Fact<PersistedFirewall> = (f) => {
  const problems: string[] = [];
  let files: SourceFile[] | undefined;
  let filesReason: string | undefined;
  try {
    files = f.entries('firewall.files');
  } catch (error) {
    if (!(error instanceof FactUnavailable)) throw error;
    filesReason = error.reason;
    problems.push(`firewall.files: ${error.reason}`);
  }
  const zones = persistedZones(f, problems);
  const zoneSourcesUsable = ['firewalld.files', 'firewalld.permanent'].some((s) => f.view.unusable(s) === undefined);
  if (files === undefined && !zoneSourcesUsable) {
    throw new FactUnavailable(`no persisted firewall configuration could be read (firewall.files: ${filesReason ?? 'unreadable'})`);
  }

  const nftFiles = (files ?? []).filter((file) => detectRuleFileFormat(file.text) === 'nft');
  const parsedNft = new Map<string, NftRuleset | ParseError>();
  for (const file of nftFiles) parsedNft.set(file.name, modelOrParseError(() => parseNftText(file.text, file.name)));
  const declared = (p: {family?: string; table?: string; chain?: string}, self: string) =>
    [...parsedNft].some(
      ([name, rs]) =>
        name !== self &&
        !(rs instanceof ParseError) &&
        (p.chain !== undefined
          ? rs.chains.some((c) => c.family === p.family && c.table === p.table && c.name === p.chain)
          : rs.tables.some((t) => t.family === p.family && t.name === p.table)),
    );
  const known = (files ?? []).map((file) => file.name);
  const out: PersistedRuleFile[] = [];
  for (const file of files ?? []) {
    if (detectRuleFileFormat(file.text) === 'iptables-save') {
      out.push(persistedIptables(f, file));
      continue;
    }
    const rs = parsedNft.get(file.name)!;
    const unresolved = (rs instanceof ParseError ? [] : rs.includes).some((inc) => {
      const re = globToRegExp(inc.path);
      return !known.some((k) => re.test(k));
    });
    out.push(persistedNft(file, rs, (p) => declared(p, file.name), unresolved));
  }
  const result: PersistedFirewall = {files: out, problems};
  if (zones) result.zones = zones;
  return result;
};
