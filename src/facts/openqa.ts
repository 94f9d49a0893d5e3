// openQA worker facts: the effective switch-service configuration, the worker instances and their
// settings, the jobs in the pool and the taps each tap-class instance needs.
//
// Probe contract assumed for `openqa.qemu-alive` (written by the collector, see catalogue.ts):
// one entry per pool directory that has a qemu.pid; entry key = the pool directory
// (`/var/lib/openqa/pool/3`); text = /proc/<pid>/cmdline of that pid (argv NUL-separated); the
// entry carries `error` or `absent` when no such process exists any more. A pid whose argv[0]
// basename does not start with `qemu` was reused by another program: the job is not alive.
import {posix} from 'node:path';
import {modelOrParseError, ParseError} from '../parsers/errors.js';
import {parseVarsJson, parseQemuPid} from '../parsers/pool.js';
import {parseShellVars} from '../parsers/shellvars.js';
import {type EnvFileOp, type EnvOp} from '../parsers/systemd.js';
import {configuredInstances, hostSettings, instanceResolver, parseWorkersIni, resolveGlobal, type WorkersIni} from '../parsers/workers-ini.js';
import type {Fact, Facts} from './facts.js';
import {activeUnits, enabledUnits, readUnitFile} from './host/units.js';
import type {PoolJob, SwitchConfig, WorkerConfig, WorkerInstance} from './types.js';
import {compareStrings} from '../compare.js';

// --- os-autoinst-openvswitch ----------------------------------------------------------------

export const SWITCH_UNIT = 'os-autoinst-openvswitch.service';
/** Unit file locations, highest precedence first (/etc replaces the packaged unit entirely). */
const SWITCH_UNIT_PATHS = [`/etc/systemd/system/${SWITCH_UNIT}`, `/usr/lib/systemd/system/${SWITCH_UNIT}`];
const SWITCH_DROPIN_DIR = `/etc/systemd/system/${SWITCH_UNIT}.d/`;
export const SWITCH_SYSCONFIG = '/etc/sysconfig/os-autoinst-openvswitch';

/** What the service assumes when nothing sets a variable (os-autoinst script/os-autoinst-openvswitch). */
export const SWITCH_DEFAULTS = {
  OS_AUTOINST_USE_BRIDGE: 'br0',
  OS_AUTOINST_BRIDGE_LOCAL_IP: '10.0.2.2',
  OS_AUTOINST_BRIDGE_NETMASK: '15',
  OS_AUTOINST_BRIDGE_REWRITE_TARGET: '10.1.0.0',
} as const;

/** The packaged unit's own lines, used when the unit file was not captured. */
const STOCK_UNIT_ENV: EnvOp[] = [{kind: 'set', name: 'OS_AUTOINST_USE_BRIDGE', value: 'br0', line: 0}];
const STOCK_UNIT_ENV_FILES: EnvFileOp[] = [{kind: 'file', path: SWITCH_SYSCONFIG, optional: true, line: 0}];

/**
 * The service's effective environment, as systemd builds it: Environment= of the unit, then of
 * the drop-ins (sorted by file name), then the EnvironmentFile= files the unit names, which
 * override Environment= (systemd.exec(5)). Origins are `path:line`, or 'default'.
 * A file naming `OS_AUTOINST_USE_BRIDGE=bridge_name` (a docs placeholder) is reported as is.
 */
