/** Record a demand as received (with its document): the form on the compliance console. */
import { useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { COUNTRY_CODES, countryName } from '../../../../protocol/countries.js';
import { ASK_KINDS, policyApi, type AskKind } from './api.js';

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export function NewDemandForm({ onDone }: { onDone: (msg: string) => void }) {
  const { t, i18n } = useTranslation('policy');
  const [asks, setAsks] = useState<AskKind[]>(['block-participants']);
  const [gag, setGag] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const s = (k: string) => {
      const v = f.get(k);
      return typeof v === 'string' ? v.trim() : '';
    };
    const file = f.get('document');
    const demand = {
      authority: s('authority'),
      jurisdiction: s('jurisdiction'),
      legalBasis: s('legalBasis'),
      reference: s('reference'),
      receivedAt: s('receivedAt'),
      askedText: s('askedText'),
      asks: asks.map((kind) => ({ kind })),
      targets: { meetings: list(s('meetings')), accounts: list(s('accounts')), titlePattern: s('titlePattern') || null },
      gag: gag ? { until: s('gagUntil') || null } : null,
      expiresAt: s('expiresAt') || null,
    };
    try {
      const r = await policyApi.recordDemand(demand, file instanceof File && file.size > 0 ? file : null);
      onDone(r.refused ? t('compliance.refusedData', { id: r.demand.id }) : t('compliance.recorded', { id: r.demand.id }));
      setError(null);
      // Clear the form so the same demand is not recorded twice by a second click.
      form.reset();
      setAsks(['block-participants']);
      setGag(false);
    } catch (err) {
      setError(t('compliance.error', { message: (err as Error).message }));
    }
  };
  return (
    <form className="pl-card" data-testid="demand-form" onSubmit={(e) => void submit(e)}>
      <h2>{t('compliance.new')}</h2>
      <label className="pl-field">
        {t('compliance.authority')}
        <input name="authority" required maxLength={200} />
      </label>
      <label className="pl-field">
        {t('compliance.jurisdiction')}
        <select name="jurisdiction" required defaultValue="">
          <option value="" disabled>
            —
          </option>
          {COUNTRY_CODES.map((c) => (
            <option key={c} value={c}>
              {countryName(c, i18n.language)} ({c})
            </option>
          ))}
        </select>
      </label>
      <label className="pl-field">
        {t('compliance.legalBasis')}
        <input name="legalBasis" required maxLength={1000} />
      </label>
      <label className="pl-field">
        {t('compliance.reference')}
        <input name="reference" required maxLength={200} />
      </label>
      <label className="pl-field">
        {t('compliance.receivedAt')}
        <input name="receivedAt" type="date" required />
      </label>
      <label className="pl-field">
        {t('compliance.askedText')}
        <textarea name="askedText" required rows={4} />
      </label>
      <fieldset className="pl-row">
        <legend>{t('compliance.asks')}</legend>
        {ASK_KINDS.map((k) => (
          <label key={k}>
            <input
              type="checkbox"
              data-testid={`ask-${k}`}
              checked={asks.includes(k)}
              onChange={() => setAsks(asks.includes(k) ? asks.filter((x) => x !== k) : [...asks, k])}
            />{' '}
            {t(`compliance.askKinds.${k}`)}
          </label>
        ))}
      </fieldset>
      <label className="pl-field">
        {t('compliance.targetsMeetings')}
        <input name="meetings" />
      </label>
      <label className="pl-field">
        {t('compliance.targetsAccounts')}
        <input name="accounts" />
      </label>
      <label className="pl-field">
        {t('compliance.titlePattern')}
        <input name="titlePattern" maxLength={200} />
      </label>
      <label>
        <input type="checkbox" data-testid="demand-gag" checked={gag} onChange={() => setGag(!gag)} /> {t('compliance.gag')}
      </label>
      {gag && (
        <label className="pl-field">
          {t('compliance.gagUntil')}
          <input name="gagUntil" type="date" />
        </label>
      )}
      <label className="pl-field">
        {t('compliance.expiresAt')}
        <input name="expiresAt" type="date" />
      </label>
      <label className="pl-field">
        {t('compliance.document')}
        <input name="document" type="file" accept="application/pdf,image/png,image/jpeg,text/plain" />
      </label>
      <button className="pl-primary" type="submit" data-testid="record-demand" disabled={asks.length === 0}>
        {t('compliance.record')}
      </button>
      {error && (
        <p role="alert" className="pl-error" data-testid="demand-error">
          {error}
        </p>
      )}
    </form>
  );
}
