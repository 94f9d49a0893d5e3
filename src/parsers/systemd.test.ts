import {readFileSync} from 'node:fs';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {ParseError} from './errors.js';
import {isUnitName, parseListUnits, parseUnitFile, splitQuotedWords, unitNameToPath, unitValue} from './systemd.js';
import {applyEdits, edits, survives} from '../../test/helpers/mutation.js';

/** Strings of this format the mutations insert, besides COMMON_SPECIALS. */
const SPECIALS = ['\\\n', '\\', '"', "'", '=', '[Service]\n', 'Environment=', '●'];

const sample = (dir: string, name: string) => readFileSync(new URL(`../../test/samples/${dir}/${name}`, import.meta.url), 'utf8');

// `systemctl list-units --all --no-legend --plain --no-pager` rows as systemd 252 prints them.
const LIST_UNITS = `openvswitch.service                   loaded    active   exited  Open vSwitch
os-autoinst-openvswitch.service       loaded    failed   failed  os-autoinst openvswitch helper
openqa-worker-auto-restart@1.service  loaded    active   running openQA Worker #1
openqa-worker-auto-restart@2.service  loaded    inactive dead    openQA Worker #2
var-lib-openqa-share.automount        loaded    active   waiting var-lib-openqa-share.automount
var-lib-openqa-share.mount            loaded    inactive dead    /var/lib/openqa/share
firewalld.service                     not-found inactive dead    firewalld.service
`;

describe('parseListUnits', () => {
  it('reads rows with multi-word descriptions', () => {
    const units = parseListUnits(LIST_UNITS, 'systemd.units');
    expect(units).toHaveLength(7);
    expect(units[2]).toEqual({unit: 'openqa-worker-auto-restart@1.service', load: 'loaded', active: 'active', sub: 'running', description: 'openQA Worker #1', line: 3});
    expect(units[1]).toMatchObject({active: 'failed', sub: 'failed'});
    expect(units[6]).toMatchObject({unit: 'firewalld.service', load: 'not-found'});
  });

  it('tolerates the header, the ● marker and the legend of output without --plain/--no-legend', () => {
    const text = `  UNIT                   LOAD      ACTIVE   SUB     DESCRIPTION
● auditd.service         not-found inactive dead    auditd.service
  dbus.service           loaded    active   running D-Bus System Message Bus

LOAD   = Reflects whether the unit definition was properly loaded.
ACTIVE = The high-level unit activation state, i.e. generalization of SUB.

2 loaded units listed.
`;
    expect(parseListUnits(text, 's').map((u) => [u.unit, u.active])).toEqual([
      ['auditd.service', 'inactive'],
      ['dbus.service', 'active'],
    ]);
  });

  it('error text instead of rows is a ParseError', () => {
    expect(() => parseListUnits("System has not been booted with systemd as init system (PID 1). Can't operate.\n", 's')).toThrow(ParseError);
    expect(() => parseListUnits('dbus.service loaded active\n', 's')).toThrow(ParseError);
    expect(parseListUnits('', 's')).toEqual([]);
    expect(isUnitName('a.service')).toBe(true);
    expect(isUnitName('System')).toBe(false);
  });
});

