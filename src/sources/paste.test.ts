// analyze --input: loose files as a partial snapshot, the format detected per source.
import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';

import {useTempDir} from '../../test/helpers/temp-dir.js';
import {CHECKS} from '../checks/registry.js';
import {DEFAULT_CONFIG} from '../config.js';
import {analyzeSnapshot} from '../engine.js';
import {UserError} from '../errors.js';
import {parseIptablesSave} from '../parsers/iptables/index.js';
import {parseIpAddr} from '../parsers/ip.js';
import {parsePasteArg, pasteSourceNames, readPastes} from './paste.js';
import {SnapshotView} from './snapshot.js';

const SAMPLES = new URL('../../test/samples/', import.meta.url);
const sample = (p: string) => new URL(p, SAMPLES).pathname;
const dir = useTempDir('tapdoctor-paste-', 'all');
const write = (name: string, text: string) => {
  const p = path.join(dir(), name);
  writeFileSync(p, text);
  return p;
};
const read = async (...args: string[]) => new SnapshotView(await readPastes(args.map(parsePasteArg)));
const refusal = (p: Promise<unknown>) => p.then(() => '', (e: unknown) => (e instanceof UserError ? e.message : `not a UserError: ${String(e)}`));

describe('analyze --input', () => {
  it('detects iptables-save, iptables -L -v -n and iptables -S, and converts the last two saying what they lack', async () => {
    const save = await read(`iptables.save=${sample('iptables-save/tapdoctor-ns-1.8.9-nft-save-c.txt')}`);
    const saved = save.command('iptables.save');
    expect(saved.ok && saved.value.text).toBe(readFileSync(sample('iptables-save/tapdoctor-ns-1.8.9-nft-save-c.txt'), 'utf8'));
    const list = await read(`iptables.save=${sample('iptables-list/tapdoctor-ns-1.8.9-nft-nat-Lvn-line-numbers.txt')}`);
    const entry = list.record('iptables.save')!.entries[0]!;
    expect(entry.stderr).toMatch(/^converted by tapdoctor from an iptables -L listing: .* does not name its table: read as nat/);
    const r = list.command('iptables.save');
    const dump = parseIptablesSave(r.ok ? r.value.text : '', 'x');
    expect(dump.tables.map((t) => [t.name, t.rules.length])).toEqual([['nat', 5]]);
    const specs = write('S.txt', '$ iptables -S\n-P INPUT ACCEPT\n-P FORWARD DROP\n-P OUTPUT ACCEPT\n-A FORWARD -i br1 -j ACCEPT\n-A FORWARD -o br1 -m state --state RELATED,ESTABLISHED -j ACCEPT\n');
    const s = await read(`iptables.save=${specs}`);
    expect(s.record('iptables.save')!.entries[0]!.stderr).toMatch(/^converted by tapdoctor from iptables -S rules: skipped 1 leading line before the rules; .*read as filter/);
    expect(await refusal(read(`iptables.save=${write('x.txt', 'hello\n')}`))).toMatch(/neither iptables-save, iptables -S nor iptables -L -v -n output$/);
  });

  it('reads ip address text (junk skipped and said) and JSON alike', async () => {
    const text = await read(`ip.addr=${sample('ip-addr-text/insights-truncated-tunnels.txt')}`);
    const r = text.command('ip.addr');
    expect(parseIpAddr(r.ok ? r.value.text : '', 'ip.addr')[0]!.name).toBe('lo');
    expect(text.record('ip.addr')!.entries[0]!.stderr).toContain('skipped 3 leading lines ("Message truncated", …)');
    const json = await read(`ip.addr=${sample('ip-json-addr/netplan-ip-d-j-addr-wg-sit-tun.txt')}`);
    expect(json.record('ip.addr')!.entries[0]!.stderr).toBeUndefined();
  });

  it('files land at their host path, are redacted, templates refused; the rest is "not given"', async () => {
    const fstab = write('fstab', 'https://u:Pw-77@dav.example/x /mnt/dav davfs rw 0 0\n');
    const view = await read(`fstab=${fstab}`, `openqa.workers-ini=${sample('workers-ini/salt-openqa-workers.ini-template.txt')}`);
    const f = view.file('fstab', '/etc/fstab');
    expect(f.ok && f.value?.text).toBe('https://redacted-by-tapdoctor@dav.example/x /mnt/dav davfs rw 0 0\n');
    expect(view.record('openqa.workers-ini')).toMatchObject({status: 'failed', reason: '/etc/openqa/workers.ini: template, not a rendered file'});
    expect(view.record('nft.ruleset')).toMatchObject({status: 'failed', reason: 'not given (analyze --input SOURCE=FILE)'});
  });

  it('a pasted -L listing runs the firewall checks with the listing limits in their reasons', async () => {
    const snap = await readPastes([parsePasteArg(`iptables.save=${sample('iptables-list/tapdoctor-ns-1.8.9-nft-filter-Lvnx.txt')}`)]);
    const report = analyzeSnapshot(snap, CHECKS, DEFAULT_CONFIG, {mode: 'snapshot'});
    const td002 = report.results.find((r) => r.id === 'TD002')!;
    expect(td002.status).toBe('pass');
    expect(td002.reason).toContain('does not name its table: read as filter');
  });

  it('refuses bad arguments with one line', async () => {
    expect(() => parsePasteArg('nonsense')).toThrow('--input nonsense: expected SOURCE=FILE (or SOURCE[KEY]=FILE); sources: see tapdoctor analyze --help');
    expect(() => parsePasteArg('iptables=x')).toThrow('--input iptables=x: unknown source iptables (see tapdoctor analyze --help for the names)');
    expect(() => parsePasteArg('ovs.flows=x')).toThrow(/needs a key: ovs\.flows\[KEY\]=FILE/);
    expect(parsePasteArg('ovs.flows[br1]=f.txt')).toEqual({source: 'ovs.flows', key: 'br1', file: 'f.txt'});
    expect(await refusal(read('nft.ruleset=/nonexistent/x'))).toBe('no such file: /nonexistent/x');
    expect(pasteSourceNames()).toContain('iptables.save');
    expect(pasteSourceNames()).not.toContain('share.stat');
  });
});

