/**
 * Instance secrets for the log, created on first start and kept in the `meta` table: the
 * pseudonym HMAC key and the Ed25519 checkpoint-signing key. Insert-if-absent then re-read,
 * so two nodes starting together agree on one value.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { Db } from '../storage/index.js';

export const META_PSEUDONYM_SECRET = 'pseudonym_secret';
export const META_SIGNING_KEY = 'transparency_signing_key';

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
export async function loadPseudonymSecret(db: Db): Promise<Uint8Array> {
  const b64 = await getOrCreate(db, META_PSEUDONYM_SECRET, () => randomBytes(32).toString('base64'));
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
export async function loadSigner(db: Db): Promise<Signer> {
  const pkcs8 = await getOrCreate(db, META_SIGNING_KEY, () =>
    generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
  );
  const privateKey: KeyObject = createPrivateKey({ key: Buffer.from(pkcs8, 'base64'), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const publicKey = new Uint8Array(spki.subarray(spki.length - 32));
  return { publicKey, sign: (message) => new Uint8Array(sign(null, message, privateKey)) };
}
