/**
 * The closed catalog of error codes. Every code maps to one HTTP status and one WebSocket
 * close code (4000 + HTTP status where the error ends the socket). `docs/errors.md` documents
 * each code; `errors.test.ts` fails when one is missing there.
 */
export const ERROR_CATALOG = {
  // generic input
  BAD_REQUEST: { http: 400, ws: 4400, message: 'The request is malformed.' },
  VALIDATION_FAILED: { http: 400, ws: 4400, message: 'The request failed validation.' },
  PAYLOAD_TOO_LARGE: { http: 413, ws: 4413, message: 'The request is too large.' },
  UNSUPPORTED_VERSION: { http: 400, ws: 4426, message: 'Unsupported protocol version.' },
  OUT_OF_ORDER: { http: 409, ws: 4409, message: 'That message is not valid in the current state.' },
  RATE_LIMITED: { http: 429, ws: 4429, message: 'Too many requests; slow down.' },
  CLIENT_TOO_SLOW: { http: 408, ws: 4408, message: 'The connection was closed because the client was not reading its messages.' },
  NOT_FOUND: { http: 404, ws: 4404, message: 'Not found.' },
  INTERNAL: { http: 500, ws: 4500, message: 'Internal error.' },
  // identity and access
  UNAUTHENTICATED: { http: 401, ws: 4401, message: 'Sign in first.' },
  FORBIDDEN: { http: 403, ws: 4403, message: 'You are not allowed to do that.' },
  INVALID_CREDENTIALS: { http: 401, ws: 4401, message: 'Wrong email or password.' },
  EMAIL_TAKEN: { http: 409, ws: 4409, message: 'An account with that email exists.' },
  ACCOUNT_SUSPENDED: { http: 403, ws: 4403, message: 'This account is suspended.' },
  SIGNUP_RESTRICTED: {
    http: 403,
    ws: 4403,
    message: 'This account type cannot be created from your location.',
  },
  // meetings
  MEETING_NOT_FOUND: { http: 404, ws: 4404, message: 'No such meeting.' },
  MEETING_ENDED: { http: 410, ws: 4410, message: 'The meeting has ended.' },
  MEETING_LOCKED: { http: 423, ws: 4423, message: 'The meeting is locked.' },
  WRONG_PASSCODE: { http: 403, ws: 4403, message: 'Wrong passcode.' },
  PASSCODE_LOCKED: { http: 429, ws: 4429, message: 'Too many wrong passcodes; wait before trying again.' },
  NOT_HOST: { http: 403, ws: 4403, message: 'Only a host or co-host can do that.' },
  PARTICIPANT_NOT_FOUND: { http: 404, ws: 4404, message: 'No such participant.' },
  REMOVED_FROM_MEETING: {
    http: 403,
    ws: 4403,
    message: 'You were removed from this meeting and cannot rejoin.',
  },
  NOT_IN_MEETING: { http: 409, ws: 4409, message: 'Join a meeting first.' },
  CHAT_MUST_BE_SEALED: {
    http: 400,
    ws: 4400,
    message: 'This meeting is end-to-end encrypted: chat must be sealed by the sender (and is plain elsewhere).',
  },
  MEETING_ELSEWHERE: { http: 409, ws: 4409, message: 'This meeting is hosted on another node; reconnect there.' },
  ATTENDEE_CANNOT_PUBLISH: {
    http: 403,
    ws: 4403,
    message: 'Attendees of an event only watch and listen; raise your hand and a host can make you a panelist.',
  },
  MICS_LOCKED: { http: 403, ws: 4403, message: 'The host has muted everyone and locked the mics.' },
  NOT_AN_EVENT: { http: 409, ws: 4409, message: 'Panelists and attendees exist only in meetings created as events.' },
  E2EE_FIXED: { http: 409, ws: 4409, message: 'End-to-end encryption is fixed once a meeting has started.' },
  // location and policy
  LOCATION_RESTRICTED: {
    http: 451,
    ws: 4451,
    message: 'This meeting is not available from your location.',
  },
  LEGAL_RESTRICTION: {
    http: 451,
    ws: 4451,
    message: 'A legal restriction that applies to your location prevents this.',
  },
  INVALID_COUNTRY: { http: 400, ws: 4400, message: 'Not an ISO 3166-1 alpha-2 country code.' },
  JURISDICTION_MISMATCH: {
    http: 400,
    ws: 4400,
    message: "A demand can only name its authority's own jurisdiction.",
  },
  SELF_APPROVAL: { http: 403, ws: 4403, message: 'The person who recorded a demand cannot approve it.' },
  LINKED_APPROVAL: {
    http: 403,
    ws: 4403,
    message: 'The approver got a role through the requester (or the other way round); a second, unlinked person must approve.',
  },
  DEMAND_STATE: { http: 409, ws: 4409, message: 'The demand is not in a state that allows this.' },
  DEMAND_EXPIRED: { http: 409, ws: 4409, message: 'The demand has expired.' },
  BUSINESS_VERIFICATION_REQUIRED: {
    http: 403,
    ws: 4403,
    message: 'A business account from this location can host meetings once an admin has verified its business licence.',
  },
  DATA_HANDOVER_REFUSED: {
    http: 403,
    ws: 4403,
    message: 'Parley has no path that hands user data or meeting content to an authority.',
  },
  GEO_DB_INVALID: { http: 400, ws: 4400, message: 'The location database could not be loaded.' },
  // record
  LOG_APPEND_FAILED: {
    http: 503,
    ws: 4503,
    message: 'The transparency log could not record this action, so it was not taken.',
  },
  LOG_INCONSISTENT: { http: 500, ws: 4500, message: 'The transparency log failed a consistency check.' },
  LOG_INTEGRITY_FAILED: {
    http: 503,
    ws: 4503,
    message: 'A stored log entry does not match its hash; the log stops before it and records nothing until an operator restores it.',
  },
  // media
  MEDIA_NEGOTIATION_FAILED: { http: 400, ws: 4400, message: 'Media negotiation failed.' },
  MEDIA_INPUT_REJECTED: { http: 400, ws: 4400, message: 'Your media connection sent data the server could not take; it was closed.' },
  MEDIA_CONNECTION_FAILED: { http: 503, ws: 4503, message: 'A media connection failed and is being rebuilt.' },
  NOT_IN_ROSTER: {
    http: 403,
    ws: 4403,
    message: 'Only participants listed in the roster can send or receive media.',
  },
} as const satisfies Record<string, { http: number; ws: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;
export const ERROR_CODES = Object.keys(ERROR_CATALOG) as ErrorCode[];

/** The wire shape of an error, in HTTP bodies and WebSocket responses. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/** The one error type. Throw it anywhere; boundaries turn anything else into INTERNAL. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  constructor(code: ErrorCode, message?: string, details?: unknown) {
    super(message ?? ERROR_CATALOG[code].message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
  get httpStatus(): number {
    return ERROR_CATALOG[this.code].http;
  }
  get wsCloseCode(): number {
    return ERROR_CATALOG[this.code].ws;
  }
  toBody(): ErrorBody {
    const body: ErrorBody = { code: this.code, message: this.message };
    if (this.details !== undefined) body.details = this.details;
    return body;
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CATALOG, value);
}

/** Convert anything thrown into an AppError without leaking internals. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (typeof err === 'object' && err !== null) {
    const e = err as { code?: unknown; statusCode?: unknown; message?: unknown; name?: unknown };
    if (e.name === 'ZodError') return new AppError('VALIDATION_FAILED', undefined, summariseZod(err));
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || e.statusCode === 413) return new AppError('PAYLOAD_TOO_LARGE');
    if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
      return new AppError('BAD_REQUEST', typeof e.message === 'string' ? e.message : undefined);
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      if (e.statusCode === 404) return new AppError('NOT_FOUND');
      if (e.statusCode === 429) return new AppError('RATE_LIMITED');
      return new AppError('BAD_REQUEST', typeof e.message === 'string' ? e.message : undefined);
    }
  }
  return new AppError('INTERNAL');
}

function summariseZod(err: unknown): { path: string; message: string }[] {
  const issues = (err as { issues?: { path: (string | number)[]; message: string }[] }).issues ?? [];
  return issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), message: i.message }));
}
