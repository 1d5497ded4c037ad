/**
 * Clients that reach Parley the way users do in production: HTTPS and WSS to nginx, trusting
 * the test's self-signed certificate (verification stays on), from a chosen local address.
 */
import https from 'node:https';
import WebSocket from 'ws';

export interface Origin {
  /** https://127.0.0.1:<port> of the nginx TLS listener. */
  base: string;
  ca: Buffer;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTPS request through nginx. */
export function request(
  o: Origin,
  method: string,
  url: string,
  opts: { body?: unknown; cookie?: string; headers?: Record<string, string>; localAddress?: string } = {},
): Promise<HttpResult> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(url, o.base),
      {
        method,
        ca: o.ca,
        ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
        headers: {
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...(opts.cookie ? { cookie: opts.cookie } : {}),
          ...opts.headers,
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.once('error', reject);
    req.end(payload);
  });
}

/** Sign up through nginx; returns the session cookie. */
export async function signUp(o: Origin): Promise<string> {
  const email = `host-${Math.random().toString(36).slice(2)}@example.org`;
  const r = await request(o, 'POST', '/api/auth/signup', { body: { email, password: 'correct horse battery', displayName: 'Host' } });
  if (r.status !== 201) throw new Error(`signup through nginx failed: ${r.status} ${r.body}`);
  const set = ([] as string[]).concat(r.headers['set-cookie'] ?? []);
  const session = set.map((c) => c.split(';')[0]!).find((c) => c.startsWith('parley_session='));
  if (!session) throw new Error('no session cookie');
  return session;
}

interface Response {
  type: 'response';
  id: string;
  ok: boolean;
  result?: unknown;
  error?: { code: string };
}

/** A signaling WebSocket (WSS through nginx). */
export class Signaling {
  readonly #ws: WebSocket;
  readonly #pending = new Map<string, (r: Response) => void>();
  #n = 0;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { type: string; id?: string };
      if (msg.type === 'response' && msg.id) this.#pending.get(msg.id)?.(msg as Response);
    });
  }

  static async open(o: Origin, opts: { headers?: Record<string, string>; localAddress?: string } = {}): Promise<Signaling> {
    const ws = new WebSocket(`${o.base.replace(/^https/, 'wss')}/ws`, {
      ca: o.ca,
      headers: opts.headers ?? {},
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const s = new Signaling(ws);
    const hello = await s.send('hello', { v: 1 });
    if (!hello.ok) throw new Error(`hello refused: ${hello.error?.code}`);
    return s;
  }

  send(type: string, payload: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<Response> {
    const id = `r${++this.#n}`;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no response to ${type}`)), timeoutMs);
      this.#pending.set(id, (r) => {
        clearTimeout(t);
        resolve(r);
      });
      this.#ws.send(JSON.stringify({ type, id, ...payload }));
    });
  }

  close(): void {
    this.#ws.close();
  }
}
