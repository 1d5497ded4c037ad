/** An in-memory PolicyStore, so property tests can run thousands of cases quickly. */
import { memoryDeskStore } from './desk-store.js';
import type { AccountPolicy, Demand, DemandDocument, DemandOutcome, PolicyStore, StoredRestriction } from './types.js';

export function createMemoryPolicyStore(): PolicyStore {
  const demands = new Map<number, Demand>();
  const docs = new Map<number, DemandDocument>();
  const outcomes = new Map<number, DemandOutcome[]>();
  const restrictions = new Map<string, StoredRestriction>();
  let policies: AccountPolicy[] = [];
  let next = 1;
  const copy = (d: Demand): Demand => structuredClone(d);
  return {
    ...memoryDeskStore(),
    insertDemand(d, doc) {
      const id = next++;
      const demand: Demand = {
        ...structuredClone(d),
        id,
        decidedBy: null,
        decidedAt: null,
        decisionReason: null,
        endedBy: null,
        endedAt: null,
        document: doc ? { sha256: doc.sha256, filename: doc.filename, contentType: doc.contentType, size: doc.size } : null,
      };
      demands.set(id, demand);
      if (doc) docs.set(id, doc);
      return Promise.resolve(copy(demand));
    },
    deleteDemand(id) {
      demands.delete(id);
      docs.delete(id);
      return Promise.resolve();
    },
    getDemand: (id) => Promise.resolve(demands.has(id) ? copy(demands.get(id)!) : null),
    listDemands: () => Promise.resolve([...demands.values()].reverse().map(copy)),
    listDemandsInState: (state) => Promise.resolve([...demands.values()].filter((d) => d.state === state).map(copy)),
    transition(id, from, patch) {
      const d = demands.get(id);
      if (!d || d.state !== from) return Promise.resolve(false);
      Object.assign(d, patch);
      return Promise.resolve(true);
    },
    attachDocument(id, doc) {
      const d = demands.get(id);
      if (!d || d.document) return Promise.resolve(false);
      d.document = { sha256: doc.sha256, filename: doc.filename, contentType: doc.contentType, size: doc.size };
      docs.set(id, doc);
      return Promise.resolve(true);
    },
    getDocument: (id) => Promise.resolve(docs.get(id) ?? null),
    addOutcomes(demandId, list) {
      outcomes.set(demandId, [...(outcomes.get(demandId) ?? []), ...list]);
      return Promise.resolve();
    },
    listOutcomes: (demandId) => Promise.resolve([...(outcomes.get(demandId) ?? [])]),
    listRestrictions: () => Promise.resolve([...restrictions.values()].map((r) => structuredClone(r))),
    putRestriction(r) {
      restrictions.set(`${r.scope}:${r.subject}`, structuredClone(r));
      return Promise.resolve();
    },
    listAccountPolicies: () => Promise.resolve(policies.map((p) => ({ ...p }))),
    replaceAccountPolicies(rows) {
      policies = rows.map((p) => ({ ...p }));
      return Promise.resolve();
    },
  };
}