describe('parseUnitFile', () => {
  it("os-autoinst's unit: Environment= and the optional EnvironmentFile=", () => {
    const unit = parseUnitFile(sample('os-autoinst-openvswitch', 'os-autoinst-3e0b4eb9-os-autoinst-openvswitch.service.in.txt'), 's');
    expect(unit.environment).toEqual([{kind: 'set', name: 'OS_AUTOINST_USE_BRIDGE', value: 'br0', line: 13}]);
    expect(unit.environmentFiles).toEqual([{kind: 'file', path: '/etc/sysconfig/os-autoinst-openvswitch', optional: true, line: 14}]);
    expect(unitValue(unit, 'Unit', 'BindsTo')).toBe('openvswitch.service');
    expect(unit.problems).toEqual([]);
  });

  it("salt's drop-in: a quoted assignment", () => {
    const unit = parseUnitFile(sample('os-autoinst-openvswitch', 'salt-c99025d9-os-autoinst-openvswitch-init-timeout.conf.txt'), 's');
    expect(unit.environment).toEqual([{kind: 'set', name: 'OS_AUTOINST_OPENVSWITCH_INIT_TIMEOUT', value: '300', line: 2}]);
  });

  it("Fedora's var-lib-openqa-share.service", () => {
    const unit = parseUnitFile(sample('systemd-units', 'fedora-ansible-666196bb-var-lib-openqa-share.service.j2.txt'), 's');
    expect(unitValue(unit, 'Service', 'ExecStart')).toBe('mount -t nfs openqa-lab01.rdu3.fedoraproject.org:/var/lib/openqa/share /var/lib/openqa/share');
    expect(unitValue(unit, 'Install', 'WantedBy')).toBe('remote-fs.target');
  });

  it('several assignments per line, quotes inside words, resets, continuation lines, problems', () => {
    const unit = parseUnitFile(
      `Environment=A=0
[Service]
Environment="A=1 2" B='x y' C=3 "D=a\\"b"
Environment=E="quoted in word" 9BAD=1
Environment=
Environment=F=1 \\
  G=2
EnvironmentFile=/etc/default/x
EnvironmentFile=
EnvironmentFile=-/etc/sysconfig/y
Environment="H=unterminated
no equals here
[Mount]
Where=/var/lib/openqa/share
`,
      's',
    );
    expect(unit.environment).toEqual([
      {kind: 'set', name: 'A', value: '1 2', line: 3},
      {kind: 'set', name: 'B', value: 'x y', line: 3},
      {kind: 'set', name: 'C', value: '3', line: 3},
      {kind: 'set', name: 'D', value: 'a"b', line: 3},
      {kind: 'set', name: 'E', value: 'quoted in word', line: 4},
      {kind: 'reset', line: 5},
      {kind: 'set', name: 'F', value: '1', line: 6},
      {kind: 'set', name: 'G', value: '2', line: 6},
    ]);
    expect(unit.environmentFiles).toEqual([
      {kind: 'file', path: '/etc/default/x', optional: false, line: 8},
      {kind: 'reset', line: 9},
      {kind: 'file', path: '/etc/sysconfig/y', optional: true, line: 10},
    ]);
    expect(unit.problems).toEqual([
      {line: 1, text: 'Environment=A=0', reason: 'assignment outside of a section'},
      {line: 4, text: '9BAD=1', reason: 'invalid environment assignment'},
      {line: 11, text: '"H=unterminated', reason: 'unterminated quote in Environment='},
      {line: 12, text: 'no equals here', reason: "missing '='"},
    ]);
    expect(unitValue(unit, 'Mount', 'Where')).toBe('/var/lib/openqa/share');
  });

  it('splitQuotedWords and unit name unescaping', () => {
    expect(splitQuotedWords(`a "b c" 'd'e\\tf`)).toEqual(['a', 'b c', 'de\tf']);
    expect(splitQuotedWords('"open')).toBeUndefined();
    expect(unitNameToPath('var-lib-openqa-share.automount')).toBe('/var/lib/openqa/share');
    expect(unitNameToPath('mnt-a\\x2db.mount')).toBe('/mnt/a-b');
    expect(unitNameToPath('-.mount')).toBe('/');
  });
});

describe('robustness', () => {
  it('random mutations give a model or a ParseError', () => {
    const unitText = sample('os-autoinst-openvswitch', 'os-autoinst-3e0b4eb9-os-autoinst-openvswitch.service.in.txt');
    fc.assert(fc.property(edits({specials: SPECIALS}), (ops) => survives(() => parseUnitFile(applyEdits(unitText, ops), 's'))));
    fc.assert(fc.property(edits({specials: SPECIALS}), (ops) => survives(() => parseListUnits(applyEdits(LIST_UNITS, ops), 's'))));
  });
});