export const switchConfig: Fact<SwitchConfig> = (f) => {
  const files = f.entries('openqa.switch-config');
  const byPath = new Map(files.map((e) => [e.name, e]));
  const env: Record<string, string> = Object.create(null);
  const origin: Record<string, string> = Object.create(null);
  const problems: string[] = [];

  const unitPath = SWITCH_UNIT_PATHS.find((p) => byPath.has(p));
  const layers: Array<{path: string; env: EnvOp[]; envFiles: EnvFileOp[]}> = [];
  if (unitPath) {
    const unit = readUnitFile(f, 'openqa.switch-config', byPath.get(unitPath)!);
    layers.push({path: unitPath, env: unit.environment, envFiles: unit.environmentFiles});
  } else {
    layers.push({path: 'default', env: STOCK_UNIT_ENV, envFiles: STOCK_UNIT_ENV_FILES});
  }
  const dropIns = files.filter((e) => e.name.startsWith(SWITCH_DROPIN_DIR) && e.name.endsWith('.conf'));
  dropIns.sort((a, b) => compareStrings(posix.basename(a.name), posix.basename(b.name)));
  for (const d of dropIns) {
    const unit = readUnitFile(f, 'openqa.switch-config', d);
    layers.push({path: d.name, env: unit.environment, envFiles: unit.environmentFiles});
  }

  const envFiles: Array<{path: string; optional: boolean}> = [];
  for (const layer of layers) {
    for (const op of layer.env) {
      if (op.kind === 'reset') {
        for (const k of Object.keys(env)) delete env[k];
        continue;
      }
      env[op.name] = op.value;
      origin[op.name] = layer.path === 'default' ? 'default' : `${layer.path}:${op.line}`;
    }
    for (const op of layer.envFiles) {
      if (op.kind === 'reset') envFiles.length = 0;
      else envFiles.push({path: op.path, optional: op.optional});
    }
  }
  if (byPath.has(SWITCH_SYSCONFIG) && !envFiles.some((e) => e.path === SWITCH_SYSCONFIG)) {
    problems.push(`${SWITCH_SYSCONFIG} exists but the unit does not read it (no EnvironmentFile=)`);
  }
  for (const file of envFiles) {
    const entry = byPath.get(file.path);
    if (!entry) {
      if (file.path !== SWITCH_SYSCONFIG) problems.push(`EnvironmentFile ${file.path} is not captured by tapdoctor`);
      else if (!file.optional) problems.push(`EnvironmentFile ${file.path} is required by the unit but missing`);
      continue;
    }
    for (const v of parseShellVars(entry.text, file.path).entries) {
      env[v.name] = v.value;
      origin[v.name] = `${file.path}:${v.line}`;
    }
  }

  const pick = (name: keyof typeof SWITCH_DEFAULTS): {value: string; from: string} =>
    name in env ? {value: env[name]!, from: origin[name]!} : {value: SWITCH_DEFAULTS[name], from: 'default'};
  const bridge = pick('OS_AUTOINST_USE_BRIDGE');
  const localIp = pick('OS_AUTOINST_BRIDGE_LOCAL_IP');
  const netmask = pick('OS_AUTOINST_BRIDGE_NETMASK');
  const rewrite = pick('OS_AUTOINST_BRIDGE_REWRITE_TARGET');
  // The service compares "<ip>/<netmask>" with the bridge address: a non-integer never matches.
  const prefix = /^\d{1,3}$/.test(netmask.value) ? Number(netmask.value) : Number.NaN;
  if (Number.isNaN(prefix)) problems.push(`OS_AUTOINST_BRIDGE_NETMASK='${netmask.value}' is not a prefix length`);

  const config: SwitchConfig = {
    bridge: bridge.value,
    localIp: localIp.value,
    netmask: prefix,
    rewriteTarget: rewrite.value,
    origin: {bridge: bridge.from, localIp: localIp.from, netmask: netmask.from, rewriteTarget: rewrite.from},
    environment: {...env},
  };
  if (problems.length) config.problems = problems;
  return config;
};

// --- workers.ini ------------------------------------------------------------------------------

/**
 * Application order of the worker config files; later files win. openQA reads /etc/openqa and
 * /usr/etc/openqa; which one wins when both exist is unverified upstream, so we let /etc (the
 * admin's) override /usr/etc (the package's): /usr/etc files first, then /etc, each dir's
 * workers.ini before its workers.ini.d/*.ini in name order.
 */
export function workerFileOrder(paths: readonly string[]): string[] {
  const rank = (p: string): [number, string] => {
    const usr = p.startsWith('/usr/etc/') ? 0 : 2;
    const dropIn = p.includes('/workers.ini.d/') ? 1 : 0;
    return [usr + dropIn, posix.basename(p)];
  };
  return [...paths].sort((a, b) => {
    const [ra, na] = rank(a);
    const [rb, nb] = rank(b);
    return ra - rb || compareStrings(na, nb) || compareStrings(a, b);
  });
}

