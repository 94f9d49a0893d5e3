// TD014 worker-class-tap: WORKER_CLASS and the tap setup must agree. Each instance advertising
// `tap` (or Fedora's `tap2`, ...) on a host whose effective bridge is missing or whose switch
// service is not running takes multi-machine jobs that then fail (older workers) or goes broken
// (openQA@eeb2e670d, poo#162284): a warning per instance, subject = the instance number (the root
// causes are TD010/TD011 errors). Taps on the effective bridge with no instance advertising tap:
// multi-machine jobs never come here (warning on the workers.ini; deliberate while MM is being
// repaired). openQA commit eeb2e670d, poo#162284; docs/checks/TD014.md.
import {notApplicable, defineCheck, pass, skip, type CheckOutcome, type FindingDraft} from './define.js';
import meta from './TD014-worker-class-tap.meta.js';
import type {Facts} from '../facts/facts.js';
import {activeUnits} from '../facts/host/units.js';
import {ovsDb} from '../facts/ovs.js';
import {isTapClass, SWITCH_UNIT, switchConfig, workerConfig} from '../facts/openqa.js';
import {ovsPortEvidence, settingEvidence, TAP_NAME} from '../facts/taps.js';
import type {Evidence} from '../model.js';
import type {WorkerConfig, WorkerInstance} from '../facts/types.js';
import {enableUnit, look} from '../remedies/system.js';
import {manual, type Step} from '../remedies/step.js';

/** Unit states in which the switch service answers set_vlan (Type=dbus: active once its bus name is owned). */
const SERVING = new Set(['active', 'reloading']);

export default defineCheck(meta, (f) => {
  const config = f.get(workerConfig);
  const sw = f.get(switchConfig);
  const tapInst = config.instances.filter((i) => i.tap);
  return tapInst.length ? advertisedWithoutSwitch(f, tapInst, sw.bridge, sw.origin['bridge'] ?? 'default') : tapsWithoutClass(f, config, sw.bridge);
});

/** What makes the host unable to serve tap jobs, with its fix and evidence. */
interface Breakage {
  what: string;
  /** The switch service (its D-Bus name) is not there. */
  serviceDown?: boolean;
  fix: Step[];
  evidence: Evidence;
}

/**
 * Instances advertise tap: the bridge must exist and the switch service must run. One finding per
 * advertising instance (its WORKER_CLASS line is what sends tap jobs here), naming every breakage.
 */
function advertisedWithoutSwitch(f: Facts, tapInst: WorkerInstance[], bridge: string, bridgeOrigin: string): CheckOutcome | FindingDraft[] {
  const db = f.try(ovsDb);
  const units = f.try(activeUnits);
  if (!db.ok && !units.ok) return skip(`cannot tell whether the tap setup works: ${db.reason}; ${units.reason}`);
  const broken: Breakage[] = [];

  const state = units.ok ? units.value[SWITCH_UNIT] : undefined;
  if (units.ok && !(state && SERVING.has(state.active))) {
    broken.push({
      what: `${SWITCH_UNIT} is ${state ? `${state.active} (${state.sub})` : 'not loaded'}`,
      serviceDown: true,
      fix: [enableUnit(SWITCH_UNIT, true), look(`journal:${SWITCH_UNIT}`, `journalctl -b -u ${SWITCH_UNIT}   # it waits for bridge '${bridge}' and its address before serving`)],
      evidence: {source: 'systemd.units', lines: [state ? `${SWITCH_UNIT} ${state.load} ${state.active} ${state.sub} ${state.description}` : `no ${SWITCH_UNIT} in systemctl list-units --all`]},
    });
  }
  if (db.ok && !db.value.bridges.some((b) => b.name === bridge)) {
    const others = db.value.bridges.map((b) => b.name);
    broken.push({
      what: `the switch bridge ${bridge} (OS_AUTOINST_USE_BRIDGE, from ${bridgeOrigin}) does not exist${others.length ? ` (OVS bridges: ${others.join(', ')})` : ' (no OVS bridge at all)'}`,
      fix: [
        others.length === 1
          ? manual(`switch-bridge:${bridge}`, `only the admin knows whether ${others[0]} is the multi-machine bridge`, [
              `# if ${others[0]} is the multi-machine bridge: set OS_AUTOINST_USE_BRIDGE=${others[0]} in /etc/sysconfig/os-autoinst-openvswitch and systemctl restart ${SWITCH_UNIT}`,
            ])
          : look(`bridge:${bridge}`, `create ${bridge} with its address (see TD011) and its tap ports (see TD012)`),
      ],
      evidence: {source: db.value.from === 'json' ? 'ovs.bridges' : 'ovs.show', lines: [`bridges: ${others.join(', ') || '(none)'}`]},
    });
  }
  if (broken.length === 0) {
    if (!db.ok) return pass(`${SWITCH_UNIT} is active; whether bridge ${bridge} exists is unknown (${db.reason})`);
    if (!units.ok) return pass(`bridge ${bridge} exists; whether ${SWITCH_UNIT} runs is unknown (${units.reason})`);
    return [];
  }
  return tapInst.map((inst) => {
    const unit = (inst.declaredBy ?? []).map((d) => d.replace(/^\S+ /, '')).find((d) => d.endsWith('.service'));
    const origin = inst.origin?.['WORKER_CLASS'];
    const where = origin ? `${origin.slice(0, origin.lastIndexOf(':'))} line ${origin.slice(origin.lastIndexOf(':') + 1)}` : `the [${inst.instance}] section of the worker config`;
    const without = inst.workerClasses.filter((c) => !isTapClass(c)).join(',');
    return {
      kind: broken.some((b) => b.serviceDown) ? 'switch-service-down' : 'switch-bridge-missing',
      subject: String(inst.instance),
      message: `worker instance ${inst.instance} advertises WORKER_CLASS ${inst.settings['WORKER_CLASS'] ?? ''} but ${broken.map((b) => b.what).join(' and ')}: ${consequence(inst, broken.some((b) => b.serviceDown))}`,
      fix: [
        ...broken.flatMap((b) => b.fix),
        // An alternative, not a step: dropping tap from the class is the admin's call (shown last).
        manual(`worker-class:${inst.instance}`, 'an alternative to the repair above, the admin\'s call', [
          `# or, while it cannot be fixed: WORKER_CLASS = ${without} in ${where}, then systemctl restart ${unit ?? `the worker unit of instance ${inst.instance}`}, so the scheduler sends multi-machine jobs elsewhere`,
        ], 'verify'),
      ],
      evidence: [...broken.map((b) => b.evidence), settingEvidence(f, origin, `[${inst.instance}] WORKER_CLASS = ${inst.settings['WORKER_CLASS'] ?? ''}`)],
    };
  });
}

