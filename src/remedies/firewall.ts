// Firewall rule files and the units that load them. One way to apply a rule file: prove it loads
// for real in a throwaway network namespace (`nft -c -f` and `iptables-restore --test` both accept
// a masquerade outside the nat table, which the kernel refuses on the real load), then restart the
// unit that loads it at boot.
import {VXLAN_PORT} from '../facts/tunnel-input.js';
import {withoutCounters} from '../parsers/iptables/numbers.js';
import {bre, q} from './shell.js';
import {manual, step, type Step} from './step.js';

export type RuleFileKind = 'nft' | 'iptables' | 'ip6tables';

/** Units that load a rule file at boot, by the file's conventional paths. */
export function unitForRuleFile(path: string): {unit: string; kind: RuleFileKind} {
  if (path === '/etc/iptables/rules.v4') return {unit: 'netfilter-persistent.service', kind: 'iptables'};
  if (path === '/etc/iptables/rules.v6') return {unit: 'netfilter-persistent.service', kind: 'ip6tables'};
  if (/\/ip6tables$/.test(path)) return {unit: 'ip6tables.service', kind: 'ip6tables'};
  if (/\/iptables$/.test(path)) return {unit: 'iptables.service', kind: 'iptables'};
  return {unit: 'nftables.service', kind: 'nft'};
}

/** A real load of the file in a network namespace of its own, gone when the command ends. */
export function proveLoad(path: string, kind: RuleFileKind): string {
  const f = q(path);
  if (kind === 'nft') return `unshare --net nft -f ${f}   # a real load, in a throwaway network namespace (nft -c accepts NAT the kernel refuses)`;
  return `unshare --net ${kind}-restore ${f}   # a real load, in a throwaway network namespace (--test accepts NAT the kernel refuses)`;
}

/** Apply a persisted rule file: prove it loads, then restart the unit that loads it at boot. */
export function reloadRuleFile(path: string, unit?: string): Step {
  const u = unitForRuleFile(path);
  const name = unit ?? u.unit;
  return step('reload', `reload:${name}`, [proveLoad(path, u.kind), `systemctl restart ${q(name)}`], {files: [path]});
}

/** The key of "the persisted rule file masquerades for this uplink" (a sed fixing it settles an append). */
export const natPersistKey = (path: string, uplink: string, family: string): string => `nat-persist:${path}:${family}:${uplink}`;

/** A NAT table for the uplink appended to an nft rule file (salt's etc/firewall.nft shape). */
export function appendNftNat(path: string, uplink: string, families: readonly string[] = ['ip', 'ip6']): Step[] {
  return families.map((family) =>
    step(
      'persist',
      natPersistKey(path, uplink, family),
      [
        `grep -q ${q(`^table ${family} nat`)} ${q(path)} && echo ${q(`tapdoctor: ${path} has a table ${family} nat already: add oifname "${uplink}" masquerade to its postrouting chain by hand`)} >&2 && exit 1`,
        `printf ${q(`table ${family} nat {\\n\\tchain postrouting {\\n\\t\\ttype nat hook postrouting priority srcnat; policy accept;\\n\\t\\toifname "${uplink}" masquerade\\n\\t}\\n}\\n`)} >> ${q(path)}`,
      ],
      {files: [path]},
    ),
  );
}

/** The live table that holds the masquerade, appended to the rule file (never the whole ruleset). */
export function saveLiveNftTable(path: string, family: string, table: string, uplink: string): Step {
  return step('persist', natPersistKey(path, uplink, family), [`nft list table ${q(family)} ${q(table)} >> ${q(path)}   # the live table with the masquerade`], {files: [path]});
}

export function saveLiveIptables(path: string, tool: 'iptables' | 'ip6tables' = 'iptables'): Step {
  return step('persist', `save:${path}`, [`${tool}-save > ${q(path)}`], {files: [path]});
}

export function firewalldReload(): Step {
  return step('reload', 'reload:firewalld', ['firewall-cmd --reload']);
}

export function firewalldPermanent(key: string, lines: string[]): Step {
  return step('persist', `firewalld:${key}`, lines);
}

/** Keep firewalld's runtime configuration (rules added while it runs) in the permanent one. */
export function firewalldRuntimeToPermanent(): Step {
  return firewalldPermanent('runtime-to-permanent', ['firewall-cmd --runtime-to-permanent']);
}

/** Masquerade in a firewalld zone's permanent configuration. */
export function firewalldAddMasquerade(zone: string): Step {
  return firewalldPermanent(`masquerade:${zone}`, [`firewall-cmd --permanent --zone=${q(zone)} --add-masquerade`]);
}

/** Bind an interface to a firewalld zone in the permanent configuration (moving it from any other zone). */
export function firewalldChangeInterface(zone: string, iface: string): Step {
  return firewalldPermanent(`zone:${iface}`, [`firewall-cmd --permanent --zone=${q(zone)} --change-interface=${q(iface)}`]);
}

/** Unbind an interface from a firewalld zone in the permanent configuration. */
export function firewalldRemoveInterface(zone: string, iface: string): Step {
  return firewalldPermanent(`remove:${zone}:${iface}`, [`firewall-cmd --permanent --zone=${q(zone)} --remove-interface=${q(iface)}`]);
}

