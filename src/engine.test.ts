import {describe, expect, it} from 'vitest';
import {makeSnapshot} from '../test/helpers/snapshot.js';
import {defineCheck, notApplicable} from './checks/define.js';
import {checkMeta} from './checks/meta.js';
import {DEFAULT_CONFIG} from './config.js';
import {analyzeSnapshot} from './engine.js';

const noChecks: never[] = [];
const problems = (spec: Parameters<typeof makeSnapshot>[0]) => analyzeSnapshot(makeSnapshot(spec), noChecks, DEFAULT_CONFIG, {mode: 'snapshot'}).sourceProblems;

describe('source problems', () => {
  it('leaves out tools the host does not use: firewall-cmd absent, iptables-save absent where nft answered', () => {
    expect(problems({commands: {'nft.ruleset': '{"nftables":[]}'}, failed: {'firewalld.runtime': 'firewall-cmd not found', 'iptables.save': 'iptables-save not found'}})).toEqual([]);
  });
  it('keeps them when no firewall tool answered, and keeps every other failure', () => {
    expect(problems({failed: {'nft.ruleset': 'nft not found', 'iptables.save': 'iptables-save not found', 'firewalld.runtime': 'permission denied', 'ovs.show': 'ovs-vsctl not found'}})).toEqual([
      {source: 'nft.ruleset', problem: 'nft not found'},
      {source: 'iptables.save', problem: 'iptables-save not found'},
      {source: 'firewalld.runtime', problem: 'permission denied'},
      {source: 'ovs.show', problem: 'ovs-vsctl not found'},
    ]);
  });
});

describe('applicability', () => {
  const plain = {files: {'openqa.workers-ini': {}, 'openqa.switch-config': {}, 'tap.sysfs': {}}, commands: {'ovs.bridges': '{"data":[],"headings":["_uuid","name","ports"]}'}};
  const probe = defineCheck(checkMeta('TD009'), () => {
    throw new Error('must not run on a host it does not apply to');
  });
  it('makes a check declaring appliesTo tap-worker n/a on a host with no sign of one, without running it', () => {
    const [r] = analyzeSnapshot(makeSnapshot(plain), [probe], DEFAULT_CONFIG, {mode: 'snapshot'}).results;
    expect(r).toMatchObject({id: 'TD009', status: 'n/a', reason: expect.stringMatching(/^not an openQA tap worker/)});
  });
  it('runs it when a sign is there, and passes a check outcome n/a through', () => {
    const tapHost = {...plain, files: {...plain.files, 'openqa.workers-ini': {'/etc/openqa/workers.ini': '[1]\nWORKER_CLASS = tap\n'}}};
    const [r] = analyzeSnapshot(makeSnapshot(tapHost), [defineCheck(checkMeta('TD009'), () => notApplicable('no GRE port'))], DEFAULT_CONFIG, {mode: 'snapshot'}).results;
    expect(r).toMatchObject({status: 'n/a', reason: 'no GRE port'});
  });
});
