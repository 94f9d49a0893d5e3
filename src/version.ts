// The package version, read once from package.json (bundled with the package).
import {readFileSync} from 'node:fs';

/** The one-file bundle has no package.json beside it: scripts/bundle.mjs defines the version. */
declare const __TAPDOCTOR_VERSION__: string | undefined;

export const TOOL_VERSION: string = (() => {
  if (typeof __TAPDOCTOR_VERSION__ !== 'undefined') return __TAPDOCTOR_VERSION__;
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {version: string}).version;
  } catch {
    return '0.0.0';
  }
})();
