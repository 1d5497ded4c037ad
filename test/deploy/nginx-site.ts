/** deploy/nginx/parley.conf as the tests run it: only its addresses, names and certificate paths replaced. */
import fs from 'node:fs';
import path from 'node:path';
import { root } from './services.js';

/** deploy/nginx/parley.conf with this test's ports and files; throws if the file changed shape. */
export function siteFor(opts: { httpPort: number; tlsPort: number; upstreamPort: number; cert: string; key: string }): string {
  let site = fs.readFileSync(path.join(root, 'deploy/nginx/parley.conf'), 'utf8');
  const swap = (from: RegExp, to: string) => {
    if (!from.test(site)) throw new Error(`deploy/nginx/parley.conf no longer has ${String(from)}: update this test`);
    site = site.replace(from, to);
  };
  swap(/^\s*listen \[::\]:80;\n/m, '');
  swap(/^\s*listen \[::\]:443 ssl http2;\n/m, '');
  swap(/listen 80;/, `listen 127.0.0.1:${opts.httpPort};`);
  swap(/listen 443 ssl http2;/, `listen 127.0.0.1:${opts.tlsPort} ssl http2;`);
  swap(/ssl_certificate \/etc\/letsencrypt\/live\/meet\.example\.org\/fullchain\.pem;/, `ssl_certificate ${opts.cert};`);
  swap(/ssl_certificate_key \/etc\/letsencrypt\/live\/meet\.example\.org\/privkey\.pem;/, `ssl_certificate_key ${opts.key};`);
  swap(/server 127\.0\.0\.1:8080;/, `server 127.0.0.1:${opts.upstreamPort};`);
  return site.replaceAll('meet.example.org', '127.0.0.1');
}