const WORKER_UNIT = /^openqa-worker(?:-plain|-auto-restart)?@(\d{1,6})\.service$/;
const RUNNING_STATES = new Set(['active', 'activating', 'reloading', 'deactivating']);

/** Parsed worker config files in application order. */
export const workerIniFiles: Fact<WorkersIni[]> = (f) => {
  const entries = f.entries('openqa.workers-ini');
  const byPath = new Map(entries.map((e) => [e.name, e]));
  return workerFileOrder([...byPath.keys()]).map((p) => parseWorkersIni(byPath.get(p)!.text, p));
};

/**
 * The worker configuration and its instances. Which instances exist is decided by the
 * openqa-worker{,-plain,-auto-restart}@N units that are enabled or running (openQA lib/OpenQA/Worker/Settings.pm: not
 * by file sections; a [1-100] section must not make 100 taps expected). Only when no unit data was
 * captured (unitsKnown: false) do the instance sections of workers.ini stand in for them.
 * A host without any workers.ini yields an empty config (files: []): it is not a worker, and the
 * checks decide what that means.
 */
export const workerConfig: Fact<WorkerConfig> = (f) => {
  const files = f.get(workerIniFiles);
  const configured = new Set(configuredInstances(files));
  const fromUnits = new Map<number, string[]>();
  const declare = (n: number, why: string) => fromUnits.set(n, [...(fromUnits.get(n) ?? []), why]);

  const enabled = f.try(enabledUnits);
  const active = f.try(activeUnits);
  if (enabled.ok) {
    for (const unit of [...enabled.value].sort()) {
      const m = WORKER_UNIT.exec(unit);
      if (m) declare(Number(m[1]), `enabled ${unit}`);
    }
  }
  if (active.ok) {
    for (const [unit, state] of Object.entries(active.value)) {
      const m = WORKER_UNIT.exec(unit);
      if (m && RUNNING_STATES.has(state.active)) declare(Number(m[1]), `${state.active} ${unit}`);
    }
  }
  // An empty .wants listing is no unit data: every systemd host has some enabled unit, so none at
  // all means the tree was not captured (a chroot, a container, a --root without /etc/systemd).
  const unitsKnown = (enabled.ok && enabled.value.size > 0) || active.ok;
  const numbers = unitsKnown ? [...fromUnits.keys()] : [...configured];

  const resolve = instanceResolver(files);
  const instances: WorkerInstance[] = numbers
    .sort((a, b) => a - b)
    .map((n) => {
      const r = resolve(n);
      const declaredBy = [...(configured.has(n) ? ['workers.ini section'] : []), ...(fromUnits.get(n) ?? [])];
      return {instance: n, settings: r.settings, workerClasses: r.workerClasses, tap: r.workerClasses.some(isTapClass), origin: r.origin, declaredBy};
    });
  const config: WorkerConfig = {
    global: resolveGlobal(files).settings,
    instances,
    files: files.map((x) => x.file),
    hosts: hostSettings(files),
    unitsKnown,
  };
  if (unitsKnown) config.sectionOnlyInstances = [...configured].filter((n) => !fromUnits.has(n));
  return config;
};

/** `tap`, or Fedora's numbered tap classes (`tap2`, one per host; fedora-infra/ansible roles/openqa/worker/tasks/tap-setup.yml). */
export function isTapClass(name: string): boolean {
  return /^tap\d*$/.test(name);
}

// --- taps ------------------------------------------------------------------------------------

/** NIC sets expected with multiNic: tap(N-1), tap(N-1+64), tap(N-1+128) (SUSE setups create three). */
export const MULTI_NIC_SETS = 3;

/** The taps os-autoinst uses for instance N: tap(N-1+64*i) for NIC i. */
export function tapsForInstance(instance: number, multiNic: boolean): string[] {
  const sets = multiNic ? MULTI_NIC_SETS : 1;
  return Array.from({length: sets}, (_, i) => `tap${instance - 1 + 64 * i}`);
}