/**
 * openQA's worker checks the switch's D-Bus name before taking any job only when its class list
 * holds exactly `tap` (OpenQA::Worker check_availability: `$settings->has_class('tap')`): such an
 * instance reports itself broken and takes no job at all. With `tap2` (Fedora's numbered classes) or
 * a service that runs beside a missing bridge, tap jobs are taken and fail at set_vlan.
 */
function consequence(inst: WorkerInstance, serviceDown: boolean): string {
  if (serviceDown && inst.workerClasses.includes('tap')) {
    return "openQA marks the instance broken (D-Bus service 'org.opensuse.os_autoinst.switch' is not running) and it takes no job at all, tap or not";
  }
  return 'the scheduler still sends it tap jobs, and they fail at set_vlan';
}

/** No instance advertises tap: a tap setup on the bridge then serves nothing. */
function tapsWithoutClass(f: Facts, config: WorkerConfig, bridge: string): CheckOutcome | FindingDraft[] {
  const db = f.get(ovsDb);
  const taps = (db.bridges.find((b) => b.name === bridge)?.ports ?? [])
    .filter((p) => TAP_NAME.test(p.name))
    .sort((a, b) => Number(a.name.slice(3)) - Number(b.name.slice(3)));
  if (taps.length === 0) {
    return notApplicable(config.instances.length ? `no worker instance advertises tap and ${bridge} has no tap ports: not a multi-machine worker` : 'no openQA worker instance on this host');
  }
  const names = taps.map((p) => p.name);
  const evidence: Evidence[] = [ovsPortEvidence(f, db, taps[0]!)];
  evidence.push(
    ...config.instances.slice(0, 3).map((i) => settingEvidence(f, i.origin?.['WORKER_CLASS'], `[${i.instance}] WORKER_CLASS = ${i.settings['WORKER_CLASS'] ?? '(unset)'}`)),
  );
  const file = workerFile(config, config.instances);
  const example = config.instances[0];
  return [
    {
      kind: 'taps-without-class',
      subject: file,
      message: `${bridge} has ${names.length} tap port${names.length > 1 ? 's' : ''} (${abbreviate(names)}) but no worker instance advertises tap in WORKER_CLASS${
        config.instances.length ? ` (${instanceList(config.instances)}: ${[...new Set(config.instances.map((i) => i.settings['WORKER_CLASS'] ?? '(unset)'))].join(' / ')})` : ' (no worker instance at all)'
      }: multi-machine jobs never run here`,
      // Whether multi-machine should run here is the admin's decision, not a script's.
      fix: [
        manual(`worker-class:${file}`, 'multi-machine may be off here on purpose', [
          example
            ? `# add tap to WORKER_CLASS of the instances that own tap0..: in ${file} [${example.instance}] WORKER_CLASS = ${[example.settings['WORKER_CLASS'], 'tap'].filter(Boolean).join(',')}, then restart those worker units (ignore this while multi-machine is deliberately off here)`
            : `# enable worker instances with tap in WORKER_CLASS in ${file}, or remove the unused tap setup`,
        ]),
      ],
      evidence,
      explanation:
        'The scheduler sends multi-machine jobs only to workers that advertise tap: with the class gone, the bridge and taps of this host serve nothing and its tap capacity is lost. That is right only while multi-machine is deliberately off here.',
    },
  ];
}

function instanceList(list: WorkerInstance[]): string {
  const nums = list.map((i) => i.instance);
  return `instance${nums.length > 1 ? 's' : ''} ${abbreviate(nums.map(String))}`;
}

function abbreviate(items: string[], max = 8): string {
  return items.length > max ? `${items.slice(0, max).join(', ')}, … (${items.length})` : items.join(', ');
}

/** The workers.ini file that sets WORKER_CLASS for these instances (the first origin), else the main file. */
function workerFile(config: WorkerConfig, list: WorkerInstance[]): string {
  for (const i of list) {
    const origin = i.origin?.['WORKER_CLASS'];
    const at = origin?.lastIndexOf(':') ?? -1;
    if (origin && at > 0) return origin.slice(0, at);
  }
  return config.files.at(-1) ?? '/etc/openqa/workers.ini';
}
