import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {ParseError} from './errors.js';
import {parseQemuPid, parseVarsJson, splitList} from './pool.js';
import {applyEdits, edits, survives} from '../../test/helpers/mutation.js';
import {catchError} from '../../test/helpers/thrown.js';

/** Strings of this format the mutations insert, besides COMMON_SPECIALS. */
const SPECIALS = ['"', ',', ':', '{', '}', '[', ']', '-1', '1e309'];

// Shape of a multi-machine job's vars.json after os-autoinst normalised it (written by openQA lib/OpenQA/Worker/Engines/isotovideo.pm).
const TAP_JOB = `{
   "ARCH" : "x86_64",
   "BACKEND" : "qemu",
   "MM_MTU" : "1458",
   "NETWORKS" : "fixed,second",
   "NICMAC" : "52:54:00:12:00:07,52:54:00:12:40:07",
   "NICTYPE" : "tap",
   "NICVLAN" : "12,13",
   "PARALLEL_WITH" : "supportserver",
   "QEMUPORT" : 20032,
   "TAPDEV" : "tap2,tap66",
   "TAPSCRIPT" : "no",
   "WORKER_CLASS" : "qemu_x86_64,tap",
   "WORKER_ID" : 7,
   "WORKER_INSTANCE" : 3
}
`;

describe('parseVarsJson', () => {
  it('reads the MM keys of a tap job', () => {
    const v = parseVarsJson(TAP_JOB, 'vars.json');
    expect({...v, vars: undefined}).toEqual({vars: undefined, nicType: 'tap', tapDevices: ['tap2', 'tap66'], tapDevAuto: false, vlans: [12, 13], mtu: 1458, workerInstance: 3});
    expect(v.vars.WORKER_ID).toBe(7);
  });

  it('accepts numbers and arrays, TAPDEV auto or absent', () => {
    expect(parseVarsJson('{"NICVLAN": 5, "TAPDEV": "auto", "NICTYPE": "tap"}', 's')).toMatchObject({vlans: [5], tapDevices: [], tapDevAuto: true});
    expect(parseVarsJson('{"NICVLAN": ["5", 6], "TAPDEV": ["tap1"]}', 's')).toMatchObject({vlans: [5, 6], tapDevices: ['tap1'], tapDevAuto: false});
    expect(parseVarsJson('{"NICTYPE": "user", "NICVLAN": "0"}', 's')).toMatchObject({nicType: 'user', vlans: [0], tapDevices: []});
    expect(parseVarsJson('{}', 's')).toEqual({vars: {}, tapDevices: [], tapDevAuto: true, vlans: []});
  });

  it('rejects broken JSON with the line, non-objects, bad VLANs', () => {
    expect(catchError(() => parseVarsJson('{\n "A": 1\n "B": 2}', '/var/lib/openqa/pool/3/vars.json'))).toMatchObject({
      source: '/var/lib/openqa/pool/3/vars.json',
      line: 3,
      text: ' "B": 2}',
      detail: "not valid JSON (Expected ',' or '}' after property value in JSON at position 11)",
    });
    expect(catchError(() => parseVarsJson('{\n "A": 1,\n "B": ', 's'))).toMatchObject({line: 3, detail: 'not valid JSON (Unexpected end of JSON input)'});
    expect(catchError(() => parseVarsJson('[1]', 's'))).toMatchObject({detail: 'expected a JSON object of job settings'});
    expect(catchError(() => parseVarsJson('{\n"NICVLAN": "12,x"}', 's'))).toMatchObject({line: 2, detail: 'VLAN is not an integer 0-4095'});
    expect(catchError(() => parseVarsJson('{"NICVLAN": 5000}', 's'))).toBeInstanceOf(ParseError);
    expect(catchError(() => parseVarsJson('', 's'))).toBeInstanceOf(ParseError);
  });

  it('splitList', () => {
    expect(splitList(' tap1 , tap65 ,')).toEqual(['tap1', 'tap65']);
    expect(splitList(null)).toEqual([]);
    expect(splitList([1, {}, 'a'])).toEqual(['1', 'a']);
  });
});

describe('parseQemuPid', () => {
  it('reads a pid with or without newline', () => {
    expect(parseQemuPid('12345\n', 's')).toBe(12345);
    expect(parseQemuPid(' 7', 's')).toBe(7);
  });
  it('rejects anything else', () => {
    for (const bad of ['', '0', '-1', 'abc', '12 34', '99999999999']) expect(catchError(() => parseQemuPid(bad, 's'))).toBeInstanceOf(ParseError);
  });
});

describe('robustness', () => {
  it('random mutations of a vars.json give a model or a ParseError', () => {
    fc.assert(fc.property(edits({specials: SPECIALS}), (ops) => survives(() => parseVarsJson(applyEdits(TAP_JOB, ops), 's'))));
  });
  it('arbitrary JSON values never crash', () => {
    fc.assert(fc.property(fc.json(), (json) => survives(() => parseVarsJson(json, 's'))));
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('NICVLAN', 'TAPDEV', 'MM_MTU', 'NICTYPE', 'WORKER_INSTANCE', '__proto__'), fc.jsonValue()), (obj) =>
        survives(() => parseVarsJson(JSON.stringify(obj), 's')),
      ),
    );
  });
});
