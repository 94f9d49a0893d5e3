// TD104: the next boot must load a masquerade for the uplink. Runtime NAT (TD008) can come from
// `nft add rule` or `iptables -t nat -A` by hand, from firewalld's runtime-only settings, or from
// a rule file that no enabled unit loads. At boot only the enabled firewall unit's persisted
// config counts: firewalld permanent zones, nftables.service + its file, iptables.service +
// /etc/sysconfig/iptables. And that file must load as a whole: one bad line and `nft -f` /
// `iptables-restore` load nothing (docs/checks/TD002.md; README "Pre-reboot gate").
import {defineCheck, evidence, type FindingDraft} from './define.js';
import meta from './TD104-nat-not-persisted.meta.js';
import {FactUnavailable, type Facts} from '../facts/facts.js';
import {appendNftNat, firewalldAddMasquerade, firewalldReload, firewalldRuntimeToPermanent, reloadRuleFile, saveLiveIptables, saveLiveNftTable} from '../remedies/firewall.js';
import {manual, type Step} from '../remedies/step.js';
import {enableUnit, restartUnit} from '../remedies/system.js';
import {liveFirewall, masqueradesFor, persistedFirewall, skippedNote, type NatRule} from '../facts/firewall/index.js';
import {enabledUnits} from '../facts/host/units.js';
import {FIREWALL_UNITS, persistedNatFor, unitLoadedFiles, type PersistedNat} from '../facts/persistence.js';
import {uplink as uplinkFact} from '../facts/uplink.js';
import {SUSEFIREWALL2_PATH} from '../facts/firewall/susefirewall2.js';

type Backend = 'firewalld' | 'nft' | 'iptables';

export default defineCheck(meta, (f) => {
  const uplink = f.get(uplinkFact).name;
  const nat = persistedNatFor(f, uplink);
  const live = f.try(liveFirewall);
  const liveRules = live.ok ? masqueradesFor(live.value, uplink).filter((r) => r.legal && r.family !== 'ip6') : [];
  const findings: FindingDraft[] = nat.loadFailures.map((lf) => loadFailure(lf, nat));

  // A rule in a refused file is already explained by its load failure.
  if (nat.rules.length > 0 || nat.lostRules.length > 0) return findings;
  // A refused file with skipped lines may hold the masquerade on one of them: its load failure is
  // the finding, "holds no masquerade" would be a guess.
  if (findings.length > 0 && persistedSkipped(f, nat)) return findings;
  const unreadable = unknownSources(f, nat);
  if (unreadable) {
    if (findings.length > 0) return findings;
    throw new FactUnavailable(unreadable);
  }

  const liveUnread = live.ok ? skippedNote(live.value) : undefined;
  const liveText =
    liveRules.length > 0
      ? `runtime NAT ${liveRules.map((r) => `\`${r.text}\` (${r.origin})`).join(', ')} is not persisted`
      : liveUnread
        ? `no masquerade for ${uplink} among the runtime rules that could be read (${liveUnread})`
        : `no masquerade for ${uplink} at runtime either (TD008)`;
  findings.push({
    kind: 'masquerade-not-persisted',
    subject: uplink,
    message: `${liveText}: ${persistedSummary(nat)}; after a reboot SUTs reach nothing outside the host`,
    fix: missingNatFix(f, uplink, nat, liveRules),
    evidence: [
      ...(liveRules.length > 0 ? [evidence(liveRules[0]!.origin, ...liveRules.map((r) => r.text))] : live.ok ? [evidence('runtime firewall', `no legal masquerade for ${uplink} in ${live.value.sources.join(', ')}`)] : []),
      evidence('systemd.wants', nat.units.length > 0 ? `enabled: ${nat.units.join(', ')}` : `none of ${FIREWALL_UNITS.map((u) => u.unit).join(', ')} is enabled`),
      ...Object.values(nat.loadedBy).map((line) => evidence('systemd.firewall-units', line)),
      ...(ruleFilesOf(nat).length > 0 ? [evidence('firewall.files', `loaded at boot: ${ruleFilesOf(nat).map((x) => `${x.path} (${x.unit})`).join(', ')}`)] : []),
      ...(nat.suseFirewall2 ? [evidence('susefirewall2.files', nat.suseFirewall2.why)] : []),
      ...(nat.firewalldZone ? [evidence('firewalld', `${uplink} lands in zone ${nat.firewalldZone.zone ?? '(none)'} (${nat.firewalldZone.boundBy}); masquerade: ${nat.firewalldZone.masquerade ? 'yes' : 'no'}`)] : []),
    ],
  });
  return findings;
});

function loadFailure(lf: PersistedNat['loadFailures'][number], nat: PersistedNat): FindingDraft {
  const first = lf.errors[0]!;
  const lost = nat.lostRules.filter((r) => r.origin === lf.path);
  return {
    kind: 'file-does-not-load',
    subject: lf.path,
    message: `${lf.path}, loaded by ${lf.unit} at boot, would not load at all: line ${first.line}: ${first.reason}${lf.errors.length > 1 ? ` (+${lf.errors.length - 1} more)` : ''}${lost.length > 0 ? `; its masquerade for ${nat.uplink} is lost with it` : ''}`,
    // The edit is the admin's (TD002 writes it when it knows the rule's home); then a real load proves it.
    fix: [
      manual(`repair:${lf.path}`, `${lf.path} must be corrected by hand`, [...lf.errors.map((e) => `# ${lf.path} line ${e.line}: ${e.reason}`), `# edit ${lf.path}: fix line${lf.errors.length > 1 ? 's' : ''} ${lf.errors.map((e) => e.line).join(', ')}`]),
      reloadRuleFile(lf.path, lf.unit),
    ],
    evidence: [evidence(lf.path, ...lf.errors.map((e) => e.text))],
  };
}

