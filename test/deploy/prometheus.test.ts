/**
 * deploy/prometheus/alerts.yml: promtool (Debian's `prometheus` package) accepts it and its unit
 * tests (test/deploy/fixtures/alerts-promtool.yml) pass; every metric a rule names is on /metrics
 * of a real Parley process (server/main.ts) after a join; and that join's TURN credential is
 * counted there. The promtool part skips, saying so, when promtool cannot be installed here.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { root, services } from './services.js';

const RULES = path.join(root, 'deploy/prometheus/alerts.yml');
const text = fs.readFileSync(RULES, 'utf8');

/** Metrics Prometheus makes itself, not Parley. */
const PROMETHEUS_OWN = new Set(['up']);
const PROMQL_WORDS = new Set([
  'increase',
  'rate',
  'changes',
  'absent',
  'sum',
  'and',
  'or',
  'unless',
  'offset',
  'by',
  'on',
  'without',
  'ignoring',
  'bool',
  'count',
]);

/** The metric names in one PromQL expression: strings, label matchers, ranges and groupings removed, functions dropped. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/'[^']*'|"[^"]*"/g, '')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\boffset\s+\w+/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  return [...new Set(bare.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [])].filter((w) => !PROMQL_WORDS.has(w));
}

const alerts = [...text.matchAll(/^\s*- alert:\s*(\S+)\s*$/gm)].map((m) => m[1]!);
const exprs = [...text.matchAll(/^\s*expr:\s*(.+)$/gm)].map((m) => m[1]!);

describe('deploy/prometheus/alerts.yml as text', () => {
  it('has one single-line expression, a severity and a summary per alert', () => {
    expect(alerts.length).toBeGreaterThanOrEqual(8);
    expect(exprs).toHaveLength(alerts.length);
    expect([...text.matchAll(/^\s*severity:\s*(\S+)\s*$/gm)].map((m) => m[1])).toEqual(alerts.map(() => expect.stringMatching(/^(page|ticket)$/) as string));
    expect([...text.matchAll(/^\s*summary:/gm)]).toHaveLength(alerts.length);
  });

  it('covers what an operator must hear about: log appends, witnesses, node down, media faults, TURN', () => {
    const named = new Set(exprs.flatMap(metricNames));
    for (const m of [
      'parley_log_append_failures_total',
      'parley_witness_alarms_total',
      'up',
      'parley_build_info',
      'parley_media_faults',
      'parley_turn_credentials_issued_total',
    ])
      expect(named, m).toContain(m);
  });
});

const svc = await services();
const promtool = svc.ensurePromtool();
if (!promtool) console.warn("SKIPPED (promtool part): Debian's prometheus package (promtool) could not be installed here (sudo apt-get install prometheus).");

describe.skipIf(!promtool)('deploy/prometheus/alerts.yml with promtool', () => {
  it('passes `promtool check rules`', () => {
    const r = spawnSync(promtool!, ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`SUCCESS: ${alerts.length} rules found`);
  });

  it('fires each tested alert on its series and not on the neighbour (promtool test rules)', () => {
    const r = spawnSync(promtool!, ['test', 'rules', 'alerts-promtool.yml'], { encoding: 'utf8', cwd: path.join(root, 'test/deploy/fixtures') });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});

describe('the metrics the rules name, on a running Parley', () => {
  let parley: ServerProcess;
  beforeAll(async () => {
    parley = await startServerProcess({ TURN_SECRET: 'a-turn-secret-for-the-metrics-test', TURN_URLS: 'turns:turn.example.org:443?transport=tcp' });
  }, 90_000);
  afterAll(async () => {
    await parley?.stop();
  });

  /** Metric families on /metrics (`# TYPE` lines) and the value of unlabelled samples. */
  async function scrape(): Promise<{ families: Set<string>; value(name: string): number | undefined }> {
    const res = await fetch(`${parley.url}/metrics`);
    expect(res.status).toBe(200);
    const body = await res.text();
    const families = new Set([...body.matchAll(/^# TYPE (\S+) \S+$/gm)].map((m) => m[1]!));
    return { families, value: (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(body)?.[1] ?? NaN) };
  }

  /** One guest joins a new meeting over the signaling WebSocket; returns the ICE servers of the join result. */
  async function join(): Promise<{ urls: string[]; username?: string }[]> {
    const signup = await fetch(`${parley.url}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `m-${Date.now()}@example.org`, password: 'correct horse battery', displayName: 'Host' }),
    });
    expect(signup.status).toBe(201);
    const cookie = signup.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const created = await fetch(`${parley.url}/api/meetings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ title: 'Metrics' }),
    });
    const { meeting } = (await created.json()) as { meeting: { id: string } };
    const ws = new WebSocket(parley.wsUrl);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const replies = new Map<string, (r: { ok: boolean; result?: unknown }) => void>();
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string; id?: string; ok: boolean; result?: unknown };
      if (m.type === 'response' && m.id) replies.get(m.id)?.(m);
    });
    const send = (type: string, id: string, payload: object) =>
      new Promise<{ ok: boolean; result?: unknown }>((resolve) => {
        replies.set(id, resolve);
        ws.send(JSON.stringify({ type, id, ...payload }));
      });
    try {
      expect((await send('hello', 'h', { v: 1 })).ok).toBe(true);
      const r = await send('join', 'j', { meetingId: meeting.id, displayName: 'Ana' });
      expect(r.ok, JSON.stringify(r)).toBe(true);
      return (r.result as { iceServers: { urls: string[]; username?: string }[] }).iceServers;
    } finally {
      ws.close();
    }
  }

  it('serves every parley_* and process_* metric a rule names', async () => {
    const { families } = await scrape();
    const named = [...new Set(exprs.flatMap(metricNames))].filter((m) => !PROMETHEUS_OWN.has(m));
    expect(named.length).toBeGreaterThanOrEqual(8);
    expect(named.filter((m) => !families.has(m))).toEqual([]);
  });

  it('counts the TURN credential each join hands out, and serves parley_build_info 1 with the package version', async () => {
    const before = (await scrape()).value('parley_turn_credentials_issued_total');
    expect(before).toBe(0);
    const servers = await join();
    expect(servers.some((s) => s.username?.match(/^\d+:/))).toBe(true);
    const after = await scrape();
    expect(after.value('parley_turn_credentials_issued_total')).toBe(1);
    const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
    const res = await (await fetch(`${parley.url}/metrics`)).text();
    expect(res).toContain(`parley_build_info{version="${version}"} 1`);
  });
});
