// The live collector: runs the catalogue on this host, read-only, in parallel, every command with
// a deadline, and returns an in-memory snapshot. A missing tool, a non-zero exit or a permission
// problem becomes a recorded failure with its reason; nothing here throws for host trouble.
import {hostname} from 'node:os';
import {CATALOGUE, type CommandSource, type FilesSource, type PerKeySource, type ProbeSource, type SourceSpec} from './catalogue.js';
import {readHostFiles} from './read-files.js';
import {redactCaptured, redactUrlUserinfo} from './redact.js';
import {runCommand} from './run-command.js';
import {refuseTemplates} from './templates.js';
import {commandPath, SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_VERSION, type EntryRecord, type Snapshot, type SourceRecord} from './snapshot.js';
import {deriveKeys, KEY_INPUTS} from './derive-keys.js';
import {PROBE_INPUTS, runProbe} from './probes.js';
import {DEFAULT_MAX_BYTES, type Collected, type CollectContext, type CollectOptions} from './collect-context.js';

export {DEFAULT_MAX_BYTES, type CollectOptions} from './collect-context.js';

export async function collectLive(opts: CollectOptions): Promise<Snapshot> {
  const ctx: CollectContext = {
    root: opts.root,
    timeoutMs: opts.timeoutMs,
    env: opts.env ?? process.env,
    maxBytes: opts.maxBytes ?? DEFAULT_MAX_BYTES,
    isRoot: process.getuid?.() === 0,
  };
  const specs = opts.sources ?? CATALOGUE;
  const sources: Record<string, SourceRecord> = {};
  const contents = new Map<string, Buffer>();
  let done = 0;
  const finish = (rec: SourceRecord, data: Map<string, Buffer>) => {
    sources[rec.name] = rec;
    for (const [k, v] of data) contents.set(k, v);
    opts.onProgress?.(++done, specs.length, rec.name);
  };

  // Commands and files need nothing else; per-key commands and probes read other sources (bridges
  // -> dump-flows, pool pids -> liveness) and start as soon as those are in, not after everything.
  // The commands start first and run while the files are read (synchronously, see read-files.ts):
  // a macrotask turn lets every command reach its spawn before the reading begins, and a turn
  // between two file sources lets finished commands be seen, so what waits on them starts early.
  const collect = async (spec: SourceSpec, soFar: Collected = {sources, contents}) => finish(...(await collectOne(spec, ctx, soFar)));
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  const finished = new Map<string, Promise<void>>();
  for (const spec of specs) if (spec.kind === 'command') finished.set(spec.name, collect(spec));
  let reading: Promise<void> = Promise.resolve();
  for (const spec of specs) {
    if (spec.kind !== 'files') continue;
    reading = reading.then(turn).then(() => collect(spec));
    finished.set(spec.name, reading);
  }
  for (const spec of specs) {
    if (spec.kind !== 'perKey' && spec.kind !== 'probe') continue;
    const names = spec.kind === 'perKey' ? KEY_INPUTS[spec.keysFrom] : PROBE_INPUTS[spec.probe];
    // It sees only its declared inputs: a source read but not declared is "not collected" on every
    // run (and fails the tests), never a race that passes when the source happens to finish first.
    const inputs = () => ({sources: Object.fromEntries(names.flatMap((n) => (sources[n] ? [[n, sources[n]]] : []))), contents});
    finished.set(spec.name, Promise.all(names.flatMap((name) => finished.get(name) ?? [])).then(() => collect(spec, inputs())));
  }
  await Promise.all(finished.values());

  const snapshot: Snapshot = {
    manifest: {
      format: SNAPSHOT_FORMAT,
      formatVersion: SNAPSHOT_FORMAT_VERSION,
      tool: {name: 'tapdoctor', version: opts.toolVersion},
      hostname: hostname(),
      capturedAt: new Date().toISOString(),
      root: opts.root,
      collectedAsRoot: ctx.isRoot,
      sources,
    },
    contents,
  };
  refuseTemplates(snapshot);
  return snapshot;
}

type Result = [SourceRecord, Map<string, Buffer>];

