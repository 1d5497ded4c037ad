/**
 * Meeting passcodes: stored as HMAC-SHA256 under an instance secret (the `meta` table), checked
 * in constant time, with failure limits per meeting and per address. A passcode is short and
 * typed by people, so what protects it is the number of guesses, not the cost of each one: a
 * scrypt per attempt (32 MiB, ~50 ms) only let a guesser stall every login on the node.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../protocol/errors.js';
import { verifyPassword } from '../accounts/index.js';
import { createFailureLimiter, addressKey, type FailureLimiter } from '../http/index.js';
import type { Db } from '../storage/index.js';

/** New passcodes need at least this many characters (meetings created before keep theirs). */
export const MIN_PASSCODE_CHARS = 6;
const PREFIX = 'hmac-sha256$';
const META_PASSCODE_SECRET = 'passcode_secret';

async function loadSecret(db: Db): Promise<Buffer> {
  const existing = await db.selectFrom('meta').select('value').where('key', '=', META_PASSCODE_SECRET).executeTakeFirst();
  if (!existing) {
    await db
      .insertInto('meta')
      .values({ key: META_PASSCODE_SECRET, value: randomBytes(32).toString('base64') })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
  }
  const row = await db.selectFrom('meta').select('value').where('key', '=', META_PASSCODE_SECRET).executeTakeFirstOrThrow();
  return Buffer.from(row.value, 'base64');
}

export interface PasscodeGuard {
  /** The stored form of a new passcode for this meeting. */
  hash(meetingId: string, passcode: string): Promise<string>;
  /**
   * Check a passcode attempt from `address`: false on a miss (counted); throws PASSCODE_LOCKED
   * (details `retryAfterSec`) while the meeting or the address is backing off. `upgrade` is
   * called with the HMAC form when a legacy scrypt hash was matched, so it is re-stored.
   */
  check(input: {
    meetingId: string;
    stored: string;
    passcode: string | undefined;
    address: string;
    upgrade: (hash: string) => Promise<void>;
  }): Promise<boolean>;
}

export interface PasscodeLimits {
  perMeeting: FailureLimiter;
  perAddress: FailureLimiter;
}

/**
 * Defaults: an address gets 5 misses, a meeting 20 (from everyone); then a wait of 5 s that
 * doubles with each further miss, to at most 15 min (address) or 5 min (meeting: a lower cap,
 * because while it lasts nobody but the host can join). Forgotten after 15 min without a miss.
 * A 6-digit passcode then takes a distributed guesser years (about 300 guesses a day).
 */
export function defaultPasscodeLimits(): PasscodeLimits {
  return {
    perAddress: createFailureLimiter({ free: 5, baseMs: 5000, maxMs: 15 * 60_000, forgetMs: 15 * 60_000 }),
    perMeeting: createFailureLimiter({ free: 20, baseMs: 5000, maxMs: 5 * 60_000, forgetMs: 15 * 60_000 }),
  };
}

export function createPasscodeGuard(db: Db, limits: PasscodeLimits = defaultPasscodeLimits()): PasscodeGuard {
  let secret: Promise<Buffer> | null = null;
  const key = (): Promise<Buffer> => {
    secret ??= loadSecret(db);
    secret.catch(() => (secret = null)); // a failed read is retried by the next check
    return secret;
  };
  const mac = async (meetingId: string, passcode: string) =>
    createHmac('sha256', await key())
      .update(`${meetingId}\n${passcode}`)
      .digest();

  async function matches(meetingId: string, stored: string, passcode: string): Promise<'yes' | 'legacy' | 'no'> {
    if (stored.startsWith(PREFIX)) {
      const expected = Buffer.from(stored.slice(PREFIX.length), 'base64');
      const got = await mac(meetingId, passcode);
      return expected.length === got.length && timingSafeEqual(expected, got) ? 'yes' : 'no';
    }
    // A passcode stored before HMAC (scrypt): checked once more, then re-stored as HMAC. The
    // failure limits bound how many of these a guesser can cause.
    return (await verifyPassword(passcode, stored)) ? 'legacy' : 'no';
  }

  return {
    async hash(meetingId, passcode) {
      return PREFIX + (await mac(meetingId, passcode)).toString('base64');
    },
    async check({ meetingId, stored, passcode, address, upgrade }) {
      const addr = addressKey(address);
      const wait = Math.max(limits.perMeeting.retryAfterMs(meetingId), limits.perAddress.retryAfterMs(addr));
      if (wait > 0) throw new AppError('PASSCODE_LOCKED', undefined, { retryAfterSec: Math.ceil(wait / 1000) });
      if (!passcode) return false; // not a guess: the lobby then asks for it
      const m = await matches(meetingId, stored, passcode);
      if (m === 'no') {
        limits.perMeeting.fail(meetingId);
        limits.perAddress.fail(addr);
        return false;
      }
      limits.perAddress.reset(addr);
      if (m === 'legacy') await upgrade(PREFIX + (await mac(meetingId, passcode)).toString('base64'));
      return true;
    },
  };
}
