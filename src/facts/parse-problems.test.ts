// Every line a fact's tolerant parse skips reaches the report: Facts.noteParseProblems is the one
// place they are collected, and the firewall views say which lines they lack.
import {describe, expect, it} from 'vitest';
import {makeSnapshot, type SnapshotSpec} from '../../test/helpers/snapshot.js';
import {DEFAULT_CONFIG} from '../config.js';
import {SnapshotView} from '../sources/snapshot.js';
import {Facts} from './facts.js';
import {liveFirewall, persistedFirewall, skippedNote} from './firewall/index.js';
import {factoryShare, fstabFile} from './host/mounts.js';
import {sysctlFiles} from './host/sysctl.js';
import {switchConfig} from './openqa.js';
import {analyzeSnapshot} from '../engine.js';
import td101 from '../checks/TD101-forwarding-not-persisted.js';

const facts = (spec: SnapshotSpec) => new Facts(new SnapshotView(makeSnapshot(spec)), DEFAULT_CONFIG);

const SAVE = ['*nat', ':POSTROUTING ACCEPT [0:0]', '-A POSTROUTING -o eth0 -j MASQUERADE', 'COMMIT', ''].join('\n');
// A pasted command line and an `iptables -L` line: never lines of iptables-save.
const PASTED = ['*nat', ':POSTROUTING ACCEPT [0:0]', 'iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE', 'MASQUERADE  all  --  anywhere  anywhere', 'COMMIT', ''].join('\n');

describe('Facts.noteParseProblems', () => {
  it('names source, file and line, cuts long lines, and keeps each problem once', () => {
    const f = facts({});
    const long = `-A FORWARD ${'-m comment --comment x '.repeat(10)}`;
    f.noteParseProblems('firewall.files', [{line: 3, text: '  junk here  ', reason: 'not a rule'}], '/etc/sysconfig/iptables');
    f.noteParseProblems('firewall.files', [{line: 3, text: '  junk here  ', reason: 'not a rule'}], '/etc/sysconfig/iptables');
    f.noteParseProblems('iptables.save', [{line: 9, text: long, reason: ''}]);
    const got = f.parseProblems();
    expect(got[0]).toEqual({source: 'firewall.files [/etc/sysconfig/iptables]', problem: 'line 3 skipped: junk here (not a rule)'});
    expect(got).toHaveLength(2);
    expect(got[1]!.source).toBe('iptables.save');
    expect(got[1]!.problem).toMatch(/^line 9 skipped: -A FORWARD -m comment .*…$/);
    expect(got[1]!.problem.length).toBeLessThan(long.length);
  });
});

describe('tolerant parses of facts report their skipped lines', () => {
  it('live iptables-save: the pasted lines are in the report and the view is marked incomplete', () => {
    const f = facts({commands: {'iptables.save': PASTED}});
    const view = f.get(liveFirewall);
    expect(view.nat).toEqual([]);
    expect(f.parseProblems().map((p) => `${p.source}: ${p.problem}`)).toEqual([
      expect.stringMatching(/^iptables\.save: line 3 skipped: iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE/),
      expect.stringMatching(/^iptables\.save: line 4 skipped: MASQUERADE {2}all/),
    ]);
    expect(view.skipped).toEqual(['iptables.save line 3: iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE', 'iptables.save line 4: MASQUERADE  all  --  anywhere  anywhere']);
    expect(skippedNote(view)).toMatch(/^2 skipped lines \(iptables\.save line 3: .*\) could not be read and may hold it$/);
  });

  it('a clean iptables-save notes nothing and leaves the view complete', () => {
    const f = facts({commands: {'iptables.save': SAVE}});
    const view = f.get(liveFirewall);
    expect(view.nat).toHaveLength(1);
    expect(f.parseProblems()).toEqual([]);
    expect(skippedNote(view)).toBeUndefined();
  });

  it('a persisted iptables file names the file source and the path', () => {
    const f = facts({files: {'firewall.files': {'/etc/sysconfig/iptables': PASTED}}});
    const file = f.get(persistedFirewall).files[0]!;
    expect(file.view.skipped).toHaveLength(2);
    expect(f.parseProblems().map((p) => p.source)).toEqual(['firewall.files [/etc/sysconfig/iptables]', 'firewall.files [/etc/sysconfig/iptables]']);
  });

  it('fstab: a line with too few fields is in the report', () => {
    const f = facts({files: {fstab: {'/etc/fstab': 'UUID=1 / ext4 defaults 0 1\nbroken-line /mnt\n'}}});
    expect(f.get(fstabFile).entries).toHaveLength(1);
    expect(f.parseProblems()).toEqual([{source: 'fstab [/etc/fstab]', problem: 'line 2 skipped: broken-line /mnt (expected 4 to 6 fields, found 2)'}]);
  });
});

