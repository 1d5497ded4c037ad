/**
 * Issue 13: the log keeps the witness cosignatures it received across a restart (served with the
 * checkpoint, and each witness's last cosigned size), and a witness that answers anything but
 * 200 or a resyncing 409 raises an alarm that shows as `parley_witness_alarms_total` on /metrics.
 * Real `server/main.ts` processes over a SQLite file; witnesses are the real witness code on HTTP.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { COSIGNATURE_ALG, formatCosignatureLine, formatVerifierKey } from '../../server/transparency/cosignature.js';
import { nodeVerifyEd25519 } from '../../server/transparency/ed25519-node.js';
import { buildEntry } from '../../server/transparency/factories.js';
import { openTestLog } from '../../server/transparency/test-helpers.js';
import { createWitness } from '../../server/transparency/witness.js';
import { serveWitness } from '../../server/transparency/witness-server.js';
import { loadOrCreateKey, openWitnessStore } from '../../server/transparency/witness-store.js';
import { parseVerifierKey } from '../../server/transparency/cosignature.js';
import { runParley, startParley, type Proc } from './transparency-harness.js';

const ORIGIN = 'parley.test/transparency';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(`http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`);
    }),
  );
}

function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((r) => server.close(() => r()));
}

/** A witness (the code `parley witness` runs) following `logKey`, on a loopback port. */
async function startWitness(dir: string, name: string, logKey: string): Promise<{ name: string; vkey: string; url: string; stop(): Promise<void> }> {
  const data = path.join(dir, name.replace(/\W/g, '_'));
  fs.mkdirSync(data, { recursive: true });
  const key = parseVerifierKey(logKey)!;
  const witness = createWitness({
    name,
    ...loadOrCreateKey(path.join(data, 'witness.key')),
    logs: [{ origin: key.name, keys: [key] }],
    store: openWitnessStore(path.join(data, 'witness-state.json')),
    verifyEd25519: nodeVerifyEd25519,
  });
  const server = await serveWitness(witness, { port: 0, host: '127.0.0.1' });
  const a = server.address();
  const url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await close(server);
  };
  cleanups.push(stop);
  return { name, vkey: witness.verifierKey, url, stop };
}

async function seedLog(dir: string, n: number): Promise<string> {
  const seeded = await openTestLog(path.join(dir, 'parley.db'), { origin: ORIGIN });
  await seeded.log.appendMany(Array.from({ length: n }, (_, i) => buildEntry(i)));
  await seeded.log.publishNow();
  const key = seeded.log.verifierKey;
  await seeded.close();
  return key;
}

async function parley(dir: string, env: Record<string, string>): Promise<Proc> {
  const p = await startParley(dir, { LOG_ORIGIN: ORIGIN, ...env });
  cleanups.push(() => p.stop());
  return p;
}

async function until<T>(what: string, probe: () => Promise<T | null>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const cosignatureLines = (note: string): string[] => note.split('\n').filter((l) => /^\u2014 w\d\.test\/witness /.test(l));
const checkpointOf = async (url: string): Promise<string> => (await fetch(`${url}/transparency/checkpoint`)).text();

describe('cosignatures kept by the log', () => {
  it('are served with the checkpoint after a restart with every witness offline, and the last cosigned sizes survive', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cosig-'));
    const logKey = await seedLog(dir, 12);
    const witnesses = await Promise.all(['w1', 'w2', 'w3'].map((w) => startWitness(dir, `${w}.test/witness`, logKey)));
    const env = { WITNESSES: JSON.stringify(witnesses.map((w) => ({ name: w.name, key: w.vkey, url: w.url }))) };

    const first = await parley(dir, env);
    const cosigned = await until('three cosignatures', async () => {
      const note = await checkpointOf(first.url);
      return cosignatureLines(note).length === 3 ? note : null;
    });
    await first.stop();
    // The witnesses go away: nobody can cosign again, so whatever is served next came from the store.
    for (const w of witnesses) await w.stop();

    const second = await parley(dir, env);
    const served = await checkpointOf(second.url);
    expect(served.split('\n').slice(0, 2)).toEqual([ORIGIN, '12']);
    expect(cosignatureLines(served).sort()).toEqual(cosignatureLines(cosigned).sort());
    const status = (await (await fetch(`${second.url}/transparency/v1/witnesses`)).json()) as { witnesses: { name: string; cosignedSize: number }[] };
    expect(status.witnesses.map((w) => w.cosignedSize)).toEqual([12, 12, 12]);

    // A verifier with a 2-of-3 policy accepts the restarted server's checkpoint.
    const policy = path.join(dir, 'policy.txt');
    fs.writeFileSync(policy, [...witnesses.map((w, i) => `witness ${'abc'[i]} ${w.vkey}`), 'group g 2 a b c', 'quorum g', ''].join('\n'));
    const ok = await runParley(['verify', second.url, '--state', path.join(dir, 'state.json'), '--witness-policy', policy]);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(/verified up to entry 11 .*witnessed by 3 of 3/);
  }, 120_000);
});

describe('witness alarms on /metrics', () => {
  it('count a witness answering 500 and one answering 200 with a bad cosignature, by witness and reason', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-alarm-'));
    await seedLog(dir, 3);
    const broken = http.createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    });
    // A "witness" whose 200 carries a line with its name and key ID but a signature that does not verify.
    const pub = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
    const forger = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(formatCosignatureLine('forger.test/witness', pub, Math.floor(Date.now() / 1000), randomBytes(64)));
    });
    const brokenUrl = await listen(broken);
    const forgerUrl = await listen(forger);
    cleanups.push(
      () => close(broken),
      () => close(forger),
    );
    const env = {
      WITNESSES: JSON.stringify([
        { name: 'broken', key: formatVerifierKey('broken.test/witness', COSIGNATURE_ALG, randomBytes(32)), url: brokenUrl },
        { name: 'forger', key: formatVerifierKey('forger.test/witness', COSIGNATURE_ALG, pub), url: forgerUrl },
      ]),
    };
    const server = await parley(dir, env);
    const metrics = await until('both alarms on /metrics', async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      return /parley_witness_alarms_total\{witness="broken",reason="server_error"\} [1-9]/.test(text) &&
        /parley_witness_alarms_total\{witness="forger",reason="bad_cosignature"\} [1-9]/.test(text)
        ? text
        : null;
    });
    expect(metrics).toMatch(/^parley_log_append_failures_total 0$/m);
    const body = (await (await fetch(`${server.url}/transparency/v1/witnesses`)).json()) as {
      alarms: { witness: string; reason: string }[];
      policy: string | null;
    };
    expect([...new Set(body.alarms.map((a) => `${a.witness}:${a.reason}`))].sort()).toEqual(['broken:server_error', 'forger:bad_cosignature']);
    expect(body.policy).toMatch(/^group majority 2 /m);
    expect(server.output()).toMatch(/witness alarm/);
    // Nothing was cosigned: the served checkpoint has no cosignature line.
    expect((await checkpointOf(server.url)).trim().split('\n')).toHaveLength(5);
  }, 90_000);
});