/** Add an nft rule now (runtime). */
export function nftRule(rule: string): Step {
  return step('runtime', `nft:${rule}`, [`nft ${rule}`]);
}

export function iptablesRule(tool: string, args: string): Step {
  return step('runtime', `${tool}:${args}`, [`${tool} ${args}`]);
}

/** The command that edits the rules of an iptables backend: the legacy tables have their own, IPv6 its own. */
export function iptablesTool(backend: string): string {
  return backend === 'ip6tables' ? 'ip6tables' : backend === 'iptables-legacy' ? 'iptables-legacy' : 'iptables';
}

/** An iptables rule's matches and target: its iptables-save line without counters and `-A CHAIN` (or `-I CHAIN N`). */
export function iptablesRuleSpec(text: string): string {
  return withoutCounters(text).replace(/^-[AI]\s+\S+(\s+\d+)?\s*/, '');
}

/** An nft rule as `nft add rule FAMILY TABLE CHAIN` takes it: no `add rule ...` prefix, counters from zero. */
export function nftRuleStatement(text: string): string {
  return text
    .replace(/^(add|insert)\s+rule\s+(?:(?:ip|ip6|inet|arp|bridge|netdev)\s+)?\S+\s+\S+\s+/, '')
    .trim()
    .replace(/counter packets \d+ bytes \d+/, 'counter');
}

/**
 * A live iptables rule replaced now: deleted by its own spec (with the backend's own command, or the
 * delete misses a legacy table's rule and the script stops), then `to` appended. `notes`: comment
 * lines after.
 */
export function replaceIptablesRule(key: string, tool: string, from: {table: string; chain: string; spec: string}, to: {table: string; chain: string; spec: string}, notes: string[] = []): Step {
  return step('runtime', key, [`${tool} -t ${from.table} -D ${from.chain} ${from.spec}`, `${tool} -t ${to.table} -A ${to.chain} ${to.spec}`, ...notes]);
}

/** The same for nftables: a rule is deleted by its handle, which must be looked up first (a MANUAL step). */
export function replaceNftRule(key: string, reason: string, from: {family: string; table: string; chain: string; text: string}, to: {table: string; chain: string; statement: string; note?: string}): Step {
  return manual(
    key,
    reason,
    [
      `nft -a list chain ${from.family} ${from.table} ${from.chain}   # find the handle of: ${from.text}`,
      `nft delete rule ${from.family} ${from.table} ${from.chain} handle HANDLE`,
      `nft add rule ${from.family} ${to.table} ${to.chain} ${to.statement}${to.note ? `   # ${to.note}` : ''}`,
    ],
    'runtime',
  );
}

/** A NAT rule to move out of the chain it cannot work in, into the nat chain of its hook. */
export interface NatMove {
  /** Its line in the file now, and the line's text (the sed deletes it only while it still says that). */
  line: number;
  current: string;
  /** nft: `table <family> <table> { chain <chain> { <rule> } }`; iptables: the `-A CHAIN …` line for *nat. */
  family: string;
  table: string;
  chain: string;
  rule: string;
  /** nft: the chain must be declared (`type nat hook <hook> priority <priority>`). */
  declare?: {hook: string; priority: string};
}

