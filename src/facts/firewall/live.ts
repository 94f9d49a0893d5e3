// The running firewall, all backends. Live view: iptables-save (+ ip6tables, + legacy),
// `nft -j list ruleset`, `firewall-cmd --list-all-zones`. iptables-nft rules live in nft tables too
// (as `xt` compat expressions); a chain iptables-save shows is taken from iptables-save and skipped
// in nft, so no rule counts twice.
import {parseFirewallCmdZones} from '../../parsers/firewalld.js';
import type {IptablesSaveIndex} from '../../parsers/iptables/index.js';
import {nftChainKey, parseNftJson, parseNftText} from '../../parsers/nft/index.js';
import {FactUnavailable, type Fact} from '../facts.js';
import {firewalldNotRunning, firewallZones, zoneInputPath, zoneNatRules} from './firewalld.js';
import {iptablesChainKeys, iptablesInEffect, iptablesInput, iptablesInputNeeds, iptablesView, iptablesViewNeeds} from './iptables.js';
import {noteSkipped, type FirewallView, type InputPath} from './model.js';
import {nftInput, nftView} from './nftables.js';
import {exitProblem, iptablesDump, readCommand, type Read} from './read.js';

/** The running firewall, all backends. FactUnavailable only when no firewall source could be read. */
export const liveFirewall: Fact<FirewallView> = (f) => {
  const view: FirewallView = {backends: [], sources: [], nat: [], forward: [], input: () => [], problems: []};
  // INPUT is read only when asked (see FirewallView.input): what it needs, kept here until then.
  const inputParts: Array<() => InputPath[]> = [];
  const failures: {source: string; reason: string; parseError: boolean}[] = [];
  const note = <T>(source: string, r: Read<T>): T | undefined => {
    if (r.ok) {
      view.sources.push(source);
      return r.value;
    }
    failures.push({source, reason: r.reason ?? 'unreadable', parseError: r.parseError === true});
    view.problems.push(`${source}: ${r.reason ?? 'unreadable'}`);
    // A source that would not parse is left out whole: the report names the line, the view is incomplete.
    if (r.error) noteSkipped(f, view, source, [r.error], undefined, 'the whole output was left out');
    return undefined;
  };

  const ipt = note('iptables.save', readCommand(f, 'iptables.save', iptablesDump('iptables.save')));
  const ip6 = note('ip6tables.save', readCommand(f, 'ip6tables.save', iptablesDump('ip6tables.save')));
  const legacy = note('iptables-legacy.save', readCommand(f, 'iptables-legacy.save', iptablesDump('iptables-legacy.save')));
  const nftRead = note(
    'nft.ruleset',
    readCommand(f, 'nft.ruleset', (src) => {
      const exit = exitProblem('nft.ruleset', src);
      // JSON normally; a sosreport holds the text of `nft -a list ruleset`
      const rs = src.text.trimStart().startsWith('{') ? parseNftJson(src.text, 'nft.ruleset') : parseNftText(src.text, 'nft.ruleset');
      return {rs, problems: exit ? [exit] : []};
    }),
  );
  view.problems.push(...(nftRead?.problems ?? []));
  const nft = nftRead?.rs;
  const fwd = note(
    'firewalld.runtime',
    readCommand(f, 'firewalld.runtime', (src) => (firewalldNotRunning(src) ? {running: false, zones: []} : parseFirewallCmdZones(src.text, 'firewalld.runtime')), [252]),
  );

  if (view.sources.length === 0) {
    const kind = failures.some((x) => x.parseError) ? 'error' : 'missing';
    throw new FactUnavailable(`no firewall source could be read (${failures.map((x) => `${x.source}: ${x.reason}`).join('; ')})`, kind);
  }

  // iptables (nf_tables backend) chains also appear in nft: take them from iptables-save.
  const shownByIptables = new Set<string>();
  const addIpt = (r: {index: IptablesSaveIndex; problems: string[]; limits: string[]} | undefined, backend: 'iptables' | 'ip6tables' | 'iptables-legacy', origin: string) => {
    if (!r) return;
    view.problems.push(...r.problems);
    if (r.limits.length > 0) view.limits = [...(view.limits ?? []), ...r.limits];
    // Only the rules the view reads are parsed; errors: every line's shape and those rules' options.
    const dump = r.index.select(iptablesViewNeeds(r.index.tables));
    for (const e of dump.errors) view.problems.push(`${backend}: skipped ${e.message}`);
    noteSkipped(f, view, origin, dump.errors);
    if (dump.tables.length === 0) return;
    const v = iptablesView(dump, backend, origin);
    view.nat.push(...v.nat);
    view.forward.push(...v.forward);
    inputParts.push(() => iptablesInput(r.index.select(iptablesInputNeeds), backend, origin));
    if (iptablesInEffect(r.index.tables)) view.backends.push(backend);
    if (backend !== 'iptables-legacy' && dump.backend !== 'legacy') {
      for (const k of iptablesChainKeys(r.index.tables, backend === 'ip6tables' ? 'ip6' : 'ip')) shownByIptables.add(k);
    }
  };
  addIpt(ipt, 'iptables', 'iptables.save');
  addIpt(ip6, 'ip6tables', 'ip6tables.save');
  addIpt(legacy, 'iptables-legacy', 'iptables-legacy.save');

  let firewalldRulesVisible = false;
  if (nft) {
    const v = nftView(nft, 'nft.ruleset', (key) => shownByIptables.has(key));
    view.nat.push(...v.nat);
    view.forward.push(...v.forward);
    inputParts.push(() => nftInput(nft, 'nft.ruleset', (key) => shownByIptables.has(key)));
    if (nft.chains.some((c) => !shownByIptables.has(nftChainKey(c.family, c.table, c.name)))) view.backends.push('nftables');
    firewalldRulesVisible ||= nft.tables.some((t) => t.name === 'firewalld');
  }
  firewalldRulesVisible ||= [ipt, ip6].some((r) => r?.index.tables.some((t) => t.chains.has('POSTROUTING_ZONES') || t.chains.has('POST_public')));

  if (fwd) {
    view.zones = firewallZones(fwd.running, fwd.zones, 'defaultZone' in fwd ? fwd.defaultZone : undefined);
    if (fwd.running) {
      view.backends.push('firewalld');
      // firewalld writes its zones into nft/iptables; show the zones themselves only when those rules are not visible.
      if (!firewalldRulesVisible) {
        view.nat.push(...zoneNatRules(view.zones, 'firewalld.runtime'));
        const zones = view.zones;
        inputParts.push(() => [zoneInputPath(zones, 'firewalld.runtime')]);
      }
    }
  }
  let input: InputPath[] | undefined;
  view.input = () => (input ??= inputParts.flatMap((part) => part()));
  return view;
};
