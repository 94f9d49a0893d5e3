// "Does openqa-worker.target bring the worker instances back at boot?" openQA's
// systemd/systemd-openqa-generator (installed by the worker package into
// /usr/lib/systemd/system-generators) links openqa-worker@N.service into openqa-worker.target.wants
// for every /var/lib/openqa/pool/N it finds, at each boot and daemon-reload: an enabled target
// starts the instances without per-instance .wants links. Generators run before non-essential file
// systems such as /var are mounted (systemd.generator(7), "Notes about writing generators"), so at
// boot it sees the pool directories only when they lie on the root filesystem (or /usr).
import type {Fact} from './facts.js';
import {mountFor, mounts} from './host/mounts.js';
import {enabledUnits} from './host/units.js';
import type {Mount} from './types.js';

export const WORKER_TARGET = 'openqa-worker.target';
export const POOL_DIR = '/var/lib/openqa/pool';
/** Mounted before generators run: the root filesystem, and /usr (mounted by the initrd). */
const EARLY_MOUNTS = new Set(['/', '/usr']);

export interface WorkerTargetBoot {
  /** openqa-worker.target has a .wants link. */
  enabled: boolean;
  /** The generator sees the pool directories at boot; undefined when the mounts are unknown. */
  poolSeenAtBoot?: boolean;
  /** The filesystem the pool lies on. */
  poolMount?: Mount;
  /** Why poolSeenAtBoot is unknown. */
  unknown?: string;
}

export const workerTargetBoot: Fact<WorkerTargetBoot> = (f) => {
  const enabled = f.get(enabledUnits).has(WORKER_TARGET);
  if (!enabled) return {enabled};
  const all = f.try(mounts);
  if (!all.ok) return {enabled, unknown: all.reason};
  const poolMount = mountFor(all.value, POOL_DIR);
  if (!poolMount) return {enabled, unknown: `no mount contains ${POOL_DIR}`};
  return {enabled, poolMount, poolSeenAtBoot: EARLY_MOUNTS.has(poolMount.mountPoint)};
};
