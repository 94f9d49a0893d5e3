// An unpacked sosreport read into an ordinary in-memory Snapshot whose sources carry catalogue
// names, so facts and checks run unchanged. See README.md in this directory for the mapping.
//
// Decisions:
//  - Source names and file matching come from the catalogue through inferManifest (the same glob
//    matching fixtures use); this module only decides which sos paths feed which source.
//  - Text that our facts cannot read (`ip -d address`, `ip route show table all`, `sysctl -a`) is
//    converted to the shape the live collector stores; each such entry says so in `stderr`.
//  - Every source the sosreport cannot provide is `failed` with the reason, so the report's
//    "Not checked" section names it. An empty files source is only trusted ("the host has none")
//    when the sos plugin that copies those paths ran.
//  - Nothing outside the tree is read (see tree.ts).
import path from 'node:path';

import {CONVERTED_NOTE, dumpFromListings, serializeIptablesSave, type ListedTable} from '../../parsers/iptables/index.js';
import {skipJunk, type JunkFormat} from '../../parsers/junk.js';
import {MOUNTS_LOSS, mountinfoFromProcMounts} from '../../parsers/mounts-text.js';
import {CATALOGUE, NEVER_CAPTURED, SOS_CAPTURE, type FilesSource, type SosBinding, type SourceSpec} from '../catalogue.js';
import {inferManifest, type TreeItem} from '../infer-manifest.js';
import {redactCaptured} from '../redact.js';
import {commandPath, filePath, type EntryRecord, type Snapshot, type SourceRecord} from '../snapshot.js';
import {IP_ADDRESS_TEXT, parseIpDAddressText, parseIpRouteText, linkToIpJson, routeToIpJson} from './ip-text.js';
import {pluginRan, readSosMeta, trapNote, type SosMeta} from './meta.js';
import {sysctlRuntimeFiles} from './sysctl.js';
import {SosDirTree, type SosTree} from './tree.js';

const NOT_COLLECTED = `not collected by sosreport: ${SOS_CAPTURE}`;

// The bindings sit beside the catalogue entries they bind (SourceSpec.sos); these are views of them.
const bound = CATALOGUE.filter((spec): spec is SourceSpec & {sos: SosBinding} => spec.sos !== undefined);
/** sos command outputs our parsers read as they are: first existing path wins. */
const PASS_THROUGH = bound.flatMap((spec) => (spec.sos.passThrough ? [{source: spec.name, ...spec.sos.passThrough}] : []));
/** Which sos plugin provides a source (for "did the plugin run" and the policy-trap note). */
const PLUGIN_OF: Record<string, string> = Object.fromEntries(bound.flatMap((spec) => (spec.sos.plugin ? [[spec.name, spec.sos.plugin]] : [])));
/** Files sources whose paths the plugin copies: an empty result then means the host has none. */
const COPIED_BY_PLUGIN = new Set(bound.filter((spec) => spec.sos.copiedByPlugin).map((spec) => spec.name));
/** Paths sos never copies although the plugin runs: a missing /etc/firewall.nft would read as "not persisted". */
const NEVER_COPIED: Record<string, string[]> = Object.fromEntries(bound.flatMap((spec) => (spec.sos.neverCopied ? [[spec.name, spec.sos.neverCopied]] : [])));
/** Fixed reasons for sources a sosreport can never provide in a usable form. */
const UNUSABLE: Record<string, string> = Object.fromEntries(bound.flatMap((spec) => (spec.sos.unusable ? [[spec.name, spec.sos.unusable]] : [])));

/** The sos_commands/ paths a converted source is read from, preferred first. */
function sosFrom(source: string): string[] {
  return (bound.find((spec) => spec.name === source)?.sos.from ?? []).map((p) => `sos_commands/${p}`);
}

