/**
 * Real processes for the transparency attack tests: a Parley server (`server/main.ts`) over a
 * data directory the test owns (so it can edit the database file between runs), the `parley`
 * CLI, and the `parley witness` server. Each is a child process talking HTTP on loopback.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Proc {
  url: string;
  port: number;
  output(): string;
  exited(): string | null;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Spawn `args` under node with tsx and wait until its output contains `ready`. */
export async function startProcess(args: string[], env: Record<string, string>, ready: string, port: number): Promise<Proc> {
  let out = '';
  let exit: string | null = null;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const ended = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = signal ?? String(code);
      resolve();
    }),
  );
  const deadline = Date.now() + 60_000;
  const exitStatus = (): string | null => exit; // set by the exit listener
  while (!out.includes(ready)) {
    const status = exitStatus();
    if (status !== null) throw new Error(`${args.join(' ')} exited (${status}) before it was ready:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${args.join(' ')} was not ready in 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    output: () => out,
    exited: exitStatus,
    async stop() {
      if (exitStatus() !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await ended;
      clearTimeout(t);
    },
  };
}

/** A Parley server over `dataDir` (SQLite at dataDir/parley.db). */
export async function startParley(dataDir: string, env: Record<string, string> = {}): Promise<Proc> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return startProcess(
    ['server/main.ts'],
    { PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: url, DATA_DIR: dataDir, LOG_LEVEL: 'warn', COOKIE_SECURE: 'false', ...env },
    'Parley is running at',
    port,
  );
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
