import {describe, expect, it} from 'vitest';
import {loadCase} from '../../test/helpers/fixture.js';
import {DEFAULT_CONFIG, type TapdoctorConfig} from '../config.js';
import {analyzeSnapshot} from '../engine.js';
import {inferManifest} from '../sources/infer-manifest.js';
import {readTree} from '../sources/read-tree.js';
import greMtu from './TD006-gre-mtu.js';

type Edits = Record<string, (text: string) => string>;

/** Run TD006 on a fixture case with some of its snapshot files edited in memory. */
async function onCase(name: string, edits: Edits = {}, config: Partial<TapdoctorConfig> = {}) {
  const {snapshot} = await loadCase(name);
  for (const [path, edit] of Object.entries(edits)) {
    const before = snapshot.contents.get(path);
    if (!before) throw new Error(`${name} has no ${path}`);
    const after = edit(before.toString('utf8'));
    if (after === before.toString('utf8')) throw new Error(`edit of ${path} changed nothing`);
    snapshot.contents.set(path, Buffer.from(after));
  }
  return analyzeSnapshot(snapshot, [greMtu], {...DEFAULT_CONFIG, ...config}, {mode: 'snapshot'}).results[0]!;
}

const MESH = 'TD006-gre-mesh-default-mtu';
const WORKERS = 'files/etc/openqa/workers.ini';
const setMtu = (mtu: string) => (t: string) => t.replace('CACHEDIRECTORY = /var/lib/openqa/cache\n', `CACHEDIRECTORY = /var/lib/openqa/cache\nMM_MTU = ${mtu}\n`);

describe('TD006 healthy and not applicable', () => {
  it('passes a salt-built mesh with the default SUT MTU and empty GRE port MTUs', async () => {
    const r = await onCase(MESH);
    expect(r.status).toBe('pass');
    expect(r.findings).toEqual([]);
    expect(r.reason).toBeUndefined();
  });

  it('is n/a on a GRE-less host', async () => {
    const {tree, contents} = await readTree(new URL('../../fixtures/healthy-suse', import.meta.url).pathname);
    const r = analyzeSnapshot({manifest: inferManifest(tree), contents}, [greMtu], DEFAULT_CONFIG, {mode: 'snapshot'}).results[0]!;
    expect(r.status).toBe('n/a');
    expect(r.reason).toBe('no GRE port on br1: single-host multi-machine setup');
  });
});

