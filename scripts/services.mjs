// What the test suite needs from the machine, installed or started by the project itself,
// with a clear message when that is impossible.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import dgram from 'node:dgram';
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
  // Wait for another apt-get to finish instead of failing at once (several installs may race).
  r = spawnSync('apt-get', ['install', '-y', '-qq', '-o', 'DPkg::Lock::Timeout=300', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
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

/** Debian's Go and golang.org/x/mod: test/interop checks the transparency log with Go's sumdb note and tlog. */
export function ensureGoTlog() {
  const tlog = '/usr/share/gocode/src/golang.org/x/mod/sumdb/tlog';
  if (fs.existsSync('/usr/bin/go') && fs.existsSync(tlog)) return;
  if (canApt() && aptInstall(['golang-go', 'golang-golang-x-mod-dev']) && fs.existsSync(tlog)) return;
  console.error(
    'The transparency interop test needs Debian golang-go and golang-golang-x-mod-dev, and they could not be installed here.\nInstall them with: sudo apt-get install golang-go golang-golang-x-mod-dev',
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

/** `fn` wrapped to run at most once, and at process exit if nobody ran it before. */
function stopper(fn) {
  let done = false;
  const stop = () => {
    if (done) return;
    done = true;
    stoppers.delete(stop);
    fn();
  };
  stopOnExit(stop);
  return stop;
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
  const stop = stopper(() => {
    const [sc, sa] = asPostgresUser(pgctl, ['-D', dir, '-m', 'immediate', '-w', 'stop']);
    spawnSync(sc, sa, { cwd: os.tmpdir(), stdio: 'ignore' });
    if (!opts.keep) fs.rmSync(dir, { recursive: true, force: true });
  });
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
  const stop = stopper(() => {
    kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });
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

// ---- coturn (TURN) for the deployment tests ----

/** Debian's coturn `turnserver`, installed with apt-get when root and missing; null if impossible. */
export function ensureCoturnInstalled() {
  const found = ['/usr/bin/turnserver', '/usr/local/bin/turnserver'].find((p) => fs.existsSync(p));
  if (found) return found;
  if (canApt() && aptInstall(['coturn'])) return fs.existsSync('/usr/bin/turnserver') ? '/usr/bin/turnserver' : null;
  return null;
}

/**
 * TURN REST credentials (coturn's `use-auth-secret` scheme, also what the server hands a
 * joining client): username `<unix expiry>:<user>`, credential base64(HMAC-SHA1(secret, username)).
 */
export function turnCredentials(secret, user, ttlSeconds = 3600) {
  const username = `${Math.floor(Date.now() / 1000) + ttlSeconds}:${user}`;
  const credential = crypto.createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential };
}

/** A self-signed EC certificate for `cn` (and 127.0.0.1/localhost) in `dir`: { cert, key } paths. */
export function selfSignedCert(dir, cn = 'localhost') {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${cn}`,
    '-addext',
    `subjectAltName=DNS:${cn},DNS:localhost,IP:127.0.0.1`,
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  fs.chmodSync(key, 0o600);
  return { cert, key };
}

function udpFree(port) {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A free TCP+UDP port on 127.0.0.1 (TURN listens on both). */
async function freeDualPort() {
  for (let i = 0; i < 50; i++) {
    const p = await freePort();
    if (await udpFree(p)) return p;
  }
  throw new Error('no free TCP+UDP port on 127.0.0.1');
}

/** `count` consecutive UDP ports free on 127.0.0.1, for the relay range. */
async function freeUdpRange(count) {
  for (let i = 0; i < 50; i++) {
    const base = 20000 + crypto.randomInt(0, 12000);
    let ok = true;
    for (let p = base; p < base + count && ok; p++) ok = await udpFree(p);
    if (ok) return base;
  }
  throw new Error('no free UDP port range on 127.0.0.1');
}

async function waitTcp(port, timeoutMs, alive) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) return false;
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/**
 * Start a private coturn on 127.0.0.1: TURN over UDP and TCP on `port`, TURN over TLS (and
 * DTLS) on `tlsPort`, time-limited REST credentials from `secret` (see turnCredentials).
 * Returns { secret, realm, host, port, tlsPort, dir, cert, stop() }.
 */
export async function startCoturn(opts = {}) {
  const bin = ensureCoturnInstalled();
  if (!bin) throw new Error('coturn is not installed (sudo apt-get install coturn)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-coturn-'));
  const secret = opts.secret ?? crypto.randomBytes(24).toString('base64url');
  const realm = opts.realm ?? 'parley.test';
  const { cert, key } = opts.cert && opts.key ? { cert: opts.cert, key: opts.key } : selfSignedCert(dir, 'turn.parley.test');
  const port = opts.port ?? (await freeDualPort());
  let tlsPort = opts.tlsPort ?? (await freeDualPort());
  while (tlsPort === port) tlsPort = await freeDualPort();
  const relayCount = 40;
  const minPort = await freeUdpRange(relayCount);
  const log = path.join(dir, 'turnserver.log');
  // opts.baseConfig: an operator's turnserver.conf (deploy/coturn/) whose addresses, ports,
  // files and secret are replaced by this instance's; everything else in it applies as written.
  const replaced =
    /^\s*(listening-ip|relay-ip|external-ip|listening-port|tls-listening-port|alt-listening-port|alt-tls-listening-port|min-port|max-port|static-auth-secret|realm|cert|pkey|log-file|pidfile|userdb|syslog|allow-loopback-peers)\b/;
  const base = (opts.baseConfig ?? '').split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#') && !replaced.test(l));
  const conf = [
    ...base,
    `listening-ip=127.0.0.1`,
    `relay-ip=127.0.0.1`,
    `listening-port=${port}`,
    `tls-listening-port=${tlsPort}`,
    // One address only: no RFC 5780 alternate ports to collide with other tests.
    `alt-listening-port=0`,
    `alt-tls-listening-port=0`,
    `min-port=${minPort}`,
    `max-port=${minPort + relayCount - 1}`,
    `use-auth-secret`,
    `static-auth-secret=${secret}`,
    `realm=${realm}`,
    `cert=${cert}`,
    `pkey=${key}`,
    ...(opts.baseConfig ? [] : ['fingerprint', 'no-tlsv1', 'no-tlsv1_1', 'no-cli', 'no-multicast-peers']),
    // Tests only: the SFU and the test peers are on loopback, so the relay must reach
    // 127.0.0.1. Production must NOT allow loopback peers (deploy/coturn/turnserver.conf
    // denies them): a TURN user could otherwise reach services bound to the server's loopback.
    // coturn needs both lines: allow-loopback-peers lifts its built-in loopback refusal, and
    // allowed-peer-ip=127.0.0.1 (checked before denied-peer-ip) exempts that one address from a
    // production config's denied 127.0.0.0/8; every other denied range still applies.
    // opts.allowLoopbackPeers: false runs a production config as written.
    ...(opts.allowLoopbackPeers === false ? [] : ['allow-loopback-peers', 'allowed-peer-ip=127.0.0.1']),
    `log-file=${log}`,
    `simple-log`,
    `no-stdout-log`,
    `pidfile=${path.join(dir, 'turnserver.pid')}`,
    `userdb=${path.join(dir, 'turndb.sqlite')}`,
  ];
  const confPath = path.join(dir, 'turnserver.conf');
  fs.writeFileSync(confPath, conf.join('\n') + '\n', { mode: 0o600 });
  const child = spawn(bin, ['-c', confPath], { stdio: ['ignore', 'ignore', 'pipe'], detached: false });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  let exited = false;
  child.once('exit', () => (exited = true));
  const readLog = () => {
    try {
      return fs.readFileSync(log, 'utf8').slice(-3000);
    } catch {
      return stderr;
    }
  };
  const stop = stopper(() => {
    if (!exited) child.kill('SIGKILL');
    if (!opts.keep) fs.rmSync(dir, { recursive: true, force: true });
  });
  const up = (await waitTcp(port, 15_000, () => !exited)) && (await waitTcp(tlsPort, 5_000, () => !exited));
  if (!up) {
    const why = readLog();
    stop();
    throw new Error(`turnserver did not start on 127.0.0.1:${port}/${tlsPort}:\n${why}`);
  }
  return { secret, realm, host: '127.0.0.1', port, tlsPort, dir, cert, log, stop };
}

/** coturn for the suite: a private instance, or null after printing why (so the test can skip). */
export async function ensureCoturn(opts = {}) {
  try {
    return await startCoturn(opts);
  } catch (err) {
    console.error(`TURN tests need Debian's coturn, and it could not be started here: ${err.message}\n` + `Install it with: sudo apt-get install coturn`);
    return null;
  }
}

// ---- nginx (the reverse proxy of deploy/nginx/) for the production-shape tests ----

/** Debian's nginx, installed with apt-get when root and missing; null if impossible. */
export function ensureNginxInstalled() {
  const found = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => fs.existsSync(p));
  if (found) return found;
  if (canApt() && aptInstall(['nginx'])) return fs.existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : null;
  return null;
}

/**
 * Start a private nginx (its own prefix in a temp dir, master not daemonised) that includes
 * `site` (the text of an nginx server configuration, e.g. deploy/nginx/parley.conf with its
 * ports, names and certificate paths replaced). Waits until every port in `ports` accepts
 * connections. Returns { dir, stop() }.
 */
export async function startNginx({ site, ports }) {
  const bin = ensureNginxInstalled();
  if (!bin) throw new Error('nginx is not installed (sudo apt-get install nginx)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-nginx-'));
  for (const d of ['logs', 'tmp']) fs.mkdirSync(path.join(dir, d));
  const mime = fs.existsSync('/etc/nginx/mime.types') ? 'include /etc/nginx/mime.types;' : '';
  const user = process.getuid?.() === 0 ? 'user root;' : '';
  fs.writeFileSync(path.join(dir, 'site.conf'), site);
  const conf = `${user}
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 256; }
http {
  ${mime}
  # As Debian's nginx.conf: a site that does not turn it off logs every request here.
  access_log ${dir}/logs/access.log;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  include ${dir}/site.conf;
}
`;
  fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const test = spawnSync(bin, ['-t', '-p', dir, '-c', path.join(dir, 'nginx.conf')], { encoding: 'utf8' });
  if (test.status !== 0) throw new Error(`nginx -t refused the configuration:\n${test.stderr}`);
  const child = spawn(bin, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  let exited = false;
  child.once('exit', () => (exited = true));
  const stop = stopper(() => {
    // SIGTERM: the master takes its workers with it (SIGKILL would leave them running).
    if (!exited) child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  });
  for (const port of ports) {
    if (!(await waitTcp(port, 10_000, () => !exited))) {
      let log = '';
      try {
        log = fs.readFileSync(path.join(dir, 'logs/error.log'), 'utf8');
      } catch {
        /* none */
      }
      stop();
      throw new Error(`nginx did not listen on ${port}:\n${stderr}\n${log}`);
    }
  }
  return { dir, errorLog: path.join(dir, 'logs/error.log'), accessLog: path.join(dir, 'logs/access.log'), stop };
}

// ---- systemd-analyze (checks deploy/systemd/parley.service) ----

/**
 * systemd-analyze, from Debian's `systemd` package. Installed with apt-get only when root and
 * this machine is not booted with systemd (a container or CI image): changing the package
 * under a running init is not something a test run should do. Null if impossible.
 */
export function ensureSystemdAnalyze() {
  const found = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => fs.existsSync(p));
  if (found) return found;
  if (fs.existsSync('/run/systemd/system')) return null;
  if (canApt() && aptInstall(['systemd'])) return fs.existsSync('/usr/bin/systemd-analyze') ? '/usr/bin/systemd-analyze' : null;
  return null;
}

// ---- promtool (Prometheus's rule checker) for deploy/prometheus/alerts.yml ----

/** promtool from Debian's `prometheus` package, installed with apt-get when root and missing; null if impossible. */
export function ensurePromtool() {
  const found = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => fs.existsSync(p));
  if (found) return found;
  if (canApt() && aptInstall(['prometheus'])) return fs.existsSync('/usr/bin/promtool') ? '/usr/bin/promtool' : null;
  return null;
}

