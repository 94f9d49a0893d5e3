import {beforeAll, describe, expect, it} from 'vitest';
import type {Snapshot} from '../sources/snapshot.js';
import {overlay} from '../../test/gate/overlay.js';
import {fixture, run, WANTS} from '../../test/gate/run-check.js';
import check from './TD101-forwarding-not-persisted.js';

let suse: Snapshot;
beforeAll(async () => {
  suse = await fixture('healthy-suse');
});
const sysctl = (files: Record<string, string | null>) => overlay(suse, {files: {'sysctl.files': files}});

describe('TD101 forwarding-not-persisted', () => {
  it('passes on the healthy SUSE fixture', () => {
    expect(run(check, suse)).toMatchObject({status: 'pass', findings: []});
  });

  it('reports runtime-only forwarding with the file to create', () => {
    const r = run(check, sysctl({'/etc/sysctl.d/ip_forward.conf': null}));
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({
      subject: 'net.ipv4.ip_forward',
      message: 'no sysctl file sets net.ipv4.ip_forward = 1 (runtime 1 (set by hand or by a script, lost at reboot)); after a reboot forwarding is off',
      fix: "mkdir -p /etc/sysctl.d\ngrep -qxF -e 'net.ipv4.ip_forward = 1' /etc/sysctl.d/ip_forward.conf 2>/dev/null || echo 'net.ipv4.ip_forward = 1' >> /etc/sysctl.d/ip_forward.conf",
      evidence: [
        {source: '/proc/sys/net/ipv4/ip_forward', lines: ['1']},
        {source: 'sysctl.files', lines: ['no sysctl file in /etc/sysctl.d, /usr/lib/sysctl.d (/etc/sysctl.conf counts only through a 99-sysctl.conf link there; /run/sysctl.d is emptied at boot)']},
      ],
    });
  });

  it('names the later file that switches it off again, and the line to change', () => {
    const r = run(check, sysctl({'/etc/sysctl.d/zz-local.conf': '# local tuning\nnet.ipv4.ip_forward = 0\n'}));
    expect(r.findings.map((f) => [f.subject, f.message, f.evidence.at(-1)])).toEqual([
      [
        'net.ipv4.ip_forward',
        '/etc/sysctl.d/zz-local.conf:2 is the last setting of the IPv4 forwarding switch and says net.ipv4.ip_forward = 0, expected 1 (runtime 1 (set by hand or by a script, lost at reboot))',
        {source: '/etc/sysctl.d/zz-local.conf', lines: ['net.ipv4.ip_forward = 0']},
      ],
    ]);
  });

  // systemd-sysctl never reads /etc/sysctl.conf (sysctl.d(5), systemd/systemd#8360); the old model
  // applied it last, so it blocked this good host and passed the next one.
  it('ignores /etc/sysctl.conf without a 99-sysctl.conf link: its 0 does not switch forwarding off at boot', () => {
    expect(run(check, sysctl({'/etc/sysctl.conf': 'net.ipv4.ip_forward = 0\n'}))).toMatchObject({status: 'pass', findings: []});
  });

  it('a 1 only in /etc/sysctl.conf without the link persists nothing: forwarding is off after a reboot', () => {
    const r = run(check, sysctl({'/etc/sysctl.d/ip_forward.conf': null, '/etc/sysctl.conf': 'net.ipv4.ip_forward = 1\n'}));
    expect(r.findings.map((f) => f.subject)).toEqual(['net.ipv4.ip_forward']);
  });

  it('reads /etc/sysctl.conf through 99-sysctl.conf in that name\'s place: ip_forward.conf sorts after it and wins', () => {
    expect(run(check, sysctl({'/etc/sysctl.d/99-sysctl.conf': 'net.ipv4.ip_forward = 0\n'}))).toMatchObject({status: 'pass', findings: []});
    const r = run(check, sysctl({'/etc/sysctl.d/ip_forward.conf': null, '/etc/sysctl.d/99-sysctl.conf': 'net.ipv4.ip_forward = 0\n'}));
    expect(r.findings[0]!.message).toMatch(/^\/etc\/sysctl.d\/99-sysctl.conf:1 is the last setting/);
  });

  it('overrides a vendor file with a later-sorting file in /etc instead of editing it', () => {
    const r = run(check, sysctl({'/etc/sysctl.d/ip_forward.conf': null, '/usr/lib/sysctl.d/50-default.conf': 'net.ipv4.ip_forward = 0\n'}));
    expect(r.findings[0]!.fix).toBe("# sorts after /usr/lib/sysctl.d/50-default.conf\nmkdir -p /etc/sysctl.d\ngrep -qxF -e 'net.ipv4.ip_forward = 1' /etc/sysctl.d/zz-tapdoctor-forwarding.conf 2>/dev/null || echo 'net.ipv4.ip_forward = 1' >> /etc/sysctl.d/zz-tapdoctor-forwarding.conf");
  });

  it('reports a per-interface 0 for the bridge that comes last, even with ip_forward = 1', () => {
    const r = run(check, sysctl({'/etc/sysctl.d/zz-br1.conf': 'net.ipv4.conf.br1.forwarding = 0\n'}));
    expect(r.findings.map((f) => [f.subject, f.fix])).toEqual([['net.ipv4.conf.br1.forwarding', "sed -i --follow-symlinks '1s/.*/net.ipv4.conf.br1.forwarding = 1/' /etc/sysctl.d/zz-br1.conf"]]);
  });

  it('stays silent when the enabled firewalld masquerades the uplink zone (it switches forwarding on)', () => {
    const s = overlay(suse, {
      files: {
        'sysctl.files': {'/etc/sysctl.d/ip_forward.conf': null},
        'systemd.wants': {[`${WANTS}firewalld.service`]: {linkTarget: '/usr/lib/systemd/system/firewalld.service'}},
        'firewalld.files': {
          '/etc/firewalld/firewalld.conf': 'DefaultZone=trusted\n',
          '/etc/firewalld/zones/trusted.xml': '<?xml version="1.0" encoding="utf-8"?>\n<zone target="ACCEPT">\n  <interface name="br1"/>\n  <interface name="eth0"/>\n  <masquerade/>\n</zone>\n',
        },
      },
    });
    const r = run(check, s);
    expect(r.status).toBe('pass');
    expect(r.reason).toBe(
      'no sysctl file enables net.ipv4.ip_forward, but firewalld.service is enabled and masquerades zone trusted (permanent binding of eth0 to zone trusted), which switches IPv4 forwarding on at start',
    );
  });

  it('skips when the sysctl files were not captured', () => {
    const r = run(check, overlay(suse, {failed: {'sysctl.files': 'permission denied'}}));
    expect(r).toMatchObject({status: 'skip', reason: 'could not collect sysctl.files: permission denied'});
  });
  it('does not count /run/sysctl.d: it is emptied at boot', () => {
    const r = run(check, sysctl({'/etc/sysctl.d/ip_forward.conf': null, '/run/sysctl.d/ip_forward.conf': 'net.ipv4.ip_forward = 1\n'}));
    expect(r.findings.map((f) => f.subject)).toEqual(['net.ipv4.ip_forward']);
  });
});
