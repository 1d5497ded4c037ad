/** The witness on HTTP (node:http): `POST <prefix>/add-checkpoint`, nothing else. */
import http from 'node:http';
import type { Witness } from './witness.js';

const MAX_BODY = 64 * 1024;

/** Serve `witness` on `port`/`host`; resolves with the server once it listens. */
export function serveWitness(witness: Witness, opts: { port: number; host: string; prefix?: string }): Promise<http.Server> {
  const route = `${(opts.prefix ?? '').replace(/\/+$/, '')}/add-checkpoint`;
  const server = http.createServer((req, res) => {
    const send = (status: number, contentType: string, body: string): void => {
      res.writeHead(status, { 'content-type': contentType });
      res.end(body);
    };
    if (req.url !== route) {
      send(404, 'text/plain; charset=utf-8', 'not found\n');
      return;
    }
    if (req.method !== 'POST') {
      send(405, 'text/plain; charset=utf-8', 'use POST\n');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        send(413, 'text/plain; charset=utf-8', 'request too large\n');
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY) return;
      witness.addCheckpoint(Buffer.concat(chunks).toString('utf8')).then(
        (r) => send(r.status, r.contentType, r.body),
        () => send(500, 'text/plain; charset=utf-8', 'internal error\n'),
      );
    });
  });
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve(server));
  });
}
