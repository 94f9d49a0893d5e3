// TD107: the services the tap setup needs must be enabled, not just running: openvswitch,
// os-autoinst-openvswitch (the OpenFlow rules, docs/checks/TD010.md), the network service that owns the
// bridge config (wicked or NetworkManager), and every openQA worker instance running now. A
// service started with `systemctl start` runs until the next boot only. The firewall unit is
// TD104's business (which one depends on where the NAT lives).
import {defineCheck, evidence, pass, type FindingDraft} from './define.js';
import meta from './TD107-units-not-enabled.meta.js';
import {FactUnavailable} from '../facts/facts.js';
import {activeUnits, enabledUnits} from '../facts/host/units.js';
import {switchConfig, tapInstances} from '../facts/openqa.js';
import {bridgeHomes} from '../facts/network-config/index.js';
import {enabledOneOf} from '../facts/persistence.js';
import {enableUnit} from '../remedies/system.js';
import {POOL_DIR, WORKER_TARGET, workerTargetBoot, type WorkerTargetBoot} from '../facts/worker-target.js';
import type {Mount} from '../facts/types.js';

const WORKER_UNIT = /^openqa-worker(?:-plain|-auto-restart)?@(\d{1,6})\.service$/;
const RUNNING = new Set(['active', 'activating', 'reloading']);

interface Requirement {
  /** Any of these enabled satisfies it; the first is what the fix enables. */
  units: string[];
  why: string;
  /** The finding's kind: a service the tap setup needs, or a worker instance running now. */
  kind: 'service-not-enabled' | 'worker-not-enabled' | 'worker-target-misses-pool';
  /** Why something else that could have started it at boot does not (openqa-worker.target). */
  but?: string;
  /** The filesystem the worker pool lies on, when that is why the target misses it. */
  poolMount?: Mount;
}

export default defineCheck(meta, (f) => {
  const enabled = f.get(enabledUnits);
  const active = f.try(activeUnits);
  const taps = f.get(tapInstances);
  const required: Requirement[] = [];
  const notes: string[] = [];

  if (taps.length > 0) {
    required.push({kind: 'service-not-enabled', units: ['openvswitch.service', 'openvswitch-switch.service'], why: 'it brings up the OVS bridge and its ports'});
    required.push({kind: 'service-not-enabled', units: ['os-autoinst-openvswitch.service'], why: 'without it the bridge has no OpenFlow rules and tap jobs cannot be tagged'});
    const bridge = f.get(switchConfig).bridge;
    // One network service must run the bridge config; a second config left over for another
    // service (salt writes ifcfg-br1 even for its NetworkManager backend) needs no second service.
    const homes = bridgeHomes(f, bridge);
    const services = homes.flatMap((home) => {
      if (home.setup === 'wicked') return [{unit: 'wicked.service', why: `${home.paths.join(', ')} configure${home.paths.length === 1 ? 's' : ''} ${bridge} and its taps`}];
      if (home.setup === 'NetworkManager') return [{unit: 'NetworkManager.service', why: `its profiles (${home.paths.join(', ')}) configure ${bridge} and its taps`}];
      // network-scripts is a SysV service: its enablement (/etc/rc.d) is not captured.
      notes.push(`${bridge} is configured in ${home.paths.join(', ')}; whether the SysV network service is enabled is not captured`);
      return [];
    });
    if (services.length > 0) required.push({kind: 'service-not-enabled', units: services.map((x) => x.unit), why: services.map((x) => x.why).join('; ')});
  }

  if (active.ok) {
    for (const [unit, state] of Object.entries(active.value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const m = WORKER_UNIT.exec(unit);
      if (!m || !RUNNING.has(state.active)) continue;
      const n = m[1]!;
      // Any flavour of the same instance enabled keeps the instance after a reboot.
      const variants = [unit, ...['openqa-worker', 'openqa-worker-plain', 'openqa-worker-auto-restart'].map((b) => `${b}@${n}.service`).filter((u) => u !== unit)];
      if (enabledOneOf(enabled, variants)) continue;
      // An enabled openqa-worker.target starts openqa-worker@N for each pool dir its generator sees at boot.
      const boot = f.get(workerTargetBoot);
      if (boot.enabled && boot.poolSeenAtBoot) {
        notes.push(`worker instance ${n} starts at boot through ${WORKER_TARGET} (openQA's systemd-openqa-generator links openqa-worker@${n} for ${POOL_DIR}/${n}, on the root filesystem)`);
        continue;
      }
      required.push({kind: boot.enabled ? 'worker-target-misses-pool' : 'worker-not-enabled', units: variants, why: `worker instance ${n} is ${state.active} now`, ...(boot.enabled ? {but: targetMisses(boot)} : {}), ...(boot.enabled && boot.poolMount ? {poolMount: boot.poolMount} : {})});
    }
  }

  const findings: FindingDraft[] = [];
  for (const r of required) {
    if (enabledOneOf(enabled, r.units)) continue;
    const unit = r.units[0]!;
    const state = active.ok ? active.value[unit] : undefined;
    findings.push({
      kind: r.kind,
      subject: unit,
      message: `${unit} is ${state ? `${state.active} (${state.sub}) now but ` : ''}not enabled${r.but ? `; ${r.but}` : ''}: after a reboot it does not start, and ${r.why}`,
      fix: [enableUnit(unit)],
      evidence: [
        evidence('systemd.wants', `no link named ${r.units.join(' or ')} in /etc/systemd/system/*.wants/`),
        ...(state ? [evidence('systemd.units', `${unit} ${state.load} ${state.active} ${state.sub} ${state.description}`)] : []),
        ...(r.poolMount ? [evidence('mountinfo', `${POOL_DIR} lies on ${r.poolMount.mountPoint} (${r.poolMount.fsType} ${r.poolMount.source})`)] : []),
      ],
    });
  }
  // Which worker instances run now is half of the question: without it the gate cannot say safe.
  if (findings.length === 0 && !active.ok) throw new FactUnavailable(`running worker instances unknown (${active.reason}): whether each is enabled cannot be judged`);
  if (findings.length === 0 && notes.length > 0) return pass(notes.join('; '));
  return findings;
});

/** Why an enabled openqa-worker.target does not bring the instance back. */
function targetMisses(boot: WorkerTargetBoot): string {
  if (boot.poolSeenAtBoot === undefined) return `${WORKER_TARGET} is enabled, but whether its generator sees ${POOL_DIR} at boot is unknown (${boot.unknown ?? 'mounts unknown'})`;
  return `${WORKER_TARGET} is enabled, but ${POOL_DIR} lies on ${boot.poolMount!.mountPoint}, and generators run before ${boot.poolMount!.mountPoint} is mounted (systemd.generator(7)): openQA's systemd-openqa-generator finds no pool directory at boot and the target starts no instance`;
}