describe('analyze --input mountinfo', () => {
  it('takes mountinfo as is, /proc/mounts and `mount` output converted with their loss said', async () => {
    const real = await read(`mountinfo=${sample('mountinfo/generated-kernel-6.18-unshare-escapes.txt')}`);
    expect(real.record('mountinfo')!.entries[0]!.stderr).toMatch(/^from .* \(--input\)$/);
    const mounts = await read(`mountinfo=${write('mount.txt', 'srv:/factory on /var/lib/openqa/share type nfs4 (ro,relatime,vers=4.2)\n')}`);
    const m = mounts.file('mountinfo', '/proc/self/mountinfo');
    expect(m.ok && m.value?.text).toBe('1 1 0:0 / /var/lib/openqa/share ro,relatime,vers=4.2 - nfs4 srv:/factory ro,relatime,vers=4.2\n');
    expect(mounts.record('mountinfo')!.entries[0]!.stderr).toMatch(/^converted by tapdoctor from `mount` output \(.*\): no mount ids, device numbers, bind-mount roots or propagation tags/);
    const proc = await read(`mountinfo=${sample('proc-mounts/insights-selinux-context-quotes.txt')}`);
    expect(proc.record('mountinfo')!.entries[0]!.stderr).toMatch(/^converted by tapdoctor from \/proc\/mounts/);
    expect(await refusal(read(`mountinfo=${write('junk.txt', 'hello world\n')}`))).toMatch(/neither \/proc\/self\/mountinfo, \/proc\/mounts nor mount output$/);
  });
});

describe('analyze --input ovs.*', () => {
  it('takes ovs-vsctl list text or JSON', async () => {
    const view = await read(`ovs.ports=${sample('ovs-vsctl-list/fuel-list-port-screen-artifacts.txt')}`);
    const r = view.command('ovs.ports');
    expect(r.ok && JSON.parse(r.value.text).headings[0]).toBe('_uuid');
    expect(view.record('ovs.ports')!.entries[0]!.stderr).toBe('converted by tapdoctor from `ovs-vsctl list` text to --format=json; cut 1 terminal scroll marker ("[63/1861]")');
    const json = await read(`ovs.interfaces=${sample('ovs-vsctl-json/xcpng-format-json-list-interface-gre-vxlan.txt')}`);
    expect(json.record('ovs.interfaces')!.entries[0]!.stderr).toBeUndefined();
  });
});