async function collectOne(spec: SourceSpec, ctx: CollectContext, soFar: Collected): Promise<Result> {
  switch (spec.kind) {
    case 'command':
      return collectCommand(spec, ctx);
    case 'files':
      return collectFiles(spec, ctx);
    case 'perKey':
      return collectPerKey(spec, ctx, soFar);
    case 'probe':
      return collectProbe(spec, ctx, soFar);
  }
}

async function commandEntry(spec: CommandSource | PerKeySource, argv: string[], ctx: CollectContext, key?: string): Promise<[EntryRecord, Buffer | undefined]> {
  const timeoutMs = spec.timeoutMs ?? ctx.timeoutMs;
  const out = await runCommand(argv, {timeoutMs, maxBytes: ctx.maxBytes, env: ctx.env});
  const entry: EntryRecord = {
    path: commandPath(spec.name, key),
    binding: argv.join(' '),
    ...(key === undefined ? {} : {key}),
    exitCode: out.exitCode,
    durationMs: out.durationMs,
    bytes: out.stdout.length,
    truncated: out.truncated,
    ...(out.stderr ? {stderr: redactUrlUserinfo(out.stderr).text} : {}),
  };
  // A command's output may carry credentials inside URLs (a mount source, a unit's ExecStart).
  const clean = redactCaptured(out.stdout, 'none');
  if (clean.redacted.length > 0) {
    entry.redacted = clean.redacted;
    entry.bytes = clean.data.length;
  }
  const accepted = spec.kind === 'command' ? (spec.okExitCodes ?? [0]) : [0];
  if (out.error) entry.error = out.error;
  else if (out.exitCode !== null && !accepted.includes(out.exitCode)) entry.error = exitProblem(argv, out.exitCode, redactUrlUserinfo(out.stderr).text, spec, ctx);
  return [entry, out.error ? undefined : clean.data];
}

function exitProblem(argv: string[], code: number, stderr: string, spec: SourceSpec, ctx: CollectContext): string {
  const firstLine = stderr.split('\n').find((l) => l.trim()) ?? '';
  const base = `${argv[0]} exited ${code}${firstLine ? `: ${firstLine.trim()}` : ''}`;
  return spec.needsRoot && !ctx.isRoot ? `needs root (${base})` : base;
}

async function collectCommand(spec: CommandSource, ctx: CollectContext): Promise<Result> {
  const [entry, stdout] = await commandEntry(spec, spec.argv, ctx);
  const data = new Map<string, Buffer>();
  if (stdout) data.set(entry.path, stdout);
  const rec: SourceRecord = {name: spec.name, status: entry.error ? 'failed' : 'ok', entries: [entry]};
  if (entry.error) rec.reason = entry.error;
  return [rec, data];
}

async function collectPerKey(spec: PerKeySource, ctx: CollectContext, soFar: Collected): Promise<Result> {
  const keys = await deriveKeys(spec.keysFrom, ctx, soFar);
  if (!keys.ok) return [{name: spec.name, status: 'failed', reason: keys.reason, entries: []}, new Map()];
  const data = new Map<string, Buffer>();
  const entries = await Promise.all(
    keys.value.map(async (k) => {
      const argv = spec.argv.map((a) => a.replace('{key}', k.argValue));
      const [entry, stdout] = await commandEntry(spec, argv, ctx, k.key);
      if (stdout) data.set(entry.path, stdout);
      return entry;
    }),
  );
  const allFailed = entries.length > 0 && entries.every((e) => e.error);
  const rec: SourceRecord = {name: spec.name, status: allFailed ? 'failed' : 'ok', entries};
  if (allFailed) rec.reason = entries[0]!.error;
  return [rec, data];
}

async function collectFiles(spec: FilesSource, ctx: CollectContext): Promise<Result> {
  const {entries, data, failure} = await readHostFiles(spec, ctx);
  const rec: SourceRecord = {name: spec.name, status: failure ? 'failed' : 'ok', entries};
  if (failure) rec.reason = failure;
  return [rec, data];
}

async function collectProbe(spec: ProbeSource, ctx: CollectContext, soFar: Collected): Promise<Result> {
  return runProbe(spec, ctx, soFar);
}

