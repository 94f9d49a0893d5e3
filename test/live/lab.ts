// A lab of several throwaway hosts on one LAN, each with its own sshd, for fleet tests driven by
// a real `ansible-playbook`:
//
//   td-<lab>-lan: lan0 (Linux bridge) 192.0.2.1/24  ── veth ── eth0 192.0.2.11 of host 1, .12, ...
//
// The LAN namespace is the controller: ssh, ansible-playbook and the fleet analysis run there,
// so every packet stays between namespaces the lab made. Each host's sshd runs in the host's netns
// with its own UTS namespace (its own host name) and a private mount namespace whose /run is a
// tmpfs (sshd needs /run/sshd, which a host without a running sshd lacks). Keys are made in the
// lab's work dir. Everything is in ledgers (the lab's and each host's) and removed by destroy().
import {randomBytes} from 'node:crypto';
import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {LiveHost} from './host.js';
import {Ledger, MARKER_VAR, WORK_BASE, WORKDIR_PREFIX} from './ledger.js';
import {addNamespace} from './network.js';
import {must, run, type RunResult} from './run.js';
import type {ScenarioSpec} from './spec.js';

export const LAN_PREFIX = 24;
export const LAN_GATEWAY = '192.0.2.1';
export const lanAddress = (n: number): string => `192.0.2.${10 + n}`;

export interface LabHost {
  name: string;
  address: string;
  host: LiveHost;
  /** Directory of the host's systemctl stand-in (systemd.ts), first on tapdoctor's PATH. */
  bin: string;
}

export class FleetLab {
  readonly hosts: LabHost[] = [];

  private constructor(
    readonly id: string,
    readonly workDir: string,
    readonly netns: string,
    private readonly ledger: Ledger,
  ) {}

