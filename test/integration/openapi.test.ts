import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/app.js';
import { routesOf } from '../helpers/routes.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

/** Path keys and their methods, read from the YAML's two-space path lines and their method lines. */
function documented(yaml: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  let current: Set<string> | null = null;
  for (const line of yaml.split('\n')) {
    const path = /^ {2}(\/\S*):\s*$/.exec(line);
    if (path) {
      current = new Set();
      out.set(path[1]!, current);
      continue;
    }
    if (/^\S/.test(line)) current = null;
    const method = /^ {4}(get|post|put|patch|delete):/.exec(line);
    if (method && current) current.add(method[1]!.toUpperCase());
  }
  return out;
}

describe('the OpenAPI document', () => {
  it('documents every HTTP route the server registers, with its method', () => {
    const doc = documented(fs.readFileSync(new URL('../../docs/openapi.yaml', import.meta.url), 'utf8'));
    const routes = routesOf(server.app.printRoutes({ commonPrefix: false })).filter(
      (r) => r.method !== 'HEAD' && r.url !== '/ws' && r.url !== '/' && r.url !== '/index.html' && !r.url.startsWith('/assets/'),
    );
    expect(routes.length).toBeGreaterThan(30);
    const missing = routes
      .map((r) => ({ method: r.method, path: r.url.replace(/:(\w+)/g, '{$1}') }))
      .filter((r) => !doc.get(r.path)?.has(r.method))
      .map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
  });
});
