/** "Block these" / "allow only these" countries, plus unknown-location handling. Used by admin, host and meeting settings. */
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { COUNTRY_CODES, countryName } from '../../../../protocol/countries.js';
import { policyApi, type Restriction } from '../compliance/api.js';
import '../compliance/i18n.js';
import './policy.css';
import { messageOf } from '../../lib/errors.js';

export interface RestrictionsEditorProps {
  /** REST path: /api/admin/restrictions, /api/me/restrictions or /api/meetings/:id/restrictions. */
  path: string;
  title?: string;
  /** Called when the change went to the second-person desk (instance restrictions). */
  onRequested?: () => void;
}

export function RestrictionsEditor({ path, title, onRequested }: RestrictionsEditorProps) {
  const { t, i18n } = useTranslation('policy');
  const [r, setR] = useState<Restriction | null>(null);
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState<string | null>(null);
  useEffect(() => {
    policyApi.getRestriction(path).then(
      (x) => setR(x.restriction),
      (e: unknown) => setStatus(t('compliance.error', { message: messageOf(e) })),
    );
  }, [path, t]);
  const names = useMemo(() => new Map(COUNTRY_CODES.map((c) => [c, countryName(c, i18n.language)])), [i18n.language]);
  if (!r)
    return (
      <section className="pl-card" aria-busy="true">
        {status}
      </section>
    );
  const q = query.trim().toLowerCase();
  const matches = q ? COUNTRY_CODES.filter((c) => c.toLowerCase() === q || (names.get(c) ?? '').toLowerCase().includes(q)).slice(0, 12) : [];
  const toggle = (c: string) => setR({ ...r, countries: r.countries.includes(c) ? r.countries.filter((x) => x !== c) : [...r.countries, c].sort() });
  const save = async () => {
    try {
      const res = await policyApi.putRestriction(path, r);
      if (res.pending) {
        setStatus(t('admin.sentForApproval'));
        onRequested?.();
      } else {
        if (res.restriction) setR(res.restriction);
        setStatus(t('restrictions.saved'));
      }
    } catch (e) {
      setStatus(t('compliance.error', { message: (e as Error).message }));
    }
  };
  return (
    <section className="pl-card pl-restrictions">
      <h2>{title ?? t('restrictions.title')}</h2>
      <fieldset className="pl-row">
        <legend>{t('restrictions.mode')}</legend>
        <label>
          <input type="radio" checked={r.mode === 'block'} onChange={() => setR({ ...r, mode: 'block' })} /> {t('restrictions.modeBlock')}
        </label>
        <label>
          <input type="radio" checked={r.mode === 'allow'} onChange={() => setR({ ...r, mode: 'allow' })} /> {t('restrictions.modeAllow')}
        </label>
      </fieldset>
      <label className="pl-field">
        {t('restrictions.countries')} — {t('restrictions.selected', { count: r.countries.length })}
        <input type="search" value={query} placeholder={t('restrictions.search')} onChange={(e) => setQuery(e.target.value)} />
      </label>
      {matches.length > 0 && (
        <ul className="pl-options" role="listbox" aria-multiselectable="true">
          {matches.map((c) => (
            <li key={c} role="option" aria-selected={r.countries.includes(c)}>
              <button type="button" onClick={() => toggle(c)}>
                {r.countries.includes(c) ? '✓ ' : ''}
                {names.get(c)} ({c})
              </button>
            </li>
          ))}
        </ul>
      )}
      <ul className="pl-chips">
        {r.countries.map((c) => (
          <li key={c} className="pl-chip">
            {names.get(c as never) ?? c} ({c})
            <button type="button" aria-label={t('restrictions.remove', { name: names.get(c as never) ?? c })} onClick={() => toggle(c)}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <fieldset className="pl-row">
        <legend>{t('restrictions.unknown')}</legend>
        <label>
          <input type="radio" checked={r.unknown === 'allow'} onChange={() => setR({ ...r, unknown: 'allow' })} /> {t('restrictions.unknownAllow')}
        </label>
        <label>
          <input type="radio" checked={r.unknown === 'block'} onChange={() => setR({ ...r, unknown: 'block' })} /> {t('restrictions.unknownBlock')}
        </label>
      </fieldset>
      <button type="button" className="pl-primary" onClick={() => void save()}>
        {t('restrictions.save')}
      </button>
      {status && (
        <p role="status" className="pl-status">
          {status}
        </p>
      )}
    </section>
  );
}

export default RestrictionsEditor;
