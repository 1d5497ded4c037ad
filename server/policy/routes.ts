/**
 * REST for demands, restrictions and account policy. A Fastify plugin: register it with
 * `app.register(policyRoutes, { policy, meetings })`; it registers @fastify/multipart in its
 * own scope only. Every handler checks the role first.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { z } from 'zod';
import { AppError } from '../../protocol/errors.js';
import { Id } from '../../protocol/signaling.js';
import { INSTANCE_ROLES, type InstanceRole } from '../accounts/index.js';
import { createKeyedLimiter, requireRole, requireUser } from '../http/index.js';
import type { MeetingRecord } from '../meetings/index.js';
import { gagInForce } from './context.js';
import { checkDocument, MAX_DOCUMENT_BYTES } from './documents.js';
import type { PolicyEngine } from './engine.js';
import type { Requested } from './powers.js';
import { AccountPolicyInput, DemandInput, OptionalReasonInput, ReasonInput, RestrictionInput, VerifyInput } from './schemas.js';
import type { Demand, DemandDocument } from './types.js';

export interface PolicyRouteOptions {
  policy: PolicyEngine;
  meetings: { get(id: string): Promise<MeetingRecord | null> };
}

const DemandParams = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .max(2 ** 31),
});
const UserParams = z.object({ id: z.uuid() });
const CommandParams = z.object({ id: z.uuid() });
const RolesInput = z.strictObject({ roles: z.array(z.enum(INSTANCE_ROLES)).max(4) });
const MeetingParams = z.object({ id: Id });
const READERS = ['compliance', 'approver', 'admin', 'auditor'] as const;

/** What this reader may do with a demand, decided here by the checks the actions make. */
type Reader = { id: string; roles: readonly InstanceRole[] };

async function view(policy: PolicyEngine, d: Demand, now: number, user: Reader) {
  // Never which named emails resolved to an account here: only how many accounts were named.
  const targets = {
    meetings: d.targets.meetings,
    accountsNamed: d.targets.accounts.length + d.targets.unmatchedEmails.length,
    titlePattern: d.targets.titlePattern,
  };
  const allowedActions = await policy.allowedActions(d, user);
  return { ...d, targets, expired: d.expiresAt !== null && d.expiresAt <= now, gagInForce: gagInForce(d, now), allowedActions };
}

/** A command parked for a second person: 202 with what waits. */
function answer<T>(reply: FastifyReply, r: Requested<T>, unchanged: (v: T) => Record<string, unknown>) {
  if ('pending' in r) return reply.code(202).send({ pending: r.pending });
  return reply.send({ ...unchanged(r.unchanged), unchanged: true });
}

/** Read a multipart body fully (document + `demand` JSON field) before anything is stored. */
async function readMultipart(req: FastifyRequest): Promise<{ fields: Record<string, string>; doc: DemandDocument | null }> {
  const fields: Record<string, string> = {};
  let doc: DemandDocument | null = null;
  for await (const part of req.parts()) {
    if (part.type === 'file') {
      if (part.fieldname !== 'document' || doc) throw new AppError('VALIDATION_FAILED', 'Send one file, in the field "document".');
      const bytes = await part.toBuffer();
      doc = checkDocument(part.filename, part.mimetype, bytes);
    } else {
      fields[part.fieldname] = String(part.value);
    }
  }
  return { fields, doc };
}

function parseJsonField(raw: string | undefined, name: string): unknown {
  if (raw === undefined) throw new AppError('VALIDATION_FAILED', `The multipart field "${name}" is missing.`);
  try {
    return JSON.parse(raw);
  } catch {
    throw new AppError('BAD_REQUEST', `The field "${name}" is not JSON.`);
  }
}

