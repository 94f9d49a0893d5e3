// One place for what the persisted network configuration says about an interface, for the three
// setups tapdoctor understands: wicked (/etc/sysconfig/network/ifcfg-*), network-scripts and
// NetworkManager's ifcfg-rh plugin (/etc/sysconfig/network-scripts/ifcfg-*), and NetworkManager
// keyfiles (/etc/NetworkManager/system-connections/). Rooms: read.ts (the one reader per file
// format: ifcfg files, keyfile profiles), ifcfg.ts (STARTMODE/ONBOOT, addresses, bridge ports,
// variable lines), nm.ts (profiles, controllers, NetworkManager.conf device specs), interface.ts
// (per interface: its files, what the next boot does), bridge.ts (where a bridge is configured).
// Which stack manages the host is network-stack.ts; fixes that edit these files live in src/remedies/.
export {ifcfgFiles, nmProfiles, type IfcfgFile, type NmProfileFile} from './read.js';
export {ifcfgBoot, ifcfgEntry, ifcfgFlavour, ifcfgLine, ifupDeviceType, isOvsBridgeIfcfg, isTapIfcfg, isYes, listsBridgePort, ovsBridgePortDevices, tapOwnerSettings, WICKED_SCRIPTS_DIR, wickedScriptPaths, type IfcfgBoot} from './ifcfg.js';
export {nmConf, nmConnections, nmControllerOf, nmIpv4, nmSpecMatches, type NmConf, type NmConnection, type NmDeviceSpec} from './nm.js';
export {interfaceBoot, persistedInterface, type IfaceBoot, type PersistedInterface} from './interface.js';
export {bridgeHomes, type BridgeHome} from './bridge.js';