/** Every tap-class instance with the taps it needs (f.config.multiNic adds the 64k sets). */
export const tapInstances: Fact<Array<{instance: number; taps: string[]}>> = (f) =>
  f
    .get(workerConfig)
    .instances.filter((i) => i.tap)
    .map((i) => ({instance: i.instance, taps: tapsForInstance(i.instance, f.config.multiNic)}));

// --- the pool --------------------------------------------------------------------------------

const POOL_DIR = /^\/var\/lib\/openqa\/pool\/([^/]+)$/;

/**
 * Jobs in the pool. A directory with vars.json but no live qemu is kept with alive=false: a job
 * that ended with --no-cleanup, or one starting up. A vars.json that does not parse gives the job
 * a `problem` instead of failing the whole fact (os-autoinst rewrites it while a job starts).
 */
export const poolJobs: Fact<PoolJob[]> = (f) => {
  const dirs = new Map<string, {vars?: string; pid?: string}>();
  for (const e of f.entries('openqa.pool')) {
    const dir = posix.dirname(e.name);
    const file = posix.basename(e.name);
    const slot = dirs.get(dir) ?? {};
    if (file === 'vars.json') slot.vars = e.text;
    else if (file === 'qemu.pid') slot.pid = e.text;
    dirs.set(dir, slot);
  }
  const probe = qemuAlive(f);
  const jobs: PoolJob[] = [];
  for (const [dir, slot] of dirs) {
    const m = POOL_DIR.exec(dir);
    if (!m) continue;
    const {vars: varsText, pid: pidText} = slot;
    const varsRead = varsText === undefined ? undefined : modelOrParseError(() => parseVarsJson(varsText, `${dir}/vars.json`));
    const parsed = varsRead instanceof ParseError ? undefined : varsRead;
    const instance = /^\d{1,6}$/.test(m[1]!) ? Number(m[1]) : parsed?.workerInstance;
    if (instance === undefined) continue; // not an instance directory (e.g. pool/1.bak)
    const pidRead = pidText === undefined ? undefined : modelOrParseError(() => parseQemuPid(pidText, `${dir}/qemu.pid`));
    const pid = pidRead instanceof ParseError ? undefined : pidRead;
    const problem = [varsRead, pidRead].find((r): r is ParseError => r instanceof ParseError)?.message; // vars.json's first
    const job: PoolJob = {
      instance,
      dir,
      vars: parsed?.vars ?? {},
      tapDevices: parsed?.tapDevices ?? [],
      vlans: parsed?.vlans ?? [],
      alive: pid !== undefined && probe.known && probe.alive(dir),
      aliveProbed: probe.known,
    };
    if (parsed?.nicType !== undefined) job.nicType = parsed.nicType;
    if (pid !== undefined) job.pid = pid;
    if (parsed?.mtu !== undefined) job.mtu = parsed.mtu;
    if (parsed && parsed.tapDevAuto && parsed.nicType === 'tap') {
      // TAPDEV unset/auto: os-autoinst uses tap(instance-1+64*i), one per VLAN (at least one).
      job.tapDevices = Array.from({length: Math.max(1, parsed.vlans.length)}, (_, i) => `tap${instance - 1 + 64 * i}`);
      job.tapDevicesDerived = true;
    }
    if (problem) job.problem = problem;
    jobs.push(job);
  }
  return jobs.sort((a, b) => a.instance - b.instance || compareStrings(a.dir, b.dir));
};

function qemuAlive(f: Facts): {known: boolean; alive: (dir: string) => boolean} {
  if (f.view.unusable('openqa.qemu-alive')) return {known: false, alive: () => false};
  // entries() leaves out processes that are gone (entry error/absent).
  const cmdlines = new Map(f.entries('openqa.qemu-alive').map((e) => [e.name, e.text]));
  const alive = (dir: string): boolean => {
    const cmdline = cmdlines.get(dir);
    if (cmdline === undefined) return false;
    const argv0 = cmdline.split('\0', 1)[0]!.trim();
    return posix.basename(argv0).startsWith('qemu');
  };
  return {known: true, alive};
}
