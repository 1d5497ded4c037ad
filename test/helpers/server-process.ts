/**
 * Child processes for tests that need a real process: a Parley server (`server/main.ts`,
 * SQLite in a data directory, the real SFU), the `parley` CLI, a witness. A crash there is an
 * observable exit, not a dead test worker. The one spawner for e2e (test/e2e/helpers/browser.ts),
 * transparency (test/integration/transparency-harness.ts), deploy and attack tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A running child process serving HTTP on loopback. */
export interface Proc {
  url: string;
  port: number;
  proc: ChildProcess;
  /** Exit code or signal once the process has ended; null while it runs. */
  exited(): string | null;
  /** What the process wrote to stdout and stderr so far (the last `keepOutput` characters). */
  output(): string;
  /** SIGTERM, SIGKILL after 5 s; resolves once it has exited. */
  stop(): Promise<void>;
}

export interface ServerProcess extends Proc {
  wsUrl: string;
  dataDir: string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface StartOptions {
  /** How long to wait for `ready` (default 60 s). */
  timeoutMs?: number;
  /** Keep only this many trailing characters of output (default: all). */
  keepOutput?: number;
}

/** Spawn `args` under node with tsx (in the repository root) and wait until its output contains `ready`. */
export async function startProcess(args: string[], env: Record<string, string>, ready: string, port: number, opts: StartOptions = {}): Promise<Proc> {
  const keep = opts.keepOutput ?? Infinity;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  let out = '';
  let exit: string | null = null;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const add = (d: Buffer): void => {
    out += d.toString();
    if (out.length > keep) out = out.slice(-keep);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  const ended = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = signal ?? String(code);
      resolve();
    }),
  );
  const exited = (): string | null => exit; // set by the exit listener
  const deadline = Date.now() + timeoutMs;
  while (!out.includes(ready)) {
    const status = exited();
    if (status !== null) throw new Error(`${args.join(' ')} exited (${status}) before it was ready:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${args.join(' ')} was not ready in ${timeoutMs / 1000} s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    proc: child,
    exited,
    output: () => out,
    async stop() {
      if (exited() !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await ended;
      clearTimeout(t);
    },
  };
}

/**
 * Start `server/main.ts` with `env` on top of a loopback-only test configuration; resolves
 * once it listens. Without `env.DATA_DIR` it gets a temporary data directory that `stop()`
 * removes; a DATA_DIR the caller gives is the caller's and is left in place.
 */
export async function startServerProcess(env: Record<string, string> = {}, opts: StartOptions & { tmpPrefix?: string } = {}): Promise<ServerProcess> {
  const port = await freePort();
  const owned = env['DATA_DIR'] === undefined;
  const dataDir = env['DATA_DIR'] ?? fs.mkdtempSync(path.join(os.tmpdir(), opts.tmpPrefix ?? 'parley-proc-'));
  const url = `http://127.0.0.1:${port}`;
  const base = { PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: url, DATA_DIR: dataDir, LOG_LEVEL: 'warn', COOKIE_SECURE: 'false' };
  let p: Proc;
  try {
    p = await startProcess(['server/main.ts'], { ...base, ...env }, 'is running at', port, opts);
  } catch (err) {
    if (owned) fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    ...p,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    dataDir,
    async stop() {
      await p.stop();
      if (owned) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Run `npx parley <args>` (bin/parley.mjs) to completion. */
export function runParley(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/parley.mjs'), ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
