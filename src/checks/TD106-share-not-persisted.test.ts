import {describe, expect, it} from 'vitest';
import {loadCase} from '../../test/helpers/fixture.js';
import {overlay} from '../../test/gate/overlay.js';
import {fixture, run} from '../../test/gate/run-check.js';
import check from './TD106-share-not-persisted.js';

const ROOT_LINE = 'UUID=0b6a4c1e-0000-4000-8000-000000000001  /  ext4  defaults  0 1\n';

describe('TD106 share-not-persisted', () => {
  it('passes on both healthy fixtures (fstab automount line)', async () => {
    expect(run(check, await fixture('healthy-suse'))).toMatchObject({status: 'pass', findings: []});
    expect(run(check, await fixture('healthy-fedora'))).toMatchObject({status: 'pass', findings: []});
  });

  it('reports a share mounted by hand, with the fstab line built from the mount', async () => {
    const [f] = run(check, (await loadCase('TD106-hand-mounted-share')).snapshot).findings;
    expect(f).toMatchObject({
      subject: '/var/lib/openqa/share',
      message:
        'nfs4 openqa.example.test:/var/lib/openqa/share is mounted on /var/lib/openqa/share now, but neither /etc/fstab nor an enabled mount unit mounts it: after a reboot the workers fail jobs with "Cannot find … asset"',
      // salt-states-openqa openqa/nfs_share.sls: nfs (not nfs4), retried, automounted, nolock.
      fix: [
        '# as salt-states-openqa openqa/nfs_share.sls mounts it',
        "grep -qxF -e 'openqa.example.test:/var/lib/openqa/share /var/lib/openqa/share nfs ro,nofail,retry=30,x-systemd.mount-timeout=30m,x-systemd.automount,nolock 0 0' /etc/fstab 2>/dev/null || echo 'openqa.example.test:/var/lib/openqa/share /var/lib/openqa/share nfs ro,nofail,retry=30,x-systemd.mount-timeout=30m,x-systemd.automount,nolock 0 0' >> /etc/fstab",
        'systemctl daemon-reload',
      ].join('\n'),
    });
    expect(f!.evidence.map((e) => e.source)).toEqual(['/proc/self/mountinfo', '/etc/fstab', 'systemd.wants']);
  });

  it('reports a noauto line without x-systemd.automount', async () => {
    const {snapshot} = await loadCase('TD106-hand-mounted-share');
    const s = overlay(snapshot, {files: {fstab: {'/etc/fstab': `${ROOT_LINE}openqa.example.test:/var/lib/openqa/share  /var/lib/openqa/share  nfs4  ro,noauto  0 0\n`}}});
    const [f] = run(check, s).findings;
    expect(f!.message).toContain('but /etc/fstab:2 has noauto without x-systemd.automount');
    expect(f!.fix).toBe("# line 2: noauto alone never mounts at boot\nsed -i --follow-symlinks '2s/\\bnoauto\\b/x-systemd.automount/' /etc/fstab\nsystemctl daemon-reload");
    expect(f!.evidence[1]).toEqual({source: '/etc/fstab', lines: ['openqa.example.test:/var/lib/openqa/share  /var/lib/openqa/share  nfs4  ro,noauto  0 0']});
  });

  it('passes when nothing is mounted now, with or without CACHEDIRECTORY', async () => {
    const {snapshot} = await loadCase('TD106-hand-mounted-share');
    const mountinfo = snapshot.contents.get('files/proc/self/mountinfo')!.toString('utf8').replace(/^530 .*\n/m, '');
    const unmounted = overlay(snapshot, {files: {mountinfo: {'/proc/self/mountinfo': mountinfo}}});
    expect(run(check, unmounted)).toMatchObject({status: 'pass', reason: 'no share is mounted on /var/lib/openqa and CACHEDIRECTORY=/var/lib/openqa/cache: the workers do not need it after a reboot'});
    const noCache = overlay(unmounted, {files: {'openqa.workers-ini': {'/etc/openqa/workers.ini': '[global]\nHOST = http://localhost\n\n[1]\nWORKER_CLASS = qemu_x86_64,tap\n\n[2]\nWORKER_CLASS = qemu_x86_64,tap\n'}}});
    // Without a cache a missing share is broken now already (TD007's error); a reboot loses nothing.
    expect(run(check, noCache)).toMatchObject({
      status: 'pass',
      findings: [],
      reason: "no network share is mounted on /var/lib/openqa now, so a reboot loses none; whether factory/ is usable is TD007's question",
    });
  });

  it('stays silent on a web UI host whose local share the workers use', async () => {
    expect(run(check, (await loadCase('TD106-webui-on-this-host')).snapshot)).toMatchObject({status: 'pass', findings: []});
  });
  it('counts an autofs daemon map only while autofs.service is enabled', async () => {
    const {snapshot} = await loadCase('TD106-autofs-daemon-map');
    expect(run(check, snapshot)).toMatchObject({status: 'pass', findings: []});
    const disabled = overlay(snapshot, {files: {'systemd.wants': {'/etc/systemd/system/multi-user.target.wants/autofs.service': null}}});
    expect(run(check, disabled).findings.map((f) => f.subject)).toEqual(['/var/lib/openqa/share']);
  });

  describe('the persisted source against the mounted one', () => {
    it('reports an fstab line naming another server and export than the mounted share', async () => {
      const {findings} = run(check, (await loadCase('TD106-share-source-mismatch')).snapshot);
      expect(findings.map((f) => f.message)).toEqual([
        '/var/lib/openqa/share is mounted from openqa01.example.test:/srv/openqa/share (nfs4) now, but /etc/fstab:2 mounts openqa.example.test:/var/lib/openqa/share (nfs) at boot (server openqa.example.test ≠ openqa01.example.test, export /var/lib/openqa/share ≠ /srv/openqa/share): after a reboot the workers read another share',
      ]);
    });

    it('takes fstab `nfs` and a mounted nfs4 as one type, and a trailing slash as the same export', async () => {
      const base = await fixture('healthy-fedora');
      const fstab = `${ROOT_LINE}openqa.example.test:/var/lib/openqa/share/  /var/lib/openqa/share  nfs  ro,nofail,x-systemd.automount  0 0\n`;
      expect(run(check, overlay(base, {files: {fstab: {'/etc/fstab': fstab}}}))).toMatchObject({status: 'pass', findings: []});
    });

    it('compares a captured mount unit\'s What= and Type=, and says so when the unit was not captured', async () => {
      const {snapshot} = await loadCase('TD106-mount-unit');
      const uncaptured = run(check, snapshot);
      expect(uncaptured.status).toBe('pass');
      expect(uncaptured.reason).toMatch(/^var-lib-openqa-share\.mount mounts the share at boot; its source \(What=\) was not captured/);
      const unit = '[Mount]\nWhat=openqa01.example.test:/srv/share\nWhere=/var/lib/openqa/share\nType=nfs4\n';
      const withUnit = overlay(snapshot, {files: {'systemd.mount-units': {'/etc/systemd/system/var-lib-openqa-share.mount': unit}}});
      const {findings} = run(check, withUnit);
      expect(findings.map((f) => f.message)).toEqual([
        '/var/lib/openqa/share is mounted from openqa.example.test:/var/lib/openqa/share (nfs4) now, but var-lib-openqa-share.mount mounts openqa01.example.test:/srv/share (nfs) at boot (server openqa01.example.test ≠ openqa.example.test, export /srv/share ≠ /var/lib/openqa/share): after a reboot the workers read another share',
      ]);
    });
  });

  it('an unreadable /etc/fstab is no proof that no line mounts the share: skip, not a finding', async () => {
    const {snapshot} = await loadCase('TD106-hand-mounted-share');
    snapshot.manifest.sources['fstab'] = {name: 'fstab', status: 'failed', reason: 'permission denied', entries: []};
    expect(run(check, snapshot)).toMatchObject({status: 'skip', reason: 'whether /etc/fstab mounts the share at boot is unknown: could not collect fstab: permission denied', findings: []});
  });
});