/** Whether a rule file that fails to load had lines the parser skipped. */
function persistedSkipped(f: Facts, nat: PersistedNat): boolean {
  const p = f.try(persistedFirewall);
  if (!p.ok) return false;
  const failing = new Set(nat.loadFailures.map((lf) => lf.path));
  return p.value.files.some((file) => failing.has(file.path) && (file.view.skipped?.length ?? 0) > 0);
}

/** Why the persisted NAT cannot be judged (a source was not captured), or undefined. */
function unknownSources(f: Facts, nat: PersistedNat): string | undefined {
  if (nat.units.includes('SuSEfirewall2.service') && !nat.suseFirewall2) return nat.problems.find((p) => p.startsWith('SuSEfirewall2.service')) ?? 'SuSEfirewall2 configuration not captured';
  const fileUnits = nat.units.filter((u) => !['firewalld', 'susefirewall2'].includes(FIREWALL_UNITS.find((x) => x.unit === u)?.kind ?? ''));
  const filesBad = f.view.unusable('firewall.files');
  if (fileUnits.length > 0 && filesBad) return `${fileUnits.join(', ')} enabled, but ${filesBad}`;
  if (nat.units.includes('firewalld.service') && !nat.firewalldZone) return nat.problems.find((p) => p.includes('firewalld')) ?? 'firewalld permanent configuration not captured';
  // The masquerade may live in an included file the snapshot does not hold.
  if (nat.unresolvedIncludes.length > 0) return `the rule files loaded at boot include files that were not captured (${nat.unresolvedIncludes.join('; ')})`;
  return undefined;
}

/** Rule files loaded at boot (SuSEfirewall2's sysconfig is evidence of its own). */
const ruleFilesOf = (nat: PersistedNat) => nat.files.filter((x) => x.unit !== 'SuSEfirewall2.service');

function persistedSummary(nat: PersistedNat): string {
  if (nat.units.length === 0) return 'no firewall unit (firewalld, nftables, iptables, netfilter-persistent) is enabled';
  const parts = [`enabled ${nat.units.join(', ')}`];
  const fileUnits = nat.units.filter((u) => u !== 'firewalld.service' && u !== 'SuSEfirewall2.service');
  const ruleFiles = ruleFilesOf(nat);
  if (fileUnits.length > 0) parts.push(ruleFiles.length > 0 ? `${ruleFiles.map((x) => x.path).join(', ')} hold${ruleFiles.length === 1 ? 's' : ''} no masquerade for ${nat.uplink}` : `none of the files ${fileUnits.join(', ')} loads exists`);
  if (nat.suseFirewall2) parts.push(`SuSEfirewall2 does not masquerade for ${nat.uplink}: ${nat.suseFirewall2.why}`);
  if (nat.firewalldZone) parts.push(`firewalld puts ${nat.uplink} in zone ${nat.firewalldZone.zone ?? '(none)'}, which does not masquerade`);
  return parts.join('; ');
}

