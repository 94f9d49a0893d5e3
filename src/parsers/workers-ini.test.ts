import {readFileSync} from 'node:fs';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {ParseError} from './errors.js';
import {configuredInstances, hostSettings, instanceResolver, parseInstanceSpec, parseWorkersIni, resolveGlobal, resolveInstance, sectionCovers, splitWorkerClasses, type WorkersIni} from './workers-ini.js';

/** The resolution spelled out, section by section (what instanceResolver must equal). */
function resolveOne(files: WorkersIni[], n: number) {
  const settings: Record<string, string> = {};
  const origin: Record<string, string> = {};
  const put = (file: string, e: {key: string; value: string; append: boolean; line: number}, fill = false) => {
    if (fill && e.key in settings) return;
    settings[e.key] = e.append && settings[e.key] && !fill ? `${settings[e.key]},${e.value}` : e.value;
    origin[e.key] = `${file}:${e.line}`;
  };
  const all = files.flatMap((f) => f.sections);
  for (const s of all) if (s.kind === 'global') for (const e of s.entries) put(s.file, e);
  for (const s of all) if (sectionCovers(s, n)) for (const e of s.entries) put(s.file, e);
  const workerClasses = splitWorkerClasses(settings.WORKER_CLASS);
  for (const s of all) if (s.kind === 'class' && workerClasses.includes(s.className ?? '')) for (const e of s.entries) put(s.file, e, true);
  return {settings, origin, instance: n, workerClasses};
}
import {applyEdits, edits, survives} from '../../test/helpers/mutation.js';
import {catchError} from '../../test/helpers/thrown.js';

/** Strings of this format the mutations insert, besides COMMON_SPECIALS. */
const SPECIALS = ['"', "'", '\\', '=', '+=', '[', ']', '#', ';', ',', '-', '\\040'];

const sample = (name: string) => readFileSync(new URL(`../../test/samples/workers-ini/${name}`, import.meta.url), 'utf8');

