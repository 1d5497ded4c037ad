/**
 * deploy/container/: the Containerfile and compose file, checked as text (no container engine
 * runs in the suite): Debian base, `npm ci` from the lock file, nothing fetched at run time, a
 * non-root user, data in a volume; the compose file's settings are ones Parley reads, and its
 * PostgreSQL and Redis are not published. Also deploy/systemd/parley.env against the config schema.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../server/config/index.js';
import { root } from './services.js';

const read = (p: string) => fs.readFileSync(path.join(root, p), 'utf8');
const known = new Set([...Object.keys(ConfigSchema.shape), 'PARLEY_NODE_ID', 'NODE_ENV', 'NPM_CONFIG_UPDATE_NOTIFIER']);

/** Instructions of a Containerfile, continuation lines joined. */
function instructions(text: string): { op: string; args: string }[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const sp = l.indexOf(' ');
      return { op: l.slice(0, sp).toUpperCase(), args: l.slice(sp + 1).trim() };
    });
}

/** One service's block of the compose file (the lines indented under `  name:`). */
function serviceBlock(text: string, name: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l === `  ${name}:`);
  if (start < 0) return '';
  const end = lines.findIndex((l, i) => i > start && /^ {0,2}\S/.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

const containerfile = () => instructions(read('deploy/container/Containerfile'));

describe('deploy/container/Containerfile', () => {
  const ins = instructions(read('deploy/container/Containerfile'));
  const last = ins.slice(ins.map((i) => i.op).lastIndexOf('FROM'));

  it('builds on Debian with npm ci from the lock file and ships the built web client', () => {
    for (const from of ins.filter((i) => i.op === 'FROM')) expect(from.args).toMatch(/bookworm|trixie|debian/);
    const runs = ins.filter((i) => i.op === 'RUN').map((i) => i.args);
    expect(runs.some((r) => /\bnpm ci\b/.test(r))).toBe(true);
    expect(runs.some((r) => /\bnpm install\b/.test(r))).toBe(false);
    expect(runs.some((r) => /npm run build/.test(r))).toBe(true);
    expect(ins.some((i) => i.op === 'COPY' && i.args.includes('package-lock.json'))).toBe(true);
  });

  it('runs as a non-root user with its data in a volume and fetches nothing at start', () => {
    const user = last.filter((i) => i.op === 'USER').at(-1)?.args ?? 'root';
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    const cmd = last.filter((i) => i.op === 'CMD' || i.op === 'ENTRYPOINT').map((i) => i.args);
    expect(cmd.length).toBeGreaterThan(0);
    for (const c of cmd) expect(c).not.toMatch(/\b(npm|npx|curl|wget|apt-get)\b/);
    // USER comes after the last RUN: nothing the image runs after that point is root.
    expect(last.map((i) => i.op).lastIndexOf('USER')).toBeGreaterThan(last.map((i) => i.op).lastIndexOf('RUN'));
    const env = last
      .filter((i) => i.op === 'ENV')
      .map((i) => i.args)
      .join(' ');
    const dataDir = /DATA_DIR=(\S+)/.exec(env)?.[1];
    expect(dataDir).toBeDefined();
    expect(last.find((i) => i.op === 'VOLUME')?.args).toContain(dataDir);
  });
});

describe('deploy/container/Containerfile.dockerignore', () => {
  // The build copies the repository root (COPY . .): whatever this file does not exclude is in
  // the image, for anyone who pulls it. A developer's data directory holds the log's signing and
  // pseudonym keys (data/keys), and a backup's key file sits beside the backup.
  const patterns = read('deploy/container/Containerfile.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('keeps local data, keys, backups, certificates and secrets out of the build context', () => {
    expect(containerfile().some((i) => i.op === 'COPY' && /^\.\s/.test(i.args))).toBe(true);
    for (const p of ['.git', 'node_modules', 'data', '**/keys', '**/*.keys', '*.db', '*.db-wal', '*.pem', '*.key', '.env']) expect(patterns, p).toContain(p);
  });
});

describe('deploy/container/compose.yaml', () => {
  const text = read('deploy/container/compose.yaml');

  it('has PostgreSQL, Redis and at least two Parley nodes, each with its own node id and URL', () => {
    expect(serviceBlock(text, 'postgres')).toContain('image: postgres:');
    expect(serviceBlock(text, 'redis')).toContain('image: redis:');
    const nodes = ['parley-1', 'parley-2'].map((n) => serviceBlock(text, n));
    const ids = nodes.map((b) => /PARLEY_NODE_ID: (\S+)/.exec(b)?.[1]);
    const urls = nodes.map((b) => /PUBLIC_URL: (\S+)/.exec(b)?.[1]);
    expect(new Set(ids).size).toBe(2);
    expect(new Set(urls).size).toBe(2);
    for (const b of nodes) expect(b).toMatch(/REDIS_URL: redis:\/\/redis:6379/);
  });

  it('names only settings Parley reads, and publishes neither PostgreSQL nor Redis', () => {
    for (const n of ['parley-1', 'parley-2']) {
      const env = serviceBlock(text, n)
        .split('\n')
        .slice(
          serviceBlock(text, n)
            .split('\n')
            .findIndex((l) => l.trim() === 'environment:') + 1,
        );
      const keys = env.map((l) => /^ {6}([A-Z_]+):/.exec(l)?.[1]).filter((k): k is string => k !== undefined);
      expect(keys.length).toBeGreaterThan(3);
      for (const k of keys) expect([n, k, known.has(k)]).toEqual([n, k, true]);
    }
    expect(serviceBlock(text, 'postgres')).not.toMatch(/ports:/);
    expect(serviceBlock(text, 'redis')).not.toMatch(/ports:/);
    expect(text).toMatch(/backend:\n\s+internal: true/);
  });
});

describe('deploy/systemd/parley.env', () => {
  it('sets only settings Parley reads, and the proxy settings the nginx site matches', () => {
    const lines = read('deploy/systemd/parley.env')
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l));
    const env = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    for (const k of Object.keys(env)) expect([k, known.has(k)]).toEqual([k, true]);
    expect(env.FORWARDED_HEADER).toBe('x-forwarded-for');
    expect(env.HOST).toBe('127.0.0.1');
    expect(read('deploy/nginx/parley.conf')).toContain(`server 127.0.0.1:${env.PORT};`);
    expect(() => ConfigSchema.parse(env)).not.toThrow();
  });
});