function backendOf(r: NatRule): Backend {
  if (r.backend === 'firewalld' || r.table === 'firewalld' || /^(nat_)?POST_/.test(r.chain)) return 'firewalld';
  return r.backend === 'nftables' ? 'nft' : 'iptables';
}

/** Steps in the setup the host uses: the backend of the live NAT, else the enabled unit. */
function missingNatFix(f: Facts, uplink: string, nat: PersistedNat, liveRules: NatRule[]): Step[] {
  const enabled = f.try(enabledUnits);
  const isEnabled = (unit: string) => enabled.ok && enabled.value.has(unit);
  const backend: Backend =
    liveRules.length > 0 ? backendOf(liveRules[0]!) : nat.units.includes('firewalld.service') ? 'firewalld' : nat.units.some((u) => u.startsWith('iptables') || u.startsWith('netfilter')) ? 'iptables' : 'nft';
  const out: Step[] = [];
  if (nat.suseFirewall2 && liveRules.every((r) => backendOf(r) !== 'firewalld')) return suseFirewall2Fix(uplink);
  if (backend === 'firewalld') {
    if (liveRules.length > 0) out.push(firewalldRuntimeToPermanent());
    else out.push(firewalldAddMasquerade(nat.firewalldZone?.zone ?? 'trusted'), firewalldReload());
    if (!isEnabled('firewalld.service')) out.push(enableUnit('firewalld.service'));
    return out;
  }
  if (backend === 'iptables') {
    const unit = isEnabled('netfilter-persistent.service') ? 'netfilter-persistent.service' : 'iptables.service';
    const file = unit === 'iptables.service' ? '/etc/sysconfig/iptables' : '/etc/iptables/rules.v4';
    if (liveRules.length > 0) out.push(saveLiveIptables(file));
    else out.push(manual(`nat-persist:${file}:ip:${uplink}`, `where the rule goes in ${file} is the admin's`, [`# in ${file}, under *nat before its COMMIT, add:`, `#   -A POSTROUTING -o ${uplink} -j MASQUERADE`]));
    if (!isEnabled(unit)) out.push(enableUnit(unit));
    out.push(reloadRuleFile(file, unit));
    return out;
  }
  const nftMains = unitLoadedFiles(f, 'nftables.service')?.files ?? FIREWALL_UNITS.find((u) => u.unit === 'nftables.service')!.mainFiles;
  const file = nat.files.find((x) => nftMains.includes(x.path))?.path ?? nftMains[0]!;
  // Append the live table that holds the masquerade, not the whole ruleset: `nft list ruleset >`
  // would overwrite the file's own comments, defines and includes, and pull in docker/firewalld tables.
  if (liveRules.length > 0) out.push(saveLiveNftTable(file, liveRules[0]!.family, liveRules[0]!.table, uplink));
  else out.push(...appendNftNat(file, uplink));
  if (!isEnabled('nftables.service')) out.push({...enableUnit('nftables.service'), lines: [`systemctl enable nftables.service   # its ExecStart must load ${file}`]});
  out.push(reloadRuleFile(file, 'nftables.service'));
  return out;
}

/** SuSEfirewall2 builds its rules from the sysconfig file: the three variables, then a restart. */
function suseFirewall2Fix(uplink: string): Step[] {
  return [
    manual(`nat-persist:${SUSEFIREWALL2_PATH}:ip:${uplink}`, `${SUSEFIREWALL2_PATH} is the admin's to edit`, [
      `# in ${SUSEFIREWALL2_PATH} set (upstream template: FW_MASQUERADE needs FW_ROUTE; FW_MASQ_DEV defaults to FW_DEV_EXT):`,
      '#   FW_ROUTE="yes"',
      '#   FW_MASQUERADE="yes"',
      `#   FW_DEV_EXT="${uplink}"   (and FW_MASQ_DEV="$FW_DEV_EXT" or unset)`,
      '#   FW_DEV_INT="br1"',
    ]),
    restartUnit('SuSEfirewall2.service', {note: 'SuSEfirewall2 rebuilds its rules from the file when it starts'}),
  ];
}