describe('TD006 SUT MTU', () => {
  it('errors when MM_MTU exceeds uplink MTU - 42', async () => {
    const r = await onCase(MESH, {[WORKERS]: setMtu('1500')});
    expect(r.findings.map((f) => [f.subject, f.severity])).toEqual([['/etc/openqa/workers.ini', 'error']]);
    const f = r.findings[0]!;
    expect(f.message).toBe(
      'MM_MTU = 1500 (/etc/openqa/workers.ini:4, instances 1, 2) exceeds what the GRE path carries: 1458 (eth0 MTU 1500 − 42 towards 192.0.2.20); larger packets with DF set are dropped, expected 1458',
    );
    expect(f.fix.split('\n')).toEqual([
      '# /etc/openqa/workers.ini:4: set MM_MTU = 1458',
      "sed -i --follow-symlinks '4s/.*/MM_MTU = 1458/' /etc/openqa/workers.ini",
      '# MANUAL (a restart kills the running job):',
      '# workers read workers.ini at start: restart the instances once idle',
    ]);
    expect(f.evidence).toEqual([{source: 'openqa.workers-ini', lines: ['/etc/openqa/workers.ini:4: MM_MTU = 1500']}]);
  });

  it('uses the MTU of the route towards the peer (a 1422 cross-site path carries 1380)', async () => {
    const r = await onCase(MESH, {
      [WORKERS]: setMtu('1458'),
      'commands/ip.route-get/192.0.2.20': (t) => t.replace('"cache":[]', '"cache":[],"metrics":[{"mtu":1422}]'),
    });
    const f = r.findings[0]!;
    expect([f.subject, f.severity]).toEqual(['/etc/openqa/workers.ini', 'error']);
    expect(f.message).toMatch(/exceeds what the GRE path carries: 1380 \(eth0 MTU 1422 − 42 towards 192\.0\.2\.20\).*expected 1380$/);
  });

  it('treats an unset MM_MTU as 1380 and judges it only against the budget', async () => {
    expect((await onCase(MESH, {}, {greMtu: 1380})).findings).toEqual([]);
    const r = await onCase(MESH, {}, {greMtu: 1300});
    expect(r.findings.map((f) => [f.subject, f.severity, f.message])).toEqual([
      ['/etc/openqa/workers.ini', 'warning', 'the default MM_MTU 1380 (unset for tap instances 1, 2) is above the configured GRE MTU 1300 (greMtu), expected 1300'],
    ]);
    expect(r.findings[0]!.fix.split('\n')).toEqual([
      '# /etc/openqa/workers.ini: add MM_MTU = 1300 under [global]',
      "grep -q '^\\[global\\][[:space:]]*$' /etc/openqa/workers.ini 2>/dev/null || echo '[global]' >> /etc/openqa/workers.ini",
      "sed -i --follow-symlinks -e '/^\\[global\\][[:space:]]*$/,/^\\[/{/^MM_MTU[[:space:]]*=/d;}' -e '/^\\[global\\][[:space:]]*$/a MM_MTU = 1300' /etc/openqa/workers.ini",
      '# MANUAL (a restart kills the running job):',
      '# workers read workers.ini at start: restart the instances once idle',
    ]);
  });

  it('never reports an explicit MM_MTU below greMtu (1380 is the cross-site default; raising it breaks a 1422 path)', async () => {
    const r = await onCase(MESH, {[WORKERS]: setMtu('1380')});
    expect(r.findings).toEqual([]);
  });

  it('reports a running job whose vars.json asks for too large an MTU', async () => {
    const r = await onCase(MESH, {'files/var/lib/openqa/pool/1/vars.json': (t) => t.replace('"NICTYPE": "tap",', '"NICTYPE": "tap",\n   "MM_MTU": "1500",')});
    const f = r.findings.find((x) => x.subject === '/var/lib/openqa/pool/1')!;
    expect(f.severity).toBe('error');
    expect(f.evidence).toEqual([{source: 'openqa.pool', lines: ['/var/lib/openqa/pool/1/vars.json: "MM_MTU": "1500",']}]);
    expect(f.fix).toMatch(/^# MANUAL \(job settings live in the openQA web UI\):\n# the job's MM_MTU comes from its settings: set MM_MTU=1458/);
  });
});

describe('TD006 bridge, peers, RSTP', () => {
  it('errors when the bridge MTU is below the SUT MTU (the 1450 bridge of poo#151612)', async () => {
    const r = await onCase(MESH, {[WORKERS]: setMtu('1458'), 'commands/ovs.interfaces': (t) => t.replace('1460,1460,"br1"', '1450,["set",[]],"br1"')});
    expect(r.findings.map((f) => [f.subject, f.severity])).toEqual([['br1', 'error']]);
    const f = r.findings[0]!;
    expect(f.message).toBe('br1 MTU 1450 is below the SUT MTU 1458 (MM_MTU = 1458 (/etc/openqa/workers.ini:4, instances 1, 2)), expected ≥ 1458 (os-autoinst sets 1460): large packets between SUTs and the host are dropped');
    expect(f.fix.split('\n')[0]).toBe('ovs-vsctl set int br1 mtu_request=1460');
    expect(f.evidence[0]).toEqual({source: 'ovs.interfaces', lines: ['br1: mtu=1450 mtu_request=[]']});
  });

  it('reports a peer without a route, naming the pre-up script line', async () => {
    const r = await onCase(MESH, {'commands/ip.route-get/192.0.2.30': () => 'RTNETLINK answers: Network is unreachable\n'});
    expect(r.findings.map((f) => f.subject)).toEqual(['gre2']);
    const f = r.findings[0]!;
    expect(f.message).toBe('no route to the GRE peer 192.0.2.30 of gre2 (Network is unreachable), expected one via the uplink: SUTs on the peer\'s VLANs are unreachable');
    expect(f.fix.split('\n')).toEqual([
      '# MANUAL (only the admin knows whether the routing is wrong or 192.0.2.30 is gone for good):',
      '#   ip route get 192.0.2.30   # fix the routing to the peer, or if the peer is gone:',
      '#   ovs-vsctl --if-exists del-port br1 gre2',
      '# drop the peer from /etc/wicked/scripts/gre_tunnel_preup.sh line 25: ovs-vsctl --may-exist add-port $bridge gre2 -- set interface gre2 type=gre options:remote_ip=192.0.2.30 # openqaworker-suse3',
      "#   sed -i --follow-symlinks '25s/^/#/' /etc/wicked/scripts/gre_tunnel_preup.sh",
    ]);
  });

  it('reports a peer that is this host and RSTP off with two GRE ports', async () => {
    const r = await onCase('TD006-self-peer-rstp-off');
    expect(r.findings.map((f) => [f.subject, f.severity])).toEqual([
      ['gre2', 'error'],
      ['br1', 'error'],
    ]);
    expect(r.findings[0]!.evidence[1]).toEqual({source: 'ip.addr', lines: ['eth0: inet 192.0.2.10']});
    expect(r.findings[1]!.fix.split('\n')[0]).toBe('ovs-vsctl set bridge br1 rstp_enable=true');
  });
});

describe('TD006 VXLAN ports', () => {
  it('count with their own 50-byte overhead: MM_MTU 1458 fits GRE on 1500 but not VXLAN', async () => {
    const toVxlan = (t: string) => t.replaceAll('"gre"', '"vxlan"');
    expect((await onCase(MESH, {[WORKERS]: setMtu('1458')})).findings).toEqual([]);
    const r = await onCase(MESH, {[WORKERS]: setMtu('1458'), 'commands/ovs.interfaces': toVxlan});
    expect(r.findings.map((f) => [f.subject, f.severity])).toEqual([['/etc/openqa/workers.ini', 'error']]);
    expect(r.findings[0]!.message).toContain('1450 (eth0 MTU 1500 − 50 towards 192.0.2.20)');
    expect((await onCase(MESH, {[WORKERS]: setMtu('1450'), 'commands/ovs.interfaces': toVxlan})).findings).toEqual([]);
  });
});
