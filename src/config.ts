// Site expectations that differ between installations. Defaults fit a stock openQA tap worker;
// the host's /etc/tapdoctor.yaml (below --root on a live run, the copy captured in the snapshot
// for analyze/gate --snapshot) or --config overrides them, flags override the file.
import type {Snapshot} from './sources/snapshot.js';
import {readFile} from 'node:fs/promises';
import {UserError} from './errors.js';

export interface Waiver {
  /** The check it accepts a finding of (TD001). */
  check: string;
  /** The finding's subject; `*` and `?` globs allowed; absent: every subject of the check. */
  subject?: string;
  /** Why the deviation is intended: required, shown wherever the waived finding is. */
  reason: string;
  /** YYYY-MM-DD, the last day it holds; afterwards the finding counts again and the waiver warns. */
  expires: string;
}

export interface TapdoctorConfig {
  /** MTU the SUTs behind GRE must use (1458 = 1500 - 20 IPv4 - 4 GRE - 14 Ethernet - 4 VLAN). */
  greMtu: number;
  /** Interface names (or `prefix*` globs) never taken for an uplink. */
  ignoreInterfaces: string[];
  /** The user the openQA worker and its qemu run as. */
  workerUser: string;
  /** Expect tap(N-1+64k) for multi-NIC jobs as well as tap(N-1). */
  multiNic: boolean;
  /** Interfaces the firewall rules must name as the uplink, when it is not the default-route device. */
  uplink?: string;
  /** Findings the site accepts, each with a reason and an expiry date. */
  waivers: Waiver[];
}

export const DEFAULT_CONFIG: TapdoctorConfig = {
  greMtu: 1458,
  ignoreInterfaces: [],
  workerUser: '_openqa-worker',
  multiNic: false,
  waivers: [],
};

/** The same limits as the --gre-mtu flag: one rule for the file and the command line. */
export const GRE_MTU_RANGE = {min: 576, max: 9000} as const;

type Validator = (value: unknown) => string | undefined;

const isString = (v: unknown) => typeof v === 'string' && v !== '';
const KEYS: Record<keyof TapdoctorConfig, Validator> = {
  greMtu: (v) => (Number.isInteger(v) && (v as number) >= GRE_MTU_RANGE.min && (v as number) <= GRE_MTU_RANGE.max ? undefined : `must be an integer from ${GRE_MTU_RANGE.min} to ${GRE_MTU_RANGE.max} (an MTU)`),
  ignoreInterfaces: (v) => (Array.isArray(v) && v.every(isString) ? undefined : 'must be a list of interface names'),
  workerUser: (v) => (isString(v) ? undefined : 'must be a user name'),
  multiNic: (v) => (typeof v === 'boolean' ? undefined : 'must be true or false'),
  uplink: (v) => (isString(v) ? undefined : 'must be an interface name'),
  waivers: (v) => (Array.isArray(v) ? undefined : 'must be a list of {check, subject, reason, expires}'),
};

const WAIVER_KEYS = ['check', 'subject', 'reason', 'expires'] as const;

