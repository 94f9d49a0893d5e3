// Site expectations that differ between installations. Defaults fit a stock openQA tap worker;
// /etc/tapdoctor.yaml (below --root) or --config overrides them, flags override the file.
import {readFile} from 'node:fs/promises';
import {UserError} from './errors.js';

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
}

export const DEFAULT_CONFIG: TapdoctorConfig = {
  greMtu: 1458,
  ignoreInterfaces: [],
  workerUser: '_openqa-worker',
  multiNic: false,
};

const KEYS: Record<keyof TapdoctorConfig, 'number' | 'string' | 'string[]' | 'boolean'> = {
  greMtu: 'number',
  ignoreInterfaces: 'string[]',
  workerUser: 'string',
  multiNic: 'boolean',
  uplink: 'string',
};

/** Parse and validate a config file's text; unknown keys and wrong types are user errors. */
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
    const type = KEYS[key as keyof TapdoctorConfig];
    if (!type) throw new UserError(`${origin}: unknown setting '${key}' (known: ${Object.keys(KEYS).join(', ')})`);
    const ok =
      type === 'string[]' ? Array.isArray(value) && value.every((v) => typeof v === 'string') : typeof value === type;
    if (!ok) throw new UserError(`${origin}: '${key}' must be a ${type}`);
    if (type === 'number' && !(Number.isInteger(value) && (value as number) > 0)) throw new UserError(`${origin}: '${key}' must be a positive integer`);
    out[key] = value;
  }
  return out as Partial<TapdoctorConfig>;
}

/** Load the explicit --config file (must exist) or the optional site file. */
export async function loadConfig(explicitPath: string | undefined, siteFile: string, overrides: Partial<TapdoctorConfig>): Promise<TapdoctorConfig> {
  let fromFile: Partial<TapdoctorConfig> = {};
  const path = explicitPath ?? siteFile;
  try {
    fromFile = await parseConfig(await readFile(path, 'utf8'), path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof UserError) throw error;
    if (explicitPath || (code !== 'ENOENT' && code !== 'ENOTDIR')) throw new UserError(`cannot read config ${path}: ${code ?? (error as Error).message}`);
  }
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return {...DEFAULT_CONFIG, ...fromFile, ...defined};
}