/** Move misplaced NAT rules of a rule file into their nat chain: delete each line, add it where it belongs. */
export function moveNatRules(path: string, format: 'nft' | 'iptables-save', moves: readonly NatMove[]): Step {
  const f = q(path);
  const lines: string[] = [];
  for (const m of [...moves].sort((a, b) => b.line - a.line)) {
    lines.push(`# ${path} line ${m.line}: ${m.current.trim()} -> ${format === 'nft' ? `${m.family} ${m.table} ${m.chain}` : `*nat ${m.chain}`}`);
    lines.push(`sed -i --follow-symlinks ${q(`${m.line}{/^[[:space:]]*${bre(m.current.trim())}[[:space:]]*$/d}`)} ${f}`);
  }
  for (const m of moves) {
    if (format === 'nft') {
      const marker = `# tapdoctor: moved from line ${m.line}`;
      const block = [`table ${m.family} ${m.table} {`, `\tchain ${m.chain} {`, ...(m.declare ? [`\t\ttype nat hook ${m.declare.hook} priority ${m.declare.priority}; policy accept;`] : []), `\t\t${m.rule}   ${marker}`, '\t}', '}'];
      lines.push(`grep -qF ${q(marker)} ${f} || printf '%s\\n' ${block.map(q).join(' ')} >> ${f}`);
    } else {
      lines.push(
        `if grep -qxF -e ${q(m.rule)} ${f}; then :; elif grep -q '^\\*nat' ${f}; then sed -i --follow-symlinks -e ${q(`/^\\*nat/,/^COMMIT/{/^COMMIT/i ${m.rule}`)} -e '}' ${f}; else printf '%s\\n' '*nat' ${q(`:${m.chain} ACCEPT [0:0]`)} ${q(m.rule)} COMMIT >> ${f}; fi`,
      );
    }
  }
  return step('persist', `nat-move:${path}`, lines, {files: [path]});
}

// --- tunnel packets into the host (TD206) ------------------------------------------------------

/** A tunnel's packets from one peer: GRE (IP protocol 47) or VXLAN (UDP, port 4789 unless set). */
export interface TunnelTraffic {
  peer: string;
  tunnel: 'gre' | 'vxlan';
  dport?: number;
}

/** Where the packets are dropped, as the tunnel-input fact says it. */
export interface InputDrop {
  where: string;
  backend: string;
  family: string;
  table: string;
  chain: string;
  rule?: {text: string; line?: number; verdict: string};
  /** iptables-save file: the line to insert the accept before (the first INPUT rule), or after (`:INPUT`). */
  insertAt?: {line: number; text: string; before: boolean};
  zone?: string;
}

const port = (t: TunnelTraffic) => t.dport ?? VXLAN_PORT;

function iptablesAccept(t: TunnelTraffic): string {
  return `-A INPUT -s ${t.peer}/32 ${t.tunnel === 'gre' ? '-p gre' : `-p udp -m udp --dport ${port(t)}`} -j ACCEPT`;
}

function nftAccept(t: TunnelTraffic): string {
  return `ip saddr ${t.peer} ${t.tunnel === 'gre' ? 'ip protocol gre' : `udp dport ${port(t)}`} accept`;
}

function richAccept(t: TunnelTraffic): string {
  return `rule family="ipv4" source address="${t.peer}" ${t.tunnel === 'gre' ? 'protocol value="gre"' : `port port="${port(t)}" protocol="udp"`} accept`;
}

/**
 * Let a peer's tunnel packets in where the host drops them: a rule in front of the drop in the
 * firewall that drops them (running rules now; the rule file, zone or sysconfig file the next boot
 * loads, then reloaded). firewalld's own rules are changed through firewall-cmd, never by hand.
 */
export function acceptTunnelInput(drop: InputDrop, t: TunnelTraffic): Step[] {
  const key = `tunnel-input:${drop.where}:${t.peer}:${t.tunnel}`;
  if (drop.backend === 'firewalld' || drop.table === 'firewalld' || drop.zone !== undefined) {
    const zone = drop.zone ? ` --zone=${q(drop.zone)}` : '';
    // A denying rich rule comes before every allow of its zone: it must go.
    const denying = drop.rule && drop.rule.text.startsWith('rule ') && drop.rule.verdict !== 'accept';
    const change = denying ? `--remove-rich-rule=${q(drop.rule!.text)}` : `--add-rich-rule=${q(richAccept(t))}`;
    return [firewalldPermanent(key, [`firewall-cmd --permanent${zone} ${change}`]), firewalldReload()];
  }
  if (drop.backend === 'susefirewall2') {
    const entry = `${t.peer},${t.tunnel === 'gre' ? '47' : `udp,${port(t)}`}`;
    return [
      step(
        'persist',
        key,
        [
          `grep -q '^FW_SERVICES_ACCEPT_EXT=' ${q(drop.where)} && sed -i --follow-symlinks ${q(`s/^FW_SERVICES_ACCEPT_EXT="\\(.*\\)"/FW_SERVICES_ACCEPT_EXT="\\1 ${entry}"/`)} ${q(drop.where)} || printf '%s\\n' ${q(`FW_SERVICES_ACCEPT_EXT="${entry}"`)} >> ${q(drop.where)}`,
        ],
        {files: [drop.where]},
      ),
      step('reload', 'reload:SuSEfirewall2', ['systemctl restart SuSEfirewall2.service']),
    ];
  }
  if (drop.where === 'live') {
    if (drop.backend === 'nftables') return [nftRule(`insert rule ${drop.family} ${drop.table} ${drop.chain} ${nftAccept(t)}`)];
    const tool = drop.backend === 'iptables-legacy' ? 'iptables-legacy' : 'iptables';
    const rule = iptablesAccept(t).replace(/^-A /, '');
    // idempotent: a second run finds the rule and adds nothing
    return [step('runtime', key, [`${tool} -C ${rule} 2>/dev/null || ${tool} -I ${rule}`])];
  }
  const f = q(drop.where);
  if (drop.insertAt) {
    // Only while the line still says what it said when the snapshot was taken.
    const {line, text, before} = drop.insertAt;
    return [
      step('persist', key, [`grep -qxF -e ${q(iptablesAccept(t))} ${f} || sed -i --follow-symlinks -e ${q(`${line}{/^${bre(text.trim())}$/${before ? 'i' : 'a'} ${iptablesAccept(t)}`)} -e '}' ${f}`], {files: [drop.where]}),
      reloadRuleFile(drop.where),
    ];
  }
  // An nft file is a script: an insert after the table's definition puts the accept first in its chain.
  const cmd = `insert rule ${drop.family} ${drop.table} ${drop.chain} ${nftAccept(t)}`;
  return [step('persist', key, [`grep -qxF -e ${q(cmd)} ${f} || printf '%s\\n' ${q(cmd)} >> ${f}`], {files: [drop.where]}), reloadRuleFile(drop.where)];
}
