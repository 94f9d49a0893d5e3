// A throwaway openQA tap worker host, built for real from a ScenarioSpec and torn down
// completely: network namespaces, a private Open vSwitch, tap devices, firewall rules, sysctls,
// qemu stand-in processes and a root dir for `tapdoctor --root`. See README.md beside this file.
//
//   const host = await LiveHost.create(PRESETS.healthySuse());
//   try {
//     const before = await host.state();
//     const r = await host.exec(['node', 'bin/run.js', 'check', '--root', host.rootDir, '--json']);
//     expect(await host.state()).toEqual(before);
//   } finally {
//     await host.destroy();
//   }
//
// Everything the builder creates is recorded in a ledger before it is created (ledger.ts), so a
// build that throws halfway is torn down before the error reaches the caller, and a forgotten
// destroy() still runs at process exit.
import {spawn} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {existsSync, mkdirSync} from 'node:fs';
import {join} from 'node:path';
import {applyForwarding, addNamespace, addUplink, enableOutsideForwarding, namespaceNames, type Namespaces} from './network.js';
import {loadFirewall, zeroForwardCounters} from './firewall.js';
import {isAlive, Ledger, MARKER_VAR, sweepStale, WORK_BASE, WORKDIR_PREFIX, type LedgerEntry} from './ledger.js';
import {inScenarioMounts} from './mountns.js';
import {addGrePort, addTapPort, bridgeMac, createBridge, createTapDevice, installFlows, startOvs, switchFlows, type OvsInstance} from './ovs.js';
import {installQemuBinary, QEMU_PATH, renderRootFiles, writeRootFiles} from './rootfs.js';
import {run, type RunResult} from './run.js';
import {effectiveSwitch, nicMac, UPLINK_ADDRESSES, type ScenarioSpec} from './spec.js';
import {captureState, type HostState} from './state.js';
import {hostUnits, writeSystemctlStandIn} from './systemd.js';
import {sendSutTraffic, type TrafficResult} from './traffic.js';

/** Build steps in order; CreateOptions.failAfter aborts after one (to test partial teardown). */
export const BUILD_STEPS = ['namespaces', 'uplinks', 'ovs', 'bridge', 'ports', 'sysctl', 'firewall', 'qemu', 'rootfs', 'flows', 'traffic'] as const;
export type BuildStep = (typeof BUILD_STEPS)[number];

export interface CreateOptions {
  /** Throw BuildAborted right after this step (teardown still runs). For tests of the builder. */
  failAfter?: BuildStep;
}

export class BuildAborted extends Error {
  constructor(step: BuildStep) {
    super(`build aborted after step '${step}' (failAfter)`);
    this.name = 'BuildAborted';
  }
}

/** A build that threw: everything it had created is already torn down (unless `leftovers`). */
export class BuildFailed extends Error {
  constructor(
    readonly hostId: string,
    /** What the build had created before it failed, all of it removed again. */
    readonly created: LedgerEntry[],
    override readonly cause: unknown,
    /** Entries teardown could not undo (empty = clean). */
    readonly leftovers: string[],
  ) {
    super(`building live host ${hostId} failed: ${cause instanceof Error ? cause.message : String(cause)}${leftovers.length > 0 ? `\nteardown left:\n${leftovers.join('\n')}` : ''}`);
    this.name = 'BuildFailed';
  }
}

export interface ExecOptions {
  /** Added to process.env and the scenario's OVS_* variables. */
  env?: Record<string, string | undefined>;
  /** Default 30 s; the process group is killed on expiry (result.timedOut). */
  timeoutMs?: number;
  input?: string;
  /** false: only the netns, not the scenario's private mounts. Default true. */
  mounts?: boolean;
}

/** How long a qemu stand-in lives if nobody ends it (the harness was killed). */
const QEMU_STANDIN_SECONDS = 900;

export class LiveHost {
  private constructor(
    readonly id: string,
    readonly spec: ScenarioSpec,
    readonly namespaces: Namespaces,
    readonly workDir: string,
    readonly rootDir: string,
    private readonly ledger: Ledger,
  ) {}

