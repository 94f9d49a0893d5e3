#!/usr/bin/env node
// The `tapdoctor` command of the npm package and the RPM (scripts/bundle.mjs copies this file to
// bundle/launch.cjs; it is never run from scripts/). It runs the one-file build beside it,
// tapdoctor.cjs, with the V8 code cache that `npm run bundle` made for exactly that file
// (tapdoctor.cjs.cache): V8 then deserializes the functions a run needs instead of parsing and
// compiling them, which is most of tapdoctor's start-up beyond node's own.
//
// The cache is only an accelerator. It is used when its header names this bundle (SHA-256 of its
// bytes: V8 itself compares only the source length), its own bytes are intact (SHA-256: release V8
// does not checksum a cache), and it was made by this V8 on this architecture; V8 then still checks
// its version and flags (node options such as --max-old-space-size) and may reject it. In every
// other case tapdoctor runs exactly as `node tapdoctor.cjs` would, only without the head start.
// Nothing here writes a file. TAPDOCTOR_DEBUG=1 prints which way it went on stderr.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

// Beside this file's real path: /usr/bin/tapdoctor and npm's bin are links to it (node resolves the
// link of a main file itself, except under --preserve-symlinks-main).
const HERE = path.dirname(fs.realpathSync(__filename));
const BUNDLE = path.join(HERE, 'tapdoctor.cjs');
const CACHE = `${BUNDLE}.cache`;
/**
 * The script name the bundle is compiled under here and when the cache is made. V8 (11, Node 20)
 * keeps the name a cache was made under, so it cannot be a path of the build machine; stack traces
 * show BUNDLE in its place (nameFramesAsBundle).
 */
const SCRIPT_NAME = 'tapdoctor.cjs [code cache]';
/** First word of the cache file's header line; a new layout gets a new number. */
const MAGIC = 'tapdoctor-code-cache/1';

/** The header line that ties a cache to its bundle, its own bytes and the V8 that made it. */
function cacheHeader(bundleBytes, cacheData) {
  const {createHash} = require('node:crypto');
  const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
  return `${MAGIC} bundle=${sha256(bundleBytes)} data=${sha256(cacheData)} v8=${process.versions.v8} arch=${process.arch}\n`;
}

/** The V8 data of the cache file when it belongs to this bundle and this node, or why not. */
function readCache(bundleBytes, file = CACHE) {
  let bytes;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    return {reason: `cannot read ${file}: ${error.code ?? error.message}`};
  }
  const end = bytes.indexOf(10);
  if (end < 0 || end > 512 || !bytes.subarray(0, MAGIC.length + 1).equals(Buffer.from(`${MAGIC} `))) return {reason: `${file} is not a tapdoctor code cache`};
  const data = bytes.subarray(end + 1);
  const header = bytes.toString('latin1', 0, end + 1);
  const field = (line, name) => new RegExp(` ${name}=(\\S+)`).exec(line)?.[1];
  // A cache from another V8 or machine is of no use whatever the hashes say: tell so before hashing
  // 2.6 MB (an RPM built elsewhere would pay that on every start).
  const v8 = field(header, 'v8');
  if (v8 !== undefined && v8 !== process.versions.v8) return {reason: `${file} was made by V8 ${v8}, this is ${process.versions.v8}`};
  const arch = field(header, 'arch');
  if (arch !== undefined && arch !== process.arch) return {reason: `${file} was made on ${arch}`};
  const expected = cacheHeader(bundleBytes, data);
  if (header === expected) return {data};
  const differs = ['bundle', 'data', 'v8', 'arch'].find((name) => field(header, name) !== field(expected, name));
  const what = {bundle: 'was made for another tapdoctor.cjs', data: 'is damaged', v8: `was made by V8 ${field(header, 'v8')}, this is ${process.versions.v8}`, arch: `was made on ${field(header, 'arch')}`};
  return {reason: `${file} ${what[differs] ?? 'has another header'}`};
}

/**
 * The bundle compiled as node compiles a CommonJS module (in its function wrapper), with the cache
 * when given. The `#!` line becomes a comment of the same length: V8's own check of a cache is the
 * source length, and a cache made by the build is made from this same text.
 */
function compile(bundleBytes, cachedData) {
  const vm = require('node:vm');
  const Module = require('node:module');
  const source = bundleBytes.toString('utf8').replace(/^#!/, '//');
  // No importModuleDynamically: the bundle has no import() (scripts/bundle.mjs turns them into
  // require and checks it), and V8 loses that hook for functions it takes from a cache.
  return new vm.Script(Module.wrap(source), {filename: SCRIPT_NAME, cachedData});
}

/** Stack traces name the bundle's path instead of SCRIPT_NAME, as when node runs the file itself. */
function nameFramesAsBundle() {
  // Node's own formatter (a function since Node 20.x's later releases; before, frames keep SCRIPT_NAME).
  const format = Error.prepareStackTrace;
  if (typeof format !== 'function') return;
  Error.prepareStackTrace = function prepareStackTrace(error, frames) {
    const text = format(error, frames);
    return typeof text === 'string' ? text.replaceAll(SCRIPT_NAME, BUNDLE) : text;
  };
}

/**
 * Runs the compiled bundle as node runs a module the launcher requires: its own `module`, `require`
 * resolving from the bundle's directory (`require.main` is the launcher, as when the cache is not
 * used: the fleet's worker threads start it), `__filename` the bundle.
 */
function run(script) {
  const Module = require('node:module');
  nameFramesAsBundle();
  const mod = new Module(BUNDLE, module);
  mod.filename = BUNDLE;
  mod.paths = Module._nodeModulePaths(HERE);
  Module._cache[BUNDLE] = mod;
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(BUNDLE), mod, BUNDLE, HERE);
  mod.loaded = true;
}

function launch() {
  // (The fleet's worker threads run this file too.)
  const where = () => (require('node:worker_threads').isMainThread ? '' : ' (worker thread)');
  const trace = process.env.TAPDOCTOR_DEBUG ? (line) => process.stderr.write(`tapdoctor${where()}: ${line}\n`) : () => {};
  let bundleBytes;
  try {
    bundleBytes = fs.readFileSync(BUNDLE);
  } catch {
    // node's own message for a missing or unreadable main file
    return require(BUNDLE);
  }
  const cache = readCache(bundleBytes);
  if (!cache.data) {
    trace(`code cache not used: ${cache.reason}`);
    return require(BUNDLE);
  }
  const script = compile(bundleBytes, cache.data);
  // A rejected cache leaves a script V8 compiled from the source, as require would: run that
  // rather than compile the same text a second time.
  trace(script.cachedDataRejected ? `code cache not used: V8 rejected ${CACHE} (another V8 version or V8 flags)` : `code cache used: ${CACHE}`);
  run(script);
}

if (require.main === module) launch();
else module.exports = {BUNDLE, CACHE, cacheHeader, readCache, compile, run};
