/**
 * The roster as an append-only hash chain. Each event commits to the previous one, so every
 * client holding the chain can check that nobody was slipped in or out, and all clients with
 * the same head hash saw the same roster history. Shared by server and browser: no node-only
 * imports; the hash function is passed in (node:crypto on the server, WebCrypto in the browser).
 */
export type RosterEventKind = 'join' | 'leave' | 'removal' | 'role' | 'lock' | 'unlock' | 'mute-all' | 'mics-lock' | 'mics-unlock';

export interface RosterEventBody {
  v: 1;
  seq: number;
  /** Hex SHA-256 of the previous event's canonical form; 64 zeros for the first. */
  prev: string;
  kind: RosterEventKind;
  meetingId: string;
  at: number;
  participantId?: string;
  displayName?: string;
  role?: 'host' | 'cohost' | 'participant' | 'panelist' | 'attendee';
  /** Base64 raw public identity key bound to the display name at join. */
  identityKey?: string;
  /**
   * The same opaque tag for the same account in every meeting (signed-in participants only):
   * lets a browser notice when an account's identity key changes (trust on first use).
   */
  account?: string;
}

export interface RosterEvent extends RosterEventBody {
  /** Hex SHA-256 of canonicalRosterEvent(body). */
  hash: string;
}

export const GENESIS = '0'.repeat(64);

/** Canonical JSON: keys sorted, no whitespace, undefined fields omitted. */
export function canonicalRosterEvent(body: RosterEventBody): string {
  const entries = Object.entries(body)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;
}

export type HexSha256 = (text: string) => Promise<string> | string;

export type ChainProblem =
  | { kind: 'gap'; at: number; expected: number; got: number }
  | { kind: 'fork'; at: number }
  | { kind: 'bad-hash'; at: number }
  | { kind: 'wrong-meeting'; at: number }
  /** A second join for someone already in the roster, with no leave in between (a key swap). */
  | { kind: 'rejoin'; at: number; participantId: string };

/**
 * Check a chain segment that continues from `fromHash` at `fromSeq`, where `members` were in
 * the roster before it. Returns the first problem, or null when every link holds. A join for
 * a current member is a problem: the server never repeats one (a reconnect resumes the same
 * entry), so a second join can only be an attempt to bind a new key to someone present.
 */
export async function verifyRosterChain(
  events: readonly RosterEvent[],
  sha256Hex: HexSha256,
  opts: { meetingId: string; fromSeq?: number; fromHash?: string; members?: Iterable<string> },
): Promise<ChainProblem | null> {
  let seq = opts.fromSeq ?? 0;
  let prev = opts.fromHash ?? GENESIS;
  const members = new Set(opts.members ?? []);
  for (const e of events) {
    if (e.seq !== seq) return { kind: 'gap', at: e.seq, expected: seq, got: e.seq };
    if (e.prev !== prev) return { kind: 'fork', at: e.seq };
    if (e.meetingId !== opts.meetingId) return { kind: 'wrong-meeting', at: e.seq };
    const { hash, ...body } = e;
    if ((await sha256Hex(canonicalRosterEvent(body))) !== hash) return { kind: 'bad-hash', at: e.seq };
    if (e.participantId !== undefined) {
      if (e.kind === 'join') {
        if (members.has(e.participantId)) return { kind: 'rejoin', at: e.seq, participantId: e.participantId };
        members.add(e.participantId);
      } else if (e.kind === 'leave' || e.kind === 'removal') members.delete(e.participantId);
    }
    prev = hash;
    seq++;
  }
  return null;
}

/** One member as the chain describes them. */
export interface ChainMember {
  displayName: string;
  role: string;
  identityKey?: string;
  account?: string;
}

/** Who the chain says is in the meeting now (participantId → join data). */
export function rosterFromChain(events: readonly RosterEvent[]): Map<string, ChainMember> {
  const members = new Map<string, ChainMember>();
  for (const e of events) applyRosterEvent(members, e);
  return members;
}

/** One event's effect on `members` (in place): what lets a client keep the roster as events arrive. */
export function applyRosterEvent(members: Map<string, ChainMember>, e: RosterEvent): void {
  if (!e.participantId) return;
  if (e.kind === 'join') {
    const m: ChainMember = { displayName: e.displayName ?? '', role: e.role ?? 'participant' };
    if (e.identityKey !== undefined) m.identityKey = e.identityKey;
    if (e.account !== undefined) m.account = e.account;
    members.set(e.participantId, m);
  } else if (e.kind === 'leave' || e.kind === 'removal') {
    members.delete(e.participantId);
  } else if (e.kind === 'role') {
    const m = members.get(e.participantId);
    // A new object: a roster handed out earlier does not change under its holder.
    if (m && e.role) members.set(e.participantId, { ...m, role: e.role });
  }
}

/**
 * The meeting security code: 20 decimal digits from the chain head, in groups of five, for
 * people to read aloud and compare. It changes whenever the roster changes.
 */
export function securityCode(headHash: string): string {
  let digits = '';
  for (let i = 0; i < 20; i++) {
    const byte = parseInt(headHash.slice(i * 2, i * 2 + 2), 16);
    digits += String(byte % 10);
  }
  return digits.replace(/(\d{5})(?=\d)/g, '$1 ');
}
