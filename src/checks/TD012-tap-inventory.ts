// TD012 tap-inventory: every tap-class worker instance N (with an enabled or running unit) has its
// tap(N-1) (and tap(N-1+64k) with config.multiNic) as a tap device in the kernel and as a working
// port of the effective bridge. OVS ports whose device is gone (ofport -1 / "could not open network
// device") are errors for such a tap and warnings otherwise; instances above 64 collide with the
// second-NIC taps. Surplus taps (SUSE spares, 64/128 sets) are harmless. docs/checks/TD012.md.
import {notApplicable, defineCheck, type FindingDraft} from './define.js';
import meta from './TD012-tap-inventory.meta.js';
import type {Facts} from '../facts/facts.js';
import {ovsDb} from '../facts/ovs.js';
import {switchConfig, tapInstances, workerConfig} from '../facts/openqa.js';
import {deviceGone, kernelAbsenceEvidence, kernelTapView, linkEvidence, ovsInterface, ovsPort, ovsPortEvidence, settingEvidence, tapDevice, tapOwnerNames, type KernelTapView} from '../facts/taps.js';
import {networkStack, type NetworkStack} from '../facts/network-stack.js';
import type {Evidence} from '../model.js';
import {addPort, createTap, readdPort, recreateTap} from '../remedies/network.js';
import {persistTap} from '../remedies/taps.js';
import {manual, step} from '../remedies/step.js';
import type {OvsDb, WorkerInstance} from '../facts/types.js';

/** Instances above this use tap(N-1) >= tap64, the second-NIC tap of instance N-64. */
const MAX_SAFE_INSTANCE = 64;
/** What the jobs of an instance whose tap is missing run into. */
const JOB_FAILS = (tap: string) => `: its jobs fail in qemu ("could not configure /dev/net/tun (${tap}): Operation not permitted") or, when qemu may create it, in set_vlan (not on the bridge)`;
/** Interface types that are kernel devices OVS opens (not gre/vxlan/internal/patch). */
const DEVICE_TYPES = new Set(['', 'system', 'tap']);

export default defineCheck(meta, (f) => {
  const config = f.get(workerConfig);
  const wanted = f.get(tapInstances);
  if (wanted.length === 0) {
    return notApplicable(config.instances.length ? 'no worker instance has tap in WORKER_CLASS' : 'no openQA worker instance on this host (no worker units, no workers.ini instance)');
  }
  const bridge = f.get(switchConfig).bridge;
  const db = f.get(ovsDb);
  const view = f.get(kernelTapView);
  const ctx: Ctx = {f, db, view, bridge, stack: f.get(networkStack).stack};

  const findings: FindingDraft[] = [];
  const reported = new Set<string>();
  const byInstance = new Map(config.instances.map((i) => [i.instance, i]));
  for (const {instance, taps} of wanted) {
    const inst = byInstance.get(instance)!;
    if (instance > MAX_SAFE_INSTANCE) findings.push(collision(ctx, inst));
    for (const tap of taps) {
      const problem = judgeTap(ctx, inst, tap);
      if (problem) {
        findings.push(problem);
        reported.add(tap);
      }
    }
  }
  // Ports OVSDB keeps for devices that are gone, on taps no active tap instance needs.
  for (const iface of db.interfaces) {
    if (reported.has(iface.name) || !DEVICE_TYPES.has(iface.type) || !deviceGone(iface)) continue;
    const port = ovsPort(db, iface.name);
    const on = port?.bridge ?? 'no bridge';
    findings.push({
      kind: 'stale-port',
      subject: iface.name,
      message: `OVSDB lists ${iface.name} on ${on} but the device is gone (${iface.error ?? `ofport ${iface.ofport}`}); no active tap instance needs it`,
      fix: [
        manual(`stale-port:${iface.name}`, `whether anything should still use ${iface.name} is the admin's call`, [
          `ovs-vsctl del-port ${on === 'no bridge' ? '' : `${on} `}${iface.name}   # if nothing should use it`,
          ...(port?.bridge ? [`# and drop ${iface.name} from the persisted bridge ports (OVS_BRIDGE_PORT_DEVICE_* in /etc/sysconfig/network/ifcfg-${port.bridge}, or its NetworkManager ovs-port profile)`] : []),
          `# or re-create it: ${createTap(iface.name, port?.bridge ?? bridge, tapOwnerNames(f)).lines.join('; ')}`,
        ], 'runtime'),
      ],
      evidence: [port ? ovsPortEvidence(f, db, port) : {source: 'ovs.interfaces', lines: [`interface ${iface.name}: ofport=${iface.ofport ?? '?'} error="${iface.error ?? ''}"`]}],
      explanation:
        'OVSDB keeps ports of devices that vanished (hand-made taps are gone after a reboot): harmless while nothing uses the tap, but a job that gets it fails, and the stale port hides that the persistent tap configuration is incomplete.',
    });
  }
  return findings;
});

interface Ctx {
  f: Facts;
  db: OvsDb;
  view: KernelTapView;
  bridge: string;
  stack: NetworkStack | undefined;
}

