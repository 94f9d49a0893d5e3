// "Is firewalld down on a host that is set up to use it?" `firewall-cmd` answers "FirewallD is not
// running" with exit code 252 (firewalld src/firewall/errors.py NOT_RUNNING) when the daemon is not
// on D-Bus. On a host without firewalld configuration that is just an unused tool; on a host whose
// firewalld is enabled or has its own zone files it is the cause of the missing NAT: firewalld puts
// its zones' masquerade into the kernel only while it runs (it removes its tables when it stops).
import {posix} from 'node:path';
import {FactUnavailable, type Fact, type Facts} from '../facts.js';
import {activeUnits, enabledUnits} from '../host/units.js';
import {firewalldNotRunning} from './firewalld.js';
import {persistedFirewall} from './persisted.js';

export const FIREWALLD_UNIT = 'firewalld.service';

export interface FirewalldDown {
  /** What firewall-cmd said, as evidence: `FirewallD is not running (exit 252)`. */
  said: string;
  /** The firewalld.service row of `systemctl list-units`, when it is listed. */
  unitLine?: string;
  /** Enabled for boot (a .wants link); undefined when the links were not captured. */
  enabled?: boolean;
  /** Persisted zones that masquerade, with the file that says so when it was captured. */
  masqueradeZones: {zone: string; file?: string; interfaces: string[]}[];
  /** Why this host counts as a firewalld host: the enabled unit, its own zone files. */
  configuredBy: string[];
}

/** Undefined when firewalld runs, is not asked (no firewall-cmd), or the host is not set up for it. */
export const firewalldDown: Fact<FirewalldDown | undefined> = (f) => {
  let said: string;
  try {
    const src = f.command('firewalld.runtime');
    if (!firewalldNotRunning(src)) return undefined;
    const text = (src.text.trim() || (src.entry.stderr ?? '').trim()).split('\n')[0]!;
    said = `firewall-cmd --list-all-zones: ${text}${src.entry.exitCode ? ` (exit ${src.entry.exitCode})` : ''}`;
  } catch (error) {
    if (error instanceof FactUnavailable) return undefined; // not installed (an nft host) or not collected: nothing said
    throw error;
  }

  const enabled = f.try(enabledUnits);
  const zoneFiles = ownZoneFiles(f);
  const configuredBy = [...(enabled.ok && enabled.value.has(FIREWALLD_UNIT) ? [`${FIREWALLD_UNIT} is enabled`] : []), ...zoneFiles.map((p) => `${p} exists`)];
  if (configuredBy.length === 0) return undefined;

  const down: FirewalldDown = {said, masqueradeZones: masqueradeZones(f, zoneFiles), configuredBy};
  if (enabled.ok) down.enabled = enabled.value.has(FIREWALLD_UNIT);
  const units = f.try(activeUnits);
  const unit = units.ok ? units.value[FIREWALLD_UNIT] : undefined;
  if (unit) down.unitLine = `${FIREWALLD_UNIT} ${unit.load} ${unit.active} ${unit.sub} ${unit.description}`;
  return down;
};

/** The admin's own zone files (/etc/firewalld/zones/*.xml): the package ships only /usr/lib's. */
function ownZoneFiles(f: Facts): string[] {
  const files = f.view.entries('firewalld.files');
  return files.ok ? files.value.map((e) => e.name).filter((n) => n.startsWith('/etc/firewalld/zones/') && n.endsWith('.xml')) : [];
}

function masqueradeZones(f: Facts, zoneFiles: string[]): FirewalldDown['masqueradeZones'] {
  const persisted = f.try(persistedFirewall);
  const zones = persisted.ok ? (persisted.value.zones?.zones ?? []) : [];
  return zones
    .filter((z) => z.masquerade)
    .map((z) => {
      const file = zoneFiles.find((p) => posix.basename(p) === `${z.name}.xml`);
      return {zone: z.name, interfaces: z.interfaces, ...(file ? {file} : {})};
    });
}