// ---- Janus (Debian's janus, VideoRoom) for the comparison bench (bench/janus-impairment.ts) ----

const JANUS_LIB = '/usr/lib/x86_64-linux-gnu/janus';

/** Debian's janus, installed with apt-get when root and missing; null if impossible. */
export function ensureJanus() {
  const found = fs.existsSync('/usr/bin/janus') ? '/usr/bin/janus' : null;
  if (found) return found;
  if (canApt() && aptInstall(['janus'])) return fs.existsSync('/usr/bin/janus') ? '/usr/bin/janus' : null;
  return null;
}

/** Every shared object in `folder` except `keep` (Janus loads all it finds unless disabled). */
function janusDisableList(folder, keep) {
  if (!fs.existsSync(folder)) return '';
  return fs
    .readdirSync(folder)
    .filter((f) => f.endsWith('.so') && f !== keep)
    .join(',');
}

/**
 * Start a private Janus in the foreground: only the HTTP transport (on a free port of
 * 127.0.0.1) and the VideoRoom plugin; media on one UDP port range of `host`, the machine's
 * first non-loopback IPv4 address (libnice gathers none on loopback), no STUN, no IPv6. Room `room` (default 1234): VP8 + Opus, simulcast as publishers offer it, transport-wide
 * CC, NACK with a 1 s retransmission queue, a PLI to publishers every `firFreq` s (default 10,
 * Janus's sample room). Resolves once the HTTP API answers. Returns
 * { url (the API base, http://127.0.0.1:<port>/janus), host, room, dir, output(), stop() }.
 */
