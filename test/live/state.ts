// A dump of everything tapdoctor could change on a throwaway host, for "the host is unchanged"
// assertions: take one before running tapdoctor, one after, and compare with toEqual.
//
// Counters are included (iptables-save -c, nft counters): the builder sends its traffic while
// building and nothing sends afterwards, so counters stay put unless something zeroes or feeds
// them. What changes by itself is left out: iptables-save's timestamp comments, OpenFlow flow
// statistics (--no-stats) and the OVS db's statistics/status columns.
import {createHash} from 'node:crypto';
import {lstatSync, readdirSync, readFileSync, readlinkSync} from 'node:fs';
import {join, relative} from 'node:path';
import {must} from './run.js';

export interface HostState {
  /** iptables-save -c, without its "# Generated/Completed" lines. */
  iptables: string;
  /** nft list ruleset. */
  nft: string;
  /** ovsdb-client dump of the scenario's db (JSON, volatile columns removed). */
  ovsdb: unknown;
  /** ovs-ofctl --no-stats dump-flows, per bridge. */
  flows: Record<string, string>;
  ipAddr: unknown;
  ipRoute4: unknown;
  ipRoute6: unknown;
  ipLink: unknown;
  /** "name owner group tun_flags" per tun/tap device (sysfs values, -1 = unset). */
  taps: string;
  /** ip_forward and every conf/<if>/forwarding. */
  forwarding: string;
  /** "path type mode uid:gid sha256-or-target" per entry below the root dir. */
  rootFiles: string[];
  /** getcap -r of the root dir. */
  rootCaps: string;
}

export interface StateSources {
  netns: string;
  ovsEnv: Record<string, string>;
  dbSocket: string;
  rootDir: string;
}

/** Columns that OVS updates on its own (packet counts, link state bookkeeping). */
const VOLATILE_COLUMNS = new Set([
  'statistics', 'status', 'rstp_statistics', 'rstp_status', 'bfd_status', 'cfm_fault', 'cfm_fault_status', 'cfm_health',
  'cfm_remote_mpids', 'cfm_remote_opstate', 'lacp_current', 'link_resets', 'link_state', 'link_speed', 'duplex', 'admin_state',
]);

export async function captureState(src: StateSources): Promise<HostState> {
  const inNs = (argv: string[]) => must(['ip', 'netns', 'exec', src.netns, ...argv], {env: src.ovsEnv});
  const bridges = (await inNs(['ovs-vsctl', '--timeout=10', 'list-br'])).split('\n').filter(Boolean);
  const flows: Record<string, string> = {};
  for (const bridge of bridges) flows[bridge] = await inNs(['ovs-ofctl', '--no-stats', 'dump-flows', bridge]);
  return {
    iptables: (await inNs(['iptables-save', '-c'])).split('\n').filter((l) => !l.startsWith('#')).join('\n'),
    nft: await inNs(['nft', 'list', 'ruleset']),
    ovsdb: stableOvsdb(await must(['ovsdb-client', '--format=json', 'dump', `unix:${src.dbSocket}`, 'Open_vSwitch'])),
    flows,
    ipAddr: JSON.parse(await inNs(['ip', '-j', 'addr', 'show'])),
    ipRoute4: JSON.parse(await inNs(['ip', '-j', '-4', 'route', 'show', 'table', 'all'])),
    ipRoute6: JSON.parse(await inNs(['ip', '-j', '-6', 'route', 'show', 'table', 'all'])),
    ipLink: JSON.parse(await inNs(['ip', '-j', '-d', 'link', 'show'])),
    taps: await inNs(['sh', '-c', 'for d in /sys/class/net/*; do [ -e "$d/tun_flags" ] && echo "${d##*/} $(cat "$d/owner") $(cat "$d/group") $(cat "$d/tun_flags")"; done; true']),
    forwarding: await inNs(['sh', '-c', 'grep -r . /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/conf/*/forwarding']),
    rootFiles: listTree(src.rootDir),
    rootCaps: await must(['getcap', '-r', src.rootDir]),
  };
}

/** ovsdb-client prints one JSON object per table; drop the columns OVS rewrites on its own. */
function stableOvsdb(text: string): unknown {
  const tables: Array<{caption?: string; headings: string[]; data: unknown[][]}> = text
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line));
  return tables.map((table) => {
    const keep = table.headings.map((h, i) => [h, i] as const).filter(([h]) => !VOLATILE_COLUMNS.has(h));
    return {caption: table.caption, headings: keep.map(([h]) => h), data: table.data.map((row) => keep.map(([, i]) => row[i]))};
  });
}

function listTree(rootDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const st = lstatSync(path);
      const rel = relative(rootDir, path);
      const mode = (st.mode & 0o7777).toString(8);
      const ids = `${st.uid}:${st.gid}`;
      if (st.isDirectory()) {
        out.push(`${rel} dir ${mode} ${ids}`);
        walk(path);
      } else if (st.isSymbolicLink()) {
        out.push(`${rel} link ${mode} ${ids} ${readlinkSync(path)}`);
      } else {
        const hash = createHash('sha256').update(readFileSync(path)).digest('hex');
        out.push(`${rel} file ${mode} ${ids} ${hash}`);
      }
    }
  };
  walk(rootDir);
  return out;
}
