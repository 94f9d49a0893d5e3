// TD101: the next boot must switch IPv4 forwarding on. The runtime value (TD009) says nothing
// about it: os-autoinst-setup-multi-machine writes /etc/sysctl.d/ip_forward.conf only when
// forwarding is off at the time and never applies it, and `sysctl -w` by hand is gone after a boot.
import type {Step} from '../remedies/step.js';
import {sysctlFileLine, sysctlNow, sysctlPersist} from '../remedies/system.js';
import {defineCheck, evidence, pass, type FindingDraft} from './define.js';
import meta from './TD101-forwarding-not-persisted.meta.js';
import {forwarding, sysctlFiles} from '../facts/host/sysctl.js';
import {enabledUnits} from '../facts/host/units.js';
import {switchConfig} from '../facts/openqa.js';
import {persistedFirewall} from '../facts/firewall/index.js';
import {bootZoneOf} from '../facts/persistence.js';
import {fileEvidence} from '../facts/file-evidence.js';
import {uplink as uplinkFact} from '../facts/uplink.js';
import {suseFirewall2} from '../facts/firewall/susefirewall2.js';
import type {Facts} from '../facts/facts.js';

/** Both keys flip the same switch (writing conf.all.forwarding sets ip_forward and every interface). */
const GLOBAL_KEYS = new Set(['net.ipv4.ip_forward', 'net.ipv4.conf.all.forwarding']);

interface Assignment {
  key: string;
  value: string;
  path: string;
  line: number;
}

function lastAssignment(files: Array<{path: string; conf: {assignments: Array<{key: string; value: string; line: number}>}}>, keys: ReadonlySet<string>): Assignment | undefined {
  let last: Assignment | undefined;
  for (const {path, conf} of files) for (const a of conf.assignments) if (keys.has(a.key)) last = {key: a.key, value: a.value.trim(), path, line: a.line};
  return last;
}

export default defineCheck(meta, (f) => {
  // /run is a tmpfs: what /run/sysctl.d sets now is gone at the next boot.
  const files = f.get(sysctlFiles).filter((x) => !x.path.startsWith('/run/'));
  const runtime = f.try(forwarding);
  const runtimeValue = runtime.ok ? runtime.value.ipv4 : undefined;
  const runtimeEvidence = runtimeValue === undefined ? [] : [evidence('/proc/sys/net/ipv4/ip_forward', String(runtimeValue))];
  const assignmentEvidence = (a: Assignment) => fileEvidence(f, 'sysctl.files', a.path, [a.line]);
  const findings: FindingDraft[] = [];

  const global = lastAssignment(files, GLOBAL_KEYS);
  if (global?.value !== '1') {
    const firewalld = firewalldTurnsForwardingOn(f);
    if (firewalld) return pass(`no sysctl file enables net.ipv4.ip_forward, but ${firewalld}`);
    const sf2 = suseFirewall2TurnsForwardingOn(f);
    if (sf2) return pass(`no sysctl file enables net.ipv4.ip_forward, but ${sf2}`);
    const now = runtimeValue === undefined ? 'runtime value unknown' : `runtime ${runtimeValue}${runtimeValue === 1 ? ' (set by hand or by a script, lost at reboot)' : ''}`;
    if (global === undefined) {
      const exists = files.some((x) => x.path === '/etc/sysctl.d/ip_forward.conf');
      // A line meant to set it that systemd-sysctl skips (no "=", a bad key) is the cause: name it.
      const meant = files.flatMap((x) => x.conf.problems.filter((p) => /ip_forward|conf[./]all[./]forwarding/.test(p.text)).map((p) => ({path: x.path, ...p})));
      const skipped = meant.map((p) => `; ${p.path}:${p.line} "${p.text.trim()}" is ${p.reason === 'not an assignment' ? 'not an assignment' : `skipped (${p.reason})`}: systemd-sysctl ignores it`).join('');
      findings.push({
        kind: 'ip-forward-not-set',
        subject: 'net.ipv4.ip_forward',
        message: `no sysctl file sets net.ipv4.ip_forward = 1 (${now})${skipped}; after a reboot forwarding is off`,
        fix: [
          meant[0]?.path.startsWith('/etc/') ? sysctlFileLine(meant[0].path, meant[0].line, 'net.ipv4.ip_forward', 1) : sysctlPersist('net.ipv4.ip_forward', 1, '/etc/sysctl.d/ip_forward.conf'),
          ...(runtimeValue === 1 ? [] : [sysctlNow('net.ipv4.ip_forward', 1)]),
        ],
        evidence: [...runtimeEvidence, ...meant.map((p) => evidence('sysctl.files', `${p.path}:${p.line}: ${p.text.trim()}`)), evidence('sysctl.files', files.length ? `read, in boot order: ${files.map((x) => x.path).join(', ')}` : 'no sysctl file in /etc/sysctl.d, /usr/lib/sysctl.d (/etc/sysctl.conf counts only through a 99-sysctl.conf link there; /run/sysctl.d is emptied at boot)')],
      });
    } else {
      findings.push({
        kind: 'ip-forward-set-off',
        subject: global.key,
        message: `${global.path}:${global.line} is the last setting of the IPv4 forwarding switch and says ${global.key} = ${global.value}, expected 1 (${now})`,
        fix: [fixLine(global, '1')],
        evidence: [...runtimeEvidence, assignmentEvidence(global)],
      });
    }
  }

  // A per-interface 0 for the bridge or the uplink: udev applies it when the device appears,
  // after the global switch, so it wins even when ip_forward = 1.
  const ifaces = new Set<string>();
  const sw = f.try(switchConfig);
  if (sw.ok) ifaces.add(sw.value.bridge);
  const uplink = f.try(uplinkFact);
  if (uplink.ok) ifaces.add(uplink.value.name);
  for (const iface of ifaces) {
    const a = lastAssignment(files, new Set([`net.ipv4.conf.${iface}.forwarding`]));
    if (!a || a.value === '1') continue;
    findings.push({
      kind: 'interface-forwarding-off',
      subject: a.key,
      message: `${a.path}:${a.line} sets ${a.key} = ${a.value}: after a reboot ${iface} does not forward even with net.ipv4.ip_forward = 1`,
      fix: [fixLine(a, '1')],
      evidence: [assignmentEvidence(a)],
    });
  }
  return findings;
});

