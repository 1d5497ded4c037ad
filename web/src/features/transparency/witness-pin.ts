/**
 * The browser verifier's witness policy (Sigsum-style text, server/transparency/witness-policy.ts):
 * pinned in localStorage per log origin on first use, from the instance's suggestion, and
 * replaceable by the user. The instance's suggestion is only that: when it differs from the
 * pinned policy the page says so and keeps the pinned one.
 */
import { WitnessesResponse } from '../../../../server/transparency/witness-status.js';
import { parseWitnessPolicy, type WitnessPolicy } from '../../../../server/transparency/witness-policy.js';

const KEY = 'parley.transparency.witness-policy';

export interface PinnedPolicy {
  /** The policy text (witness / group / quorum lines). */
  text: string;
  /** 'instance': pinned from the instance's suggestion on first use; 'user': set on this page. */
  source: 'instance' | 'user';
  pinnedAt: number;
}

type Pins = Record<string, PinnedPolicy>;

function readPins(): Pins {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Pins) : {};
  } catch {
    return {};
  }
}

/** The policy pinned for `origin`, if any. */
export function pinnedPolicy(origin: string): PinnedPolicy | null {
  return readPins()[origin] ?? null;
}

/** Pin `text` for `origin`; a string says what is wrong with it (nothing is stored then). */
export function pinPolicy(origin: string, text: string, source: PinnedPolicy['source']): PinnedPolicy | string {
  const parsed = parseWitnessPolicy(text);
  if (typeof parsed === 'string') return parsed;
  const pin: PinnedPolicy = { text, source, pinnedAt: Date.now() };
  try {
    localStorage.setItem(KEY, JSON.stringify({ ...readPins(), [origin]: pin }));
  } catch {
    // Private mode: the policy holds for this visit only.
  }
  return pin;
}

/** The parsed form of a pinned policy (null when the stored text no longer parses). */
export function policyOf(pin: PinnedPolicy | null): WitnessPolicy | null {
  if (!pin) return null;
  const parsed = parseWitnessPolicy(pin.text);
  return typeof parsed === 'string' ? null : parsed;
}

/** What the instance publishes about its witnesses (status, alarms, the policy it suggests). */
export async function fetchWitnesses(): Promise<WitnessesResponse | null> {
  try {
    const res = await fetch('/transparency/v1/witnesses', { headers: { accept: 'application/json' } });
    if (!res.ok) return null;
    const parsed = WitnessesResponse.safeParse(await res.json());
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Two policy texts say the same thing when their non-comment words are equal. */
export function samePolicy(a: string, b: string): boolean {
  const norm = (t: string): string =>
    t
      .split('\n')
      .map((l) => l.replace(/#.*/, '').trim().split(/\s+/).join(' '))
      .filter(Boolean)
      .join('\n');
  return norm(a) === norm(b);
}

/**
 * The policy to use for `origin`: the pinned one; else the instance's suggestion, pinned now
 * (trust on first use); null when there is neither (the instance has no witnesses).
 */
export function resolvePolicy(origin: string, suggested: string | null): PinnedPolicy | null {
  const pin = pinnedPolicy(origin);
  if (pin) return pin;
  if (!suggested) return null;
  const made = pinPolicy(origin, suggested, 'instance');
  return typeof made === 'string' ? null : made;
}
