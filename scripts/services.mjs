// What the test suite needs from the machine, installed or started by the project itself,
// with a clear message when that is impossible.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const CHROMIUM = '/usr/bin/chromium';

function canApt() {
  return process.getuid?.() === 0 && fs.existsSync('/usr/bin/apt-get');
}

function aptInstall(pkgs) {
  console.log(`Installing ${pkgs.join(', ')} from Debian's packages…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  if (r.status !== 0) return false;
  r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
  return r.status === 0;
}

/** Debian's chromium for the browser tests (never a browser download). */
export function ensureChromium() {
  if (fs.existsSync(CHROMIUM)) return;
  if (canApt() && aptInstall(['chromium']) && fs.existsSync(CHROMIUM)) return;
  console.error(
    `Browser tests need Debian's chromium at ${CHROMIUM}, and it could not be installed here.\n` +
      `Install it with: sudo apt-get install chromium   (then run npm test again)`,
  );
  process.exit(1);
}

// ---- PostgreSQL and Redis for the multi-node tests (server/cluster) ----
// Each starts a private instance in a temporary directory on a free loopback port, so the
// suite never touches a system database. initdb/postgres refuse to run as root: as root they
// run as Debian's `postgres` user through runuser.

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function pgBinDir() {
  const base = '/usr/lib/postgresql';
  if (!fs.existsSync(base)) return null;
  const versions = fs
    .readdirSync(base)
    .filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(base, versions[0], 'bin') : null;
}

/** Debian's PostgreSQL server binaries, installed with apt-get when root and missing; null if impossible. */
export function ensurePostgresInstalled() {
  let bin = pgBinDir();
  if (bin) return bin;
  if (canApt() && aptInstall(['postgresql'])) bin = pgBinDir();
  return bin;
}

/** Debian's redis-server, installed with apt-get when root and missing; null if impossible. */
export function ensureRedisInstalled() {
  const found = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => fs.existsSync(p));
  if (found) return found;
  if (canApt() && aptInstall(['redis-server'])) return fs.existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : null;
  return null;
}

function asPostgresUser(cmd, args) {
  if (process.getuid?.() !== 0) return [cmd, args];
  return ['runuser', ['-u', 'postgres', '--', cmd, ...args]];
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0)
    throw new Error(`${path.basename(args[2] === '--' ? args[3] : cmd)} failed: ${(r.stderr || r.stdout || String(r.error ?? '')).trim().slice(0, 800)}`);
  return r;
}

const stoppers = new Set();
let exitHookInstalled = false;
function stopOnExit(stop) {
  stoppers.add(stop);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const s of stoppers) {
      try {
        s();
      } catch {
        /* best effort at exit */
      }
    }
  });
}

/**
 * Start a private PostgreSQL (trust auth on 127.0.0.1, fsync off: test data only).
 * Returns { url, port, dir, stop() }; `url` is a superuser URL that may CREATE DATABASE.
 */
export async function startPostgres(opts = {}) {
  const bin = ensurePostgresInstalled();
  if (!bin) throw new Error('PostgreSQL is not installed (sudo apt-get install postgresql)');
  const port = opts.port ?? (await freePort());
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'parley-pg-'));
  fs.mkdirSync(dir, { recursive: true });
  const fresh = !fs.existsSync(path.join(dir, 'PG_VERSION'));
  if (process.getuid?.() === 0) {
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    if (!Number.isInteger(uid) || uid <= 0) throw new Error("the postgres system user is missing (reinstall Debian's postgresql package)");
    fs.chownSync(dir, uid, gid);
    fs.chmodSync(dir, 0o700);
  }
  if (fresh) {
    const [c, a] = asPostgresUser(path.join(bin, 'initdb'), ['-D', dir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
    run(c, a, { cwd: os.tmpdir() });
  }
  const settings = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=300',
    '-c shared_buffers=64MB',
  ].join(' ');
  const pgctl = path.join(bin, 'pg_ctl');
  const [c, a] = asPostgresUser(pgctl, ['-D', dir, '-l', path.join(dir, 'server.log'), '-o', settings, '-w', '-t', '30', 'start']);
  run(c, a, { cwd: os.tmpdir() });
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    stoppers.delete(stop);
    const [sc, sa] = asPostgresUser(pgctl, ['-D', dir, '-m', 'immediate', '-w', 'stop']);
    spawnSync(sc, sa, { cwd: os.tmpdir(), stdio: 'ignore' });
    if (!opts.keep) fs.rmSync(dir, { recursive: true, force: true });
  };
  stopOnExit(stop);
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, dir, stop };
}

/**
 * Start a private redis-server (no persistence). Returns { url, port, stop(), restart() };
 * stop/restart keep the port, so tests can take Redis away and bring it back.
 */
export async function startRedis(opts = {}) {
  const bin = ensureRedisInstalled();
  if (!bin) throw new Error('Redis is not installed (sudo apt-get install redis-server)');
  const port = opts.port ?? (await freePort());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-redis-'));
  const pidfile = path.join(dir, 'redis.pid');
  const start = () =>
    run(bin, [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'yes',
      '--pidfile',
      pidfile,
      '--dir',
      dir,
      '--logfile',
      path.join(dir, 'redis.log'),
      '--protected-mode',
      'no',
    ]);
  const waitUp = async (up) => {
    for (let i = 0; i < 100; i++) {
      const ok = await new Promise((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
        s.once('error', () => resolve(false));
      });
      if (ok === up) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis on port ${port} did not ${up ? 'start' : 'stop'}`);
  };
  const kill = () => {
    try {
      const pid = Number(fs.readFileSync(pidfile, 'utf8').trim());
      if (pid > 0) process.kill(pid, 'SIGKILL');
    } catch {
      /* not running */
    }
    fs.rmSync(pidfile, { force: true });
  };
  start();
  await waitUp(true);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    stoppers.delete(stop);
    kill();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  stopOnExit(stop);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    /** Kill it (SIGKILL: everything in it is lost), as a crash would. */
    async crash() {
      kill();
      await waitUp(false);
    },
    async restart() {
      start();
      await waitUp(true);
    },
  };
}

/**
 * PostgreSQL for the suite: PARLEY_TEST_DATABASE_URL when given (an admin URL that may CREATE
 * DATABASE), else a private instance (installed first when root and missing). Returns
 * { url, stop() } or null after printing why.
 */
export async function ensurePostgres() {
  if (process.env.PARLEY_TEST_DATABASE_URL) return { url: process.env.PARLEY_TEST_DATABASE_URL, stop() {} };
  try {
    return await startPostgres();
  } catch (err) {
    console.error(
      `PostgreSQL tests need Debian's postgresql, and it could not be started here: ${err.message}\n` +
        `Install it with: sudo apt-get install postgresql   (or set PARLEY_TEST_DATABASE_URL=postgres://…)`,
    );
    return null;
  }
}

/** Redis for the suite: PARLEY_TEST_REDIS_URL when given, else a private instance; null after printing why. */
export async function ensureRedis() {
  if (process.env.PARLEY_TEST_REDIS_URL) return { url: process.env.PARLEY_TEST_REDIS_URL, stop() {} };
  try {
    return await startRedis();
  } catch (err) {
    console.error(
      `Cluster tests need Debian's redis-server, and it could not be started here: ${err.message}\n` +
        `Install it with: sudo apt-get install redis-server   (or set PARLEY_TEST_REDIS_URL=redis://…)`,
    );
    return null;
  }
}