  private ovs: OvsInstance | null = null;
  /** The systemctl stand-in's directory (systemd.ts), first on PATH of exec(). */
  private systemdBin: string | null = null;
  private mac: string | null = null;
  private readonly qemu = new Map<number, number>();
  private trafficResult: TrafficResult = {gatewayReplied: null, outsideReplied: null};
  private readonly stepMs: Partial<Record<BuildStep, number>> = {};

  static async create(spec: ScenarioSpec, options: CreateOptions = {}): Promise<LiveHost> {
    sweepStale();
    const {id, workDir} = makeWorkDir();
    const ledger = new Ledger(id, join(workDir, 'ledger.json'));
    ledger.add({kind: 'dir', path: workDir});
    const rootDir = join(workDir, 'root');
    const host = new LiveHost(id, structuredClone(spec), namespaceNames(id), workDir, rootDir, ledger);
    try {
      mkdirSync(rootDir);
      await host.build(options.failAfter);
    } catch (error) {
      const problems = ledger.teardown();
      await host.awaitReaped();
      throw new BuildFailed(id, [...ledger.list()], error, problems);
    }
    return host;
  }

  /** The netns the host's interfaces, OVS and firewall live in. */
  get netns(): string {
    return this.namespaces.host;
  }

  /** OVS_RUNDIR, OVS_DBDIR, OVS_LOGDIR, OVS_SYSCONFDIR of the scenario's Open vSwitch. */
  get ovsEnv(): Record<string, string> {
    if (!this.ovs) throw new Error('OVS not started');
    return {...this.ovs.env};
  }

  get ovsDbSocket(): string {
    if (!this.ovs) throw new Error('OVS not started');
    return this.ovs.dbSocket;
  }

  /** Pids of ovsdb-server and ovs-vswitchd. */
  get ovsPids(): {ovsdb: number; vswitchd: number} {
    if (!this.ovs) throw new Error('OVS not started');
    return {...this.ovs.pids};
  }

  /** Pid of each job's qemu stand-in, by worker instance (dead ones included). */
  get qemuPids(): ReadonlyMap<number, number> {
    return this.qemu;
  }

  /** The bridge MAC the flows were installed for (null without a bridge). */
  get bridgeMac(): string | null {
    return this.mac;
  }

  /** Milliseconds each build step took. */
  get buildTimings(): Partial<Record<BuildStep, number>> {
    return {...this.stepMs};
  }

  get traffic(): TrafficResult {
    return {...this.trafficResult};
  }

  /** Every namespace, pid and directory this host created (for leak assertions). */
  get created(): readonly LedgerEntry[] {
    return this.ledger.list();
  }

  /** Directory of the host's systemctl stand-in (systemd.ts); exec() puts it first on PATH. */
  get systemctlDir(): string {
    if (!this.systemdBin) throw new Error('root dir not written yet');
    return this.systemdBin;
  }

  /** The directory that stands for /var/lib on this host's disk (mountns.ts). */
  get varLibDir(): string {
    return join(this.workDir, 'varlib');
  }

  /**
   * Run argv on this host: inside its netns and a private mount namespace with the scenario's
   * mounts (mountns.ts), with OVS_* pointing at its Open vSwitch and its systemctl stand-in
   * (systemd.ts) first on PATH, unless options.env brings its own PATH. Never throws for a failing
   * command: read code/stdout/stderr/timedOut.
   */
  exec(argv: string[], options: ExecOptions = {}): Promise<RunResult> {
    const inside = options.mounts === false ? ['ip', 'netns', 'exec', this.netns, ...argv] : inScenarioMounts(this.netns, this.spec.share, this.varLibDir, argv);
    const path = this.systemdBin ? {PATH: `${this.systemdBin}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`} : {};
    return run(inside, {
      env: {...this.ovsEnvOrEmpty(), [MARKER_VAR]: this.id, ...path, ...options.env},
      timeoutMs: options.timeoutMs ?? 30_000,
      input: options.input,
    });
  }

  state(): Promise<HostState> {
    return captureState({netns: this.netns, ovsEnv: this.ovsEnv, dbSocket: this.ovsDbSocket, rootDir: this.rootDir});
  }