describe('parseWorkersIni on openQA t/data/24-worker-settings/workers.ini', () => {
  const ini = parseWorkersIni(sample('openqa-t-24-worker-settings.txt'), '/etc/openqa/workers.ini');
  const files = [ini];

  it('classifies the sections', () => {
    expect(ini.sections.map((s) => [s.name, s.kind, s.ranges ?? s.className ?? null])).toEqual([
      ['global', 'global', null],
      ['1', 'instances', [[1, 1]]],
      ['2', 'instances', [[2, 2]]],
      ['3', 'instances', [[3, 3]]],
      ['1,2', 'instances', [[1, 1], [2, 2]]],
      ['2 - 4', 'instances', [[2, 4]]],
      ['3-6,1', 'instances', [[3, 6], [1, 1]]],
      ['http://localhost:9527', 'host', null],
      ['https://remotehost', 'host', null],
      ['class:special-hardware', 'class', 'special-hardware'],
      ['class:qemu_aarch64', 'class', 'qemu_aarch64'],
    ]);
  });

  it('trims keys and values and marks +=', () => {
    const range = ini.sections[5]!;
    expect(range.entries).toEqual([
      {key: 'RANGE_KEY', value: 'set-via-range', append: false, line: 28},
      {key: 'WORKER_CLASS', value: 'worker-class-via-range', append: true, line: 29},
    ]);
  });

  it('resolves [global] alone', () => {
    expect({...resolveGlobal(files).settings}).toEqual({
      HOST: 'http://localhost:9527    https://remotehost',
      WORKER_HOSTNAME: '127.0.0.1',
      GLOBAL: 'setting',
      LOG_LEVEL: 'test',
      LOG_DIR: 'log/dir',
    });
  });

  const global = {
    HOST: 'http://localhost:9527    https://remotehost',
    WORKER_HOSTNAME: '127.0.0.1',
    GLOBAL: 'setting',
    LOG_LEVEL: 'test',
    LOG_DIR: 'log/dir',
  };

  it('instance 1: its section, a list section and a range-and-list section', () => {
    const r = resolveInstance(files, 1);
    expect({...r.settings}).toEqual({...global, WORKER_CLASS: 'qemu_i386,qemu_x86_64', LIST_KEY: 'set-via-list', RANGE_AND_LIST_KEY: 'set-via-range-and-list'});
    expect(r.workerClasses).toEqual(['qemu_i386', 'qemu_x86_64']);
  });

  it('instance 2: += appends to the slot value, class sections only fill unset keys', () => {
    const r = resolveInstance(files, 2);
    expect({...r.settings}).toEqual({
      ...global,
      WORKER_CLASS: 'special-hardware,qemu_aarch64,worker-class-via-range',
      FOO: 'setting from slot has precedence',
      RETRY_DELAY: '10',
      RETRY_DELAY_IF_WEBUI_BUSY: '120',
      LIST_KEY: 'set-via-list',
      RANGE_KEY: 'set-via-range',
      BAR: 'aarch64-specific-setting',
    });
    expect(r.origin.WORKER_CLASS).toBe('/etc/openqa/workers.ini:29');
    expect(r.origin.FOO).toBe('/etc/openqa/workers.ini:15');
    expect(r.origin.BAR).toBe('/etc/openqa/workers.ini:45');
  });

  it('instances 3 and 4: ranges with spaces, += on an unset key sets it', () => {
    expect(resolveInstance(files, 3).settings.WORKER_CLASS).toBe('yet-another-class,worker-class-via-range');
    expect({...resolveInstance(files, 4).settings}).toEqual({
      ...global,
      WORKER_CLASS: 'worker-class-via-range',
      RANGE_KEY: 'set-via-range',
      RANGE_AND_LIST_KEY: 'set-via-range-and-list',
    });
    expect(resolveInstance(files, 7).settings.RANGE_AND_LIST_KEY).toBeUndefined();
  });

  it('resolves many instances at once as one at a time, in file order, also above MAX_INSTANCE', () => {
    const ini = parseWorkersIni('[global]\nA = g\n[1-3, 2]\nA += r\n[2]\nB = two\n[1500-1600]\nA = high\n[1-2000]\nC = all\n', '/w.ini');
    const resolve = instanceResolver([ini]);
    for (const n of [1, 2, 3, 4, 1550, 2000, 2001]) expect(resolve(n)).toEqual(resolveOne([ini], n));
    expect(resolve(2).settings).toMatchObject({A: 'g,r', B: 'two', C: 'all'});
    expect(resolve(2).origin.A).toBe('/w.ini:4');
    expect(resolve(1550).settings).toMatchObject({A: 'high', C: 'all'});
    expect({...resolve(2001).settings}).toEqual({A: 'g'});
  });

  it('enumerates configured instances and host sections', () => {
    expect(configuredInstances(files)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(hostSettings(files)).toEqual({
      'http://localhost:9527': {HOST_SPECIFIC: 'setting (localhost)'},
      'https://remotehost': {HOST_SPECIFIC: 'specific setting (remotehost)'},
    });
  });
});

describe('parseWorkersIni on other real files', () => {
  it('the shipped default: everything commented, one empty host section', () => {
    const ini = parseWorkersIni(sample('openqa-etc-workers.ini-default.txt'), 'default');
    expect(ini.sections.map((s) => [s.name, s.kind, s.entries.length])).toEqual([
      ['global', 'global', 0],
      ['https://sophisticated.openqa.org', 'host', 0],
    ]);
    expect(configuredInstances([ini])).toEqual([]);
  });

  it('the container config', () => {
    const ini = parseWorkersIni(sample('openqa-container-worker-conf.txt'), 'c');
    expect({...resolveGlobal([ini]).settings}).toEqual({HOST: 'http://172.17.0.1', BACKEND: 'qemu'});
  });

  it('an unrendered salt Jinja template is a ParseError at its first line', () => {
    const err = catchError(() => parseWorkersIni(sample('salt-openqa-workers.ini-template.txt'), '/etc/openqa/workers.ini'));
    expect(err).toBeInstanceOf(ParseError);
    expect(err).toMatchObject({source: '/etc/openqa/workers.ini', line: 1, detail: 'parameter found outside a section'});
  });
});

describe('workers.ini details', () => {
  it('merges several files in the order given; later files override and append', () => {
    const a = parseWorkersIni('[global]\nWORKER_CLASS = qemu_x86_64\n[1-3]\nX = a\n', '/usr/etc/openqa/workers.ini');
    const b = parseWorkersIni('[global]\nWORKER_CLASS += tap\n[2]\nX = b\n', '/etc/openqa/workers.ini.d/10-tap.ini');
    expect(resolveInstance([a, b], 2).settings).toMatchObject({WORKER_CLASS: 'qemu_x86_64,tap', X: 'b'});
    expect(resolveInstance([a, b], 3).settings).toMatchObject({WORKER_CLASS: 'qemu_x86_64,tap', X: 'a'});
    expect(resolveInstance([a, b], 3).origin.X).toBe('/usr/etc/openqa/workers.ini:4');
  });

  it('keeps `#` inside values, lower-case keys are upper-cased, `;` comments', () => {
    const ini = parseWorkersIni('; c\n[global]\nfoo = a # b\n', 's');
    expect(resolveGlobal([ini]).settings.FOO).toBe('a # b');
  });

  it('+= with a written comma does not double it', () => {
    const ini = parseWorkersIni('[global]\nWORKER_CLASS = a\nWORKER_CLASS += ,b\n', 's');
    expect(resolveGlobal([ini]).settings.WORKER_CLASS).toBe('a,b');
  });

  it('class sections match the resolved classes and never override', () => {
    const ini = parseWorkersIni('[global]\nWORKER_CLASS = tap,qemu_x86_64\nA = 1\n[class:tap]\nA = 2\nB = 3\n[class:other]\nC = 4\n', 's');
    const r = resolveInstance([ini], 5);
    expect({...r.settings}).toEqual({WORKER_CLASS: 'tap,qemu_x86_64', A: '1', B: '3'});
  });

  it('rejects garbage with the line', () => {
    expect(catchError(() => parseWorkersIni('[global]\njust words\n', 's'))).toMatchObject({line: 2});
    expect(catchError(() => parseWorkersIni('[global\n', 's'))).toMatchObject({line: 1});
    expect(catchError(() => parseWorkersIni('[5-3]\n', 's'))).toMatchObject({line: 1, detail: expect.stringContaining('instance list')});
    expect(catchError(() => parseWorkersIni('[global]\n = x\n', 's'))).toMatchObject({detail: 'empty key'});
  });

  it('enumerates huge ranges only up to MAX_INSTANCE', () => {
    const ini = parseWorkersIni('[1-999999999]\nX = 1\n', 's');
    expect(configuredInstances([ini])).toHaveLength(1024);
    expect(resolveInstance([ini], 5000).settings.X).toBe('1');
  });

  it('parses instance specs', () => {
    expect(parseInstanceSpec('1,3,5-8')).toEqual([[1, 1], [3, 3], [5, 8]]);
    expect(parseInstanceSpec(' 2 - 4 ')).toEqual([[2, 4]]);
    expect(parseInstanceSpec('1-')).toBeUndefined();
    expect(parseInstanceSpec('1-2-3')).toBeUndefined();
    expect(splitWorkerClasses(' tap, qemu_x86_64,,')).toEqual(['tap', 'qemu_x86_64']);
  });

  it('tolerates CRLF and a missing final newline', () => {
    const ini = parseWorkersIni('[global]\r\nHOST = x\r\n[1]\r\nWORKER_CLASS = tap', 's');
    expect(resolveInstance([ini], 1).settings).toMatchObject({HOST: 'x', WORKER_CLASS: 'tap'});
  });
});

describe('robustness', () => {
  it('random mutations of real files give a model or a ParseError', () => {
    const inputs = ['openqa-t-24-worker-settings.txt', 'openqa-container-worker-conf.txt', 'salt-openqa-workers.ini-template.txt'].map(sample);
    fc.assert(
      fc.property(fc.constantFrom(...inputs), edits({specials: SPECIALS}), (text, ops) => {
        survives(() => {
          const ini = parseWorkersIni(applyEdits(text, ops), 's');
          for (const n of configuredInstances([ini]).slice(0, 5)) resolveInstance([ini], n);
          hostSettings([ini]);
        });
      }),
    );
  });
});
