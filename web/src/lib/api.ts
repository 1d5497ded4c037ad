/** JSON client for Parley's REST API. Every failure becomes an ApiError with a code. */
import type { RosterEntry } from '../../../protocol/signaling.js';

/** An error from the server (code from protocol/errors.ts) or the network (NETWORK, TIMEOUT). */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: unknown;
  constructor(code: string, message?: string, status = 0, details?: unknown) {
    super(message ?? code);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

export type Role = 'admin' | 'compliance' | 'approver' | 'auditor';
export interface User {
  id: string;
  email: string;
  displayName: string;
  roles: Role[];
  accountType: 'individual' | 'business';
  status: string;
}

export interface Meeting {
  id: string;
  title: string;
  hasPasscode: boolean;
  waitingRoom: boolean;
  e2ee: boolean;
  scheduledAt: number | null;
  createdAt: number;
  endedAt: number | null;
  link: string;
  live: { participants: number };
}

export interface PublicMeeting {
  meetingId: string;
  title: string;
  hasPasscode: boolean;
  waitingRoom: boolean;
  scheduledAt: number | null;
  ended: boolean;
  e2ee: boolean;
  /** A large event: attendees join receive-only. */
  event?: boolean;
}

export interface EnforcementNotice {
  kind: string;
  count: number;
  jurisdiction: string;
  demandId: number;
  authority?: string;
  at: number;
}

export interface LiveMeeting {
  roster: RosterEntry[];
  waiting: RosterEntry[];
  notices: EnforcementNotice[];
}

export interface ClientConfig {
  iceServers: RTCIceServer[];
  version: string;
}

function errorFromBody(status: number, body: unknown): ApiError {
  const err = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  if (err && typeof err.code === 'string') {
    return new ApiError(err.code, typeof err.message === 'string' ? err.message : undefined, status, err.details);
  }
  return new ApiError(status === 401 ? 'UNAUTHENTICATED' : status === 429 ? 'RATE_LIMITED' : 'INTERNAL', undefined, status);
}

/** One JSON request. Throws ApiError. */
export async function apiFetch<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { accept: 'application/json', 'content-type': 'application/json' };
  }
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError('NETWORK');
  }
  const text = await res.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  if (!res.ok) throw errorFromBody(res.status, parsed);
  return parsed as T;
}

const enc = encodeURIComponent;

export const api = {
  signup: (b: { email: string; password: string; displayName: string; accountType?: 'individual' | 'business' }) =>
    apiFetch<{ user: User }>('POST', '/api/auth/signup', b),
  login: (b: { email: string; password: string }) => apiFetch<{ user: User }>('POST', '/api/auth/login', b),
  logout: () => apiFetch<unknown>('POST', '/api/auth/logout', {}),
  me: () => apiFetch<{ user: User }>('GET', '/api/auth/me'),
  listMeetings: () => apiFetch<{ meetings: Meeting[] }>('GET', '/api/meetings'),
  createMeeting: (b: { title: string; passcode?: string; waitingRoom?: boolean; scheduledAt?: number; e2ee?: boolean; event?: boolean }) =>
    apiFetch<{ meeting: Meeting }>('POST', '/api/meetings', b),
  updateMeeting: (id: string, b: { title?: string; passcode?: string | null; waitingRoom?: boolean; scheduledAt?: number | null; e2ee?: boolean }) =>
    apiFetch<{ meeting: Meeting }>('PATCH', `/api/meetings/${enc(id)}`, b),
  endMeeting: (id: string) => apiFetch<unknown>('POST', `/api/meetings/${enc(id)}/end`, {}),
  publicMeeting: (id: string) => apiFetch<PublicMeeting>('GET', `/api/meetings/${enc(id)}/public`),
  liveMeeting: (id: string) => apiFetch<LiveMeeting>('GET', `/api/meetings/${enc(id)}/live`),
  config: () => apiFetch<ClientConfig>('GET', '/api/config'),
};