export async function policyRoutes(app: FastifyInstance, opts: PolicyRouteOptions): Promise<void> {
  const { policy } = opts;
  const now = () => policy.now();
  // Restriction changes per person: 10 at once, then one every 6 s (each real change is logged).
  const changes = createKeyedLimiter({ ratePerSec: 1 / 6, burst: 10 });
  await app.register(multipart, { limits: { fileSize: MAX_DOCUMENT_BYTES, files: 1, fields: 4, fieldSize: 512 * 1024, parts: 6 } });

  // ---- demands ----
  app.get('/api/demands', async (req) => {
    const user = requireRole(req, ...READERS);
    const t = now();
    return { demands: await Promise.all((await policy.listDemands()).map((d) => view(policy, d, t, user))) };
  });

  app.post('/api/demands', async (req, reply) => {
    const user = requireRole(req, 'compliance');
    let body: unknown = req.body;
    let doc: DemandDocument | null = null;
    if (req.isMultipart()) {
      const mp = await readMultipart(req);
      body = parseJsonField(mp.fields['demand'], 'demand');
      doc = mp.doc;
    }
    const input = DemandInput.parse(body);
    const d = await policy.recordDemand(input, user.id, doc);
    const out: Record<string, unknown> = { demand: await view(policy, d, now(), user) };
    if (d.state === 'refused') out['refused'] = new AppError('DATA_HANDOVER_REFUSED').toBody();
    return reply.code(201).send(out);
  });

  app.post('/api/demands/:id/document', async (req) => {
    const user = requireRole(req, 'compliance');
    const { id } = DemandParams.parse(req.params);
    if (!req.isMultipart()) throw new AppError('BAD_REQUEST', 'Upload the document as multipart/form-data, field "document".');
    const { doc } = await readMultipart(req);
    if (!doc) throw new AppError('VALIDATION_FAILED', 'No document in the upload.', [{ path: 'document', message: 'missing' }]);
    return { demand: await view(policy, await policy.attachDocument(id, doc), now(), user) };
  });

  app.get('/api/demands/:id', async (req) => {
    const user = requireRole(req, ...READERS);
    const { id } = DemandParams.parse(req.params);
    const d = await policy.getDemand(id);
    if (!d) throw new AppError('NOT_FOUND', 'No such demand.');
    return { demand: await view(policy, d, now(), user), outcomes: await policy.listOutcomes(id) };
  });

  app.get('/api/demands/:id/document', async (req, reply) => {
    requireRole(req, ...READERS);
    const { id } = DemandParams.parse(req.params);
    const doc = await policy.getDocument(id);
    if (!doc) throw new AppError('NOT_FOUND', 'This demand has no document.');
    void reply.header('content-type', doc.contentType).header('content-disposition', `attachment; filename="${doc.filename.replace(/"/g, '')}"`);
    void reply.header('x-content-sha256', doc.sha256).header('x-content-type-options', 'nosniff');
    return reply.send(Buffer.from(doc.bytes));
  });

  app.get('/api/demands/:id/preview', async (req) => {
    const user = requireRole(req, 'approver');
    const { id } = DemandParams.parse(req.params);
    const p = await policy.previewImpact(id, user.id);
    if (!p) throw new AppError('NOT_FOUND', 'No such demand.');
    return { preview: p };
  });

  app.post('/api/demands/:id/approve', async (req) => {
    const user = requireRole(req, 'approver');
    const { id } = DemandParams.parse(req.params);
    const r = await policy.approveDemand(id, user.id);
    return { demand: await view(policy, r.demand, now(), user), outcomes: r.outcomes };
  });

  app.post('/api/demands/:id/reject', async (req) => {
    const user = requireRole(req, 'approver');
    const { id } = DemandParams.parse(req.params);
    const body = OptionalReasonInput.parse(req.body ?? undefined);
    return { demand: await view(policy, await policy.rejectDemand(id, user.id, body?.reason), now(), user) };
  });

  app.post('/api/demands/:id/lift', async (req) => {
    const user = requireRole(req, 'compliance');
    const { id } = DemandParams.parse(req.params);
    const body = OptionalReasonInput.parse(req.body ?? undefined);
    return { demand: await view(policy, await policy.liftDemand(id, user.id, body?.reason), now(), user) };
  });

  // ---- country restrictions ----
  app.get('/api/admin/restrictions', async (req) => {
    requireRole(req, 'admin');
    return { restriction: policy.getRestriction('instance', '') };
  });
  app.put('/api/admin/restrictions', async (req, reply) => {
    const user = requireRole(req, 'admin');
    if (!changes.take(user.id)) throw new AppError('RATE_LIMITED');
    return answer(reply, await policy.requestInstanceRestriction(RestrictionInput.parse(req.body), user.id), (r) => ({ restriction: r }));
  });
  app.get('/api/me/restrictions', async (req) => {
    const user = requireUser(req);
    return { restriction: policy.getRestriction('account', user.id) };
  });
  app.put('/api/me/restrictions', async (req) => {
    const user = requireUser(req);
    if (!changes.take(user.id)) throw new AppError('RATE_LIMITED');
    const r = await policy.setRestriction('account', user.id, RestrictionInput.parse(req.body), { userId: user.id, asOperator: false });
    return { restriction: r };
  });
  async function ownMeeting(req: FastifyRequest): Promise<{ userId: string; meetingId: string }> {
    const user = requireUser(req);
    const { id } = MeetingParams.parse(req.params);
    const m = await opts.meetings.get(id);
    if (!m) throw new AppError('MEETING_NOT_FOUND');
    if (m.hostUserId !== user.id) throw new AppError('NOT_HOST');
    return { userId: user.id, meetingId: id };
  }
  app.get('/api/meetings/:id/restrictions', async (req) => {
    const { meetingId } = await ownMeeting(req);
    return { restriction: policy.getRestriction('meeting', meetingId) };
  });
  app.put('/api/meetings/:id/restrictions', async (req) => {
    const { userId, meetingId } = await ownMeeting(req);
    if (!changes.take(userId)) throw new AppError('RATE_LIMITED');
    const r = await policy.setRestriction('meeting', meetingId, RestrictionInput.parse(req.body), { userId, asOperator: false });
    return { restriction: r };
  });

  // ---- account policy and admin account actions ----
  app.get('/api/admin/account-policy', async (req) => {
    requireRole(req, 'admin');
    return { policies: policy.listAccountPolicies() };
  });
  app.put('/api/admin/account-policy', async (req, reply) => {
    const user = requireRole(req, 'admin');
    const { policies } = AccountPolicyInput.parse(req.body);
    return answer(reply, await policy.requestAccountPolicies(policies, user.id), (p) => ({ policies: p }));
  });
  app.post('/api/admin/users/:id/verify-business', async (req, reply) => {
    const admin = requireRole(req, 'admin');
    const { id } = UserParams.parse(req.params);
    const body = VerifyInput.parse(req.body ?? undefined);
    const verified = body?.verified ?? true;
    return answer(reply, await policy.requestVerification(id, verified, admin.id), (v) => ({ ok: true, businessVerified: v }));
  });
  app.put('/api/admin/users/:id/roles', async (req, reply) => {
    const admin = requireRole(req, 'admin');
    const { id } = UserParams.parse(req.params);
    const { roles } = RolesInput.parse(req.body);
    return answer(reply, await policy.requestRoleChange(id, roles, admin.id), (r) => ({ roles: r }));
  });

  // ---- the second-person desk (docs/powers.md) ----
  app.get('/api/admin/approvals', async (req) => {
    requireRole(req, 'admin');
    return { pending: await policy.pendingCommands() };
  });
  app.post('/api/admin/approvals/:id/approve', async (req) => {
    const admin = requireRole(req, 'admin');
    const { id } = CommandParams.parse(req.params);
    return await policy.approveCommand(id, admin.id);
  });
  app.post('/api/admin/approvals/:id/reject', async (req) => {
    requireRole(req, 'admin');
    const { id } = CommandParams.parse(req.params);
    return { rejected: await policy.rejectCommand(id) };
  });
  app.post('/api/admin/users/:id/suspend', async (req, reply) => {
    const admin = requireRole(req, 'admin');
    const { id } = UserParams.parse(req.params);
    const { reason } = ReasonInput.parse(req.body);
    return answer(reply, await policy.requestAccountStatus(id, 'suspended', reason, admin.id), (status) => ({ ok: true, status }));
  });
  app.post('/api/admin/users/:id/reactivate', async (req, reply) => {
    const admin = requireRole(req, 'admin');
    const { id } = UserParams.parse(req.params);
    const { reason } = ReasonInput.parse(req.body);
    return answer(reply, await policy.requestAccountStatus(id, 'active', reason, admin.id), (status) => ({ ok: true, status }));
  });
}