/** Whether a directory is an unpacked sosreport: sos_commands/ plus version.txt or sos_reports/. */
export async function looksLikeSosreport(dir: string | SosTree): Promise<boolean> {
  const tree = typeof dir === 'string' ? await SosDirTree.open(dir).catch(() => undefined) : dir;
  if (!tree || (await tree.kind('sos_commands')) !== 'dir') return false;
  return (await tree.kind('version.txt')) === 'file' || (await tree.kind('sos_reports')) === 'dir';
}

interface Pending {
  /** Where the entry's content comes from in the sos tree (when not synthesized). */
  from?: string;
  binding?: string;
  note?: string;
  exitCode?: number;
  truncated?: boolean;
  error?: string;
}

/**
 * Reads a sosreport: an unpacked directory (limits as for a snapshot directory: bytes per file,
 * bytes in all) or a tree already read into memory from a packed one (archive.ts).
 */
export async function readSosreport(dir: string | SosTree, limits: {maxMemberBytes?: number; maxTotalBytes?: number} = {}): Promise<Snapshot> {
  const tree = typeof dir === 'string' ? await SosDirTree.open(dir, limits.maxMemberBytes, limits.maxTotalBytes) : dir;
  const meta = await readSosMeta(tree);
  const b = new Builder(tree, meta);

  for (const p of PASS_THROUGH) await b.passThrough(p.source, p.paths, p.as);
  await b.ipAddr();
  await b.ipRoutes();
  await b.iptablesListings('iptables.save', 'ipv4');
  await b.iptablesListings('ip6tables.save', 'ipv6');
  await b.ovsFlows();
  await b.qemuGetcap();
  await b.sysctlRuntime();
  await b.files();
  await b.mountinfo();

  const ran = new Map<string, boolean>();
  for (const plugin of new Set(Object.values(PLUGIN_OF))) ran.set(plugin, await pluginRan(meta, tree, plugin));
  const failed: Record<string, string> = {};
  for (const spec of CATALOGUE) {
    if (UNUSABLE[spec.name]) failed[spec.name] = b.reason(spec.name, UNUSABLE[spec.name]!, ran);
    else if (b.failed.has(spec.name)) failed[spec.name] = b.failed.get(spec.name)!;
    else if (spec.kind !== 'files' && !b.hasCommand(spec.name)) failed[spec.name] = b.reason(spec.name, NOT_COLLECTED, ran);
  }

  const manifest = inferManifest(b.items, {failed, hostname: meta.hostname ?? path.basename(tree.root), capturedAt: capturedAt(meta.startTime, await tree.mtime('version.txt')), root: '/'});
  manifest.tool = {name: 'sos', version: meta.version ?? 'unknown'};
  for (const rec of Object.values(manifest.sources)) {
    rec.entries = rec.entries.map((e) => b.finish(e));
    const spec = CATALOGUE.find((s) => s.name === rec.name);
    if (spec?.kind !== 'files' || rec.status === 'failed') continue;
    await b.readFiles(rec.entries);
    const uncopied = (NEVER_COPIED[rec.name] ?? []).filter((p) => !rec.entries.some((e) => e.binding === p));
    if (uncopied.length > 0) {
      rec.status = 'failed';
      rec.reason = `sosreport does not copy ${uncopied.join(', ')}: ${SOS_CAPTURE}`;
      rec.entries = [];
      continue;
    }
    const plugin = PLUGIN_OF[rec.name];
    const trusted = COPIED_BY_PLUGIN.has(rec.name) && plugin !== undefined && ran.get(plugin) === true;
    const usable = rec.entries.some((e) => !e.error && !(e.absent && e.linkTarget === undefined));
    if (!usable && !trusted) {
      rec.status = 'failed';
      rec.reason = b.reason(rec.name, NOT_COLLECTED, ran);
      rec.entries = [];
    }
  }
  redactAll(manifest.sources, b.contents);
  return {manifest, contents: b.contents};
}

/**
 * A sosreport is not cleaned by default: its files and outputs get the same redaction as a
 * snapshot (secret keys by the catalogue's rule, credentials in URLs) before anything echoes them.
 */
