// The file edits run for real (POSIX sh, GNU sed, grep) on files in a temp dir below --root: links
// keep pointing at their target and the target gets the edit; running a step twice changes nothing.
import {execFileSync} from 'node:child_process';
import {lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {useTempDir} from '../../test/helpers/temp-dir.js';
import {addBridgePort, greScript, persistGrePort, wickedTapFile} from './network.js';
import {buildPlan, stepLines} from './plan.js';
import {q} from './shell.js';
import {appendLine, chmodFile, deleteVars, editLine, setIniKey, setVar, writeFile} from './files.js';
import type {Step} from './step.js';

const tmp = useTempDir('td-remedies-');
const DIR = '/etc/sysconfig/network';

/** Run the steps' lines with sh, host paths below the temp dir (as `--root` does). */
function apply(...steps: Step[]): void {
  const plan = buildPlan([{ref: 'T', steps}], tmp());
  const script = ['set -eu', ...plan.steps.flatMap((s) => stepLines(s, plan.root))].join('\n');
  execFileSync('sh', ['-c', script], {stdio: 'pipe'});
}

function setup(files: Record<string, string>, links: Record<string, string> = {}): (name: string) => string {
  const dir = join(tmp(), DIR);
  mkdirSync(dir, {recursive: true});
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  for (const [name, target] of Object.entries(links)) symlinkSync(target, join(dir, name));
  return (name) => readFileSync(join(dir, name), 'utf8');
}

describe('q: one quoting for every remedy', () => {
  it.each(["plain", "two words", "it's", `a "b" $c \`d\` \\e`, "NAME='value'", '', "tab\there"])('sh reads %j back unchanged', (word) => {
    expect(execFileSync('sh', ['-c', `printf %s ${q(word)}`], {encoding: 'utf8'})).toBe(word);
  });
  it('keeps NAME=value lines readable', () => {
    expect(q("STARTMODE='off'")).toBe(`"STARTMODE='off'"`);
    expect(q('/etc/firewall.nft')).toBe('/etc/firewall.nft');
  });
});

describe('file edits, applied', () => {
  it('setVar through a link edits the target, keeps the link, and is idempotent', () => {
    const read = setup({'ifcfg-tap0': "TUNNEL='tap'\nTUNNEL_SET_OWNER='geekotest'\n"}, {'ifcfg-tap1': 'ifcfg-tap0'});
    const s = setVar(`${DIR}/ifcfg-tap1`, 'TUNNEL_SET_OWNER', '_openqa-worker');
    apply(s);
    apply(s);
    expect(lstatSync(join(tmp(), DIR, 'ifcfg-tap1')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(tmp(), DIR, 'ifcfg-tap1'))).toBe('ifcfg-tap0');
    expect(read('ifcfg-tap0')).toBe("TUNNEL='tap'\nTUNNEL_SET_OWNER='_openqa-worker'\n");
  });

  it('setVar appends a missing variable once, ifcfg-rh style unquoted', () => {
    const read = setup({'ifcfg-eth1': 'DEVICE=eth1\n'});
    const s = setVar(`${DIR}/ifcfg-eth1`, 'ONBOOT', 'no', {style: 'bare'});
    apply(s);
    apply(s);
    expect(read('ifcfg-eth1')).toBe('DEVICE=eth1\nONBOOT=no\n');
  });

  it('editLine and deleteVars edit through a link; appendLine greps first', () => {
    const read = setup({'ifcfg-br1.real': "IPADDR='10.0.2.2'\nPREFIXLEN='24'\nNETMASK='255.0.0.0'\n"}, {'ifcfg-br1': 'ifcfg-br1.real'});
    apply(editLine(`${DIR}/ifcfg-br1`, 1, "'10.0.2.2'", "'10.0.2.2/15'"), deleteVars(`${DIR}/ifcfg-br1`, ['PREFIXLEN', 'NETMASK']), appendLine(`${DIR}/ifcfg-br1`, "STARTMODE='auto'"));
    apply(appendLine(`${DIR}/ifcfg-br1`, "STARTMODE='auto'"));
    expect(lstatSync(join(tmp(), DIR, 'ifcfg-br1')).isSymbolicLink()).toBe(true);
    expect(read('ifcfg-br1.real')).toBe("IPADDR='10.0.2.2/15'\nSTARTMODE='auto'\n");
  });

  it('a tap file of its own replaces a link to a sibling (never writes through to the sibling)', () => {
    const read = setup({'ifcfg-tap0': "TUNNEL='tap'\nTUNNEL_SET_OWNER='geekotest'\n", 'ifcfg-br1': "OVS_BRIDGE='yes'\nOVS_BRIDGE_PORT_DEVICE_0='tap0'\n"}, {'ifcfg-tap1': 'ifcfg-tap0'});
    const steps = [wickedTapFile('tap1', {user: '_openqa-worker', group: 'nogroup'}), addBridgePort(`${DIR}/ifcfg-br1`, ['OVS_BRIDGE', 'OVS_BRIDGE_PORT_DEVICE_0'], 'tap1')];
    apply(...steps);
    apply(...steps);
    expect(lstatSync(join(tmp(), DIR, 'ifcfg-tap1')).isSymbolicLink()).toBe(false);
    expect(read('ifcfg-tap0')).toBe("TUNNEL='tap'\nTUNNEL_SET_OWNER='geekotest'\n");
    expect(read('ifcfg-tap1')).toBe("BOOTPROTO='none'\nSTARTMODE='auto'\nTUNNEL='tap'\nTUNNEL_SET_OWNER='_openqa-worker'\nTUNNEL_SET_GROUP='nogroup'\n");
    expect(read('ifcfg-br1')).toBe("OVS_BRIDGE='yes'\nOVS_BRIDGE_PORT_DEVICE_0='tap0'\nOVS_BRIDGE_PORT_DEVICE_1='tap1'\n");
  });

  it('a whole-file step pasted from an indented report writes the same file (no here-document to end)', () => {
    const read = setup({});
    const plan = buildPlan([{ref: 'T', steps: [writeFile(`${DIR}/ifcfg-x`, ["A='1'", 'B="two words"', 'C=$HOME', ''])]}], tmp());
    const indented = plan.steps.flatMap((s) => stepLines(s, plan.root)).map((l) => `    ${l}`);
    execFileSync('sh', ['-c', ['set -eu', ...indented].join('\n')], {stdio: 'pipe'});
    expect(read('ifcfg-x')).toBe("A='1'\nB=\"two words\"\nC=$HOME\n\n");
  });

  it('setIniKey puts one line under the section header, replacing its old one there only; adds a missing section', () => {
    const read = setup({'workers.ini': '[global]\nHOST = http://o3\nMM_MTU = 1500\n\n[1]\nMM_MTU = 1400\n', 'empty.ini': '[2]\nWORKER_CLASS = tap\n'});
    const s = setIniKey(`${DIR}/workers.ini`, 'global', 'MM_MTU', '1458');
    apply(s);
    apply(s);
    expect(read('workers.ini')).toBe('[global]\nMM_MTU = 1458\nHOST = http://o3\n\n[1]\nMM_MTU = 1400\n');
    const e = setIniKey(`${DIR}/empty.ini`, 'global', 'MM_MTU', '1458');
    apply(e);
    apply(e);
    expect(read('empty.ini')).toBe('[2]\nWORKER_CLASS = tap\n[global]\nMM_MTU = 1458\n');
  });

  it('chmodFile sets the bits it names, through sh', () => {
    setup({'script.sh': '#!/bin/sh\n'});
    const path = join(tmp(), DIR, 'script.sh');
    execFileSync('chmod', ['0775', path]);
    apply(chmodFile(`${DIR}/script.sh`, 'go-w'));
    expect(statSync(path).mode & 0o7777).toBe(0o755);
  });
});

describe('GRE pre-up script, applied', () => {
  const SCRIPT = '/etc/wicked/scripts/gre_tunnel_preup.sh';
  const gre = (port: string, ip: string) => [...greScript(SCRIPT, 'br1', {nmDispatcher: false}), persistGrePort(SCRIPT, 'br1', port, ip)];

  it('two findings give one script with one line per port; running the plan twice changes nothing; the script re-creates the ports', () => {
    const plan = buildPlan([{ref: 'TD105 gre1', steps: gre('gre1', '192.0.2.2')}, {ref: 'TD105 gre2', steps: gre('gre2', '192.0.2.3')}], tmp());
    expect(plan.steps.map((x) => [x.key, x.findings])).toEqual([
      [`file:${SCRIPT}`, ['TD105 gre1', 'TD105 gre2']],
      [`gre-preup:${SCRIPT}:gre1`, ['TD105 gre1']],
      [`gre-preup:${SCRIPT}:gre2`, ['TD105 gre2']],
    ]);
    const script = ['set -eu', ...plan.steps.flatMap((x) => stepLines(x, plan.root))].join('\n');
    execFileSync('sh', ['-c', script]);
    execFileSync('sh', ['-c', script]);
    const path = join(tmp(), SCRIPT);
    expect(readFileSync(path, 'utf8')).toBe(
      [
        '#!/bin/sh',
        'ovs-vsctl set bridge br1 rstp_enable=true',
        'ovs-vsctl --may-exist add-port br1 gre1 -- set interface gre1 type=gre options:remote_ip=192.0.2.2',
        'ovs-vsctl --may-exist add-port br1 gre2 -- set interface gre2 type=gre options:remote_ip=192.0.2.3',
        '',
      ].join('\n'),
    );
    expect(statSync(path).mode & 0o777).toBe(0o755);
    // Run as wicked runs it (pre-up br1), with a stand-in ovs-vsctl that logs its arguments.
    const bin = join(tmp(), 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'ovs-vsctl'), `#!/bin/sh\necho "$*" >> ${q(join(tmp(), 'ovs.log'))}\n`, {mode: 0o755});
    execFileSync(path, ['pre-up', 'br1'], {env: {...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`}});
    expect(readFileSync(join(tmp(), 'ovs.log'), 'utf8').split('\n')).toEqual([
      'set bridge br1 rstp_enable=true',
      '--may-exist add-port br1 gre1 -- set interface gre1 type=gre options:remote_ip=192.0.2.2',
      '--may-exist add-port br1 gre2 -- set interface gre2 type=gre options:remote_ip=192.0.2.3',
      '',
    ]);
  });

  it('a NetworkManager dispatcher script acts for its bridge only', () => {
    const nm = '/etc/NetworkManager/dispatcher.d/gre_tunnel_preup.sh';
    apply(...greScript(nm, 'br1', {nmDispatcher: true}), persistGrePort(nm, 'br1', 'gre1', '192.0.2.2'));
    const bin = join(tmp(), 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'ovs-vsctl'), `#!/bin/sh\necho "$*" >> ${q(join(tmp(), 'ovs.log'))}\n`, {mode: 0o755});
    const env = {...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`};
    execFileSync(join(tmp(), nm), ['eth0', 'up'], {env});
    expect(() => readFileSync(join(tmp(), 'ovs.log'))).toThrow();
    execFileSync(join(tmp(), nm), ['br1', 'up'], {env});
    expect(readFileSync(join(tmp(), 'ovs.log'), 'utf8')).toContain('--may-exist add-port br1 gre1');
  });
});
