// Shell completion scripts as the shells run them: bash completes commands, flags, option values,
// check IDs and subcommands; fish likewise; zsh parses its script. All come from the help texts.
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, describe, expect, it} from 'vitest';
import {findTool, skipWithout} from './report/tools.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'td-completion-'));
afterAll(() => rmSync(work, {recursive: true, force: true}));
const script = (shell: string) => {
  const r = spawnSync(process.execPath, ['bin/run.js', 'completion', shell], {cwd: repo, encoding: 'utf8'});
  expect(r.status, r.stderr).toBe(0);
  const file = join(work, `tapdoctor.${shell}`);
  writeFileSync(file, r.stdout);
  return file;
};

/** What bash offers for the command line `words` (the last word being completed). */
function bashComplete(file: string, words: string[]): string[] {
  const r = spawnSync('bash', ['-c', 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _tapdoctor; printf "%s\\n" "${COMPREPLY[@]}"', 'bash', file, ...words], {cwd: work, encoding: 'utf8'});
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean);
}

describe('bash completion', () => {
  const file = script('bash');
  it('completes commands, subcommands and flags of the command typed', () => {
    expect(bashComplete(file, ['tapdoctor', 'ch'])).toEqual(['check', 'checks']);
    expect(bashComplete(file, ['tapdoctor', 'checks', ''])).toEqual(['list']);
    expect(bashComplete(file, ['tapdoctor', 'analyze', '--fo'])).toEqual(['--force', '--format']);
    expect(bashComplete(file, ['tapdoctor', 'checks', 'list', '--'])).toContain('--format');
    // snapshot has no --fail-on; analyze has no --root
    expect(bashComplete(file, ['tapdoctor', 'snapshot', '--fa'])).toEqual([]);
    expect(bashComplete(file, ['tapdoctor', 'analyze', '--ro'])).toEqual([]);
  });
  it('completes option values and check IDs', () => {
    expect(bashComplete(file, ['tapdoctor', 'check', '--format', 'j'])).toEqual(['json', 'junit']);
    expect(bashComplete(file, ['tapdoctor', 'check', '--only', 'TD00'])).toContain('TD003');
    expect(bashComplete(file, ['tapdoctor', 'explain', 'TD01'])).toContain('TD012');
    expect(bashComplete(file, ['tapdoctor', 'completion', ''])).toEqual(['bash', 'zsh', 'fish']);
  });
});

describe.skipIf(skipWithout('fish', Boolean(findTool('fish')), 'Debian package fish'))('fish completion', () => {
  it('completes commands, flags and values', () => {
    const file = script('fish');
    const complete = (line: string) => spawnSync('fish', ['--no-config', '-c', `source ${file}; complete -C '${line}'`], {encoding: 'utf8'}).stdout.split('\n').map((l) => l.split('\t')[0]).filter(Boolean);
    expect(complete('tapdoctor ch')).toEqual(expect.arrayContaining(['check', 'checks']));
    expect(complete('tapdoctor analyze --fo')).toEqual(expect.arrayContaining(['--force', '--format']));
    expect(complete('tapdoctor check --format ')).toEqual(expect.arrayContaining(['json', 'prometheus']));
    expect(complete('tapdoctor checks ')).toContain('list');
  });
});

describe.skipIf(skipWithout('zsh', Boolean(findTool('zsh')), 'Debian package zsh'))('zsh completion', () => {
  it('is a script zsh parses, with a #compdef line', () => {
    const file = script('zsh');
    const r = spawnSync('zsh', ['-n', file], {encoding: 'utf8'});
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(spawnSync('head', ['-1', file], {encoding: 'utf8'}).stdout).toBe('#compdef tapdoctor\n');
  });
});
