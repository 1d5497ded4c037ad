/**
 * Property: whatever meetings, people, locations, demands, restriction changes and moves
 * happen, a demand never refuses or removes anyone located outside its jurisdiction, never
 * ends a meeting or touches an account, and every removal it causes is on the log first.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RemovalNotice } from '../../protocol/signaling.js';
import type { EnforcementPort, HostNotice, LiveParticipant, MeetingRecord, ParticipantLocation } from '../meetings/index.js';
import { createPolicyEngine } from './engine.js';
import { createMemoryLog } from './memory-log.js';
import { createMemoryPolicyStore } from './memory-store.js';
import { DemandInput } from './schemas.js';

const RUNS = Number(process.env['POLICY_PROPERTY_RUNS'] ?? 10_000);
const COUNTRIES = ['CN', 'HK', 'MO', 'TW', 'US', 'GB', 'JP', 'DE'] as const;
const USERS = ['u1', 'u2', 'u3', 'u4'] as const;

const locationArb: fc.Arbitrary<ParticipantLocation> = fc.oneof(
  fc
    .constantFrom(...COUNTRIES)
    .map((c) => ({ country: c, status: 'known' as const, address: '198.51.100.1', database: { name: 'test-mapping', buildDate: '2026-01-01' } })),
  fc
    .constantFrom('private-range', 'not-in-database', 'invalid-address')
    .map((reason) => ({ country: null, status: 'unknown' as const, reason, address: '10.0.0.1', database: { name: 'db', buildDate: '2026-01-01' } })),
  fc.constant({
    country: null,
    status: 'unknown' as const,
    reason: 'anonymiser',
    anonymiser: true,
    address: '203.0.113.9',
    database: { name: 'db', buildDate: '2026-01-01' },
  }),
);
const personArb = fc.record({ meeting: fc.nat(3), userId: fc.option(fc.constantFrom(...USERS), { nil: null }), location: locationArb });
const op = fc.oneof(
  fc.record({
    kind: fc.constant('demand' as const),
    jurisdiction: fc.constantFrom(...COUNTRIES),
    meetings: fc.subarray([0, 1, 2, 3]),
    accounts: fc.subarray([...USERS]),
    pattern: fc.option(fc.constantFrom('*memorial*', 'June*', '*'), { nil: null }),
    gag: fc.boolean(),
    asks: fc.subarray(['block-participants', 'end-meeting', 'close-account', 'suspend-account', 'delete-content', 'hand-over-data', 'other'] as const, {
      minLength: 1,
    }),
  }),
  fc.record({ kind: fc.constant('lift' as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constant('restrict' as const),
    scope: fc.constantFrom('instance' as const, 'account' as const, 'meeting' as const),
    meeting: fc.nat(3),
    mode: fc.constantFrom('block' as const, 'allow' as const),
    countries: fc.subarray([...COUNTRIES]),
    unknown: fc.constantFrom('allow' as const, 'block' as const),
  }),
  fc.record({ kind: fc.constant('move' as const), pick: fc.nat(), location: locationArb }),
  fc.record({ kind: fc.constant('join' as const), person: personArb }),
);
const scenario = fc.record({ people: fc.array(personArb, { maxLength: 10 }), ops: fc.array(op, { minLength: 1, maxLength: 8 }) });

const TITLES = ['June 4th memorial', 'Book club', 'memorial vigil', 'Standup'];
type Live = LiveParticipant;

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

async function run(s: Scenario): Promise<void> {
  const meetings: MeetingRecord[] = TITLES.map((title, i) => ({
    id: `m${i}`,
    hostUserId: `host${i % 2}`,
    title,
    hasPasscode: false,
    waitingRoom: false,
    e2ee: false,
    locked: false,
    scheduledAt: null,
    createdAt: 0,
    endedAt: null,
  }));
  const log = createMemoryLog();
  const live = new Map<string, Live>();
  const violations: string[] = [];
  const legalRemoved = new Set<string>();
  let seq = 0;
  const demandsById = new Map<number, string>();
  const accountCalls: string[] = [];

  const port: EnforcementPort = {
    listParticipants: (meetingId) => [...live.values()].filter((p) => meetingId === undefined || p.meetingId === meetingId).map((p) => ({ ...p })),
    survey(keep) {
      const out = new Map<string, { meetingId: string; size: number; kept: LiveParticipant[] }>();
      for (const p of live.values()) {
        const m = out.get(p.meetingId) ?? { meetingId: p.meetingId, size: 0, kept: [] };
        out.set(p.meetingId, m);
        m.size++;
        if (keep(p.meetingId, p)) m.kept.push({ ...p });
      }
      return [...out.values()];
    },
    removeForPolicy(meetingId, participantId, notice: RemovalNotice) {
      const p = live.get(participantId);
      if (!p || p.meetingId !== meetingId) return false;
      if (notice.kind === 'legal') {
        // Under a gag the notice names no demand: find the one whose removal entry names this participant.
        const candidates = notice.demandId !== undefined ? [notice.demandId] : [...demandsById.keys()];
        const logged = candidates.find((id) =>
          log.entries.some((e) => e.type === 'enforcement.removed' && e.participant === log.pseudonym('participant', participantId, String(id))),
        );
        const j = demandsById.get(logged ?? notice.demandId ?? -1);
        if (p.location.status !== 'known' || p.location.country !== j || notice.jurisdiction !== j)
          violations.push(`removed ${participantId} at ${p.location.country ?? 'unknown'} for a ${j} demand`);
        if (logged === undefined) violations.push(`removed ${participantId} before its log entry`);
        legalRemoved.add(participantId);
      }
      live.delete(participantId);
      return true;
    },
    removeManyForPolicy(removals, notice: RemovalNotice) {
      return removals.filter((r) => port.removeForPolicy(r.meetingId, r.participantId, notice)).map((r) => r.participantId);
    },
    notifyHosts: (_m: string, _n: HostNotice) => undefined,
    hostOf: (meetingId: string) => meetings.find((m) => m.id === meetingId)?.hostUserId ?? null,
    liveMeetingIds: () => [...new Set([...live.values()].map((p) => p.meetingId))],
  };
  const engine = createPolicyEngine({
    store: createMemoryPolicyStore(),
    log,
    meetings: { get: (id) => Promise.resolve(meetings.find((m) => m.id === id) ?? null) },
    accounts: {
      getById: (id) => Promise.resolve(USERS.includes(id as never) ? { id, status: 'active', accountType: 'individual', businessVerified: false } : null),
      findByEmail: () => Promise.resolve(null),
      setStatus: (id) => {
        accountCalls.push(`status:${id}`);
        return Promise.resolve();
      },
      setBusinessVerified: (id) => {
        accountCalls.push(`verify:${id}`);
        return Promise.resolve();
      },
    },
    expiryCheckMs: 0,
  });
  engine.attachPort(port);

  async function admit(person: { meeting: number; userId: string | null; location: ParticipantLocation }) {
    const meeting = meetings[person.meeting]!;
    const participantId = `p${++seq}`;
    const d = await engine.evaluate({
      meeting,
      participant: { participantId, userId: person.userId, displayName: 'x', location: person.location },
      trigger: 'join',
    });
    if (d.effect === 'deny' && d.notice.kind === 'legal') {
      const j = d.notice.demandId !== undefined ? demandsById.get(d.notice.demandId) : d.notice.jurisdiction;
      if (person.location.status !== 'known' || person.location.country !== j)
        violations.push(`refused ${participantId} at ${person.location.country ?? 'unknown'} for a ${j} demand`);
    }
    if (d.effect === 'allow')
      live.set(participantId, {
        meetingId: meeting.id,
        participantId,
        userId: person.userId,
        displayName: 'x',
        role: 'participant',
        state: 'joined',
        location: person.location,
        joinedAt: 0,
      });
  }

  for (const p of s.people) await admit(p);
  for (const o of s.ops) {
    if (o.kind === 'demand') {
      const input = DemandInput.parse({
        authority: 'Authority',
        jurisdiction: o.jurisdiction,
        legalBasis: 'law',
        reference: 'ref',
        receivedAt: 1,
        askedText: 'words',
        asks: o.asks.map((kind: string) => ({ kind })),
        targets: { meetings: o.meetings.map((i: number) => `m${i}`), accounts: o.accounts, titlePattern: o.pattern },
        gag: o.gag ? { until: 8.64e15 } : null,
      });
      const d = await engine.recordDemand(input, 'compliance-1', {
        sha256: 'a'.repeat(64),
        filename: 'f.pdf',
        contentType: 'application/pdf',
        size: 1,
        bytes: new Uint8Array(1),
      });
      demandsById.set(d.id, d.jurisdiction);
      if (d.state === 'recorded') await engine.approveDemand(d.id, 'approver-1');
    } else if (o.kind === 'lift') {
      const active = engine.activeDemandIds();
      if (active.length > 0) await engine.liftDemand(active[o.pick % active.length]!, 'compliance-1');
    } else if (o.kind === 'restrict') {
      const subject = o.scope === 'instance' ? '' : o.scope === 'account' ? meetings[o.meeting]!.hostUserId : meetings[o.meeting]!.id;
      await engine.setRestriction(o.scope, subject, { mode: o.mode, countries: o.countries, unknown: o.unknown }, { userId: 'admin', asOperator: true });
    } else if (o.kind === 'move') {
      const all = [...live.values()];
      const p = all[o.pick % Math.max(1, all.length)];
      if (!p) continue;
      p.location = o.location; // RoomManager.relocate: new location, then re-run policy
      const meeting = meetings.find((m) => m.id === p.meetingId)!;
      const d = await engine.evaluate({ meeting, participant: p, trigger: 'relocate' });
      if (d.effect === 'deny') port.removeForPolicy(p.meetingId, p.participantId, d.notice);
    } else {
      await admit(o.person);
    }
  }
  // Every enforcement entry names a participant located in its jurisdiction (also checked by the schema).
  for (const e of log.entries) {
    if ((e.type === 'enforcement.removed' || e.type === 'enforcement.refused') && e.evidence.country !== e.jurisdiction)
      violations.push('evidence outside jurisdiction');
    if (e.type === 'account.suspended' || e.type === 'account.reactivated') violations.push('an account status changed');
  }
  expect(violations).toEqual([]);
  expect(accountCalls).toEqual([]);
}

describe('enforcement scope (property)', () => {
  it("never refuses or removes anyone outside a demand's jurisdiction, never ends meetings or touches accounts, and logs every removal first", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, (s) => run(s)),
      { numRuns: RUNS },
    );
  }, 120_000);
});
