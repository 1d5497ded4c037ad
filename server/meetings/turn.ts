/**
 * Time-limited TURN credentials in coturn's `use-auth-secret` (TURN REST API) scheme: the
 * username is `<expiry unix seconds>:<participant id>` and the credential is
 * base64(HMAC-SHA1(static-auth-secret, username)). coturn recomputes the credential and
 * refuses it after the expiry, so a credential copied out of a meeting stops working, and
 * nobody gets one without joining a meeting (they are never in the public /api/config).
 */
import { createHmac } from 'node:crypto';

export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

export interface TurnConfig {
  secret: string;
  urls: string[];
  ttlSec: number;
}

/** The ICE servers for one joiner: the configured ones, then their own TURN credentials. */
export function iceServersFor(configured: readonly IceServer[], turn: TurnConfig | null, now: () => number = Date.now): (participantId: string) => IceServer[] {
  return (participantId) => {
    if (turn === null) return [...configured];
    const username = `${Math.floor(now() / 1000) + turn.ttlSec}:${participantId}`;
    const credential = createHmac('sha1', turn.secret).update(username).digest('base64');
    return [...configured, { urls: [...turn.urls], username, credential }];
  };
}

/** What anyone may see before joining: the configured servers that carry no credentials (STUN). */
export function publicIceServers(configured: readonly IceServer[]): IceServer[] {
  return configured.filter((s) => s.username === undefined && s.credential === undefined).map((s) => ({ urls: [...s.urls] }));
}
