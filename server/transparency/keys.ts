/**
 * Instance secrets for the log, created on first start: the pseudonym HMAC key and the Ed25519
 * checkpoint-signing key. Where they live is a KeyStore: files apart from the database
 * (key-store.ts, the default for a single node) or the `meta` table (cluster nodes sharing one
 * PostgreSQL; insert-if-absent then re-read, so two nodes starting together agree on one value).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { Db } from '../storage/index.js';

/** Where the log's secrets are kept. A KMS-backed store implements the same one method. */
export interface KeyStore {
  /** The secret named `name`, created with `make` (and stored) on first use. */
  getOrCreate(name: string, make: () => string): Promise<string>;
}

export const META_PSEUDONYM_SECRET = 'pseudonym_secret';
export const META_SIGNING_KEY = 'transparency_signing_key';

/** Secrets in the database's `meta` table (a copy of the database carries them). */
export function dbKeyStore(db: Db): KeyStore {
  return { getOrCreate: (name, make) => getOrCreate(db, name, make) };
}

async function getOrCreate(db: Db, key: string, make: () => string): Promise<string> {
  const existing = await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
  if (existing) return existing.value;
  await db
    .insertInto('meta')
    .values({ key, value: make() })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirstOrThrow();
  return row.value;
}

/** 32 random bytes, generated once per instance. */
export async function loadPseudonymSecret(keys: KeyStore): Promise<Uint8Array> {
  const b64 = await keys.getOrCreate(META_PSEUDONYM_SECRET, () => randomBytes(32).toString('base64'));
  const secret = Buffer.from(b64, 'base64');
  if (secret.length < 32) throw new Error('meta.pseudonym_secret is shorter than 32 bytes');
  return secret;
}

/** The instance's checkpoint signer. */
export interface Signer {
  /** Raw 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

/** Load (or create on first start) the Ed25519 key pair. */
export async function loadSigner(keys: KeyStore): Promise<Signer> {
  const pkcs8 = await keys.getOrCreate(META_SIGNING_KEY, () =>
    generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
  );
  const privateKey: KeyObject = createPrivateKey({ key: Buffer.from(pkcs8, 'base64'), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const publicKey = new Uint8Array(spki.subarray(spki.length - 32));
  return { publicKey, sign: (message) => new Uint8Array(sign(null, message, privateKey)) };
}
