#!/usr/bin/env node
// `npm test`: make sure what the suite needs is here (Debian's chromium for browser tests, Go
// and golang.org/x/mod for the transparency interop test,
// the built web client), then run every test with vitest. Extra arguments go to vitest.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureWebBuilt } from './start.mjs';
import { ensureChromium, ensureGoTlog } from './services.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

ensureChromium();
ensureGoTlog();
ensureWebBuilt();

const args = ['node_modules/vitest/vitest.mjs', 'run', ...process.argv.slice(2)];
const r = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, PARLEY_TEST: '1' } });
process.exit(r.status ?? 1);
