// Every output format produced by the CLI from the demo snapshot, validated the way its consumers
// read it: JUnit against the XSD (xmllint), Prometheus with promtool and our grammar, Nagios by
// its status line and exit code, HTML as one self-contained file.
import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, describe, expect, it} from 'vitest';
import {findTool, skipWithout} from './report/tools.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'td-formats-'));
afterAll(() => rmSync(out, {recursive: true, force: true}));
const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/run.js', 'analyze', 'fixtures/demo', ...args], {cwd: repo, encoding: 'utf8'});

describe('output formats from the demo snapshot', () => {
  const xmllint = findTool('xmllint', 'XMLLINT');
  it.skipIf(skipWithout('xmllint', xmllint !== undefined, 'apt-get install libxml2-utils'))('junit validates against the JUnit XSD', () => {
    const file = join(out, 'report.xml');
    const r = cli('--format', 'junit', '--output', file);
    expect(r.status, r.stderr).toBe(1);
    const v = spawnSync(xmllint!, ['--noout', '--schema', join(repo, 'test/report/xsd/junit.xsd'), file], {encoding: 'utf8'});
    expect(v.status, v.stderr).toBe(0);
    const xml = readFileSync(file, 'utf8');
    expect(xml).toContain('name="TD003 vlan-tag-mismatch"');
    expect(xml).toMatch(/<failure [^>]*type="error"/);
    expect(statSync(file).mode & 0o777).toBe(0o644);
  });

  const promtool = findTool('promtool', 'PROMTOOL');
  it.skipIf(skipWithout('promtool', promtool !== undefined, 'the prometheus package, or PROMTOOL=/path'))('prometheus passes promtool check metrics', () => {
    const r = cli('--format', 'prometheus');
    expect(r.status, r.stderr).toBe(1);
    const v = spawnSync(promtool!, ['check', 'metrics'], {input: r.stdout, encoding: 'utf8'});
    expect(v.status, v.stdout + v.stderr).toBe(0);
    expect(r.stdout).toMatch(/^tapdoctor_check_status\{id="TD003",slug="vlan-tag-mismatch",status="fail"\} 1$/m);
    expect(r.stdout).toMatch(/^tapdoctor_findings\{severity="error"\} \d+$/m);
  });

  it('nagios prints one status line with perfdata and exits CRITICAL (2)', () => {
    const r = cli('--format', 'nagios');
    expect(r.status).toBe(2);
    expect(r.stdout.split('\n')[0]).toMatch(/^TAPDOCTOR CRITICAL - \d+ errors?, \d+ warnings?.* \| errors=\d+;;;0 warnings=\d+;;;0/);
  });

  it('nagios exits OK (0) on a healthy host', () => {
    const r = spawnSync(process.execPath, ['bin/run.js', 'analyze', 'fixtures/healthy-fedora', '--format', 'nagios'], {cwd: repo, encoding: 'utf8'});
    expect(r.stdout).toMatch(/^TAPDOCTOR OK/);
    expect(r.status).toBe(0);
  });

  it('html is one self-contained file with the topology and every finding', () => {
    const file = join(out, 'report.html');
    expect(cli('--format', 'html', '--output', file).status).toBe(1);
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/i);
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<(script|link)\b[^>]*\b(src|href)=["']?https?:/i);
    for (const tap of ['tap0', 'tap1', 'tap2']) expect(html).toContain(`id="tap-${tap}"`);
    const json = JSON.parse(cli('--json').stdout) as {findings: unknown[]};
    expect(html.match(/<article class="finding/g)?.length).toBe(json.findings.length);
  });

  it('refuses --json with a different --format', () => {
    const r = cli('--json', '--format', 'junit');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tapdoctor: --json and --format disagree/);
  });
});