function redactAll(sources: Record<string, SourceRecord>, contents: Map<string, Buffer>): void {
  for (const rec of Object.values(sources)) {
    const spec = CATALOGUE.find((s) => s.name === rec.name);
    const rule = spec?.kind === 'files' ? spec.redaction : 'none';
    for (const e of rec.entries) {
      const data = contents.get(e.path);
      if (!data) continue;
      const r = redactCaptured(data, rule);
      if (r.redacted.length === 0) continue;
      contents.set(e.path, r.data);
      e.redacted = r.redacted;
      e.bytes = r.data.length;
    }
  }
}

/**
 * manifest.json start_time as ISO 8601. sos writes the host's local time without a zone
 * ("2026-11-21 10:00:00.123456"): it is taken as UTC (the report says "captured", not "when
 * exactly"). Without one, the modification time of version.txt stands in.
 */
export function capturedAt(startTime: string | undefined, fallback: Date): string {
  const naive = startTime ? /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d(?:\.\d{1,3})?)\d*$/.exec(startTime.trim()) : null;
  const t = naive ? Date.parse(`${naive[1]}T${naive[2]}Z`) : startTime ? Date.parse(startTime) : NaN;
  return (Number.isNaN(t) ? fallback : new Date(t)).toISOString();
}

/** Collects snapshot paths (for inferManifest), their contents and per-entry provenance. */
class Builder {
  readonly items = new Map<string, TreeItem>();
  readonly contents = new Map<string, Buffer>();
  readonly failed = new Map<string, string>();
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly tree: SosTree,
    private readonly meta: SosMeta,
  ) {}

  hasCommand(source: string): boolean {
    const prefix = `commands/${source}`;
    for (const p of this.items.keys()) if (p === prefix || p.startsWith(`${prefix}/`)) return true;
    return false;
  }

  /** A failure reason, with the policy-trap note for sources a skipped plugin would have given. */
  reason(source: string, base: string, ran: Map<string, boolean>): string {
    const plugin = PLUGIN_OF[source];
    const trap = plugin && ran.get(plugin) !== true ? trapNote(this.meta, plugin) : undefined;
    if (trap) return `${trap}; ${base}`;
    if (plugin && ran.get(plugin) === false) return `sos plugin ${plugin} did not run; ${base}`;
    return base;
  }

  private put(snapPath: string, data: Buffer, pending: Pending): void {
    this.items.set(snapPath, {bytes: data.length});
    this.contents.set(snapPath, data);
    this.pending.set(snapPath, pending);
  }

  /** The first existing path below `base` (sos_commands/ by default), or undefined. */
  private async firstExisting(paths: string[], base = 'sos_commands/'): Promise<string | undefined> {
    for (const p of paths) if ((await this.tree.kind(`${base}${p}`)) !== undefined) return `${base}${p}`;
    return undefined;
  }

  /** Stores a sos command output as a command entry (an unreadable one as an entry error). */
  private async command(source: string, key: string | undefined, rel: string, binding: string): Promise<void> {
    const snap = commandPath(source, key);
    const info = this.meta.commands.get(rel);
    const pending: Pending = {from: rel, binding: `${binding} (sosreport ${rel})`, truncated: info?.truncated === true || this.timedOut(rel)};
    if (info?.returnCode !== undefined) pending.exitCode = info.returnCode;
    const r = await this.tree.read(rel);
    if (r?.ok) return this.put(snap, r.data, pending);
    this.items.set(snap, {bytes: 0});
    this.pending.set(snap, {...pending, error: r ? r.error : `${rel} vanished while it was read`});
  }

  private timedOut(rel: string): boolean {
    const plugin = rel.split('/')[1];
    return plugin !== undefined && this.meta.timedOut.has(plugin);
  }

  async passThrough(source: string, paths: string[], binding: string): Promise<void> {
    const rel = await this.firstExisting(paths);
    if (!rel) return;
    await this.command(source, undefined, rel, binding);
    if (source === 'systemd.units' && !rel.endsWith('--all')) {
      this.pending.get(commandPath(source))!.note = 'sos ran systemctl list-units without --all: inactive units are not listed';
    }
  }

  /** Converted text: parse, store as ip -j JSON, or fail the source with the parse error. */
  private async converted(source: string, rel: string, convert: (text: string) => unknown[], what: string, junk?: JunkFormat): Promise<void> {
    const r = await this.tree.read(rel);
    if (!r) return;
    if (!r.ok) {
      this.failed.set(source, r.error);
      return;
    }
    try {
      // Lines around the output that are not part of it (a capture's "Message truncated") are skipped and said.
      const trimmed = junk ? skipJunk(r.data.toString('utf8'), junk) : {text: r.data.toString('utf8'), note: undefined};
      const json = Buffer.from(JSON.stringify(convert(trimmed.text)));
      this.put(commandPath(source), json, {
        from: rel,
        binding: `${what} (sosreport ${rel})`,
        note: `converted by tapdoctor from the sosreport's \`${what}\` text to ip -j JSON${trimmed.note ? `; ${trimmed.note}` : ''}`,
        truncated: this.meta.commands.get(rel)?.truncated === true,
      });
    } catch (err) {
      this.failed.set(source, `cannot read the sosreport's ${rel}: ${(err as Error).message}`);
    }
  }

  async ipAddr(): Promise<void> {
    const [rel] = sosFrom('ip.addr');
    if (!rel) return;
    await this.converted('ip.addr', rel, (t) => parseIpDAddressText(t, rel).map(linkToIpJson), 'ip -d address', IP_ADDRESS_TEXT);
  }

  async ipRoutes(): Promise<void> {
    const what = (rel: string) => rel.slice(rel.lastIndexOf('/') + 1).replaceAll('_', ' ');
    const [v4Rel] = sosFrom('ip.route4');
    if (v4Rel) await this.converted('ip.route4', v4Rel, (t) => parseIpRouteText(t, v4Rel).inet.map(routeToIpJson), what(v4Rel));
    const v6Rel = await this.firstExisting(sosFrom('ip.route6'), '');
    if (v6Rel) await this.converted('ip.route6', v6Rel, (t) => parseIpRouteText(t, v6Rel).inet6.map(routeToIpJson), what(v6Rel));
  }

  /**
   * `iptables -t TABLE -nvL` per table and `iptables -vnxL` (filter, exact counters) as one
   * iptables-save dump: what a listing cannot say goes into the entry's note, which the firewall
   * facts repeat in the checks' reasons. sos < 4.1 keeps them in networking/, later in firewall_tables/.
   */
  async iptablesListings(source: 'iptables.save' | 'ip6tables.save', family: 'ipv4' | 'ipv6'): Promise<void> {
    const prog = source === 'iptables.save' ? 'iptables' : 'ip6tables';
    // Our sos plugin (contrib/sos/tapdoctor.py) runs iptables-save itself: nothing to convert.
    const saved = `sos_commands/tapdoctor/${prog}-save_-c`;
    if ((await this.tree.kind(saved)) !== undefined) return this.command(source, undefined, saved, `${prog}-save -c`);
    const parts: ListedTable[] = [];
    const used: string[] = [];
    // The catalogue binding lists `<dir>/<prog>_-vnxL` (the filter table, exact counters) and
    // `<dir>/<prog>_-t_{table}_-nvL` per directory, the newer sos layout first.
    const dirs = [...new Set(sosFrom(source).map((p) => p.slice(0, p.lastIndexOf('/'))))];
    for (const dir of dirs) {
      const names = (await this.tree.list(dir)).map((d) => d.name);
      const tables = names.map((n) => new RegExp(`^${prog}_-t_([a-z]+)_-nvL$`).exec(n)?.[1]).filter((t): t is string => t !== undefined);
      const exact = names.includes(`${prog}_-vnxL`);
      for (const table of ['filter', ...tables.filter((t) => t !== 'filter')]) {
        const file = table === 'filter' && exact ? `${prog}_-vnxL` : tables.includes(table) ? `${prog}_-t_${table}_-nvL` : undefined;
        if (!file) continue;
        const r = await this.tree.read(`${dir}/${file}`);
        if (!r?.ok) continue;
        parts.push({table, text: r.data.toString('utf8'), origin: `${dir}/${file}`});
        used.push(`${dir}/${file}`);
      }
      if (parts.length > 0) break;
    }
    if (parts.length === 0) {
      this.failed.set(source, `sosreport has no ${prog} -L listing: ${SOS_CAPTURE}`);
      return;
    }
    try {
      const {dump, limits} = dumpFromListings(parts, family);
      this.put(commandPath(source), Buffer.from(serializeIptablesSave(dump)), {
        from: used[0],
        binding: `${prog} -L listings (sosreport ${used.join(', ')})`,
        note: `${CONVERTED_NOTE} the sosreport's ${prog} -L listings${limits.length > 0 ? `: ${limits.join('; ')}` : ''}`,
      });
    } catch (err) {
      this.failed.set(source, `cannot read the sosreport's ${prog} listings: ${(err as Error).message}`);
    }
  }

  /** `getcap /usr/bin/qemu-system-*` run by our sos plugin: one key per binary (sos mangles `/` to `.`). */
  async qemuGetcap(): Promise<void> {
    const dir = 'sos_commands/tapdoctor';
    for (const d of await this.tree.list(dir)) {
      if (!d.name.startsWith('getcap_.')) continue;
      const binary = d.name.slice('getcap_'.length).replace(/\./g, '/');
      await this.command('qemu.getcap', binary, `${dir}/${d.name}`, `getcap ${binary}`);
    }
  }

  async ovsFlows(): Promise<void> {
    for (const pattern of sosFrom('ovs.flows')) {
      // `sos_commands/openvswitch/ovs-ofctl_dump-flows_{key}`: one file per bridge
      const dir = pattern.slice(0, pattern.lastIndexOf('/'));
      const prefix = pattern.slice(dir.length + 1, pattern.indexOf('{key}'));
      for (const d of await this.tree.list(dir)) {
        if (!d.name.startsWith(prefix) || d.name.length === prefix.length) continue;
        const bridge = d.name.slice(prefix.length);
        await this.command('ovs.flows', bridge, `${dir}/${d.name}`, `ovs-ofctl dump-flows ${bridge}`);
      }
    }
  }

  async sysctlRuntime(): Promise<void> {
    const [rel] = sosFrom('sysctl.runtime');
    if (!rel) return;
    const r = await this.tree.read(rel);
    if (!r) return;
    if (!r.ok) {
      this.failed.set('sysctl.runtime', r.error);
      return;
    }
    for (const [hostPath, value] of sysctlRuntimeFiles(r.data.toString('utf8'))) {
      this.put(filePath(hostPath), Buffer.from(`${value}\n`), {binding: hostPath, note: `from the sosreport's sysctl -a (${rel})`});
    }
  }

  /** Candidate copied files for every files source; inferManifest does the glob matching. */
  async files(): Promise<void> {
    for (const spec of CATALOGUE) {
      if (spec.kind !== 'files' || spec.name === 'sysctl.runtime') continue;
      for (const glob of spec.paths) for (const rel of await this.candidates(glob)) await this.addFile(rel, spec);
    }
  }

  private async candidates(glob: string): Promise<string[]> {
    const segs = glob.split('/').filter((s) => s !== '');
    const star = segs.findIndex((s) => s.includes('*'));
    if (star < 0) return (await this.tree.kind(segs.join('/'))) === undefined ? [] : [segs.join('/')];
    const base = segs.slice(0, star).join('/');
    const rest = segs.slice(star + 1);
    if (rest.length > 0 && !rest.some((x) => x.includes('*'))) {
      // `/sys/class/net/*/owner`: sos keeps sys/class/net/tap0 as a link into sys/devices/; the
      // fixed rest of the path is looked up through it (the tree keeps every read inside).
      const re = new RegExp(`^${segs[star]!.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
      const out: string[] = [];
      for (const d of await this.tree.list(base)) {
        const rel = [base, d.name, ...rest].join('/');
        if (re.test(d.name) && (await this.tree.kind(rel)) !== undefined) out.push(rel);
      }
      return out;
    }
    return this.tree.walk(base, segs.length - star);
  }

  private async addFile(rel: string, spec: FilesSource): Promise<void> {
    const hostPath = `/${rel}`;
    const snap = filePath(hostPath);
    if (this.items.has(snap) || NEVER_CAPTURED.includes(hostPath)) return;
    const kind = await this.tree.kind(rel);
    if (kind === 'link' && spec.links) {
      // A .wants link or ifcfg-tapN -> ifcfg-tap0: the link is the data, never read through.
      this.items.set(snap, {bytes: 0, linkTarget: (await this.tree.linkTarget(rel)) ?? ''});
      this.pending.set(snap, {binding: hostPath});
      return;
    }
    this.items.set(snap, {bytes: 0});
    this.pending.set(snap, {from: rel, binding: hostPath});
  }

  /** /proc/self/mountinfo where sos put it (manifest files_copied), when not at the plain path. */
  async mountinfo(): Promise<void> {
    const snap = filePath('/proc/self/mountinfo');
    if (this.items.has(snap)) return;
    const rel = (this.meta.copied.get('/proc/self/mountinfo') ?? []).find((p) => !p.split('/').includes('..'));
    if (rel && (await this.tree.kind(rel)) !== undefined) {
      this.items.set(snap, {bytes: 0});
      this.pending.set(snap, {from: rel, binding: '/proc/self/mountinfo'});
      return;
    }
    // Older or trimmed sosreports copy only /proc/mounts: read it as mountinfo, saying what it lacks.
    const mounts = await this.tree.read('proc/mounts');
    if (!mounts?.ok) return;
    try {
      const text = mountinfoFromProcMounts(mounts.data.toString('utf8'), 'proc/mounts');
      this.put(snap, Buffer.from(text), {binding: '/proc/self/mountinfo', note: `${CONVERTED_NOTE} the sosreport's /proc/mounts: ${MOUNTS_LOSS}`});
    } catch (err) {
      this.failed.set('mountinfo', `cannot read the sosreport's proc/mounts: ${(err as Error).message}`);
    }
  }

  /** Completes an inferred entry: reads a copied file's content, adds provenance and notes. */
  finish(entry: EntryRecord): EntryRecord {
    const p = this.pending.get(entry.path);
    if (!p) return entry;
    const out: EntryRecord = {...entry};
    if (p.binding) out.binding = p.binding;
    if (p.note) out.stderr = p.note;
    if (p.exitCode !== undefined) out.exitCode = p.exitCode;
    if (p.truncated) out.truncated = true;
    if (p.error) out.error = p.error;
    return out;
  }

  /** Reads the content of every copied-file entry (after matching, so unmatched files are never read). */
  async readFiles(entries: EntryRecord[]): Promise<void> {
    for (const e of entries) {
      const p = this.pending.get(e.path);
      if (!p?.from || this.contents.has(e.path) || e.linkTarget !== undefined || e.error) continue;
      const r = await this.tree.read(p.from);
      if (r?.ok) {
        this.contents.set(e.path, r.data);
        e.bytes = r.data.length;
      } else if (r) e.error = r.error;
      else {
        // A dangling link in the tree: like a missing file on the host.
        e.absent = true;
      }
    }
  }
}
