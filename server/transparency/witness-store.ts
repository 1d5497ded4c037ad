/**
 * The witness's durable state and key, as files in its data directory: `witness-state.json`
 * (latest cosigned size and root per origin, replaced atomically and fsynced before the
 * witness answers) and `witness.key` (Ed25519 PKCS#8, mode 0600, created on first start).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { CosignedState, WitnessStore } from './witness.js';

const StateFile = z.record(z.string(), z.object({ size: z.number().int().nonnegative(), root: z.string() }));

/** A store over `file`; the whole map is rewritten (temp file, fsync, rename, fsync directory) on each put. */
export function openWitnessStore(file: string): WitnessStore {
  const state: Record<string, CosignedState> = fs.existsSync(file) ? StateFile.parse(JSON.parse(fs.readFileSync(file, 'utf8'))) : {};
  return {
    get: (origin) => (Object.hasOwn(state, origin) ? state[origin]! : null),
    async put(origin, value) {
      const next = { ...state, [origin]: value };
      const tmp = `${file}.${process.pid}.tmp`;
      const fh = await fs.promises.open(tmp, 'w', 0o600);
      try {
        await fh.writeFile(`${JSON.stringify(next, null, 1)}\n`);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fs.promises.rename(tmp, file);
      const dir = await fs.promises.open(path.dirname(path.resolve(file)), 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
      state[origin] = value; // only once it is on disk
    },
  };
}

/** Load the Ed25519 key at `file`, creating it (0600) when absent. */
export function loadOrCreateKey(file: string): { publicKey: Uint8Array; sign(message: Uint8Array): Uint8Array } {
  if (!fs.existsSync(file)) {
    const der = generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' });
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, `${der.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  }
  const privateKey: KeyObject = createPrivateKey({ key: Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64'), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { publicKey: new Uint8Array(spki.subarray(spki.length - 32)), sign: (m) => new Uint8Array(sign(null, m, privateKey)) };
}
