// Command output is redacted like files: a credential inside a URL never reaches the snapshot,
// whether the command printed it on stdout or stderr. A PATH shim stands in for the tool.
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';

import {useTempDir} from '../../test/helpers/temp-dir.js';
import {CATALOGUE} from './catalogue.js';
import {collectLive} from './live.js';

const dir = useTempDir('tapdoctor-live-redact-', 'all');

describe('live command output', () => {
  it('has URL userinfo redacted in stdout and stderr, recorded on the entry', async () => {
    const bin = path.join(dir(), 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'ovs-vsctl'), '#!/bin/sh\necho \'    Controller "tcp://ctl:Ctl-Pw-3@192.0.2.9:6653"\'\necho "warning: ssl://u:Err-Pw-5@h" >&2\n');
    chmodSync(path.join(bin, 'ovs-vsctl'), 0o755);
    const spec = CATALOGUE.find((s) => s.name === 'ovs.show')!;
    const snap = await collectLive({root: dir(), timeoutMs: 5000, toolVersion: 'test', sources: [spec], env: {...process.env, PATH: bin}});
    const entry = snap.manifest.sources['ovs.show']!.entries[0]!;
    const out = snap.contents.get(entry.path)!.toString('utf8');
    expect(out).toBe('    Controller "tcp://redacted-by-tapdoctor@192.0.2.9:6653"\n');
    expect(entry.redacted).toEqual(['url-userinfo@line 1']);
    expect(entry.bytes).toBe(out.length);
    expect(entry.stderr).toBe('warning: ssl://redacted-by-tapdoctor@h\n');
  });
});
