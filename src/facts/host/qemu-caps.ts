// File capabilities of the qemu binaries (getcap).

import {capsOf, parseGetcap} from '../../parsers/getcap.js';
import {type Fact} from '../facts.js';
import type {FileCaps} from '../types.js';

/** File capabilities per captured qemu binary; a binary without capabilities has caps {}. */
export const qemuCaps: Fact<FileCaps[]> = (f) =>
  f.entries('qemu.getcap').map((e) => {
    const line = capsOf(parseGetcap(e.text, `getcap ${e.name}`), e.name);
    const caps: FileCaps = {path: e.name, caps: line?.caps ?? {}};
    if (line?.error) caps.error = line.error;
    return caps;
  });