  static async create(): Promise<FleetLab> {
    const id = randomBytes(3).toString('hex');
    const workDir = join(WORK_BASE, `${WORKDIR_PREFIX}${id}`);
    mkdirSync(workDir, {mode: 0o755});
    const ledger = new Ledger(id, join(workDir, 'ledger.json'));
    ledger.add({kind: 'dir', path: workDir});
    const lab = new FleetLab(id, workDir, `td-${id}-lan`, ledger);
    try {
      await addNamespace(ledger, lab.netns);
      await must(['ip', '-n', lab.netns, 'link', 'add', 'lan0', 'type', 'bridge']);
      await must(['ip', '-n', lab.netns, 'addr', 'add', `${LAN_GATEWAY}/${LAN_PREFIX}`, 'dev', 'lan0']);
      await must(['ip', '-n', lab.netns, 'link', 'set', 'lan0', 'up']);
      await must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `td-lab-${id}`, '-f', lab.clientKey]);
    } catch (error) {
      lab.ledger.teardown();
      throw error;
    }
    return lab;
  }

  get clientKey(): string {
    return join(this.workDir, 'id_ed25519');
  }

  /** The spec's first uplink plugged into the LAN as host number n (address 192.0.2.(10+n)). */
  onLan(spec: ScenarioSpec, n: number): ScenarioSpec {
    const copy = structuredClone(spec);
    copy.uplinks[0]!.lan = {netns: this.netns, bridge: 'lan0', address: lanAddress(n), gateway: LAN_GATEWAY, prefix: LAN_PREFIX};
    return copy;
  }

  /** Build a host on the LAN and start its sshd, answering as `name`. */
  async addHost(name: string, spec: ScenarioSpec, n: number): Promise<LabHost> {
    const host = await LiveHost.create(this.onLan(spec, n));
    const entry = {name, address: lanAddress(n), host, bin: host.systemctlDir};
    this.hosts.push(entry);
    await this.startSshd(entry);
    return entry;
  }

  /** Environment for tapdoctor on a host: its Open vSwitch, and the systemctl stand-in first on PATH. */
  envFor(h: LabHost): Record<string, string> {
    return {...h.host.ovsEnv, PATH: `${h.bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`};
  }

  private async startSshd(h: LabHost): Promise<void> {
    const dir = join(h.host.workDir, 'sshd');
    mkdirSync(dir, {mode: 0o700});
    await must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
    const pub = await must(['cat', `${this.clientKey}.pub`]);
    writeFileSync(join(dir, 'authorized_keys'), pub, {mode: 0o600});
    const config = [
      `ListenAddress ${h.address}`,
      'Port 22',
      `HostKey ${join(dir, 'host_key')}`,
      'PidFile none',
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      // Sessions keep the marker, so every process of the lab can be told apart from others.
      `SetEnv ${MARKER_VAR}=${h.host.id}`,
      'Subsystem sftp /usr/lib/openssh/sftp-server',
      'LogLevel ERROR',
    ];
    writeFileSync(join(dir, 'sshd_config'), `${config.join('\n')}\n`);
    const script = 'mount -t tmpfs -o mode=0755 tmpfs /run && mkdir -m 0755 /run/sshd && hostname "$0" && exec /usr/sbin/sshd -D -e -f "$1"';
    // sshd overwrites its environment with its process title: teardown knows it by its config path.
    h.host.startProcess(['unshare', '--mount', '--uts', '--propagation', 'private', 'sh', '-c', script, h.name, join(dir, 'sshd_config')], 'sshd', join(dir, 'sshd_config'));
    await this.waitForSsh(h);
  }

  private async waitForSsh(h: LabHost): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const r = await this.ssh(h, ['hostname']);
      if (r.code === 0 && r.stdout.trim() === h.name) return;
      if (Date.now() > deadline) throw new Error(`sshd of ${h.name} does not answer: ${r.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** ssh from the controller (the LAN namespace) to a host, as root, with the lab's key. */
  ssh(h: LabHost, argv: string[]): Promise<RunResult> {
    return run(['ip', 'netns', 'exec', this.netns, 'ssh', ...this.sshOptions(), `root@${h.address}`, '--', ...argv], {timeoutMs: 20_000});
  }

  sshOptions(): string[] {
    return ['-i', this.clientKey, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=5'];
  }

  /** An inventory naming every host with its address, key and per-host variables. */
  writeInventory(vars: (h: LabHost) => Record<string, unknown>): string {
    const hosts: Record<string, unknown> = {};
    for (const h of this.hosts) {
      hosts[h.name] = {ansible_host: h.address, ansible_user: 'root', ansible_ssh_private_key_file: this.clientKey, ansible_ssh_common_args: this.sshOptions().slice(2).join(' '), ...vars(h)};
    }
    const path = join(this.workDir, 'inventory.json');
    writeFileSync(path, JSON.stringify({all: {hosts}, workers: {hosts: Object.fromEntries(this.hosts.map((h) => [h.name, {}]))}}, null, 1));
    // ansible reads JSON inventories through its yaml plugin: JSON is YAML.
    return path;
  }

  /** ansible-playbook on the controller (the LAN namespace), with its state kept in the lab dir. */
  ansiblePlaybook(args: string[], timeoutMs = 240_000): Promise<RunResult> {
    const home = join(this.workDir, 'ansible');
    mkdirSync(home, {recursive: true});
    return run(['ip', 'netns', 'exec', this.netns, 'ansible-playbook', ...args], {
      timeoutMs,
      env: {
        [MARKER_VAR]: this.id,
        HOME: home,
        ANSIBLE_LOCAL_TEMP: join(home, 'tmp'),
        ANSIBLE_REMOTE_TEMP: join(this.workDir, 'remote-tmp'),
        ANSIBLE_HOST_KEY_CHECKING: 'False',
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_RETRY_FILES_ENABLED: 'False',
        ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
        ANSIBLE_FORKS: '5',
        // No ControlPersist masters: they would outlive the run (and the lab) by a minute.
        ANSIBLE_SSH_ARGS: '-o ControlMaster=no',
      },
    });
  }

  async destroy(): Promise<void> {
    const problems: string[] = [];
    for (const h of this.hosts) {
      try {
        await h.host.destroy();
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    problems.push(...this.ledger.teardown());
    if (problems.length > 0) throw new Error(`lab ${this.id} teardown left:\n${problems.join('\n')}`);
  }
}