/** Edit the line in /etc; a vendor file under /usr/lib or /run is overridden by a later-sorting /etc file. */
function fixLine(a: Assignment, value: string): Step {
  if (a.path.startsWith('/etc/')) return sysctlFileLine(a.path, a.line, a.key, value);
  // Append: the global switch and a per-interface key may both need this file; it sorts after ${a.path}.
  return sysctlPersist(a.key, value, '/etc/sysctl.d/zz-tapdoctor-forwarding.conf', `sorts after ${a.path}`);
}

/** firewalld switches forwarding on itself when a zone masquerades (docs/checks/TD009.md trap). */
function firewalldTurnsForwardingOn(f: Facts): string | undefined {
  const enabled = f.try(enabledUnits);
  if (!enabled.ok || !enabled.value.has('firewalld.service')) return undefined;
  const persisted = f.try(persistedFirewall);
  const zones = persisted.ok ? persisted.value.zones : undefined;
  if (!zones) return undefined;
  const uplink = f.try(uplinkFact);
  if (!uplink.ok) return undefined;
  const bz = bootZoneOf(f, uplink.value.name, zones);
  const zone = zones.zones.find((z) => z.name === bz.zone);
  return zone?.masquerade ? `firewalld.service is enabled and masquerades zone ${zone.name} (${bz.boundBy}), which switches IPv4 forwarding on at start` : undefined;
}

/**
 * SuSEfirewall2 with FW_ROUTE=yes switches forwarding on when it starts (upstream template
 * SuSEfirewall2.sysconfig: "This option overrides IP_FORWARD from /etc/sysconfig/network/options").
 */
function suseFirewall2TurnsForwardingOn(f: Facts): string | undefined {
  const enabled = f.try(enabledUnits);
  if (!enabled.ok || !enabled.value.has('SuSEfirewall2.service')) return undefined;
  const setup = f.try(suseFirewall2);
  const c = setup.ok ? setup.value?.config : undefined;
  if (!c?.route) return undefined;
  return `SuSEfirewall2.service is enabled and ${c.path}:${c.lines.FW_ROUTE} sets FW_ROUTE="yes", which switches IPv4 forwarding on at start`;
}
