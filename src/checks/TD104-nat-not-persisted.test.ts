import {beforeAll, describe, expect, it} from 'vitest';
import {filePath, type Snapshot} from '../sources/snapshot.js';
import {loadCase} from '../../test/helpers/fixture.js';
import {overlay} from '../../test/gate/overlay.js';
import {fixture, run, WANTS} from '../../test/gate/run-check.js';
import check from './TD104-nat-not-persisted.js';

/** The masquerade line written as a pasted command, which iptables-save never prints. */
const pasted = (text: string) => text.replace('-A POSTROUTING -o eth0 -j MASQUERADE', 'iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE');

let suse: Snapshot;
let fedora: Snapshot;
beforeAll(async () => {
  [suse, fedora] = await Promise.all([fixture('healthy-suse'), fixture('healthy-fedora')]);
});

describe('TD104 nat-not-persisted', () => {
  it('passes on both healthy fixtures (nftables.service + /etc/firewall.nft, iptables.service + /etc/sysconfig/iptables)', () => {
    expect(run(check, suse)).toMatchObject({status: 'pass', findings: []});
    expect(run(check, fedora)).toMatchObject({status: 'pass', findings: []});
  });

  it('names runtime-only NAT and the command that saves it (iptables)', async () => {
    const {snapshot} = await loadCase('TD104-runtime-only-nat');
    const [f] = run(check, snapshot).findings;
    expect(f).toMatchObject({
      subject: 'eth0',
      message:
        'runtime NAT `[1:84] -A POSTROUTING -o eth0 -j MASQUERADE` (iptables.save) is not persisted: enabled iptables.service; /etc/sysconfig/iptables holds no masquerade for eth0; after a reboot SUTs reach nothing outside the host',
      fix: 'iptables-save > /etc/sysconfig/iptables\nunshare --net iptables-restore /etc/sysconfig/iptables   # a real load, in a throwaway network namespace (--test accepts NAT the kernel refuses)\nsystemctl restart iptables.service',
    });
    expect(f!.evidence.slice(0, 3)).toEqual([
      {source: 'iptables.save', lines: ['[1:84] -A POSTROUTING -o eth0 -j MASQUERADE']},
      {source: 'systemd.wants', lines: ['enabled: iptables.service']},
      {source: 'firewall.files', lines: ['loaded at boot: /etc/sysconfig/iptables (iptables.service)']},
    ]);
  });

  it('a refused file whose masquerade sits on a skipped line: the load failure only, no "holds no masquerade" guess', () => {
    const path = '/etc/sysconfig/iptables';
    const text = fedora.contents.get(filePath(path))!.toString('utf8');
    const s = overlay(fedora, {files: {'firewall.files': {[path]: pasted(text)}}});
    const findings = run(check, s).findings;
    expect(findings.map((f) => f.subject)).toEqual([path]);
    expect(findings[0]!.message).toMatch(/would not load at all: line 19: /);
    expect(findings.map((f) => f.message).join('\n')).not.toMatch(/holds no masquerade/);
  });

  it('names runtime-only NAT when no firewall unit is enabled (nftables)', () => {
    const s = overlay(suse, {files: {'systemd.wants': {[`${WANTS}nftables.service`]: null}}});
    const [f] = run(check, s).findings;
    expect(f!.message).toBe(
      'runtime NAT `oifname "eth0" masquerade` (nft.ruleset) is not persisted: no firewall unit (firewalld, nftables, iptables, netfilter-persistent) is enabled; after a reboot SUTs reach nothing outside the host',
    );
    expect(f!.fix).toBe(
      'nft list table ip nat >> /etc/firewall.nft   # the live table with the masquerade\nsystemctl enable nftables.service   # its ExecStart must load /etc/firewall.nft\nunshare --net nft -f /etc/firewall.nft   # a real load, in a throwaway network namespace (nft -c accepts NAT the kernel refuses)\nsystemctl restart nftables.service',
    );
  });

  it('reports a persisted file that would not load, and only that (its NAT is lost with it)', async () => {
    const {snapshot} = await loadCase('TD104-file-does-not-load');
    const findings = run(check, snapshot).findings;
    expect(findings.map((f) => f.subject)).toEqual(['/etc/firewall.nft']);
    expect(findings[0]!.message).toMatch(/^\/etc\/firewall\.nft, loaded by nftables\.service at boot, would not load at all: line 17: .+; its masquerade for eth0 is lost with it$/);
    // The edit is the admin's; only a real load proves the file (nft -c accepts the misplaced masquerade).
    expect(findings[0]!.fix.split('\n').slice(-3)).toEqual([
      '# edit /etc/firewall.nft: fix line 17',
      'unshare --net nft -f /etc/firewall.nft   # a real load, in a throwaway network namespace (nft -c accepts NAT the kernel refuses)',
      'systemctl restart nftables.service',
    ]);
    expect(findings[0]!.fix).not.toMatch(/^nft -c|iptables-restore --test/m);
    expect(findings[0]!.evidence).toEqual([{source: '/etc/firewall.nft', lines: ['add rule ip filter POSTROUTING oifname "eth0" counter masquerade']}]);
  });

  it('firewalld: the uplink\'s boot zone must masquerade in the permanent config', () => {
    const s = overlay(suse, {
      files: {
        'systemd.wants': {[`${WANTS}nftables.service`]: null, [`${WANTS}firewalld.service`]: {linkTarget: '/usr/lib/systemd/system/firewalld.service'}},
        'firewalld.files': {
          '/etc/firewalld/firewalld.conf': 'DefaultZone=public\n',
          '/etc/firewalld/zones/trusted.xml': '<?xml version="1.0" encoding="utf-8"?>\n<zone target="ACCEPT">\n  <interface name="br1"/>\n  <masquerade/>\n</zone>\n',
        },
      },
      commands: {'nft.ruleset': '{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}]}'},
    });
    const [f] = run(check, s).findings;
    expect(f!.message).toBe(
      'no masquerade for eth0 at runtime either (TD008): enabled firewalld.service; firewalld puts eth0 in zone public, which does not masquerade; after a reboot SUTs reach nothing outside the host',
    );
    expect(f!.fix).toBe('firewall-cmd --permanent --zone=public --add-masquerade\nfirewall-cmd --reload');
    // ZONE= in the uplink's ifcfg re-binds it at boot: then the trusted zone masquerades it
    const zoned = overlay(s, {files: {'network.ifcfg': {'/etc/sysconfig/network/ifcfg-eth0': "BOOTPROTO='static'\nSTARTMODE='auto'\nIPADDR='192.0.2.10/24'\nZONE=trusted\n"}}});
    expect(run(check, zoned).findings).toEqual([]);
  });

  it('skips when the rule files were not captured but a file-loading unit is enabled', () => {
    const r = run(check, overlay(suse, {failed: {'firewall.files': 'permission denied (needs root)'}}));
    expect(r).toMatchObject({status: 'skip', reason: 'nftables.service enabled, but could not collect firewall.files: permission denied (needs root)'});
  });

  it('judges the configured uplink when tapdoctor.yaml names one', () => {
    expect(run(check, suse, {uplink: 'eth9'}).findings.map((f) => f.subject)).toEqual(['eth9']);
  });
  it('cannot tell when a loaded file includes a file the snapshot does not hold', async () => {
    const {snapshot} = await loadCase('TD104-include-not-captured');
    expect(run(check, snapshot)).toMatchObject({
      status: 'skip',
      findings: [],
      reason: 'the rule files loaded at boot include files that were not captured (/etc/sysconfig/nftables.conf: include "/etc/nftables.d/openqa.nft")',
    });
  });
});
