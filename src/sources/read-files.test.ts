import {execFileSync} from 'node:child_process';
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import fc from 'fast-check';
import {afterAll, describe, expect, it} from 'vitest';
import type {FilesSource} from './catalogue.js';
import {expandGlob, onDisk, readHostFiles} from './read-files.js';

const root = mkdtempSync(join(tmpdir(), 'td-readfiles-'));
afterAll(() => rmSync(root, {recursive: true, force: true}));
const put = (path: string, text: string) => {
  mkdirSync(join(root, path, '..'), {recursive: true});
  writeFileSync(join(root, path), text);
};
put('etc/openqa/workers.ini', '[global]\nHOST = http://o3\n[1]\nWORKER_CLASS = tap\n');
put('etc/openqa/client.conf', '[o3]\nkey = 0123456789ABCDEF\nsecret = FEDCBA9876543210\n');
put('etc/openqa/workers.ini.d/10-secret.ini', '[global]\nMY_PASSWORD = hunter2\n');
put('etc/sysconfig/network/ifcfg-tap0', "TUNNEL='tap'\n");
symlinkSync('ifcfg-tap0', join(root, 'etc/sysconfig/network/ifcfg-tap1'));
mkdirSync(join(root, 'etc/systemd/system/multi-user.target.wants'), {recursive: true});
symlinkSync('/usr/lib/systemd/system/openvswitch.service', join(root, 'etc/systemd/system/multi-user.target.wants/openvswitch.service'));
put('etc/systemd/system/nftables.service', '[Unit]\nDescription=nftables\n');
symlinkSync('/etc/systemd/system/nftables.service', join(root, 'etc/systemd/system/multi-user.target.wants/nftables.service'));
put('big/file', 'x'.repeat(5000));
chmodSync(join(root, 'etc/sysconfig/network/ifcfg-tap0'), 0o640);

const ctx = {root, maxBytes: 1024 * 1024, isRoot: true};
const spec = (paths: string[], extra: Partial<FilesSource> = {}): FilesSource => ({name: 't', kind: 'files', where: 'host', paths, redaction: 'none', description: 't', ...extra});

describe('onDisk', () => {
  it('puts host paths below --root exactly as path.join does, whatever the segments', () => {
    const segment = fc.constantFrom('etc', '.', '..', '', '...', '.hidden', 'a..b', 'ifcfg-tap1', 'x y');
    const path = fc.array(segment, {maxLength: 5}).map((s) => `/${s.join('/')}`);
    fc.assert(
      fc.property(path, fc.constantFrom('/srv/root', '/srv/root/', '/r'), (p, root) => {
        expect(onDisk(p, {where: 'host'}, root)).toBe(join(root, p));
        expect(onDisk(p, {where: 'kernel'}, root)).toBe(p);
      }),
      {numRuns: 500},
    );
  });
});

