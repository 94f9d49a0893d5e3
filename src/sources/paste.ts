// Loose files as a partial snapshot: `tapdoctor analyze --input SOURCE=FILE ...` for what a ticket
// carries (an `iptables -L -n -v` paste, `ip addr` text, `nft list ruleset`, a copied fstab). Each
// file is named by its catalogue source; the format is detected where one source has several
// (iptables-save vs -S vs -L, ip JSON vs text; nft text and JSON are both read by the facts), and
// converted to what the live collector stores, the entry saying so. Every source not given is
// failed with "not given", so the checks that need it skip and say why. The same redaction,
// template refusal and size limits as for a snapshot apply.
import {constants} from 'node:fs';
import {open} from 'node:fs/promises';

import {UserError} from '../errors.js';
import {CONVERTED_NOTE, dumpFromListings, dumpFromRuleSpecs, parseIptablesSave, serializeIptablesSave} from '../parsers/iptables/index.js';
import {skipJunk} from '../parsers/junk.js';
import {ovsTableToJson, parseOvsTextList} from '../parsers/ovs-text.js';
import {detectMountsFormat, MOUNTS_LOSS, mountinfoFromMountOutput, mountinfoFromProcMounts} from '../parsers/mounts-text.js';
import {CATALOGUE, NEVER_CAPTURED, type SourceSpec} from './catalogue.js';
import {inferManifest, type TreeItem} from './infer-manifest.js';
import {redactCaptured} from './redact.js';
import {commandPath, filePath, type Snapshot} from './snapshot.js';
import {IP_ADDRESS_TEXT, linkToIpJson, parseIpDAddressText, parseIpRouteText, routeToIpJson} from './sosreport/ip-text.js';
import {refuseTemplates} from './templates.js';
import {readToEnd} from './read-open.js';

const MiB = 1024 * 1024;
const NOT_GIVEN = 'not given (analyze --input SOURCE=FILE)';

/** `SOURCE=FILE`, `SOURCE[KEY]=FILE` (per-key sources: `ovs.flows[br1]=flows.txt`). */
export interface PasteInput {
  source: string;
  key?: string;
  file: string;
}

/** Source names --input accepts, for --help: every catalogue source but the probes. */
export function pasteSourceNames(): string[] {
  return CATALOGUE.filter((s) => s.kind !== 'probe').map((s) => s.name);
}

export function parsePasteArg(arg: string): PasteInput {
  const m = /^([a-z0-9.-]+)(?:\[([^\]]+)\])?=(.+)$/.exec(arg);
  if (!m) throw new UserError(`--input ${arg}: expected SOURCE=FILE (or SOURCE[KEY]=FILE); sources: see tapdoctor analyze --help`);
  const spec = CATALOGUE.find((s) => s.name === m[1]);
  if (!spec || spec.kind === 'probe') throw new UserError(`--input ${arg}: unknown source ${m[1]} (see tapdoctor analyze --help for the names)`);
  if (spec.kind === 'perKey' && m[2] === undefined) throw new UserError(`--input ${arg}: ${spec.name} needs a key: ${spec.name}[KEY]=FILE (e.g. the bridge or binary)`);
  return {source: m[1]!, file: m[3]!, ...(m[2] !== undefined ? {key: m[2]} : {})};
}

interface Stored {
  path: string;
  data: Buffer;
  binding: string;
  note?: string;
}

