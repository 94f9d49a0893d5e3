import {readFileSync} from 'node:fs';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {buildAccountDb, parseGroup, parsePasswd, resolveGid, resolveUid} from './accounts.js';
import {ParseError} from './errors.js';
import {applyEdits, edits, survives} from '../../test/helpers/mutation.js';

/** Strings of this format the mutations insert, besides COMMON_SPECIALS. */
const SPECIALS = [':', ',', '+', '-', '#', '__proto__'];

const sample = (name: string) => readFileSync(new URL(`../../test/samples/accounts/generated-debian12-base-passwd-useradd-openqa-worker-${name}.txt`, import.meta.url), 'utf8');

describe('passwd and group made by useradd (shadow 4.13) on Debian base-passwd', () => {
  const users = parsePasswd(sample('passwd'), '/etc/passwd');
  const groups = parseGroup(sample('group'), '/etc/group');
  const db = buildAccountDb(users, groups);

  it('parses every entry', () => {
    expect(users).toHaveLength(19);
    expect(users.at(-1)).toEqual({name: '_openqa-worker', uid: 999, gid: 65534, home: '/var/lib/openqa', shell: '/bin/bash', line: 19});
    expect(groups).toHaveLength(39);
    expect(groups.at(-1)).toEqual({name: 'kvm', gid: 999, members: ['_openqa-worker'], line: 39});
  });

  it('resolves the worker with its primary and supplementary groups', () => {
    expect(db.byName.get('_openqa-worker')).toEqual({name: '_openqa-worker', uid: 999, gid: 65534, groups: [65534, 999]});
    expect(db.byUid.get(65534)!.name).toBe('nobody');
    expect(db.groupByGid.get(65534)!.name).toBe('nogroup');
    expect(resolveGid(db, 'nogroup')).toBe(65534);
    expect(resolveGid(db, '65534')).toBe(65534);
    expect(resolveGid(db, 'nobody')).toBeUndefined(); // Debian has no group "nobody" (Fedora does)
    expect(resolveUid(db, '_openqa-worker')).toBe(999);
  });
});

describe('glibc-like tolerance', () => {
  it('skips comments, NIS lines and malformed lines; the first entry of a name wins', () => {
    const users = parsePasswd('# c\n+::::::\nbroken line\nroot:x:0:0::/root:/bin/sh\nroot:x:5:5::/:/bin/sh\nshort:x:7:7\n', 's');
    expect(users.map((u) => [u.name, u.uid, u.line])).toEqual([
      ['root', 0, 4],
      ['short', 7, 6],
    ]);
  });

  it('a file with content but no valid entry is a ParseError', () => {
    expect(() => parsePasswd('cat: /etc/passwd: Permission denied\n', '/etc/passwd')).toThrow(ParseError);
    expect(() => parseGroup('<html>\n', '/etc/group')).toThrow(ParseError);
    expect(parsePasswd('', 's')).toEqual([]);
  });

  it('a user listed in several groups, duplicates folded', () => {
    const db = buildAccountDb(parsePasswd('w:x:10:10::/:/bin/sh\n', 's'), parseGroup('w:x:10:w\nkvm:x:36:a, w ,b\ntap:x:40:w\n', 's'));
    expect(db.byName.get('w')!.groups).toEqual([10, 36, 40]);
  });
});

describe('robustness', () => {
  it('random mutations give a model or a ParseError', () => {
    fc.assert(
      fc.property(fc.constantFrom(sample('passwd'), sample('group')), edits({specials: SPECIALS}), (text, ops) =>
        survives(() => {
          const mutated = applyEdits(text, ops);
          buildAccountDb(parsePasswd(mutated, 's'), parseGroup(mutated, 's'));
        }),
      ),
    );
  });
});
