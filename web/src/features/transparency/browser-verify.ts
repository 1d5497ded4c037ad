/**
 * In-browser verification: the same verifier the CLI uses, with fetch, WebCrypto Ed25519 and
 * localStorage for the pinned key and last verified checkpoint.
 */
import { verifyLog, type VerifierState, type VerifyResult } from '../../../../server/transparency/verifier.js';
import type { WitnessPolicy } from '../../../../server/transparency/witness-policy.js';

const STATE_KEY = 'parley.transparency.verify-state';
/** Above this many entries the page samples instead of fetching everything. */
export const FULL_VERIFY_LIMIT = 5000;
export const SAMPLE_SIZE = 64;

/** Thrown when the browser lacks Ed25519 in WebCrypto. */
export class NoEd25519Error extends Error {}

/** Ed25519 through WebCrypto. */
export async function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey('raw', new Uint8Array(publicKey), { name: 'Ed25519' }, false, ['verify']);
  } catch {
    throw new NoEd25519Error('Ed25519 is not available in this browser');
  }
  return crypto.subtle.verify({ name: 'Ed25519' }, key, new Uint8Array(signature), new Uint8Array(message));
}

/** The pinned key and last verified checkpoint (null before the first successful verification). */
export function loadState(): VerifierState | null {
  try {
    const raw = localStorage.getItem(STATE_KEY);
    return raw ? (JSON.parse(raw) as VerifierState) : null;
  } catch {
    return null;
  }
}

async function fetchJson(path: string): Promise<unknown> {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new Error(`${path.split('?')[0] ?? path}: ${res.status} ${err?.code ?? ''}`.trim());
  }
  return body;
}

/**
 * Verify the log served by this origin; persists the new state only on success. With `policy`,
 * a checkpoint short of its quorum is refused; a checkpoint inconsistent with the remembered one
 * is refused as a fork (`kind: 'fork'`) and the remembered one is kept.
 */
export async function verifyInBrowser(
  treeSize: number,
  onProgress: (done: number, total: number) => void,
  policy?: WitnessPolicy | null,
): Promise<VerifyResult> {
  let missingEd25519 = false;
  const result = await verifyLog(
    {
      fetchJson,
      verifyEd25519: async (k, m, s) => {
        try {
          return await verifyEd25519(k, m, s);
        } catch (err) {
          if (err instanceof NoEd25519Error) missingEd25519 = true;
          throw err;
        }
      },
      onProgress,
    },
    { state: loadState(), sample: treeSize > FULL_VERIFY_LIMIT ? SAMPLE_SIZE : undefined, policy: policy ?? undefined },
  );
  if (missingEd25519) throw new NoEd25519Error('Ed25519 is not available in this browser');
  if (result.ok) {
    try {
      localStorage.setItem(STATE_KEY, JSON.stringify(result.state));
    } catch {
      // Private mode: verification still holds for this visit.
    }
  }
  return result;
}