export async function startJanus(opts = {}) {
  const bin = ensureJanus();
  if (!bin) throw new Error("Janus is not installed (sudo apt-get install janus): Debian's janus package is needed, as root it is installed automatically");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-janus-'));
  const port = await freePort();
  const room = opts.room ?? 1234;
  const rtpCount = 40;
  const rtpMin = await freeUdpRange(rtpCount);
  // Janus (libnice) gathers no loopback candidates, so its media is on this machine's first
  // non-loopback IPv4 address: one host candidate there per connection, from the one range.
  const host =
    Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address ?? null;
  if (!host) throw new Error('Janus needs a non-loopback IPv4 address for its ICE candidates, and this machine has none');
  const janusConf = `general: {
  configs_folder = "${dir}"
  plugins_folder = "${JANUS_LIB}/plugins"
  transports_folder = "${JANUS_LIB}/transports"
  events_folder = "${JANUS_LIB}/events"
  loggers_folder = "${JANUS_LIB}/loggers"
  debug_level = ${opts.debugLevel ?? 4}
  session_timeout = 60
}
media: {
  ipv6 = false
  rtp_port_range = "${rtpMin}-${rtpMin + rtpCount - 1}"
  min_nack_queue = 1000
  nack_optimizations = false
  no_media_timer = 1
}
nat: {
  nice_debug = false
  full_trickle = false
  ice_lite = false
  ice_tcp = false
  ice_enforce_list = "${host}"
  ignore_mdns = true
}
plugins: {
  disable = "${janusDisableList(`${JANUS_LIB}/plugins`, 'libjanus_videoroom.so')}"
}
transports: {
  disable = "${janusDisableList(`${JANUS_LIB}/transports`, 'libjanus_http.so')}"
}
loggers: {
  disable = "${janusDisableList(`${JANUS_LIB}/loggers`, '')}"
}
events: {
  broadcast = false
  disable = "${janusDisableList(`${JANUS_LIB}/events`, '')}"
}
`;
  const httpConf = `general: {
  json = "plain"
  base_path = "/janus"
  http = true
  port = ${port}
  ip = "127.0.0.1"
  https = false
}
admin: {
  admin_http = false
  admin_https = false
}
`;
  const roomConf = `general: {
  events = false
}
room-${room}: {
  description = "parley-bench"
  publishers = 6
  bitrate = 0
  fir_freq = ${opts.firFreq ?? 10}
  audiocodec = "opus"
  videocodec = "vp8"
  transport_wide_cc_ext = true
  playoutdelay_ext = true
  record = false
}
`;
  fs.writeFileSync(path.join(dir, 'janus.jcfg'), janusConf);
  fs.writeFileSync(path.join(dir, 'janus.transport.http.jcfg'), httpConf);
  fs.writeFileSync(path.join(dir, 'janus.plugin.videoroom.jcfg'), roomConf);
  const child = spawn(bin, ['-C', path.join(dir, 'janus.jcfg'), '-F', dir, '--disable-colors', '--debug-timestamps'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d) => (out = (out + d).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = false;
  child.once('exit', () => (exited = true));
  const stop = stopper(() => {
    if (!exited) child.kill('SIGKILL');
    if (!opts.keep) fs.rmSync(dir, { recursive: true, force: true });
  });
  const url = `http://127.0.0.1:${port}/janus`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const info = await fetch(`${url}/info`).then(
      (r) => r.ok,
      () => false,
    );
    if (info) break;
    if (exited || Date.now() > deadline) {
      stop();
      throw new Error(`janus did not answer on ${url}:\n${out.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, host, room, dir, output: () => out, stop };
}
