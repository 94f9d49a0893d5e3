// Validate real renderJunit output against the JUnit schema with libxml2's xmllint.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {renderJunit} from '../../src/report/junit.js';
import {finding, reportOf, sampleReport} from './fixtures.js';
import {findTool, run, skipWithout} from './tools.js';

const XSD = fileURLToPath(new URL('./xsd/junit.xsd', import.meta.url));
const xmllint = findTool('xmllint', 'XMLLINT');
const skip = skipWithout('xmllint', xmllint !== undefined, 'apt-get install libxml2-utils');
let dir = '';

function validate(name: string, xml: string) {
  const file = join(dir, `${name}.xml`);
  writeFileSync(file, xml);
  return run(xmllint ?? 'xmllint', ['--noout', '--schema', XSD, file]);
}

describe.skipIf(skip)('JUnit output against the XSD (xmllint)', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tapdoctor-junit-'));
  });
  afterAll(() => rmSync(dir, {recursive: true, force: true}));

  it('validates a report with failures, skips, errors, notes and source problems', () => {
    const r = validate('sample', renderJunit(sampleReport()));
    expect(r.stderr).toContain('validates');
    expect(r.status).toBe(0);
  });

  it('validates hostile text, an n/a check, several hosts and an empty run', () => {
    const nasty = '\u0000\u001b[0m <x> & "q" \r\n\t\uD800 ]]>';
    const hostile = reportOf(
      [
        {id: 'TD001', slug: 'multiple-uplinks', title: nasty, severity: 'warning', status: 'fail', findings: [finding({checkId: 'TD001', slug: 'multiple-uplinks', subject: nasty, message: nasty, fix: nasty, evidence: [{source: nasty, lines: [nasty]}]})]},
        {id: 'TD006', slug: 'gre-mtu', title: nasty, severity: 'error', status: 'n/a', reason: nasty, findings: []},
      ],
      {host: nasty, path: nasty},
    );
    hostile.sourceProblems = [{source: nasty, problem: nasty}];
    for (const [name, xml] of [
      ['hostile', renderJunit(hostile)],
      ['multi', renderJunit([sampleReport(), hostile])],
      ['empty', renderJunit(reportOf([]))],
      ['none', renderJunit([])],
    ] as const) {
      const r = validate(name, xml);
      expect({name, status: r.status, stderr: r.stderr}).toEqual({name, status: 0, stderr: expect.stringContaining('validates')});
    }
  });

  it('the schema is strict: it rejects what a renderer typo would produce', () => {
    const good = renderJunit(sampleReport());
    const typo = good.replace('<skipped message=', '<skip message=');
    const badCount = good.replace('tests="7"', 'tests="seven"');
    const strayAttr = good.replace('<testsuites name=', '<testsuites colour="red" name=');
    for (const [name, xml] of [
      ['typo', typo],
      ['count', badCount],
      ['attr', strayAttr],
    ] as const) {
      expect({name, status: validate(name, xml).status}).not.toEqual({name, status: 0});
    }
  });
});
