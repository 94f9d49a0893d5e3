// What a sosreport says about itself: sos version (version.txt), policy, enabled plugins, start
// time and per-command return codes (sos_reports/manifest.json, sos >= 4.0), host name - and
// whether it fell into the SUSE policy trap (src/sources/sosreport/README.md): sos 4.8.1-4.11.1 ran openSUSE/SLES
// hosts (and later Tumbleweed) under the Generic policy, which skips networking, openvswitch,
// firewalld, filesys and networkmanager.
import type {SosTree} from './tree.js';

export interface SosCommandInfo {
  returnCode?: number;
  truncated: boolean;
}

export interface SosMeta {
  version?: string;
  policy?: string;
  /** From manifest.json; undefined when the sosreport has none (sos < 4.0). */
  enabledPlugins?: Set<string>;
  /** Plugins that hit their timeout. */
  timedOut: Set<string>;
  startTime?: string;
  hostname?: string;
  /** manifest.json command entries by their file path below the sosreport root. */
  commands: Map<string, SosCommandInfo>;
  /** manifest.json copied files: specification -> paths below the root. */
  copied: Map<string, string[]>;
  suse: boolean;
  /** The run used the Generic policy (the SUSE policy trap). */
  generic: boolean;
}

/** Plugins the Generic policy does not run although tapdoctor needs their output. */
export const TRAP_PLUGINS = ['networking', 'openvswitch', 'firewalld', 'filesys', 'networkmanager'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export async function readSosMeta(tree: SosTree): Promise<SosMeta> {
  const meta: SosMeta = {timedOut: new Set(), commands: new Map(), copied: new Map(), suse: false, generic: false};
  const version = await tree.text('version.txt');
  const v = version ? /\d+\.\d+(?:\.\d+)?/.exec(version) : null;
  if (v) meta.version = v[0];
  readManifest(await tree.text('sos_reports/manifest.json'), meta);
  meta.hostname = firstLine(await tree.text('hostname')) ?? firstLine(await tree.text('sos_commands/host/hostname')) ?? firstLine(await tree.text('sos_commands/general/hostname'));
  const osRelease = (await tree.text('etc/os-release')) ?? (await tree.text('usr/lib/os-release')) ?? '';
  meta.suse = /^ID(?:_LIKE)?=.*(?:suse|sles)/im.test(osRelease) || (await tree.kind('etc/SUSE-brand')) !== undefined;
  meta.generic = meta.policy !== undefined && /generic/i.test(meta.policy);
  return meta;
}

function readManifest(text: string | undefined, meta: SosMeta): void {
  if (text === undefined) return;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return; // an unreadable manifest only loses the return codes; the tree itself still speaks
  }
  if (!isObject(doc)) return;
  if (typeof doc.version === 'string' && meta.version === undefined) meta.version = doc.version;
  if (typeof doc.policy === 'string') meta.policy = doc.policy;
  if (typeof doc.start_time === 'string') meta.startTime = doc.start_time;
  const report = isObject(doc.components) && isObject(doc.components.report) ? doc.components.report : undefined;
  if (!report) return;
  if (Array.isArray(report.enabled_plugins)) meta.enabledPlugins = new Set(report.enabled_plugins.filter((p): p is string => typeof p === 'string'));
  if (!isObject(report.plugins)) return;
  // sos 4.0 writes `enabled_plugins: []` although its plugins ran: the plugins it reports ran too.
  meta.enabledPlugins = new Set([...(meta.enabledPlugins ?? []), ...Object.keys(report.plugins)]);
  for (const [name, plugin] of Object.entries(report.plugins)) {
    if (!isObject(plugin)) continue;
    if (plugin.timeout_hit === true) meta.timedOut.add(name);
    for (const c of Array.isArray(plugin.commands) ? plugin.commands : []) {
      if (!isObject(c) || typeof c.filepath !== 'string') continue;
      const info: SosCommandInfo = {truncated: c.truncated === true};
      if (typeof c.return_code === 'number') info.returnCode = c.return_code;
      meta.commands.set(c.filepath.replace(/^\/+/, ''), info);
    }
    for (const f of Array.isArray(plugin.files) ? plugin.files : []) {
      if (!isObject(f) || typeof f.specification !== 'string' || !Array.isArray(f.files_copied)) continue;
      meta.copied.set(f.specification, f.files_copied.filter((p): p is string => typeof p === 'string').map((p) => p.replace(/^\/+/, '')));
    }
  }
}

function firstLine(text: string | undefined): string | undefined {
  const line = text?.split('\n')[0]?.trim();
  return line ? line : undefined;
}

/**
 * Why a plugin tapdoctor needs has no output when the policy trap explains it, else undefined:
 * "sos 4.9.0 used the Generic policy on this SUSE host: no networking/openvswitch output".
 */
export function trapNote(meta: SosMeta, plugin: string): string | undefined {
  if (!TRAP_PLUGINS.includes(plugin) || meta.enabledPlugins?.has(plugin)) return undefined;
  const what = plugin === 'networking' || plugin === 'openvswitch' ? 'networking/openvswitch' : plugin;
  const sos = `sos ${meta.version ?? '(unknown version)'}`;
  if (meta.generic) return `${sos} used the Generic policy${meta.suse ? ' on this SUSE host' : ''}: no ${what} output`;
  // Not Generic, yet networking/openvswitch did not run: say so with the same words.
  if (meta.enabledPlugins && (plugin === 'networking' || plugin === 'openvswitch')) return `${sos} did not run the ${plugin} plugin: no ${plugin} output`;
  return undefined;
}

/** Whether a plugin ran: per the manifest when there is one, else by its sos_commands directory. */
export async function pluginRan(meta: SosMeta, tree: SosTree, plugin: string): Promise<boolean> {
  if (meta.enabledPlugins) return meta.enabledPlugins.has(plugin);
  return (await tree.kind(`sos_commands/${plugin}`)) === 'dir';
}
