import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {parseWorkersPage, sameHost} from './workers.js';

const recorded = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../test/openqa/${name}`, import.meta.url), 'utf8'));

describe('parseWorkersPage', () => {
  it('reads every entry of a current web UI answer, keeping status, job, step, error and liveness', () => {
    const page = parseWorkersPage(recorded('workers-several-hosts.json'));
    expect(page.ok).toBe(true);
    if (!page.ok) return;
    expect(page.workers).toHaveLength(11);
    expect(page.workers.map((w) => `${w.host}:${w.instance} ${w.status} ${w.jobId ?? '-'}`)).toEqual([
      'openqaworker-arm-1:1 broken -',
      'openqaworker-arm-1:2 broken -',
      'grenache-1:1 idle -',
      'grenache-1:2 dead 15230001',
      'worker35.oqa.prg2.suse.org:1 running 15234567',
      'worker35.oqa.prg2.suse.org:2 idle -',
      'worker35.oqa.prg2.suse.org:3 broken -',
      'worker35.oqa.prg2.suse.org:4 dead -',
      'worker35.oqa.prg2.suse.org:5 running 15234570',
      'worker36.oqa.prg2.suse.org:1 running 15234999',
      'worker36.oqa.prg2.suse.org:2 idle -',
    ]);
    expect(page.workers[4]).toEqual({
      id: 2201,
      host: 'worker35.oqa.prg2.suse.org',
      instance: 1,
      status: 'running',
      jobId: 15234567,
      currentStep: 'yast2_lan',
      error: null,
      alive: true,
    });
    expect(page.workers[6]).toMatchObject({status: 'broken', error: 'Unable to lock pool directory: /var/lib/openqa/pool/3 already locked\n', alive: true});
    expect(page.workers[7]).toMatchObject({status: 'dead', jobId: null, alive: false});
  });

  it('reads the pre-2020 entry shape (no "error" key)', () => {
    const page = parseWorkersPage(recorded('workers-legacy-2019.json'));
    expect(page).toEqual({
      ok: true,
      workers: [
        {id: 35, host: 'openqaworker4', instance: 1, status: 'running', jobId: 1069582, currentStep: 'partitioning_lvm', error: null, alive: true},
        {id: 36, host: 'openqaworker4', instance: 2, status: 'idle', jobId: null, currentStep: null, error: null, alive: true},
        {id: 41, host: 'openqaworker7', instance: 1, status: 'idle', jobId: null, currentStep: null, error: null, alive: true},
      ],
    });
  });

  it('accepts an empty list, numeric strings and a null jobid', () => {
    expect(parseWorkersPage({workers: []})).toEqual({ok: true, workers: []});
    expect(parseWorkersPage({workers: [{id: '7', host: 'w', instance: '2', status: 'idle', jobid: null, connected: 0}]})).toEqual({
      ok: true,
      workers: [{id: 7, host: 'w', instance: 2, status: 'idle', jobId: null, currentStep: null, error: null, alive: false}],
    });
  });

  it('names the first offending path of a wrong shape', () => {
    const ok = {id: 1, host: 'w', instance: 1, status: 'idle'};
    const cases: Array<[unknown, string]> = [
      [null, 'top level is null, expected an object with a "workers" list'],
      [[ok], 'top level is a list, expected an object with a "workers" list'],
      ['<html>', 'top level is "<html>", expected an object with a "workers" list'],
      [{jobs: [], count: 0}, '"workers" is missing, expected a list (top-level keys: "jobs", "count")'],
      [{workers: {'1': ok}}, '"workers" is an object, expected a list (top-level keys: "workers")'],
      [{}, '"workers" is missing, expected a list (top-level keys: none)'],
      [{workers: [ok, 'x']}, 'workers[1] is "x", expected an object'],
      [{workers: [{...ok, id: 1.5}]}, 'workers[0].id is 1.5, expected an integer'],
      [{workers: [{...ok, instance: 'one'}]}, 'workers[0].instance is "one", expected an integer'],
      [{workers: [{...ok, instance: -1}]}, 'workers[0].instance is -1, expected an integer'],
      [{workers: [{...ok, host: ''}]}, 'workers[0].host is "", expected a host name'],
      [{workers: [{...ok, host: undefined}]}, 'workers[0].host is missing, expected a host name'],
      [{workers: [{...ok, status: 3}]}, 'workers[0].status is 3, expected a string'],
      [{workers: [{...ok, jobid: 'abc'}]}, 'workers[0].jobid is "abc", expected an integer'],
      [{workers: [{...ok, jobid: {id: 5}}]}, 'workers[0].jobid is an object, expected an integer'],
    ];
    for (const [json, problem] of cases) expect(parseWorkersPage(json), problem).toEqual({ok: false, problem});
  });

  it('clips long values in problems', () => {
    const long = 'x'.repeat(100);
    expect(parseWorkersPage({workers: [{id: 1, host: 'w', instance: long, status: 'idle'}]})).toEqual({
      ok: false,
      problem: `workers[0].instance is "${'x'.repeat(39)}…, expected an integer`,
    });
  });
});

describe('sameHost', () => {
  it.each([
    ['worker35', 'worker35', true],
    ['Worker35', 'WORKER35', true],
    ['worker35', 'worker35.oqa.prg2.suse.org', true],
    ['worker35.oqa.prg2.suse.org', 'worker35', true],
    ['WORKER35.OQA.PRG2.SUSE.ORG', 'worker35.oqa.prg2.suse.org', true],
    ['worker35.oqa.prg2.suse.org.', 'worker35.oqa.prg2.suse.org', true],
    ['worker35', 'worker3', false],
    ['worker3', 'worker35.oqa.prg2.suse.org', false],
    ['worker35.oqa.prg2.suse.org', 'worker35.qa.suse.de', false],
    ['worker35.oqa.prg2.suse.org', 'oqa', false],
    ['10.0.0.5', '10', false],
    ['10.0.0.5', '10.0.0.5', true],
    ['fe80::1', 'fe80', false],
    ['', '', false],
    ['worker35', '', false],
  ])('%s ~ %s → %s', (a, b, expected) => {
    expect(sameHost(a, b)).toBe(expected);
  });
});
