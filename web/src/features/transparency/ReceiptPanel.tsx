/**
 * A removal receipt in the browser: fetch the entry's inclusion proof against the served
 * (cosigned) checkpoint, verify it here (WebCrypto Ed25519, the log key this browser pinned or the
 * instance's, the witness policy pinned for this log), say "on the public record at entry N,
 * witnessed by K of M", and offer the receipt JSON that `npx parley verify-receipt` checks.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { WellKnownResponse } from '../../../../protocol/transparency.js';
import { pureHasher } from '../../../../server/transparency/hasher.js';
import { Receipt, verifyReceipt } from '../../../../server/transparency/receipt.js';
import { loadState, verifyEd25519 } from './browser-verify.js';
import { ensureTransparencyI18n, NAMESPACE } from './i18n.js';
import { fetchWitnesses, policyOf, resolvePolicy } from './witness-pin.js';
import './transparency.css';

ensureTransparencyI18n();

type ReceiptState = { state: 'loading' } | { state: 'ok'; receipt: Receipt; witnessed: number; of: number } | { state: 'failed'; message: string };

const RETRY_MS = 1500;
/** A new checkpoint is signed within 2 s and then goes to the witnesses: wait up to a minute. */
const ATTEMPTS = 40;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function fetchReceipt(index: number, live: () => boolean): Promise<Receipt | string> {
  let last = '';
  for (let i = 0; i < ATTEMPTS && live(); i++) {
    const res = await fetch(`/transparency/v1/receipt?index=${index}`, { headers: { accept: 'application/json' } });
    const body: unknown = await res.json().catch(() => null);
    if (res.ok) {
      const parsed = Receipt.safeParse(body);
      return parsed.success ? parsed.data : 'the server did not answer with a receipt';
    }
    last = (body as { error?: { message?: string } } | null)?.error?.message ?? `HTTP ${res.status}`;
    if (res.status !== 404) return last;
    await sleep(RETRY_MS);
  }
  return last;
}

/** Fetch and check the receipt for entry `index`; retries while the entry is not yet in a cosigned checkpoint. */
export async function checkReceipt(index: number, live: () => boolean = () => true): Promise<ReceiptState> {
  const started = performance.now();
  const wk = WellKnownResponse.parse(await (await fetch('/.well-known/parley-transparency.json')).json());
  const pinned = loadState();
  if (pinned && (pinned.publicKey !== wk.public_key || pinned.origin !== wk.origin)) {
    return { state: 'failed', message: `the log's key changed since this browser pinned it (${pinned.keyName})` };
  }
  if (!wk.verifier_key) return { state: 'failed', message: 'the instance does not publish its verifier key' };
  const witnesses = await fetchWitnesses();
  const policy = policyOf(resolvePolicy(wk.origin, witnesses?.policy ?? null));
  let message = '';
  for (let attempt = 0; attempt < 3 && live(); attempt++) {
    const receipt = await fetchReceipt(index, live);
    if (typeof receipt === 'string') return { state: 'failed', message: receipt };
    const t0 = performance.now();
    const result = await verifyReceipt(receipt, { logKey: wk.verifier_key, policy: policy ?? undefined, hasher: pureHasher, verifyEd25519 });
    // bench/receipt-browser.ts reads these: the check alone, and everything since the fetches began.
    performance.measure('parley-receipt-verify', { start: t0 });
    if (result.ok) performance.measure('parley-receipt', { start: started });
    if (result.ok) return { state: 'ok', receipt, witnessed: result.cosigners.length, of: policy?.witnesses.size ?? 0 };
    message = result.message;
    await sleep(RETRY_MS * 2); // a witness round may still be under way
  }
  return { state: 'failed', message };
}

function download(receipt: Receipt): void {
  const blob = new Blob([`${JSON.stringify(receipt, null, 2)}\n`], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `parley-receipt-${receipt.index}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The receipt for one log entry, checked in this browser, with a download button. */
export function ReceiptPanel({ index }: { index: number }) {
  const { t } = useTranslation(NAMESPACE);
  const [s, setS] = useState<ReceiptState>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    setS({ state: 'loading' });
    checkReceipt(index, () => live).then(
      (r) => live && setS(r),
      (err: unknown) => live && setS({ state: 'failed', message: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
  }, [index]);
  return (
    <section className="tp-receipt" data-testid="receipt" data-state={s.state} aria-labelledby={`receipt-${index}`}>
      <h2 id={`receipt-${index}`} className="tp-receipt-title">
        {t('receipt.heading')}
      </h2>
      <p role="status" className={`tp-status tp-status-${s.state === 'ok' ? 'ok' : s.state === 'failed' ? 'failed' : 'running'}`} data-testid="receipt-status">
        {s.state === 'loading' && t('receipt.loading', { index })}
        {s.state === 'ok' && (s.of > 0 ? t('receipt.ok', { index, witnessed: s.witnessed, of: s.of }) : t('receipt.okNoWitnesses', { index }))}
        {s.state === 'failed' && t('receipt.failed', { index, message: s.message })}
      </p>
      {s.state === 'ok' && (
        <>
          <button type="button" className="tp-button" data-testid="receipt-download" onClick={() => download(s.receipt)}>
            {t('receipt.download')}
          </button>
          <p className="tp-small">{t('receipt.offline', { file: `parley-receipt-${index}.json` })}</p>
        </>
      )}
      <p className="tp-small">
        <a className="tp-link" href={`/transparency?entry=${index}`}>
          {t('receipt.onPage', { index })}
        </a>
      </p>
    </section>
  );
}
