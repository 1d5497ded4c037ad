#!/usr/bin/env node
/**
 * `npm run bench` lists the benchmarks in bench/ with the first line of each one's header;
 * `npm run bench -- <name> [args…]` runs bench/<name>.ts with tsx (figures go to stdout; the
 * tables in docs/benchmarks.md come from these runs). Benchmarks print figures; they assert
 * nothing (behaviour is the test suite's job).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'bench');

/** Benchmarks that are run directly (helpers and child processes of others are not listed). */
function benches() {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      const usage = /npx tsx (bench\/[\w-]+\.ts[^\n`]*)/.exec(text);
      const summary = /\/\*\*\s*\n?\s*\*?\s*([^\n]+)/.exec(text)?.[1]?.trim() ?? '';
      return { name: f.replace(/\.ts$/, ''), usage: usage?.[1] ?? null, summary };
    })
    .filter((b) => b.usage !== null)
    .sort((a, b) => a.name.localeCompare(b.name));
}

const [name, ...args] = process.argv.slice(2);
if (!name) {
  console.log('Benchmarks (npm run bench -- <name> [args…]):\n');
  for (const b of benches()) console.log(`  ${b.name.padEnd(24)} ${b.summary}\n  ${''.padEnd(24)} usage: npx tsx ${b.usage}\n`);
  process.exit(0);
}
const file = path.join(dir, `${name.replace(/\.ts$/, '')}.ts`);
if (!/^[\w-]+$/.test(name.replace(/\.ts$/, '')) || !fs.existsSync(file)) {
  console.error(`No benchmark named "${name}". Run \`npm run bench\` for the list.`);
  process.exit(2);
}
const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), file, ...args], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
