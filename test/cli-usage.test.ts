// The CLI around the commands: version, help, "did you mean", explain without an ID, the check
// list when piped. Runs the built CLI as a user does (stdout is a pipe here: 80 columns).
import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {CHECK_META} from '../src/checks/meta.js';
import {FLEET_CHECK_META} from '../src/fleet/meta.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['bin/run.js', ...args], {cwd: repo, encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}});
  return {code: r.status, stdout: r.stdout, stderr: r.stderr};
};
const oneLineError = (r: ReturnType<typeof run>, pattern: RegExp) => {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
};

describe('tapdoctor CLI usage', () => {
  it('answers -v, --version and version with the same line', () => {
    const lines = ['-v', '--version', 'version'].map((a) => run(a));
    for (const r of lines) expect(r.code).toBe(0);
    expect(lines[0]!.stdout).toMatch(/^tapdoctor\/\d+\.\d+\.\d+ linux-\w+ node-v\d+/);
    expect(new Set(lines.map((r) => r.stdout)).size).toBe(1);
  });

  it('prints the command list for -h, --help, help and no arguments', () => {
    for (const args of [['-h'], ['--help'], ['help'], []]) {
      const r = run(...args);
      expect(r.code, args.join(' ')).toBe(0);
      for (const cmd of ['analyze', 'check', 'checks list', 'explain', 'gate', 'snapshot']) expect(r.stdout).toMatch(new RegExp(`^  ${cmd} `, 'm'));
    }
  });

  it('prints a command\'s own help for help COMMAND, COMMAND -h and COMMAND --help, within 80 columns', () => {
    const texts = [run('help', 'analyze'), run('analyze', '-h'), run('analyze', '--help')].map((r) => r.stdout);
    expect(new Set(texts).size).toBe(1);
    expect(texts[0]).toContain('$ tapdoctor analyze [PATH] [FLAGS]');
    expect(texts[0]).toContain('--max-size');
    // Prose wraps at 80; only example commands (never wrapped) may be longer.
    for (const line of texts[0]!.split('\n').filter((l) => !l.startsWith('    $ '))) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(run('help', 'checks', 'list').stdout).toContain('$ tapdoctor checks list [FLAGS]');
    expect(run('checks', '--help').stdout).toMatch(/^ {2}checks list /m);
  });

  it('describes only the flags a command has', () => {
    const analyze = run('analyze', '--help').stdout;
    expect(analyze).not.toContain('--root');
    expect(analyze).not.toContain('--timeout');
    expect(run('explain', '--help').stdout).not.toContain('--fail-on');
  });

  it('suggests the command, flag, option or check that was probably meant', () => {
    oneLineError(run('chek'), /^tapdoctor: unknown command 'chek'; did you mean 'check'\?/);
    oneLineError(run('checks', 'lst'), /unknown command 'checks lst'; did you mean 'checks list'\?/);
    oneLineError(run('analyze', 'fixtures/demo', '--jsn'), /unknown flag '--jsn'; did you mean '--json'\?/);
    oneLineError(run('analyze', 'fixtures/demo', '--format', 'jsn'), /did you mean 'json'\?/);
    oneLineError(run('explain', 'TD01'), /unknown check 'TD01'; did you mean 'TD001'\?/);
    oneLineError(run('analyze', 'fixtures/demo', '--only', 'vlan-tag-mismach'), /did you mean 'vlan-tag-mismatch'\?/);
    oneLineError(run('--verison'), /unknown flag '--verison'; did you mean '--version'\?/);
    oneLineError(run('frobnicate'), /^tapdoctor: unknown command 'frobnicate' \(see: tapdoctor help\)$/m);
  });

  it('refuses a value given to a switch in one line, exit 2, instead of taking it for an argument', () => {
    oneLineError(run('analyze', 'fixtures/demo', '--json=1'), /^tapdoctor: --json takes no value \('--json=1'\): give --json \(or leave it out\) \(see: tapdoctor analyze --help\)$/m);
    oneLineError(run('analyze', 'fixtures/demo', '--no-color=1'), /--no-color takes no value .*give --color or --no-color/);
    oneLineError(run('checks', 'list', '--json=true'), /--json takes no value/);
    oneLineError(run('check', '--quiet=yes'), /--quiet takes no value/);
    // After `--` everything is an argument, as always.
    expect(run('analyze', '--json', '--', 'fixtures/demo').code).toBe(1);
  });

  it('lets the last of --color and --no-color win', () => {
    const esc = /\x1b\[/;
    expect(run('analyze', 'fixtures/demo', '--no-color', '--color').stdout).toMatch(esc);
    expect(run('analyze', 'fixtures/demo', '--color', '--no-color').stdout).not.toMatch(esc);
    expect(run('analyze', 'fixtures/demo', '--color').stdout).toMatch(esc);
  });

  it('lists the checks for explain without an ID, and prints every page with --all', () => {
    const list = run('explain');
    expect(list.code).toBe(0);
    for (const m of CHECK_META) expect(list.stdout).toContain(m.id);
    const all = run('explain', '--all');
    expect(all.code).toBe(0);
    // The fleet checks' pages too.
    expect(all.stdout.match(/^# TD\d{3} /gm)).toHaveLength(CHECK_META.length + FLEET_CHECK_META.length);
    expect(run('explain', 'gre-peer-missing').stdout).toContain('# TD201 gre-peer-missing');
  });

  it('lists the checks as plain columns within 80 columns when piped, and as JSON with --format json', () => {
    const r = run('checks', 'list');
    expect(r.stdout).not.toMatch(/[┌│─]/);
    for (const line of r.stdout.trimEnd().split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    const json = JSON.parse(run('checks', 'list', '--format', 'json').stdout) as {id: string}[];
    expect(json.map((c) => c.id)).toEqual(CHECK_META.map((m) => m.id));
    expect(run('checks', 'list', '--json').stdout).toBe(run('checks', 'list', '--format', 'json').stdout);
  });

  it('-o refuses to replace a file without --force, in analyze and gate alike', () => {
    const dir = mkdtempSync(join(tmpdir(), 'td-out-'));
    try {
      for (const args of [['analyze', 'fixtures/demo'], ['gate', '--snapshot', 'fixtures/demo', '--no-openqa']]) {
        const out = join(dir, `${args[0]}.txt`);
        writeFileSync(out, 'keep me');
        oneLineError(run(...args, '-o', out), /already exists; use --force/);
        expect(readFileSync(out, 'utf8')).toBe('keep me');
        expect(run(...args, '-o', out, '--force').code).toBe(1);
        expect(readFileSync(out, 'utf8')).toMatch(/^tapdoctor: openqaworker-demo7/);
      }
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });

  it('--brief prints one line per finding and the summary; --quiet leaves out all but errors', () => {
    const full = JSON.parse(run('analyze', 'fixtures/demo', '--json').stdout) as {findings: {severity: string}[]};
    const brief = run('analyze', 'fixtures/demo', '--brief');
    expect(brief.code).toBe(1);
    const lines = brief.stdout.trimEnd().split('\n');
    expect(lines.filter((l) => /^[✖▲●] TD\d{3} /.test(l))).toHaveLength(full.findings.length);
    expect(lines.at(-1)).toMatch(/^Summary: /);
    const quiet = run('analyze', 'fixtures/demo', '--brief', '--quiet').stdout.trimEnd().split('\n');
    const errors = full.findings.filter((f) => f.severity === 'error').length;
    expect(quiet.filter((l) => /^✖ TD\d{3} /.test(l))).toHaveLength(errors);
    expect(quiet.filter((l) => /^[▲●] TD/.test(l))).toHaveLength(0);
    expect(quiet.at(-1)).toMatch(/not shown: --quiet/);
    oneLineError(run('analyze', 'fixtures/demo', '--brief', '--json'), /--brief shortens the text report/);
  });
});