/** The one thing wrong with an instance's tap, or undefined when it is a working port of the bridge. */
function judgeTap(ctx: Ctx, inst: WorkerInstance, tap: string): FindingDraft | undefined {
  const {f, db, view, bridge} = ctx;
  const dev = tapDevice(view, tap);
  const port = ovsPort(db, tap);
  const iface = ovsInterface(db, tap);
  if (dev.exists && dev.isTap !== false && port?.bridge === bridge && !deviceGone(iface)) return undefined;
  // A broken tap from here on: only now the evidence and the fix (a 300-tap host has 300 good ones).
  const who = `${tap} (instance ${inst.instance})`;
  const owner = tapOwnerNames(f);
  const evidence: Evidence[] = instanceEvidence(f, inst);
  const portEvidence = port ? ovsPortEvidence(f, db, port) : {source: db.from === 'json' ? 'ovs.ports' : 'ovs.show', lines: [`no port named ${tap}`]};
  const kernelEvidence = dev.link ? linkEvidence(dev.link) : kernelAbsenceEvidence(view, tap);
  const persist = persistTap(f, tap, bridge, ctx.stack);

  if (!dev.exists) {
    const message = port
      ? `${who} is gone from the kernel but OVSDB still lists it on ${port.bridge ?? 'no bridge'} (${iface?.error ?? (iface?.ofport === -1 ? 'ofport -1' : 'no device')})${JOB_FAILS(tap)}`
      : `${who} does not exist and is not a port of ${bridge}${JOB_FAILS(tap)}`;
    return {kind: 'tap-missing', subject: tap, message, fix: [createTap(tap, bridge, owner, {...(port?.bridge ? {from: port.bridge} : {}), stalePort: port !== undefined}), ...persist], evidence: [...evidence, kernelEvidence, portEvidence]};
  }
  if (dev.isTap === false) {
    const what = dev.link?.kind === 'tun' ? 'a tun (layer 3) device' : `a ${dev.link?.kind ?? 'non-tap'} device`;
    return {
      kind: 'not-a-tap',
      subject: tap,
      message: `${who} exists but is ${what}, not a tap: qemu's -netdev tap cannot attach to it`,
      fix: [recreateTap(tap, bridge, owner), ...persist],
      evidence: [...evidence, kernelEvidence],
    };
  }
  if (!port) {
    const enslaved = dev.link?.master && dev.link.master !== 'ovs-system' ? ` (it is enslaved to ${dev.link.master})` : '';
    return {
      kind: 'not-on-bridge',
      subject: tap,
      message: `${who} exists but is not a port of ${bridge}${enslaved}: set_vlan fails with "'${tap}' is not connected to bridge '${bridge}'"`,
      fix: [step('runtime', `port:${tap}`, [...(enslaved ? [`ip link set ${tap} nomaster`] : []), `ovs-vsctl --may-exist add-port ${bridge} ${tap}`]), ...persist],
      evidence: [...evidence, kernelEvidence, portEvidence],
    };
  }
  if (port.bridge !== bridge) {
    return {
      kind: 'not-on-bridge',
      subject: tap,
      message: `${who} is a port of ${port.bridge ?? 'no bridge'}, not of ${bridge} (OS_AUTOINST_USE_BRIDGE): set_vlan fails with "'${tap}' is not connected to bridge '${bridge}'"`,
      fix: [addPort(bridge, tap, port.bridge), ...persist],
      evidence: [...evidence, portEvidence],
    };
  }
  if (deviceGone(iface)) {
    return {
      kind: 'port-unusable',
      subject: tap,
      message: `${bridge} cannot use ${who}: ${iface!.error ?? `ofport ${iface!.ofport}`}`,
      fix: [readdPort(bridge, tap)],
      evidence: [...evidence, kernelEvidence, portEvidence],
    };
  }
  return undefined;
}

function collision(ctx: Ctx, inst: WorkerInstance): FindingDraft {
  const n = inst.instance;
  const tap = `tap${n - 1}`;
  const other = n - MAX_SAFE_INSTANCE;
  return {
    kind: 'instance-collision',
    subject: String(n), // worker instances are named by number, as in TD014
    message: `instance ${n} uses ${tap}, which is also the second-NIC tap of instance ${other} (tap(N-1+64)): a multi-NIC job on instance ${other} and any job on instance ${n} fight over it`,
    fix: [manual(`renumber:${n}`, 'which instances to renumber is the admin\'s call', [`# renumber the tap worker instances to 1-${MAX_SAFE_INSTANCE} (systemctl disable --now ${workerUnit(inst)}; enable a free instance number instead), or remove tap from WORKER_CLASS of instance ${n}`])],
    evidence: instanceEvidence(ctx.f, inst),
    explanation:
      'os-autoinst gives NIC i of instance N the tap tap(N-1+64*i): above instance 64 the first tap of one instance is the second tap of another, so a multi-NIC job and a job of the other instance end up on the same tap and in each other\'s VLAN.',
  };
}

/** The instance's own worker unit (openqa-worker@N on Fedora, -auto-restart@N on SUSE), as systemd listed it. */
function workerUnit(inst: WorkerInstance): string {
  const unit = (inst.declaredBy ?? []).map((d) => d.replace(/^\S+ /, '')).find((d) => /^openqa-worker/.test(d));
  return unit ?? `openqa-worker-auto-restart@${inst.instance}`;
}

/** Why the instance counts: its WORKER_CLASS line and the unit that makes it exist. */
function instanceEvidence(f: Facts, inst: WorkerInstance): Evidence[] {
  const out: Evidence[] = [settingEvidence(f, inst.origin?.['WORKER_CLASS'], `[${inst.instance}] WORKER_CLASS = ${inst.settings['WORKER_CLASS'] ?? ''}`)];
  const units = (inst.declaredBy ?? []).filter((d) => d !== 'workers.ini section');
  const enabled = units.filter((d) => d.startsWith('enabled '));
  const running = units.filter((d) => !d.startsWith('enabled '));
  if (enabled.length) out.push({source: 'systemd.wants', lines: enabled});
  if (running.length) out.push({source: 'systemd.units', lines: running});
  return out;
}
