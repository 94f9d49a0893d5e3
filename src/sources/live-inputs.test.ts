// Per-key sources and probes see only the sources they declare (KEY_INPUTS, PROBE_INPUTS): the
// collector starts each once those are in and hands it nothing else. PATH shims stand in for OVS.
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';

import {useTempDir} from '../../test/helpers/temp-dir.js';
import {CATALOGUE} from './catalogue.js';
import {KEY_INPUTS} from './derive-keys.js';
import {collectLive} from './live.js';
import {PROBE_INPUTS} from './probes.js';

const dir = useTempDir('tapdoctor-live-inputs-', 'all');

describe('inputs of per-key sources and probes', () => {
  it('name sources of the catalogue (an unknown name would leave the source without its input)', () => {
    const names = new Set(CATALOGUE.map((s) => s.name));
    const declared = [...Object.values(KEY_INPUTS), ...Object.values(PROBE_INPUTS)].flat();
    expect(declared.length).toBeGreaterThan(0);
    expect(declared.filter((n) => !names.has(n))).toEqual([]);
  });

  it('reach the source that reads them: dump-flows runs once per bridge ovs.bridges listed', async () => {
    const bin = path.join(dir(), 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'ovs-vsctl'), '#!/bin/sh\necho \'{"data":[["br1"],["br-phy"]],"headings":["name"]}\'\n');
    writeFileSync(path.join(bin, 'ovs-ofctl'), '#!/bin/sh\necho "flows of $2"\n');
    for (const tool of ['ovs-vsctl', 'ovs-ofctl']) chmodSync(path.join(bin, tool), 0o755);
    const sources = CATALOGUE.filter((s) => s.name === 'ovs.bridges' || (s.kind === 'perKey' && s.keysFrom === 'ovs-bridges'));
    expect(sources.map((s) => s.kind).sort()).toEqual(['command', 'perKey']);
    const snap = await collectLive({root: dir(), timeoutMs: 5000, toolVersion: 'test', sources, env: {...process.env, PATH: bin}});
    const flows = snap.manifest.sources[sources.find((s) => s.kind === 'perKey')!.name]!;
    expect([flows.status, flows.reason]).toEqual(['ok', undefined]);
    expect(flows.entries.map((e) => [e.key, snap.contents.get(e.path)?.toString('utf8')])).toEqual([
      ['br-phy', 'flows of br-phy\n'],
      ['br1', 'flows of br1\n'],
    ]);
  });
});
