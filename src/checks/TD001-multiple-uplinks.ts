// TD001: more than one physical uplink is active. SUT traffic leaves by whichever device the
// kernel's routing picks, while the firewall and the masquerade were written for one of them.
// The uplink view (facts/network.ts) already folds bond/bridge slaves into their master and drops
// taps, tunnels, VPNs, OVS devices and container bridges; this check names every active device
// but the primary one and says how to disable it persistently with the network stack in use.
import {uplinks} from '../facts/network.js';
import {ifcfgLine, ifcfgStack, ipLinkEvidence, ipRoute4Evidence, networkStacks, persistedInterface, type NetworkStack} from '../facts/interfaces.js';
import type {Facts} from '../facts/facts.js';
import type {UplinkView} from '../facts/types.js';
import type {Evidence} from '../model.js';
import {defineCheck, evidence, pass, type FindingDraft} from './define.js';

export default defineCheck('TD001', (f) => {
  const view = f.get(uplinks);
  if (view.active.length === 0) {
    return pass('no active uplink at all: no IPv4 default route and no NIC with carrier and a global IPv4 address');
  }
  if (view.active.length === 1) return [];
  const {primary, why} = choosePrimary(view, f.config.uplink);
  return view.active.filter((d) => d !== primary).map((spare) => spareFinding(f, view, primary, why, spare));
});

/** The uplink the host means to use: the configured one, else the lowest-metric IPv4 default route. */
function choosePrimary(view: UplinkView, configured: string | undefined): {primary: string; why: string} {
  if (configured !== undefined && view.active.includes(configured)) return {primary: configured, why: 'the configured uplink'};
  if (view.primary !== undefined) return {primary: view.primary, why: 'the lowest-metric IPv4 default route'};
  // No IPv4 default route: take the first active device (lowest ifindex) so the finding names the others.
  return {primary: view.active[0]!, why: 'the first active device (there is no IPv4 default route)'};
}

function spareFinding(f: Facts, view: UplinkView, primary: string, why: string, spare: string): FindingDraft {
  const reasons = view.reasons[spare] ?? [];
  const ev: Evidence[] = [];
  const routeLines = ipRoute4Evidence(f, (r) => r.dst === 'default' || r.dst === '0.0.0.0/0');
  const spareHasRoute = reasons.some((r) => r.includes('default route'));
  if (spareHasRoute && routeLines.length > 0) ev.push(evidence('ip.route4', ...routeLines));
  // The spare's own record, plus the slave or vlan that carries the address when it is not the spare itself.
  const members = [spare, ...reasons.flatMap((r) => / on (\S+)$/.exec(r)?.[1] ?? [])];
  const linkLines = [...new Set(members)].flatMap((m) => ipLinkEvidence(f, m) ?? []);
  if (linkLines.length > 0) ev.push(evidence('ip.addr', ...linkLines));
  if (ev.length === 0) ev.push(evidence('ip.addr', `${spare}: ${reasons.join('; ')}`));
  return {
    subject: spare,
    message: `${spare} is a second active uplink (${reasons.join('; ')}) beside ${primary} (${why}); expected only ${primary}`,
    fix: disableFix(f, spare, primary),
    evidence: ev,
  };
}

/**
 * How to take the spare NIC out persistently with the stack that configures it: its NM profile,
 * its ifcfg file (wicked STARTMODE, network-scripts ONBOOT), or, when no file configures it, a new
 * one plus the note that something else brought it up.
 */
function disableFix(f: Facts, spare: string, primary: string): string {
  const persisted = persistedInterface(f, spare);
  const stacks = f.try(networkStacks);
  const inUse: NetworkStack[] = stacks.ok ? stacks.value.stacks : [];
  const lines: string[] = [`# keep ${primary} as the only uplink; make sure you are not logged in through ${spare}`];

  const nm = persisted.nm.filter((p) => !(p.profile?.type ?? '').startsWith('ovs-'));
  if (nm.length > 0) {
    for (const p of nm) {
      const id = p.profile?.id ?? spare;
      lines.push(`nmcli connection modify ${shellQuote(id)} connection.autoconnect no   # ${p.path}`);
      lines.push(`nmcli connection down ${shellQuote(id)}`);
    }
    return lines.join('\n');
  }

  const file = persisted.ifcfg;
  if (file && !file.error) {
    if (ifcfgStack(file.path) === 'wicked') {
      const line = ifcfgLine(file, 'STARTMODE');
      lines.push(
        line
          ? `# ${file.path} line ${line.line}: ${line.text} -> STARTMODE='off'\nsed -i "s/^STARTMODE=.*/STARTMODE='off'/" ${file.path}`
          : `echo "STARTMODE='off'" >> ${file.path}`,
      );
      lines.push(`wicked ifdown ${spare}`);
    } else {
      const line = ifcfgLine(file, 'ONBOOT');
      lines.push(line ? `# ${file.path} line ${line.line}: ${line.text} -> ONBOOT=no\nsed -i 's/^ONBOOT=.*/ONBOOT=no/' ${file.path}` : `echo 'ONBOOT=no' >> ${file.path}`);
      lines.push(inUse.includes('NetworkManager') ? `nmcli connection reload && nmcli device disconnect ${spare}` : `ifdown ${spare}`);
    }
    return lines.join('\n');
  }

  // Nothing persistent configures the spare: a STARTMODE/ONBOOT edit of a file that does not exist disables nothing.
  const stack = inUse[0];
  lines.push(`# no ifcfg-${spare} and no NetworkManager profile for ${spare} exist: editing one disables nothing.`);
  if (stack === 'NetworkManager') {
    lines.push(`# NetworkManager brings up unconfigured NICs with an automatic profile; tell it to leave ${spare} alone:`);
    lines.push(`printf '[keyfile]\\nunmanaged-devices=interface-name:${spare}\\n' > /etc/NetworkManager/conf.d/90-unmanaged-${spare}.conf`);
    lines.push('systemctl reload NetworkManager');
  } else if (stack === 'wicked') {
    lines.push(`# wicked configures no NIC without a file, so something else (DHCP client, cloud-init, a script) brought ${spare} up; find it, and pin ${spare} off:`);
    lines.push(`printf "BOOTPROTO='none'\\nSTARTMODE='off'\\n" > /etc/sysconfig/network/ifcfg-${spare}`);
  } else if (stack === 'network-scripts') {
    lines.push(`# network-scripts configures no NIC without a file, so something else brought ${spare} up; find it, and pin ${spare} off:`);
    lines.push(`printf 'DEVICE=${spare}\\nONBOOT=no\\n' > /etc/sysconfig/network-scripts/ifcfg-${spare}`);
  } else {
    lines.push(`# could not tell which network stack manages ${spare}${persisted.unknown.length ? ` (${persisted.unknown.join('; ')})` : ''}; disable it there.`);
  }
  lines.push(`ip address flush dev ${spare} && ip link set ${spare} down`);
  return lines.join('\n');
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_.:@%+=,-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
}
