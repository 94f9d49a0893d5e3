// Every check, in ID order. Loaded only by commands that run checks.
import type {CheckDefinition} from './define.js';
import multipleUplinks from './TD001-multiple-uplinks.js';
import natWrongTable from './TD002-nat-wrong-table.js';
import vlanTagMismatch from './TD003-vlan-tag-mismatch.js';
import qemuCapNetAdmin from './TD004-qemu-cap-net-admin.js';
import forwardCountersZero from './TD005-forward-counters-zero.js';
import greMtu from './TD006-gre-mtu.js';
import factoryShareUnmounted from './TD007-factory-share-unmounted.js';
import masqueradeWrongUplink from './TD008-masquerade-wrong-uplink.js';
import ipForwardDisabled from './TD009-ip-forward-disabled.js';
import ovsFlowsMissing from './TD010-ovs-flows-missing.js';
import bridgeAddress from './TD011-bridge-address.js';
import tapInventory from './TD012-tap-inventory.js';
import tapOwnership from './TD013-tap-ownership.js';
import workerClassTap from './TD014-worker-class-tap.js';
import forwardingNotPersisted from './TD101-forwarding-not-persisted.js';
import bridgeNotPersisted from './TD102-bridge-not-persisted.js';
import tapsNotPersisted from './TD103-taps-not-persisted.js';
import natNotPersisted from './TD104-nat-not-persisted.js';
import greNotPersisted from './TD105-gre-not-persisted.js';
import shareNotPersisted from './TD106-share-not-persisted.js';
import unitsNotEnabled from './TD107-units-not-enabled.js';
import spareNicAutostart from './TD108-spare-nic-autostart.js';

export const CHECKS: readonly CheckDefinition[] = [
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
  // Gate-only persistence checks (meta: gate: true).
  forwardingNotPersisted,
  bridgeNotPersisted,
  tapsNotPersisted,
  natNotPersisted,
  greNotPersisted,
  shareNotPersisted,
  unitsNotEnabled,
  spareNicAutostart,
];
