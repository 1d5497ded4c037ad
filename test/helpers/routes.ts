/** Every route Fastify registered, from `app.printRoutes({ commonPrefix: false })`. */
export function routesOf(tree: string): { method: string; url: string }[] {
  const out: { method: string; url: string }[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[└├]── (.*) \(([A-Z, ]+)\)$/.exec(line.replace(/\u00a0/g, ' '));
    if (!m) continue;
    const depth = (m[1] ?? '').length / 4;
    const path = (depth === 0 ? '' : (stack[depth - 1] ?? '')) + (m[2] ?? '');
    stack[depth] = depth === 0 ? path : path;
    stack.length = depth + 1;
    const url = path.startsWith('/') ? path : `/${path}`;
    for (const method of (m[3] ?? '').split(', ')) out.push({ method, url: url.replace(/\/\/+/g, '/') });
  }
  return out;
}