describe('sources that would not parse at all', () => {
  it('live: an unparsable nft.ruleset beside a readable iptables-save is named, and the view is incomplete', () => {
    const f = facts({commands: {'iptables.save': SAVE, 'nft.ruleset': '{"nftables": [{"table": '}});
    const view = f.get(liveFirewall);
    expect(view.nat).toHaveLength(1);
    const problems = f.parseProblems();
    expect(problems.map((p) => p.source)).toEqual(['nft.ruleset']);
    expect(problems[0]!.problem).toMatch(/^line \d+ skipped: .*the whole output was left out\)$/);
    expect(skippedNote(view)).toMatch(/^1 skipped line \(nft\.ruleset line \d+ \(the whole output was left out\)/);
  });

  it('persisted: an unparsable firewalld zone file is named in every report, not only in the gate', () => {
    const f = facts({files: {'firewalld.files': {'/etc/firewalld/zones/public.xml': '<?xml version="1.0"?>\n<zone><interface name="eth0"/>\n'}}});
    f.try(persistedFirewall);
    expect(f.parseProblems()).toEqual([expect.objectContaining({source: 'firewalld.files [/etc/firewalld/zones/public.xml]', problem: expect.stringMatching(/the whole file was left out\)$/)})]);
  });
});

describe('sysctl.d and unit files: the lines systemd skips are in the report', () => {
  // sysctl.d(5): "key = value"; a line without "=" is ignored by systemd-sysctl with a warning.
  const IP_FORWARD_NO_EQUALS = '# forwarding for the SUTs\nnet.ipv4.ip_forward 1\n';

  it('sysctl.d: a line that is not an assignment becomes a source problem with file and line', () => {
    const f = facts({files: {'sysctl.files': {'/etc/sysctl.d/ip_forward.conf': IP_FORWARD_NO_EQUALS}}});
    expect(f.get(sysctlFiles)[0]!.conf.assignments).toEqual([]);
    expect(f.parseProblems()).toEqual([{source: 'sysctl.files [/etc/sysctl.d/ip_forward.conf]', problem: 'line 2 skipped: net.ipv4.ip_forward 1 (not an assignment)'}]);
  });

  it('TD101 does not just say "not set": it names the skipped line that meant to set it', () => {
    const snapshot = makeSnapshot({files: {'sysctl.files': {'/etc/sysctl.d/ip_forward.conf': IP_FORWARD_NO_EQUALS}}, commands: {}});
    const report = analyzeSnapshot(snapshot, [td101], DEFAULT_CONFIG, {mode: 'snapshot'});
    const finding = report.results[0]!.findings[0]!;
    expect(finding.message).toMatch(/\/etc\/sysctl\.d\/ip_forward\.conf:2 "net\.ipv4\.ip_forward 1" is not an assignment: systemd-sysctl ignores it/);
    expect(report.sourceProblems.map((p) => p.source)).toContain('sysctl.files [/etc/sysctl.d/ip_forward.conf]');
  });

  it('unit files: a malformed line of the switch drop-in is a source problem', () => {
    const dropIn = '/etc/systemd/system/os-autoinst-openvswitch.service.d/override.conf';
    const f = facts({files: {'openqa.switch-config': {[dropIn]: '[Service]\nEnvironment="OS_AUTOINST_USE_BRIDGE=br2"\nEnvironmentFile /etc/sysconfig/os-autoinst-openvswitch\n'}}});
    expect(f.get(switchConfig).bridge).toBe('br2');
    expect(f.parseProblems()).toEqual([{source: `openqa.switch-config [${dropIn}]`, problem: "line 3 skipped: EnvironmentFile /etc/sysconfig/os-autoinst-openvswitch (missing '=')"}]);
  });

  it('unit files: a malformed line of a mount unit is a source problem', () => {
    const unit = '/etc/systemd/system/var-lib-openqa-share.mount';
    const f = facts({files: {mountinfo: {'/proc/self/mountinfo': '35 1 253:0 / / rw,relatime shared:1 - xfs /dev/sda1 rw\n'}, fstab: {}, 'systemd.mount-units': {[unit]: '[Mount]\nWhat=openqa:/var/lib/openqa/share\nWhere /var/lib/openqa/share\n'}}});
    expect(f.try(factoryShare).ok).toBe(true);
    expect(f.parseProblems().map((p) => `${p.source}: ${p.problem}`)).toEqual([`systemd.mount-units [${unit}]: line 3 skipped: Where /var/lib/openqa/share (missing '=')`]);
  });
});