/** Builds the partial snapshot from the given files; a bad file is one UserError line. */
export async function readPastes(inputs: PasteInput[], maxBytes = 64 * MiB): Promise<Snapshot> {
  const items = new Map<string, TreeItem>();
  const stored = new Map<string, Stored>();
  for (const input of inputs) {
    const spec = CATALOGUE.find((s) => s.name === input.source)!;
    const text = (await readFileLimited(input.file, maxBytes)).toString('utf8');
    const s = convert(spec, input, text);
    if (stored.has(s.path)) throw new UserError(`--input ${input.source}: given twice`);
    stored.set(s.path, s);
    items.set(s.path, {bytes: s.data.length});
  }
  const given = new Set(inputs.map((i) => i.source));
  const failed: Record<string, string> = {};
  for (const spec of CATALOGUE) if (!given.has(spec.name)) failed[spec.name] = NOT_GIVEN;
  const manifest = inferManifest(items, {failed, hostname: 'pasted input', capturedAt: new Date().toISOString(), root: '/'});
  manifest.tool = {name: 'tapdoctor --input', version: '1'};
  const contents = new Map<string, Buffer>();
  for (const rec of Object.values(manifest.sources)) {
    const spec = CATALOGUE.find((s) => s.name === rec.name)!;
    for (const e of rec.entries) {
      const s = stored.get(e.path);
      if (!s) continue;
      e.binding = s.binding;
      if (s.note) e.stderr = s.note;
      const r = redactCaptured(s.data, spec.kind === 'files' ? spec.redaction : 'none');
      contents.set(e.path, r.data);
      e.bytes = r.data.length;
      if (r.redacted.length > 0) e.redacted = r.redacted;
    }
  }
  const snapshot = {manifest, contents};
  refuseTemplates(snapshot);
  return snapshot;
}

