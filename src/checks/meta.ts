// The check index: every host check's meta (its own <ID>-<slug>.meta.ts), in ID order. It imports
// the small meta files only, never check code, so `tapdoctor checks list` and `explain` load nothing
// heavy; checks/registry.ts pairs each meta with its code. IDs are stable and never reused.
import multipleUplinks from './TD001-multiple-uplinks.meta.js';
import natWrongTable from './TD002-nat-wrong-table.meta.js';
import vlanTagMismatch from './TD003-vlan-tag-mismatch.meta.js';
import qemuCapNetAdmin from './TD004-qemu-cap-net-admin.meta.js';
import forwardCountersZero from './TD005-forward-counters-zero.meta.js';
import greMtu from './TD006-gre-mtu.meta.js';
import factoryShareUnmounted from './TD007-factory-share-unmounted.meta.js';
import masqueradeWrongUplink from './TD008-masquerade-wrong-uplink.meta.js';
import ipForwardDisabled from './TD009-ip-forward-disabled.meta.js';
import ovsFlowsMissing from './TD010-ovs-flows-missing.meta.js';
import bridgeAddress from './TD011-bridge-address.meta.js';
import tapInventory from './TD012-tap-inventory.meta.js';
import tapOwnership from './TD013-tap-ownership.meta.js';
import workerClassTap from './TD014-worker-class-tap.meta.js';
import forwardingNotPersisted from './TD101-forwarding-not-persisted.meta.js';
import bridgeNotPersisted from './TD102-bridge-not-persisted.meta.js';
import tapsNotPersisted from './TD103-taps-not-persisted.meta.js';
import natNotPersisted from './TD104-nat-not-persisted.meta.js';
import greNotPersisted from './TD105-gre-not-persisted.meta.js';
import shareNotPersisted from './TD106-share-not-persisted.meta.js';
import unitsNotEnabled from './TD107-units-not-enabled.meta.js';
import spareNicAutostart from './TD108-spare-nic-autostart.meta.js';
import type {CheckMeta} from './check-meta.js';

export type {Applicability, CheckMeta, KindMeta} from './check-meta.js';

export const CHECK_META: readonly CheckMeta[] = [
  multipleUplinks,
  natWrongTable,
  vlanTagMismatch,
  qemuCapNetAdmin,
  forwardCountersZero,
  greMtu,
  factoryShareUnmounted,
  masqueradeWrongUplink,
  ipForwardDisabled,
  ovsFlowsMissing,
  bridgeAddress,
  tapInventory,
  tapOwnership,
  workerClassTap,
  // Persistence checks (the pre-reboot gate): what the next boot builds, not what runs now.
  forwardingNotPersisted,
  bridgeNotPersisted,
  tapsNotPersisted,
  natNotPersisted,
  greNotPersisted,
  shareNotPersisted,
  unitsNotEnabled,
  spareNicAutostart,
];

export function checkMeta(id: string): CheckMeta {
  const meta = CHECK_META.find((m) => m.id === id);
  if (!meta) throw new Error(`unknown check id ${id}`);
  return meta;
}