describe('readHostFiles', () => {
  it('expands globs below --root, in name order, and never reads client.conf', async () => {
    expect(await expandGlob('/etc/openqa/*', {where: 'host'}, root)).toEqual(['/etc/openqa/client.conf', '/etc/openqa/workers.ini', '/etc/openqa/workers.ini.d']);
    const r = await readHostFiles(spec(['/etc/openqa/*', '/etc/openqa/workers.ini.d/*.ini']), ctx);
    expect(r.entries.map((e) => e.binding)).toEqual(['/etc/openqa/workers.ini', '/etc/openqa/workers.ini.d/10-secret.ini']);
    expect([...r.data.values()].some((b) => b.includes('0123456789ABCDEF'))).toBe(false);
  });

  it('redacts secrets before they are stored and records where', async () => {
    const r = await readHostFiles(spec(['/etc/openqa/workers.ini.d/*.ini'], {redaction: 'keyvalue'}), ctx);
    const text = r.data.get('files/etc/openqa/workers.ini.d/10-secret.ini')!.toString();
    expect(text).not.toContain('hunter2');
    expect(r.entries[0]!.redacted).toEqual(['MY_PASSWORD@line 2']);
  });

  it('records symlinks: the target text when it resolves below --root, a link record when it does not', async () => {
    const ifcfg = await readHostFiles(spec(['/etc/sysconfig/network/ifcfg-*'], {links: 'follow'}), ctx);
    const tap1 = ifcfg.entries.find((e) => e.binding.endsWith('ifcfg-tap1'))!;
    expect(tap1).toMatchObject({linkTarget: 'ifcfg-tap0', mode: 0o640});
    expect(ifcfg.data.get(tap1.path)!.toString()).toBe("TUNNEL='tap'\n");
    const wants = await readHostFiles(spec(['/etc/systemd/system/*.wants/*'], {links: 'follow'}), ctx);
    expect(wants.entries).toEqual([
      expect.objectContaining({binding: '/etc/systemd/system/multi-user.target.wants/nftables.service', linkTarget: '/etc/systemd/system/nftables.service', bytes: 28}),
      expect.objectContaining({binding: '/etc/systemd/system/multi-user.target.wants/openvswitch.service', linkTarget: '/usr/lib/systemd/system/openvswitch.service', absent: true}),
    ]);
  });

  it("records a link alone with links: 'record', resolving or not, and reads no unit file", async () => {
    const wants = await readHostFiles(spec(['/etc/systemd/system/*.wants/*'], {links: 'record'}), ctx);
    expect(wants.entries.map((e) => [e.binding, e.linkTarget, e.absent, e.bytes])).toEqual([
      ['/etc/systemd/system/multi-user.target.wants/nftables.service', '/etc/systemd/system/nftables.service', true, 0],
      ['/etc/systemd/system/multi-user.target.wants/openvswitch.service', '/usr/lib/systemd/system/openvswitch.service', true, 0],
    ]);
    expect(wants.data.size).toBe(0);
  });

  it('marks an explicitly named missing file absent (data), and truncates at the size limit', async () => {
    const r = await readHostFiles(spec(['/etc/fstab', '/big/file']), {...ctx, maxBytes: 1000});
    expect(r.entries[0]).toMatchObject({binding: '/etc/fstab', absent: true});
    expect(r.entries[1]).toMatchObject({binding: '/big/file', truncated: true, bytes: 1000});
    expect(r.data.get('files/big/file')!.length).toBe(1000);
  });

  it('reads a file bigger than one read whole, and leaves a FIFO unopened', async () => {
    const big = Array.from({length: 30_000}, (_, i) => `line ${i}`).join('\n');
    put('var/big.txt', big);
    execFileSync('mkfifo', [join(root, 'var/fifo')]);
    const r = await readHostFiles(spec(['/var/*']), ctx);
    expect(r.entries.map((e) => e.binding)).toEqual(['/var/big.txt']);
    expect(r.data.get('files/var/big.txt')!.toString()).toBe(big);
  });

  it('leaves out glob matches the source excepts, never an explicitly named path', async () => {
    put('etc/x/tap0', 'a');
    put('etc/x/br1', 'b');
    const r = await readHostFiles(spec(['/etc/x/*', '/etc/x/tap0'], {except: /\/tap\d+$/}), ctx);
    expect(r.entries.map((e) => e.binding)).toEqual(['/etc/x/br1', '/etc/x/tap0']);
  });

  it('reads kernel files from the running kernel, not below --root', async () => {
    const r = await readHostFiles(spec(['/proc/sys/net/ipv4/ip_forward'], {where: 'kernel'}), ctx);
    expect(r.data.get('files/proc/sys/net/ipv4/ip_forward')!.toString()).toMatch(/^[01]\n$/);
  });

  it('reads sysfs attributes and /proc files whole, without their (meaningless) mode, and leaves out directories', async () => {
    const r = await readHostFiles(spec(['/sys/class/net/lo/*', '/proc/self/mountinfo', '/proc/self/maps'], {where: 'kernel'}), ctx);
    const names = r.entries.map((e) => e.binding);
    expect(names).toContain('/sys/class/net/lo/mtu');
    // queues/, statistics/, power/ are directories: opened, refused by the read, left out.
    for (const dir of ['queues', 'statistics', 'power']) expect(names).not.toContain(`/sys/class/net/lo/${dir}`);
    expect(r.data.get('files/sys/class/net/lo/mtu')!.toString()).toBe(readFileSync('/sys/class/net/lo/mtu', 'utf8'));
    expect(r.entries.every((e) => e.mode === undefined)).toBe(true);
    // seq_file files longer than a page come in several reads: all of them are kept.
    const maps = r.data.get('files/proc/self/maps')!.toString();
    expect(maps.length).toBeGreaterThan(4096);
    expect(maps.trimEnd().split('\n').length).toBeGreaterThan(20);
    expect(maps.endsWith('\n')).toBe(true);
    expect(r.data.get('files/proc/self/mountinfo')!.toString()).toMatch(/ - \S+ \S+ \S+\n$/);
  });
});
