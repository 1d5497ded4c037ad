#!/usr/bin/env node
// `npm run cluster`: try Parley on several nodes. Starts a private PostgreSQL and Redis (Debian's
// packages, installed first when root and missing) unless DATABASE_URL / REDIS_URL are given,
// then three nodes on ports 8081-8083 (PARLEY_NODES=n for another count, PARLEY_BASE_PORT for
// another first port). Ctrl-C stops everything it started. Data lives in ./data/cluster.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureWebBuilt } from './start.mjs';
import { startPostgres, startRedis } from './services.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const count = Math.max(1, Math.min(9, Number(process.env.PARLEY_NODES ?? 3)));
const basePort = Number(process.env.PARLEY_BASE_PORT ?? 8081);
const dataDir = path.join(root, 'data', 'cluster');
fs.mkdirSync(dataDir, { recursive: true });

ensureWebBuilt();
const stops = [];
let databaseUrl = process.env.DATABASE_URL;
let redisUrl = process.env.REDIS_URL;
try {
  if (!databaseUrl) {
    // Kept between runs in data/cluster/pg, so accounts and the log survive a restart.
    const pg = await startPostgres({ dir: path.join(dataDir, 'pg'), keep: true, port: Number(process.env.PARLEY_PG_PORT ?? 55432) });
    stops.push(pg.stop);
    databaseUrl = pg.url;
    console.log(`PostgreSQL: ${pg.url} (data in ${path.relative(root, pg.dir)})`);
  }
  if (!redisUrl) {
    const redis = await startRedis();
    stops.push(redis.stop);
    redisUrl = redis.url;
    console.log(`Redis: ${redis.url}`);
  }
} catch (err) {
  console.error(
    `Could not start PostgreSQL/Redis here: ${err.message}\n` +
      `Install them (sudo apt-get install postgresql redis-server) or set DATABASE_URL and REDIS_URL.`,
  );
  for (const s of stops) s();
  process.exit(1);
}

const children = [];
const publicUrl = (port) => (process.env.PUBLIC_URL_PATTERN ? process.env.PUBLIC_URL_PATTERN.replace('{port}', String(port)) : `http://localhost:${port}`);
// A page on one node follows a MEETING_ELSEWHERE redirect to another: each node accepts the others' origins.
const allOrigins = Array.from({ length: count }, (_, i) => publicUrl(basePort + i)).join(',');
const startNode = (i) => {
  const port = basePort + i;
  const id = `node-${String.fromCharCode(97 + i)}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/cluster/node.ts'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      PORT: String(port),
      PUBLIC_URL: publicUrl(port),
      ALLOWED_ORIGINS: process.env.ALLOWED_ORIGINS ?? allOrigins,
      COOKIE_SECURE: process.env.COOKIE_SECURE ?? 'false',
      LOG_ORIGIN: process.env.LOG_ORIGIN ?? 'localhost/transparency',
      DATA_DIR: path.join(dataDir, id),
      PARLEY_NODE_ID: id,
      // Each node needs its own media ports.
      MEDIA_UDP_MUX_PORT: String(40000 + i),
    },
  });
  children.push(child);
  return new Promise((resolve) => child.once('spawn', resolve));
};
// The first node runs the migrations; the others start once it is up.
await startNode(0);
for (let i = 0; i < 120; i++) {
  const up = await fetch(`http://127.0.0.1:${basePort}/healthz`).then(
    (r) => r.ok,
    () => false,
  );
  if (up) break;
  await new Promise((r) => setTimeout(r, 500));
}
for (let i = 1; i < count; i++) await startNode(i);
console.log(`\n${count} nodes: ${Array.from({ length: count }, (_, i) => `http://localhost:${basePort + i}`).join('  ')}`);
console.log('Open a meeting link on any node: joins are sent to the node that hosts the meeting.');
console.log('Cluster state: GET /api/cluster on any node. Ctrl-C stops everything.\n');

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : (c.once('exit', r), c.kill('SIGTERM'))))));
  for (const s of stops.reverse()) s();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
