// TD009: IPv4 forwarding is off, globally (net.ipv4.ip_forward) or on the bridge or the uplink
// (net.ipv4.conf.<if>.forwarding: the kernel checks the flag of the device a packet comes in by,
// the bridge for SUT traffic going out and the uplink for the replies). Only the runtime value
// counts here; whether it survives a reboot is the gate's question (README "Pre-reboot gate").
import {FactUnavailable, type Facts} from '../facts/facts.js';
import {forwarding, persistedSysctl} from '../facts/host/sysctl.js';
import {routes} from '../facts/network.js';
import {switchConfig} from '../facts/openqa.js';
import {step, type Step} from '../remedies/step.js';
import {sysctlFileLine, sysctlNow, sysctlPersist} from '../remedies/system.js';
import {defineCheck, evidence, pass, type FindingDraft} from './define.js';
import meta from './TD009-ip-forward-disabled.meta.js';
import {uplink as uplinkFact} from '../facts/uplink.js';

const GLOBAL_KEY = 'net.ipv4.ip_forward';
const PERSIST_FILE = '/etc/sysctl.d/ip_forward.conf';

export default defineCheck(meta, (f) => {
  const fw = f.get(forwarding);
  if (fw.ipv4 === undefined) throw new FactUnavailable('/proc/sys/net/ipv4/ip_forward was not captured');
  const ra = raIgnored(f, fw);
  if (fw.ipv4 === 0) return [finding(f, GLOBAL_KEY, undefined), ...ra];

  // Global forwarding is on; a per-interface flag may still be 0 (set after ip_forward, or by a drop-in).
  const notes: string[] = [];
  const roles: Array<{iface: string; role: string}> = [];
  const sw = f.try(switchConfig);
  if (sw.ok) roles.push({iface: sw.value.bridge, role: 'bridge'});
  else notes.push(`the bridge is unknown (${sw.reason})`);
  const up = f.try(uplinkFact);
  if (up.ok) roles.push({iface: up.value.name, role: 'uplink'});
  else notes.push(up.reason);

  const findings: FindingDraft[] = [];
  for (const {iface, role} of roles) {
    const value = fw.perInterface[iface];
    if (value === undefined) notes.push(`net.ipv4.conf.${iface}.forwarding was not captured (no ${role} ${iface} at runtime?)`);
    else if (value === 0) findings.push(finding(f, `net.ipv4.conf.${iface}.forwarding`, {iface, role}));
  }
  findings.push(...ra);
  if (findings.length > 0) return findings;
  return notes.length > 0 ? pass(`could not check every interface: ${notes.join('; ')}`) : [];
});

/**
 * IPv6 forwarding on the uplink silences router advertisements unless accept_ra=2 (kernel: RAs are
 * taken with accept_ra 2, or 1 while forwarding is 0): the RA-learned IPv6 default route then
 * expires and is not renewed (poo#155824). salt-states-openqa network/accept_ra.sls sets 2 only on
 * native Linux bridges (an uplink bridge such as br0), never on a plain uplink NIC. Judged only where the
 * uplink demonstrably uses an RA default route; accept_ra 0 means RAs are handled elsewhere (NM) or unwanted.
 */
