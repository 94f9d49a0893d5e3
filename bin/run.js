#!/usr/bin/env node
// Development entry: runs the compiled commands in dist/ (npm run build). The package installs
// the one-file bundle instead (npm run bundle).
import {fileURLToPath} from 'node:url';
import {main} from '../dist/cli/main.js';
import {commandsIn} from '../dist/cli/discover.js';

process.exitCode = await main(process.argv.slice(2), commandsIn(fileURLToPath(new URL('../dist/commands/', import.meta.url))));
