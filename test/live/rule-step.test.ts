// TD001's policy-rule step, run twice in a namespace of its own under the plan script's `set -eu`:
// a second run of the plan (after a later step failed, say) must not stop at `ip rule add`, which
// refuses a duplicate, and must leave exactly one rule.
import {execFileSync, spawnSync} from 'node:child_process';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {sutTrafficToMainTable} from '../../src/remedies/network.js';
import {stepLines} from '../../src/remedies/plan.js';
import {skipLive} from './prereqs.js';

const ns = `td-rule-${process.pid}`;

describe.skipIf(skipLive)('the SUT policy-rule step (TD001)', () => {
  beforeAll(() => {
    execFileSync('ip', ['netns', 'add', ns]);
  });
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', ns]);
  });

  it('runs twice under set -eu and leaves one rule', () => {
    const lines = stepLines(sutTrafficToMainTable('172.17.0.0/16', 'eth0'), '/');
    const script = ['set -eu', ...lines, ...lines].join('\n');
    const run = spawnSync('ip', ['netns', 'exec', ns, 'sh', '-c', script], {encoding: 'utf8'});
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const rules = execFileSync('ip', ['netns', 'exec', ns, 'ip', '-4', 'rule', 'show'], {encoding: 'utf8'});
    expect(rules.split('\n').filter((l) => /^1:\s+from 172\.17\.0\.0\/16 lookup main\b/.test(l))).toHaveLength(1);
  });

  it('the bare add it replaces does stop a second run (what the deletion is for)', () => {
    const rule = 'from 172.17.0.0/16 lookup main priority 1';
    const run = spawnSync('ip', ['netns', 'exec', ns, 'sh', '-c', `ip -4 rule del ${rule} 2>/dev/null || true\nset -eu\nip -4 rule add ${rule}\nip -4 rule add ${rule}`], {encoding: 'utf8'});
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/File exists/);
  });
});