/** Parse and validate a settings file's text; every problem names the key and the reason. */
export async function parseConfig(text: string, origin: string): Promise<Partial<TapdoctorConfig>> {
  const {parse} = await import('yaml');
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new UserError(`${origin}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new UserError(`${origin}: expected a mapping of settings`);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const validate = KEYS[key as keyof TapdoctorConfig];
    if (!validate) throw new UserError(`${origin}: unknown setting '${key}' (known: ${Object.keys(KEYS).join(', ')})`);
    const problem = validate(value);
    if (problem) throw new UserError(`${origin}: '${key}' ${problem}, got ${JSON.stringify(value)}`);
    out[key] = key === 'waivers' ? (value as unknown[]).map((w, i) => parseWaiver(w, `${origin}: waivers[${i}]`)) : value;
  }
  return out as Partial<TapdoctorConfig>;
}

function parseWaiver(raw: unknown, where: string): Waiver {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UserError(`${where} must be a mapping {check, subject, reason, expires}`);
  const w = raw as Record<string, unknown>;
  for (const key of Object.keys(w)) {
    if (!(WAIVER_KEYS as readonly string[]).includes(key)) throw new UserError(`${where}: unknown key '${key}' (known: ${WAIVER_KEYS.join(', ')})`);
  }
  if (typeof w.check !== 'string' || !/^TD\d{3}$/i.test(w.check)) throw new UserError(`${where}: 'check' must be a check ID such as TD001, got ${JSON.stringify(w.check)}`);
  if (w.subject !== undefined && !isString(w.subject)) throw new UserError(`${where}: 'subject' must be a non-empty string (a glob such as eth*), got ${JSON.stringify(w.subject)}`);
  if (!isString(w.reason) || (w.reason as string).trim() === '') throw new UserError(`${where}: 'reason' is required: say why this deviation is intended`);
  // YAML 1.1 parsers turn 2027-03-31 into a date; the yaml package (1.2) keeps a string. Take both.
  const expires = w.expires instanceof Date ? w.expires.toISOString().slice(0, 10) : w.expires;
  if (typeof expires !== 'string' || !isIsoDate(expires)) throw new UserError(`${where}: 'expires' is required as a date YYYY-MM-DD, got ${JSON.stringify(w.expires)}`);
  return {check: w.check.toUpperCase(), ...(w.subject !== undefined ? {subject: w.subject as string} : {}), reason: (w.reason as string).trim(), expires};
}

function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export interface Settings {
  config: TapdoctorConfig;
  /** Where they came from, for every report: a path, "snapshot:/etc/tapdoctor.yaml" or "defaults" (plus overriding flags). */
  from: string;
}

/** Where the settings file comes from: an explicit --config, the host's file, or the snapshot's copy. */
export type SettingsSource =
  | {kind: 'explicit'; path: string}
  | {kind: 'site'; path: string}
  | {kind: 'captured'; text: string | undefined; origin: string};

export async function loadSettings(source: SettingsSource, overrides: Partial<TapdoctorConfig>, flagNames: string[] = []): Promise<Settings> {
  let fromFile: Partial<TapdoctorConfig> = {};
  let from = 'defaults';
  if (source.kind === 'captured') {
    if (source.text !== undefined) {
      fromFile = await parseConfig(source.text, source.origin);
      from = source.origin;
    }
  } else {
    let text: string | undefined;
    try {
      text = await readFile(source.path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const missing = code === 'ENOENT' || code === 'ENOTDIR';
      if (source.kind === 'explicit') throw new UserError(missing ? `--config ${source.path}: no such file` : `--config ${source.path}: cannot read it (${code ?? (error as Error).message})`);
      if (!missing) throw new UserError(`cannot read settings ${source.path}: ${code ?? (error as Error).message}`);
    }
    if (text !== undefined) {
      fromFile = await parseConfig(text, source.path);
      from = source.path;
    }
  }
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  if (flagNames.length > 0) from = `${from}, overridden by ${flagNames.join(', ')}`;
  return {config: {...DEFAULT_CONFIG, ...fromFile, ...defined}, from};
}

/** The snapshot's own copy of /etc/tapdoctor.yaml (source tapdoctor.settings), captured by `snapshot`. */
export const SETTINGS_SOURCE = 'tapdoctor.settings';
export const SETTINGS_PATH = '/etc/tapdoctor.yaml';

/**
 * The settings a snapshot brings: its host's captured file, or the defaults when the host had none;
 * flags override either. One snapshot gives the same result on every analyzing machine.
 */
export async function snapshotSettings(snapshot: Snapshot, overrides: Partial<TapdoctorConfig>, flagNames: string[] = []): Promise<Settings> {
  const {SnapshotView} = await import('./sources/snapshot.js');
  const record = snapshot.manifest.sources[SETTINGS_SOURCE];
  // A capture that never holds the file (a sosreport, pasted outputs, a snapshot older than the
  // source) leaves the defaults in force, and the report says why. A file the capture found but
  // could not read is refused: its settings may change what the checks expect.
  if (!record || (record.status === 'failed' && record.entries.length === 0)) {
    const why = record?.reason ? `not in this capture: ${record.reason}` : 'not in this capture';
    const settings = await loadSettings({kind: 'captured', text: undefined, origin: ''}, overrides, flagNames);
    return {...settings, from: settings.from.replace(/^defaults/, `defaults (${SETTINGS_PATH} ${why})`)};
  }
  const captured = new SnapshotView(snapshot).file(SETTINGS_SOURCE, SETTINGS_PATH);
  if (!captured.ok) throw new UserError(`the snapshot's ${SETTINGS_PATH}: ${captured.reason}; give --config FILE`);
  const settings = await loadSettings({kind: 'captured', text: captured.value?.text, origin: `snapshot:${SETTINGS_PATH}`}, overrides, flagNames);
  // The capture looked and the host had no file: the defaults were in force there too.
  if (!captured.value) return {...settings, from: settings.from.replace(/^defaults/, `defaults (no ${SETTINGS_PATH} on the captured host)`)};
  return settings;
}

/** Load the explicit --config file (must exist) or the optional site file. */
export async function loadConfig(explicitPath: string | undefined, siteFile: string, overrides: Partial<TapdoctorConfig>): Promise<TapdoctorConfig> {
  return (await loadSettings(explicitPath ? {kind: 'explicit', path: explicitPath} : {kind: 'site', path: siteFile}, overrides)).config;
}