function convert(spec: SourceSpec, input: PasteInput, raw: string): Stored {
  const binding = `${input.file} (--input ${input.source}${input.key ? `[${input.key}]` : ''})`;
  if (spec.kind === 'files') {
    const hostPath = hostPathFor(spec.paths, input.file);
    if (NEVER_CAPTURED.includes(hostPath)) throw new UserError(`--input ${input.source}: ${hostPath} is never read (secrets)`);
    if (spec.name === 'mountinfo') return {path: filePath(hostPath), binding: hostPath, ...mountinfoText(raw, input)};
    return {path: filePath(hostPath), data: Buffer.from(raw), binding: hostPath, note: `from ${input.file} (--input)`};
  }
  const path = commandPath(spec.name, input.key);
  const text = raw.replace(/^\uFEFF/, '');
  const fail = (why: string): never => {
    throw new UserError(`--input ${input.source}=${input.file}: ${why}`);
  };
  try {
    switch (spec.name) {
      case 'iptables.save':
      case 'ip6tables.save':
      case 'iptables-legacy.save':
        return {path, binding, ...iptablesText(text, input.file, spec.name === 'ip6tables.save' ? 'ipv6' : 'ipv4')};
      case 'ip.addr':
        if (looksJson(text)) return {path, binding, data: Buffer.from(text)};
        {
          const t = skipJunk(text, IP_ADDRESS_TEXT);
          const json = parseIpDAddressText(t.text, input.file).map(linkToIpJson);
          return {path, binding, data: Buffer.from(JSON.stringify(json)), note: `${CONVERTED_NOTE} \`ip address\` text to ip -j JSON${t.note ? `; ${t.note}` : ''}`};
        }
      case 'ip.route4':
      case 'ip.route6': {
        if (looksJson(text)) return {path, binding, data: Buffer.from(text)};
        const routes = parseIpRouteText(text, input.file)[spec.name === 'ip.route4' ? 'inet' : 'inet6'].map(routeToIpJson);
        return {path, binding, data: Buffer.from(JSON.stringify(routes)), note: `${CONVERTED_NOTE} \`ip route\` text to ip -j JSON (main table only)`};
      }
      case 'ovs.bridges':
      case 'ovs.ports':
      case 'ovs.interfaces': {
        if (looksJson(text)) return {path, binding, data: Buffer.from(text)};
        const {table, markersCut} = parseOvsTextList(text, input.file);
        const cut = markersCut > 0 ? `; cut ${markersCut} terminal scroll marker${markersCut === 1 ? '' : 's'} ("[63/1861]")` : '';
        return {path, binding, data: Buffer.from(ovsTableToJson(table)), note: `${CONVERTED_NOTE} \`ovs-vsctl list\` text to --format=json${cut}`};
      }
      default:
        return {path, binding, data: Buffer.from(text)};
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    return fail((err as Error).message);
  }
}

/** iptables-save as is; `iptables -L -v -n [-x]` and `iptables -S` converted, saying what they cannot show. */
function iptablesText(text: string, origin: string, family: 'ipv4' | 'ipv6'): {data: Buffer; note?: string} {
  const lines = text.split('\n');
  const first = (re: RegExp) => lines.findIndex((l) => re.test(l));
  const save = first(/^\*[a-z]+\s*$/);
  const chain = first(/^Chain \S+ \(/);
  const spec = first(/^-[PNA] \S+/);
  const candidates = [save, chain, spec].filter((i) => i >= 0);
  if (candidates.length === 0) throw new Error('neither iptables-save, iptables -S nor iptables -L -v -n output');
  const start = Math.min(...candidates);
  if (start === save) {
    parseIptablesSave(text, origin); // strict: a broken paste says where
    return {data: Buffer.from(text)};
  }
  const body = lines.slice(start).join('\n');
  const skipped = lines.slice(0, start).filter((l) => l.trim() !== '').length;
  const junk = skipped > 0 ? `skipped ${skipped} leading line${skipped === 1 ? '' : 's'} before the rules; ` : '';
  const {dump, limits} = start === chain ? dumpFromListings([{text: body, origin}], family) : dumpFromRuleSpecs(body, origin, family);
  if (dump.errors.length > 0) throw dump.errors[0]!;
  const what = start === chain ? 'an iptables -L listing' : 'iptables -S rules';
  return {data: Buffer.from(serializeIptablesSave(dump)), note: `${CONVERTED_NOTE} ${what}: ${junk}${limits.join('; ')}`};
}

/** /proc/self/mountinfo as is; /proc/mounts and `mount` output converted, saying what they lack. */
function mountinfoText(raw: string, input: PasteInput): {data: Buffer; note: string} {
  const format = detectMountsFormat(raw);
  if (format === undefined) throw new UserError(`--input ${input.source}=${input.file}: neither /proc/self/mountinfo, /proc/mounts nor mount output`);
  if (format === 'mountinfo') return {data: Buffer.from(raw), note: `from ${input.file} (--input)`};
  try {
    const text = format === 'mount' ? mountinfoFromMountOutput(raw, input.file) : mountinfoFromProcMounts(raw, input.file);
    return {data: Buffer.from(text), note: `${CONVERTED_NOTE} ${format === 'mount' ? '`mount` output' : '/proc/mounts'} (${input.file}): ${MOUNTS_LOSS}`};
  } catch (err) {
    throw new UserError(`--input ${input.source}=${input.file}: ${(err as Error).message}`);
  }
}

function looksJson(text: string): boolean {
  const t = text.trimStart();
  return t.startsWith('[') || t.startsWith('{');
}

/** The host path a pasted file stands for: the source's only path, or its glob with the file's name. */
function hostPathFor(paths: string[], file: string): string {
  const base = file.slice(file.lastIndexOf('/') + 1);
  for (const p of paths) {
    if (!p.includes('*')) {
      if (paths.length === 1 || p.endsWith(`/${base}`)) return p;
      continue;
    }
    const re = new RegExp(`^${p.slice(p.lastIndexOf('/') + 1).split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
    if (!p.slice(0, p.lastIndexOf('/')).includes('*') && re.test(base)) return `${p.slice(0, p.lastIndexOf('/'))}/${base}`;
  }
  return paths.find((p) => !p.includes('*')) ?? paths[0]!.replace('*', base);
}

async function readFileLimited(file: string, maxBytes: number): Promise<Buffer> {
  const fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') throw new UserError(`no such file: ${file}`);
    if (err.code === 'EACCES' || err.code === 'EPERM') throw new UserError(`permission denied: ${file}`);
    throw new UserError(`cannot read ${file}: ${err.code ?? err.message}`);
  });
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new UserError(`${file}: not a regular file`);
    if (st.size > maxBytes) throw new UserError(`${file}: ${st.size} bytes, over the ${maxBytes}-byte limit`);
    return await readToEnd(fh, st.size);
  } finally {
    await fh.close();
  }
}
