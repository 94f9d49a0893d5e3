#!/usr/bin/env node
// `npm run bundle` (after `npm run build`): the one-file tapdoctor in bundle/.
//   bundle/tapdoctor.cjs                 every module, every command, the check pages and the version in
//                                        one CommonJS file: runs with any Node >= 20 under any name
//   bundle/launch.cjs                    the installed `tapdoctor` command (scripts/launch.cjs): runs
//                                        tapdoctor.cjs with the code cache below, or without it
//   bundle/tapdoctor.cjs.cache           V8's code cache of tapdoctor.cjs, made here by running
//                                        representative commands (CACHE_RUNS) with this node
//   bundle/tapdoctor.1                   the man page, from the commands' help texts
//   bundle/completions/tapdoctor.{bash,zsh,fish}
// Commands are every module in dist/commands and pages every docs/checks/*.md: nothing is listed by
// hand, so new commands, pages and runtime libraries are picked up as they land.
import {spawnSync} from 'node:child_process';
import {copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, chmodSync} from 'node:fs';
import {join, relative, resolve, sep} from 'node:path';
import {fileURLToPath} from 'node:url';
import {build} from 'esbuild';
import {commandIdOf, commandsIn} from '../dist/cli/discover.js';
import {renderManPage} from '../dist/cli/manpage.js';
import {renderCompletion, SHELLS} from '../dist/cli/completion.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
// --out DIR: somewhere else than bundle/ (the RPM test builds its own, beside the other tests).
const outArg = process.argv.indexOf('--out');
const out = outArg > 0 ? resolve(process.argv[outArg + 1]) : join(repo, 'bundle');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));

const commandsDir = join(repo, 'dist/commands');
const commandFiles = readdirSync(commandsDir, {recursive: true})
  .map((f) => String(f))
  .filter((f) => statSync(join(commandsDir, f)).isFile() && commandIdOf(f.split(sep).join('/')));
const pagesDir = join(repo, 'docs/checks');
const pages = Object.fromEntries(readdirSync(pagesDir).filter((f) => f.endsWith('.md')).map((f) => [f.slice(0, -3), readFileSync(join(pagesDir, f), 'utf8')]));

const worker = existsSync(join(repo, 'dist/fleet/worker.js'));

// The entry: the command table as lazy imports (esbuild keeps each command's code unevaluated until
// it runs), then the same main() bin/run.js calls.
const entry = [
  `import {main} from './dist/cli/main.js';`,
  'const commands = {',
  ...commandFiles.map((f) => `  ${JSON.stringify(commandIdOf(f.split(sep).join('/')))}: async () => (await import(${JSON.stringify(`./dist/commands/${f.split(sep).join('/')}`)})).default,`),
  '};',
  ...(worker
    ? [
        // The fleet's worker threads run this same file (src/fleet/pool.ts starts them with this flag).
        `import {isMainThread, workerData} from 'node:worker_threads';`,
        `if (!isMainThread && workerData?.tapdoctorWorker) import('./dist/fleet/worker.js');`,
        'else main(process.argv.slice(2), commands).then((code) => { process.exitCode = code; });',
      ]
    : ['main(process.argv.slice(2), commands).then((code) => { process.exitCode = code; });']),
].join('\n');

// Parts of oclif that tapdoctor's dispatch (src/cli/main.ts) never reaches: its Config (plugin
// discovery, package.json and manifests; only Command.run loads it, main.ts creates commands with its
// own config) and its help classes (flags.js needs them only for Flags.help(), errors/handle.js only
// for oclif's own run loop; our help is src/cli/help.ts). Leaving them and their libraries out of the
// file keeps start-up within its targets (npm run bench); reaching one anyway fails loudly.
const OCLIF_UNUSED = /[\\/]@oclif[\\/]core[\\/]lib[\\/](config[\\/]index|help[\\/]index)\.js$/;
const oclifUnused = {
  name: 'oclif-unused',
  setup(b) {
    b.onLoad({filter: OCLIF_UNUSED}, (args) => ({
      loader: 'js',
      contents: `const what = ${JSON.stringify(relative(repo, args.path))};
module.exports = new Proxy({}, {get: (_, key) => key === '__esModule' ? true : typeof key === 'symbol' ? undefined : () => { throw new Error(\`\${what} (\${String(key)}) is not in the one-file build\`); }});`,
    }));
  },
};

// The launcher decodes the bundle from UTF-8 before compiling it: all-ASCII text takes V8's fast
// path (~1 ms for the file), a single other character the slow one (~5 ms, on every start). esbuild
// escapes non-ASCII everywhere but inside regular expression literals; the one library with such a
// raw character (ansis: U+009B, the CSI its strip() removes) gets the escape \x9B there, the same
// regular expression. The check after the build names any other.
const asciiRegex = {
  name: 'ascii-regex',
  setup(b) {
    b.onLoad({filter: /[\\/]node_modules[\\/]ansis[\\/]index\.js$/}, (args) => ({loader: 'js', contents: readFileSync(args.path, 'utf8').replace(/\u009b/g, '\\x9B')}));
  },
};

