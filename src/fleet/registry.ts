// Every fleet check, in ID order.
import TD201 from './checks/TD201-gre-peer-missing.js';
import TD202 from './checks/TD202-gre-peer-unknown.js';
import TD203 from './checks/TD203-mesh-mtu-mismatch.js';
import TD204 from './checks/TD204-tap-class-split.js';
import TD205 from './checks/TD205-duplicate-identity.js';
import TD206 from './checks/TD206-gre-blocked.js';
import TD207 from './checks/TD207-tunnel-key-mismatch.js';
import type {FleetCheckDefinition} from './define.js';

export const FLEET_CHECKS: readonly FleetCheckDefinition[] = [TD201, TD202, TD203, TD204, TD205, TD206, TD207];
