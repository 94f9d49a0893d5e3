// Tap devices as sysfs shows them: owner, group, tun flags.

import {parseProcInt} from '../../parsers/sysctl.js';
import {type Fact} from '../facts.js';
import type {TapSysfs} from '../types.js';
import {compareStrings} from '../../compare.js';

const TAP_ATTR = /^\/sys\/class\/net\/([^/]+)\/(owner|group|tun_flags)$/;

/** owner/group/tun_flags of every tun/tap device in sysfs (-1 = unset), sorted by name. */
export const tapSysfs: Fact<TapSysfs[]> = (f) => {
  const byDev = new Map<string, TapSysfs>();
  for (const e of f.entries('tap.sysfs')) {
    const m = TAP_ATTR.exec(e.name);
    if (!m) continue;
    const dev = byDev.get(m[1]!) ?? {name: m[1]!};
    const value = parseProcInt(e.text, e.name);
    if (m[2] === 'owner') dev.owner = value;
    else if (m[2] === 'group') dev.group = value;
    else dev.tunFlags = value;
    byDev.set(m[1]!, dev);
  }
  return [...byDev.values()].sort((a, b) => compareStrings(a.name, b.name));
};

/** tun_flags bits (include/uapi/linux/if_tun.h). */
export const TUN_FLAGS = {TUN: 0x0001, TAP: 0x0002, NO_PI: 0x1000, ONE_QUEUE: 0x2000, VNET_HDR: 0x4000, MULTI_QUEUE: 0x0100, PERSIST: 0x0800} as const;