function raIgnored(f: Facts, fw: ReturnType<typeof forwarding>): FindingDraft[] {
  const up = f.try(uplinkFact);
  const uplink = up.ok ? up.value.name : undefined;
  if (uplink === undefined || fw.ipv6PerInterface[uplink] !== 1 || fw.acceptRa[uplink] !== 1) return [];
  const all = f.try(routes);
  const raDefault = all.ok ? all.value.find((r) => r.family === 'inet6' && r.protocol === 'ra' && (r.dst === 'default' || r.dst === '::/0') && (r.dev === uplink || (r.nexthops ?? []).some((h) => h.dev === uplink))) : undefined;
  if (!raDefault) return [];
  const key = `net.ipv6.conf.${uplink}.accept_ra`;
  return [
    {
      kind: 'accept-ra-ignored',
      subject: key,
      message: `${uplink} forwards IPv6 (net.ipv6.conf.${uplink}.forwarding = 1) with ${key} = 1, expected 2: the kernel ignores router advertisements on a forwarding interface, so the RA-learned IPv6 default route via ${raDefault.gateway ?? uplink} is not renewed and expires`,
      fix: [sysctlNow(key, 2), sysctlPersist(key, 2, '/etc/sysctl.d/accept_ra.conf')],
      evidence: [
        evidence('sysctl.runtime', `/proc/sys/net/ipv6/conf/${uplink}/forwarding: 1`, `/proc/sys/net/ipv6/conf/${uplink}/accept_ra: 1`),
        evidence('ip.route6', `default${raDefault.gateway ? ` via ${raDefault.gateway}` : ''} dev ${raDefault.dev ?? uplink} proto ra metric ${raDefault.metric}`),
      ],
      explanation:
        'With IPv6 forwarding on, Linux ignores router advertisements on an interface unless its accept_ra is 2: the IPv6 default route learned by SLAAC expires and the host loses IPv6 connectivity, including to IPv6-only asset and web UI hosts.',
    },
  ];
}

function finding(f: Facts, key: string, on: {iface: string; role: string} | undefined): FindingDraft {
  const procPath = `/proc/sys/${key.replaceAll('.', '/')}`;
  const runtimeLine = on ? `/proc/sys/net/ipv4/conf/${on.iface.replaceAll('.', '/')}/forwarding: 0` : `${procPath}: 0`;
  const ev = [evidence('sysctl.runtime', runtimeLine)];
  const fix: Step[] = [sysctlNow(key, 1)];

  // Name the persisted line that sets it (or says 1 and was never applied), else the file to write.
  const saved = persistedSetting(f, key, on === undefined);
  if (saved) {
    ev.push(evidence('sysctl.files', `${saved.file}:${saved.line}: ${saved.key} = ${saved.value}`));
    if (saved.value.trim() === '0') {
      fix.push({...sysctlFileLine(saved.file, saved.line, saved.key, 1), lines: [`# ${saved.file} line ${saved.line}: ${saved.key} = ${saved.value} -> 1`, ...sysctlFileLine(saved.file, saved.line, saved.key, 1).lines]});
    } else {
      fix.push(step('reload', 'sysctl:system', [`# ${saved.file} line ${saved.line} already says ${saved.value}, but it was not applied (or was reset since): apply it`, 'sysctl --system']));
    }
  } else {
    fix.push(sysctlPersist(key, 1, PERSIST_FILE));
  }

  const what = on ? `forwarding is off on the ${on.role} ${on.iface}` : 'IPv4 forwarding is off';
  const why = on
    ? on.role === 'bridge'
      ? 'SUT traffic entering from the bridge is not routed'
      : 'replies entering from the uplink are not routed back to the SUTs'
    : 'the host routes no SUT traffic at all';
  return {
    kind: on ? `${on.role}-forwarding-off` : 'ip-forward-off',
    subject: key,
    message: `${what}: ${key} = 0, expected 1 (${why})`,
    fix,
    evidence: ev,
  };
}

/** The persisted assignment of `key`; for the global switch also its alias net.ipv4.conf.all.forwarding. */
function persistedSetting(f: Facts, key: string, global: boolean): {key: string; value: string; file: string; line: number} | undefined {
  const persisted = f.try(persistedSysctl);
  if (!persisted.ok) return undefined;
  for (const k of global ? [key, 'net.ipv4.conf.all.forwarding'] : [key]) {
    const hit = persisted.value[k];
    if (hit) return {key: k, ...hit};
  }
  return undefined;
}

function escapeSed(s: string): string {
  return s.replaceAll('.', '\\.');
}
