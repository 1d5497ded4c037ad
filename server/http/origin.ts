/**
 * Cross-origin protection for state-changing requests and the WebSocket upgrade (CSRF and
 * cross-site WebSocket hijacking). Session cookies are SameSite=Lax, which stops cross-site
 * requests in current browsers but not a sibling subdomain (same site, other origin), nor a
 * browser without SameSite; an Origin check stops both.
 *
 * The rule, for POST / PUT / PATCH / DELETE and for a GET that asks to upgrade:
 * - `Origin` present: it must be PUBLIC_URL's origin or one of ALLOWED_ORIGINS. In development
 *   (PUBLIC_URL unset, or plain http on a loopback host) an Origin naming the request's own
 *   Host is accepted too (Vite's dev server proxies with the browser's Host). `Origin: null`
 *   (sandboxed frames, some redirects) is refused.
 * - `Origin` absent: allowed unless `Sec-Fetch-Site` says cross-site or same-site. Browsers
 *   send Origin on every cross-origin POST/PUT/PATCH/DELETE (fetch and forms) and on every
 *   WebSocket handshake, so a request without one comes from a non-browser client (the CLI,
 *   curl, server-to-server, tests) which holds its cookie itself: there is no confused deputy to
 *   protect. The gap is a browser too old to send Origin on a form POST (Firefox < 70), which
 *   SameSite=Lax (Firefox ≥ 60) still covers except from a sibling subdomain.
 * This is the algorithm of Go's net/http CrossOriginProtection, pinned to PUBLIC_URL.
 */
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../protocol/errors.js';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface OriginPolicy {
  /** PUBLIC_URL (resolved: the default is http://localhost:PORT). */
  publicUrl: string;
  /** Whether PUBLIC_URL was configured (unset means development). */
  publicUrlConfigured: boolean;
  /** Further origins allowed (ALLOWED_ORIGINS: e.g. the other nodes of a cluster). */
  allowedOrigins: readonly string[];
}

type Headers = FastifyRequest['headers'];
function headerOf(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export interface OriginGuard {
  /** onRequest hook: FORBIDDEN for a cross-origin POST / PUT / PATCH / DELETE. */
  check(req: FastifyRequest): void;
  /**
   * ws `verifyClient` for the upgrade: a refused handshake is answered 403 and its socket
   * destroyed (an error thrown from onRequest on an upgrade would leave the socket open).
   */
  verifyClient(info: { req: { headers: Headers } }, done: (ok: boolean, code?: number, message?: string) => void): void;
}

/** The cross-origin rule above, for PUBLIC_URL and ALLOWED_ORIGINS. */
export function createOriginGuard(policy: OriginPolicy): OriginGuard {
  const pub = new URL(policy.publicUrl);
  const allowed = new Set([pub.origin, ...policy.allowedOrigins.map((o) => new URL(o).origin)]);
  const dev = !policy.publicUrlConfigured || (pub.protocol === 'http:' && LOOPBACK_HOSTS.has(pub.hostname));
  /** Why these headers are refused, or null when they are not. */
  const refusal = (headers: Headers): string | null => {
    const origin = headerOf(headers, 'origin');
    if (origin === undefined) {
      const site = headerOf(headers, 'sec-fetch-site');
      if (site === undefined || site === 'same-origin' || site === 'none') return null;
      return `Sec-Fetch-Site is ${site.slice(0, 20)}`;
    }
    if (allowed.has(origin)) return null;
    if (dev && origin !== 'null') {
      if (URL.canParse(origin) && new URL(origin).host === headerOf(headers, 'host')) return null;
    }
    return `Origin ${origin.slice(0, 100)} is not this site`;
  };
  return {
    check(req) {
      if (!UNSAFE.has(req.method)) return;
      const why = refusal(req.headers);
      if (why !== null) throw new AppError('FORBIDDEN', `Cross-origin request refused: ${why}. Use ${pub.origin}.`);
    },
    verifyClient(info, done) {
      if (refusal(info.req.headers) === null) done(true);
      else done(false, 403, 'Cross-origin WebSocket refused');
    },
  };
}