rmSync(out, {recursive: true, force: true});
mkdirSync(join(out, 'completions'), {recursive: true});
const result = await build({
  stdin: {contents: entry, resolveDir: repo, sourcefile: 'tapdoctor-entry.js', loader: 'js'},
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outfile: join(out, 'tapdoctor.cjs'),
  // import.meta.url is the bundle's own URL (CommonJS has no import.meta); what dist/ reads beside
  // itself (pages, the version, the fleet worker) the bundle carries or is.
  banner: {js: `#!/usr/bin/env node\nconst __tapdoctor_bundle_url = require('node:url').pathToFileURL(__filename).href;`},
  define: {'import.meta.url': '__tapdoctor_bundle_url', __TAPDOCTOR_BUNDLE__: 'true', __TAPDOCTOR_VERSION__: JSON.stringify(pkg.version), __TAPDOCTOR_PAGES__: JSON.stringify(pages)},
  legalComments: 'inline',
  // Smaller is faster to start: Node parses the whole file before it runs a line. Names stay, so
  // stack traces (TAPDOCTOR_DEBUG=1) still read.
  minify: true,
  keepNames: true,
  logLevel: 'warning',
  metafile: true,
  // oclif reads a tsconfig with typescript only when it runs commands from TypeScript sources, which
  // tapdoctor never does (and it tolerates typescript's absence).
  external: ['typescript'],
  // import() of what stays outside the file (node builtins) as require(): V8 does not keep import()'s
  // loader hook for functions it takes from a code cache (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING on
  // Node 20), and a builtin is the same module either way.
  supported: {'dynamic-import': false},
  plugins: [oclifUnused, asciiRegex],
});
chmodSync(join(out, 'tapdoctor.cjs'), 0o755);
{
  const text = readFileSync(join(out, 'tapdoctor.cjs'), 'latin1');
  const at = text.search(/[^\x00-\x7f]/);
  if (at >= 0) throw new Error(`bundle/tapdoctor.cjs is not ASCII (byte ${at}: ...${JSON.stringify(text.slice(Math.max(0, at - 60), at + 20))}...): escape it as asciiRegex does, or the launcher's decode takes the slow path`);
}
// The launcher runs the file without import()'s hook (see `supported` above): none may be left.
const dynamicImports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path));
if (dynamicImports.length > 0) throw new Error(`the bundle still has import() of ${dynamicImports.join(', ')}: bundle/launch.cjs cannot run it from the code cache`);
copyFileSync(join(repo, 'scripts/launch.cjs'), join(out, 'launch.cjs'));
chmodSync(join(out, 'launch.cjs'), 0o755);
makeCodeCache();

const commands = commandsIn(commandsDir);
writeFileSync(join(out, 'tapdoctor.1'), await renderManPage(commands, pkg.version));
for (const shell of SHELLS) writeFileSync(join(out, 'completions', `tapdoctor.${shell}`), await renderCompletion(shell, commands));

if (process.env.BUNDLE_METAFILE) writeFileSync(process.env.BUNDLE_METAFILE, JSON.stringify(result.metafile));
const inputs = Object.keys(result.metafile.inputs);
const libraries = new Set(inputs.filter((p) => p.includes('node_modules/')).map((p) => p.split('node_modules/').at(-1).split('/').slice(0, p.split('node_modules/').at(-1).startsWith('@') ? 2 : 1).join('/')));
const size = statSync(join(out, 'tapdoctor.cjs')).size;
console.log(`${relative(repo, join(out, 'tapdoctor.cjs'))}: ${(size / 1024 / 1024).toFixed(1)} MiB, ${commandFiles.length} commands, ${Object.keys(pages).length} pages, ${libraries.size} libraries (${[...libraries].sort().join(', ')}); code cache ${(statSync(join(out, 'tapdoctor.cjs.cache')).size / 1024 / 1024).toFixed(1)} MiB`);

/**
 * The code cache: each command of CACHE_RUNS runs in a process of its own that starts from the cache
 * the runs before it wrote and writes it again at exit with what it compiled
 * (scripts/code-cache-run.cjs), so the cache holds the functions all of them need (README,
 * Benchmarks: what other sets measured). Without NODE_OPTIONS: V8 rejects a cache made under other
 * V8 flags than the user's node runs with. Last, the launcher must take it, or the build fails.
 */
function makeCodeCache() {
  const demo = join(repo, 'fixtures/demo');
  const CACHE_RUNS = [['analyze', demo, '--json'], ['checks', 'list'], ['explain', 'TD001'], ['--version']];
  const env = {...process.env, NO_COLOR: '1'};
  delete env.NODE_OPTIONS;
  for (const args of CACHE_RUNS) {
    const r = spawnSync(process.execPath, [join(repo, 'scripts/code-cache-run.cjs'), out, ...args], {cwd: out, env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8'});
    if (r.status !== 0 && !(args[0] === 'analyze' && r.status === 1)) throw new Error(`code cache: tapdoctor ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  const check = spawnSync(process.execPath, [join(out, 'launch.cjs'), '--version'], {env: {...env, TAPDOCTOR_DEBUG: '1'}, encoding: 'utf8'});
  if (!/^tapdoctor: code cache used/m.test(check.stderr)) throw new Error(`code cache: the launcher does not use it: ${check.stderr}`);
}
