import {describe, expect, it} from 'vitest';
import {loadCase} from '../../test/helpers/fixture.js';
import {overlay} from '../../test/gate/overlay.js';
import {fixture, run, WANTS} from '../../test/gate/run-check.js';
import check from './TD107-units-not-enabled.js';

describe('TD107 units-not-enabled', () => {
  it('passes on both healthy fixtures', async () => {
    expect(run(check, await fixture('healthy-suse'))).toMatchObject({status: 'pass', findings: []});
    expect(run(check, await fixture('healthy-fedora'))).toMatchObject({status: 'pass', findings: []});
  });

  it('reports units started by hand, naming their state now and the enable command', async () => {
    const findings = run(check, (await loadCase('TD107-started-not-enabled')).snapshot).findings;
    expect(findings.map((f) => [f.subject, f.message, f.fix])).toEqual([
      [
        'os-autoinst-openvswitch.service',
        'os-autoinst-openvswitch.service is active (running) now but not enabled: after a reboot it does not start, and without it the bridge has no OpenFlow rules and tap jobs cannot be tagged',
        'systemctl enable os-autoinst-openvswitch.service',
      ],
      [
        'openqa-worker-auto-restart@2.service',
        'openqa-worker-auto-restart@2.service is active (running) now but not enabled: after a reboot it does not start, and worker instance 2 is active now',
        'systemctl enable openqa-worker-auto-restart@2.service',
      ],
    ]);
    expect(findings[0]!.evidence).toEqual([
      {source: 'systemd.wants', lines: ['no link named os-autoinst-openvswitch.service in /etc/systemd/system/*.wants/']},
      {source: 'systemd.units', lines: ['os-autoinst-openvswitch.service loaded active running os-autoinst openvswitch helper']},
    ]);
  });

  it('requires the network service that owns the bridge config (NetworkManager on Fedora)', async () => {
    const s = overlay(await fixture('healthy-fedora'), {files: {'systemd.wants': {[`${WANTS}NetworkManager.service`]: null}}});
    const [f] = run(check, s).findings;
    expect(f!.subject).toBe('NetworkManager.service');
    expect(f!.message).toContain('its profiles (/etc/NetworkManager/system-connections/ovs-br0-if.nmconnection, ');
  });

  it('accepts Debian\'s openvswitch-switch for openvswitch', async () => {
    const s = overlay(await fixture('healthy-suse'), {
      files: {'systemd.wants': {[`${WANTS}openvswitch.service`]: null, [`${WANTS}openvswitch-switch.service`]: {linkTarget: '/lib/systemd/system/openvswitch-switch.service'}}},
    });
    expect(run(check, s).findings).toEqual([]);
  });

  it('cannot tell when the running units are unknown (the gate must not say safe)', async () => {
    const s = overlay(await fixture('healthy-suse'), {commands: {'systemd.units': null}});
    expect(run(check, s)).toMatchObject({
      status: 'skip',
      findings: [],
      reason: 'running worker instances unknown (source systemd.units is not in this snapshot): whether each is enabled cannot be judged',
    });
  });

  it('still reports what it can see when the running units are unknown', async () => {
    const s = overlay(await fixture('healthy-suse'), {commands: {'systemd.units': null}, files: {'systemd.wants': {[`${WANTS}os-autoinst-openvswitch.service`]: null}}});
    expect(run(check, s).findings.map((f) => f.subject)).toEqual(['os-autoinst-openvswitch.service']);
  });
});
