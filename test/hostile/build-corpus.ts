// Rebuilds the committed hostile corpus: `npx vite-node test/hostile/build-corpus.ts`.
// hostile.test.ts checks that the committed files still match these builders.

import {writeFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import path from 'node:path';

import {CORPUS} from './corpus.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'corpus');
for (const [name, build] of Object.entries(CORPUS)) {
  const bytes = build();
  writeFileSync(path.join(dir, name), bytes);
  console.log(`${name}\t${bytes.length} bytes`);
}
