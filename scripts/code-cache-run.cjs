// Build time only (scripts/bundle.mjs runs it; it is not shipped): one tapdoctor run that adds to
// the code cache beside the launcher. It compiles the bundle with the launcher's own compile step,
// starting from the cache the runs before it made (V8 deserializes those functions), runs the
// command, and at exit writes the cache again: every function compiled so far, with the header the
// launcher checks.
//   node scripts/code-cache-run.cjs BUNDLE_DIR [TAPDOCTOR ARGS...]
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const [dir, ...args] = process.argv.slice(2);
const launcher = require(path.resolve(dir, 'launch.cjs'));
const bundleBytes = fs.readFileSync(launcher.BUNDLE);
const previous = fs.existsSync(launcher.CACHE) ? launcher.readCache(bundleBytes) : {};
if (previous.reason) fail(previous.reason);
const script = launcher.compile(bundleBytes, previous.data);
if (previous.data && script.cachedDataRejected) fail(`V8 rejected the cache of the previous run (node options: ${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''})`);
process.on('exit', () => {
  const data = script.createCachedData();
  fs.writeFileSync(launcher.CACHE, Buffer.concat([Buffer.from(launcher.cacheHeader(bundleBytes, data), 'latin1'), data]));
});
process.argv = [process.execPath, launcher.BUNDLE, ...args];
launcher.run(script);

function fail(message) {
  process.stderr.write(`code-cache-run: ${message}\n`);
  process.exit(2);
}