  /**
   * Start a long-running process in this host's netns and mounts (an sshd), recorded for teardown like the
   * OVS daemons: ended by its pid at destroy(). argv is exec'd, so the pid is the process's own.
   */
  startProcess(argv: string[], what: string, cmdline?: string): number {
    // Inside the scenario's mounts, like exec(): what it runs sees the same share.
    const inside = inScenarioMounts(this.netns, this.spec.share, this.varLibDir, argv);
    const child = spawn(inside[0]!, inside.slice(1), {env: {...process.env, [MARKER_VAR]: this.id}, stdio: 'ignore', detached: true});
    if (child.pid === undefined) throw new Error(`could not start ${what}`);
    this.ledger.add({kind: 'pid', pid: child.pid, what, ...(cmdline !== undefined ? {cmdline} : {})});
    child.unref();
    return child.pid;
  }

  /** Remove everything this host created. Safe to call twice; throws if something stayed. */
  async destroy(): Promise<void> {
    if (this.ledger.isTornDown) return;
    const problems = this.ledger.teardown();
    await this.awaitReaped();
    if (problems.length > 0) throw new Error(`teardown of ${this.id} left:\n${problems.join('\n')}`);
  }

  /**
   * The daemons and stand-ins are children of this process; Node reaps them from its event loop,
   * which the synchronous teardown blocks. Give it a moment, so no zombie of ours outlives destroy().
   */
  private async awaitReaped(): Promise<void> {
    const pids = this.ledger.list().flatMap((e) => (e.kind === 'pid' ? [e.pid] : []));
    const deadline = Date.now() + 2000;
    while (pids.some((pid) => existsSync(`/proc/${pid}`)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private ovsEnvOrEmpty(): Record<string, string> {
    return this.ovs ? this.ovsEnv : {};
  }

  private async build(failAfter: BuildStep | undefined): Promise<void> {
    const spec = this.spec;
    const ns = this.namespaces;
    const step = async (name: BuildStep, work: () => Promise<void>) => {
      const started = Date.now();
      await work();
      this.stepMs[name] = Date.now() - started;
      if (failAfter === name) throw new BuildAborted(name);
    };
    const sw = effectiveSwitch(spec);

    await step('namespaces', async () => {
      await addNamespace(this.ledger, ns.host);
      await addNamespace(this.ledger, ns.outside);
      await enableOutsideForwarding(ns);
    });
    await step('uplinks', async () => {
      for (const uplink of spec.uplinks) await addUplink(ns, uplink, this.id);
    });
    await step('ovs', async () => {
      this.ovs = await startOvs(this.ledger, this.workDir, ns.host);
    });
    const ovs = () => this.ovs as OvsInstance;
    await step('bridge', async () => {
      if (spec.bridge.present) await createBridge(ovs(), ns.host, spec.bridge, randomBridgeMac());
    });
    await step('ports', async () => {
      for (const tap of spec.taps) {
        if (tap.port !== 'device-gone') await createTapDevice(ns.host, tap);
        if (tap.port !== 'absent' && spec.bridge.present) await addTapPort(ovs(), ns.host, spec.bridge.name, tap);
      }
      if (spec.bridge.present) for (const gre of spec.gre) await addGrePort(ovs(), ns.host, spec.bridge.name, gre);
    });
    await step('sysctl', () => applyForwarding(ns.host, spec.forwarding));
    await step('firewall', () => loadFirewall(ns.host, spec.firewall));
    await step('qemu', async () => {
      const binary = await installQemuBinary(this.rootDir, spec.qemu.capNetAdmin);
      for (const job of spec.jobs) this.qemu.set(job.instance, await this.startQemuStandIn(binary, job.qemu === 'running'));
    });
    await step('rootfs', async () => {
      writeRootFiles(this.rootDir, renderRootFiles(spec, this.qemu));
      this.systemdBin = writeSystemctlStandIn(join(this.workDir, 'systemd'), this.rootDir, hostUnits(spec), this.ovs?.pids ?? null);
    });
    await step('flows', async () => {
      if (!spec.bridge.present) return;
      this.mac = await bridgeMac(ns.host, spec.bridge.name);
      if (spec.bridge.flows !== 'none') {
        const ipv6 = spec.bridge.flows === 'installed' && spec.switchScript === 'eight-rules';
        await installFlows(ovs(), ns.host, spec.bridge.name, switchFlows({...sw, mac: this.mac, ipv6}));
      }
    });
    await step('traffic', async () => {
      if (spec.traffic === 'none' || !spec.bridge.present) return;
      const job = spec.jobs.find((j) => j.qemu === 'running') ?? spec.jobs[0];
      const uplink = [...spec.uplinks].filter((u) => u.defaultRouteMetric !== null).sort((a, b) => (a.defaultRouteMetric ?? 0) - (b.defaultRouteMetric ?? 0))[0];
      this.trafficResult = await sendSutTraffic(this.ledger, ns, ovs(), {
        bridge: spec.bridge.name,
        mac: nicMac(job?.workerId ?? 1),
        sutCidr: `${sutAddress(sw.localIp)}/${sw.netmask}`,
        gateway: sw.localIp,
        rstp: spec.bridge.rstp,
        outsideTarget: spec.traffic === 'outside' && uplink ? UPLINK_ADDRESSES[uplink.name].peer : null,
      });
      if (spec.zeroForwardCountersAfterTraffic) await zeroForwardCounters(ns.host, spec.firewall);
    });
  }

  /**
   * The running jobs end: their qemu stand-ins (this host's own children) exit, and each job's
   * taps lose their tag as os-autoinst's qemu cleanup has the switch service do (backend/qemu.pm
   * calls unset_vlan: `ovs-vsctl remove port TAP tag VLAN`; a tap no longer on the bridge fails
   * that check and keeps what it has).
   */
  async endJobs(): Promise<void> {
    const running = this.spec.jobs.filter((job) => isAlive(this.qemu.get(job.instance) ?? -1));
    const alive = running.map((job) => this.qemu.get(job.instance)!);
    for (const pid of alive) process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 5000;
    while (alive.some((pid) => isAlive(pid)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    if (alive.some((pid) => isAlive(pid))) throw new Error(`qemu stand-ins ${alive.join(', ')} did not end`);
    for (const job of running) {
      for (const [i, tap] of job.taps.entries()) {
        const vlan = job.vlans[i];
        if (vlan !== undefined) await this.exec(['ovs-vsctl', 'remove', 'port', tap, 'tag', String(vlan)], {mounts: false, timeoutMs: 10_000});
      }
    }
  }

  /**
   * A live process that looks like qemu: the root dir's qemu-system-x86_64 (a copy of sleep)
   * run with argv[0] /usr/bin/qemu-system-x86_64, so cmdline, comm and exe all say qemu.
   * running=false: the process has already exited (a stale qemu.pid).
   */
  private async startQemuStandIn(binary: string, running: boolean): Promise<number> {
    const child = spawn('bash', ['-c', `exec -a /${QEMU_PATH} "$0" "$1"`, binary, running ? String(QEMU_STANDIN_SECONDS) : '0'], {
      env: {...process.env, [MARKER_VAR]: this.id},
      stdio: 'ignore',
      detached: true,
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error('could not start the qemu stand-in');
    this.ledger.add({kind: 'pid', pid, what: 'qemu stand-in'});
    if (running) {
      child.unref();
      return pid;
    }
    await new Promise((resolve) => child.on('exit', resolve));
    if (isAlive(pid)) throw new Error(`qemu stand-in ${pid} should have exited`);
    return pid;
  }
}

function makeWorkDir(): {id: string; workDir: string} {
  for (;;) {
    const id = randomBytes(3).toString('hex');
    const workDir = join(WORK_BASE, `${WORKDIR_PREFIX}${id}`);
    try {
      mkdirSync(workDir, {mode: 0o755});
      return {id, workDir};
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** A locally administered unicast MAC for the bridge. */
function randomBridgeMac(): string {
  const bytes = [0x02, ...randomBytes(5)];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** The SUT's static address: LOCAL_IP with .15 as the last octet (10.0.2.15, 172.16.2.15). */
function sutAddress(localIp: string): string {
  return localIp.replace(/\.\d+$/, '.15');
}
