/** Bad input to the policy endpoints: clear errors, and nothing stored or logged. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMeeting } from '../helpers/app.js';
import { demandBody, multipart, operator, PDF, recordDemand, startPolicyServer, type PolicyTestServer } from '../../server/policy/test-helpers.js';

let server: PolicyTestServer;
let compliance: Awaited<ReturnType<typeof operator>>;
let approver: Awaited<ReturnType<typeof operator>>;
let admin: Awaited<ReturnType<typeof operator>>;
let meetingId: string;

beforeAll(async () => {
  server = await startPolicyServer();
  compliance = await operator(server, ['compliance']);
  approver = await operator(server, ['approver']);
  admin = await operator(server, ['admin']);
  meetingId = (await createMeeting(server, (await operator(server, [])).cookie)).id;
});
afterAll(async () => {
  await server.close();
});

async function unchanged(fn: () => Promise<void>) {
  const logBefore = server.log.size();
  const demandsBefore = (await server.policy.listDemands()).length;
  await fn();
  expect(server.log.size()).toBe(logBefore);
  expect((await server.policy.listDemands()).length).toBe(demandsBefore);
}

const postJson = (body: unknown) => server.app.inject({ method: 'POST', url: '/api/demands', headers: { cookie: compliance.cookie }, payload: body as object });

describe('recording a demand with bad input', () => {
  for (const code of ['XX', 'cn', 'UK', 'EU', 'C', 'CHN']) {
    it(`refuses the jurisdiction "${code}" with INVALID_COUNTRY`, async () => {
      await unchanged(async () => {
        const res = await postJson(demandBody([meetingId], { jurisdiction: code }));
        expect(res.statusCode).toBe(400);
        expect(res.json().error.code).toBe('INVALID_COUNTRY');
      });
    });
  }

  it("refuses a demand that names a jurisdiction other than its authority's with JURISDICTION_MISMATCH", async () => {
    await unchanged(async () => {
      const res = await postJson(demandBody([meetingId], { jurisdiction: 'CN', targetJurisdiction: 'HK' }));
      expect(res.json().error).toMatchObject({ code: 'JURISDICTION_MISMATCH', details: { authority: 'CN', named: 'HK' } });
      const perAsk = await postJson(demandBody([meetingId], { asks: [{ kind: 'block-participants', jurisdiction: 'TW' }] }));
      expect(perAsk.json().error.code).toBe('JURISDICTION_MISMATCH');
      const bad = await postJson(demandBody([meetingId], { targetJurisdiction: 'hk' }));
      expect(bad.json().error.code).toBe('INVALID_COUNTRY');
    });
  });

  it('refuses unknown fields, missing fields and unknown ask kinds with VALIDATION_FAILED', async () => {
    await unchanged(async () => {
      expect((await postJson({ ...demandBody([meetingId]), extra: 1 })).json().error.code).toBe('VALIDATION_FAILED');
      expect((await postJson({ ...demandBody([meetingId]), authority: '' })).json().error.code).toBe('VALIDATION_FAILED');
      expect((await postJson(demandBody([meetingId], { asks: [{ kind: 'wiretap' }] }))).json().error.code).toBe('VALIDATION_FAILED');
    });
  });

  const upload = (file: { type: string; bytes: Uint8Array; name?: string } | null, demand = JSON.stringify(demandBody([meetingId]))) => {
    const mp = multipart({ demand }, file ? { name: file.name ?? 'document', filename: 'order', type: file.type, bytes: file.bytes } : undefined);
    return server.app.inject({ method: 'POST', url: '/api/demands', headers: { cookie: compliance.cookie, ...mp.headers }, payload: mp.payload });
  };

  it('refuses an upload of the wrong type, or whose content is not its type', async () => {
    await unchanged(async () => {
      const zip = await upload({ type: 'application/zip', bytes: Buffer.from('PK\x03\x04rest') });
      expect(zip.json().error.code).toBe('VALIDATION_FAILED');
      const fakePdf = await upload({ type: 'application/pdf', bytes: Buffer.from('<html>not a pdf</html>') });
      expect(fakePdf.json().error.code).toBe('VALIDATION_FAILED');
      const binaryText = await upload({ type: 'text/plain', bytes: Buffer.from([0x41, 0x00, 0xff, 0xfe]) });
      expect(binaryText.json().error.code).toBe('VALIDATION_FAILED');
      const wrongField = await upload({ type: 'application/pdf', bytes: PDF, name: 'file' });
      expect(wrongField.json().error.code).toBe('VALIDATION_FAILED');
    });
  });

  it('refuses an empty upload and one over 10 MB', async () => {
    await unchanged(async () => {
      const empty = await upload({ type: 'application/pdf', bytes: new Uint8Array(0) });
      expect(empty.json().error.code).toBe('VALIDATION_FAILED');
      const big = Buffer.alloc(10 * 1024 * 1024 + 1, 0x20);
      PDF.copy(big);
      const tooBig = await upload({ type: 'application/pdf', bytes: big });
      expect(tooBig.statusCode).toBe(413);
      expect(tooBig.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    });
  });

  it('refuses a multipart body whose demand field is not JSON, and a valid demand with a bad file stores neither', async () => {
    await unchanged(async () => {
      expect((await upload({ type: 'application/pdf', bytes: PDF }, '{not json')).json().error.code).toBe('BAD_REQUEST');
      expect((await upload({ type: 'image/png', bytes: PDF })).json().error.code).toBe('VALIDATION_FAILED');
    });
  });

  it('accepts PNG, JPEG and text documents, and a separate upload once', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
    expect((await upload({ type: 'image/png', bytes: png })).statusCode).toBe(201);
    expect((await upload({ type: 'image/jpeg', bytes: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2]) })).statusCode).toBe(201);
    const json = await postJson(demandBody([meetingId]));
    expect(json.statusCode).toBe(201);
    const id = json.json().demand.id as number;
    // Approval needs the document.
    expect((await server.app.inject({ method: 'POST', url: `/api/demands/${id}/approve`, headers: { cookie: approver.cookie } })).json().error.code).toBe(
      'DEMAND_STATE',
    );
    const mp = multipart({}, { name: 'document', filename: 'order.txt', type: 'text/plain', bytes: Buffer.from('命令：终止会议') });
    const up = await server.app.inject({
      method: 'POST',
      url: `/api/demands/${id}/document`,
      headers: { cookie: compliance.cookie, ...mp.headers },
      payload: mp.payload,
    });
    expect(up.statusCode).toBe(200);
    expect(up.json().demand.document.sha256).toMatch(/^[0-9a-f]{64}$/);
    const again = await server.app.inject({
      method: 'POST',
      url: `/api/demands/${id}/document`,
      headers: { cookie: compliance.cookie, ...mp.headers },
      payload: mp.payload,
    });
    expect(again.json().error.code).toBe('DEMAND_STATE');
    const doc = await server.app.inject({ method: 'GET', url: `/api/demands/${id}/document`, headers: { cookie: approver.cookie } });
    expect(doc.headers['content-type']).toContain('text/plain');
    expect(doc.body).toBe('命令：终止会议');
  });
});

describe('deciding on a demand with bad input', () => {
  it('refuses approval by the recorder with SELF_APPROVAL and changes nothing', async () => {
    const both = await operator(server, ['compliance', 'approver']);
    const id = await recordDemand(server, both.cookie, demandBody([meetingId]));
    await unchanged(async () => {
      const res = await server.app.inject({ method: 'POST', url: `/api/demands/${id}/approve`, headers: { cookie: both.cookie } });
      expect(res.json().error.code).toBe('SELF_APPROVAL');
    });
    expect(server.policy.activeDemandIds()).not.toContain(id);
  });

  it('refuses approving an expired demand with DEMAND_EXPIRED and changes nothing', async () => {
    const id = await recordDemand(server, compliance.cookie, demandBody([meetingId], { expiresAt: Date.now() - 1000 }));
    await unchanged(async () => {
      const res = await server.app.inject({ method: 'POST', url: `/api/demands/${id}/approve`, headers: { cookie: approver.cookie } });
      expect(res.json().error.code).toBe('DEMAND_EXPIRED');
    });
    const d = await server.app.inject({ method: 'GET', url: `/api/demands/${id}`, headers: { cookie: approver.cookie } });
    expect(d.json().demand).toMatchObject({ state: 'recorded', expired: true });
  });

  it('answers unknown and malformed demand ids with NOT_FOUND / VALIDATION_FAILED', async () => {
    await unchanged(async () => {
      expect((await server.app.inject({ method: 'POST', url: '/api/demands/99999/approve', headers: { cookie: approver.cookie } })).json().error.code).toBe(
        'NOT_FOUND',
      );
      expect((await server.app.inject({ method: 'POST', url: '/api/demands/abc/approve', headers: { cookie: approver.cookie } })).json().error.code).toBe(
        'VALIDATION_FAILED',
      );
    });
  });
});

describe('restrictions and account policy with bad input', () => {
  it('refuses unknown country codes in restrictions and account policy with INVALID_COUNTRY, changing nothing', async () => {
    await unchanged(async () => {
      for (const c of ['XX', 'cn', 'UK']) {
        const r = await server.app.inject({
          method: 'PUT',
          url: '/api/admin/restrictions',
          headers: { cookie: admin.cookie },
          payload: { mode: 'block', countries: ['HK', c], unknown: 'allow' },
        });
        expect(r.json().error.code).toBe('INVALID_COUNTRY');
        const p = await server.app.inject({
          method: 'PUT',
          url: '/api/admin/account-policy',
          headers: { cookie: admin.cookie },
          payload: { policies: [{ country: c, individualSignupDisabled: true, businessRequiresVerification: true }] },
        });
        expect(p.json().error.code).toBe('INVALID_COUNTRY');
      }
      const mode = await server.app.inject({
        method: 'PUT',
        url: '/api/admin/restrictions',
        headers: { cookie: admin.cookie },
        payload: { mode: 'both', countries: [], unknown: 'allow' },
      });
      expect(mode.json().error.code).toBe('VALIDATION_FAILED');
    });
    expect((await server.app.inject({ method: 'GET', url: '/api/admin/restrictions', headers: { cookie: admin.cookie } })).json().restriction).toEqual({
      mode: 'block',
      countries: [],
      unknown: 'allow',
    });
  });
});
