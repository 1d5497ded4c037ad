/**
 * The witness policy this browser verifies with: pinned on first use from the instance's
 * suggestion, changeable here, with a warning when the instance now suggests something else
 * (it cannot change what this browser trusts; only the user can).
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NAMESPACE } from './i18n.js';
import { pinPolicy, samePolicy, type PinnedPolicy } from './witness-pin.js';

export function WitnessPolicyPanel(props: { origin: string; pin: PinnedPolicy | null; suggested: string | null; onPin: (p: PinnedPolicy) => void }) {
  const { t, i18n } = useTranslation(NAMESPACE);
  const { pin, suggested } = props;
  const [draft, setDraft] = useState(pin?.text ?? suggested ?? '');
  const [error, setError] = useState<string | null>(null);
  const differs = pin !== null && suggested !== null && !samePolicy(pin.text, suggested);
  const save = (text: string, source: PinnedPolicy['source']): void => {
    const made = pinPolicy(props.origin, text, source);
    if (typeof made === 'string') {
      setError(made);
      return;
    }
    setError(null);
    setDraft(made.text);
    props.onPin(made);
  };
  return (
    <section className="tp-section" data-testid="witness-policy">
      <h2>{t('policy.heading')}</h2>
      <p>{t('policy.intro')}</p>
      {pin === null ? (
        <p data-testid="policy-none">{t('policy.none')}</p>
      ) : (
        <>
          <p className="tp-small" data-testid="policy-source">
            {t(pin.source === 'instance' ? 'policy.pinnedFromInstance' : 'policy.pinnedByYou', { at: new Date(pin.pinnedAt).toLocaleString(i18n.language) })}
          </p>
          <pre className="tp-note" data-testid="policy-text">
            {pin.text}
          </pre>
        </>
      )}
      {differs && (
        <div role="alert" className="tp-alarm" data-testid="policy-differs">
          <p>{t('policy.differs')}</p>
          <pre className="tp-note">{suggested}</pre>
          <button type="button" className="tp-button" onClick={() => save(suggested, 'instance')}>
            {t('policy.adopt')}
          </button>
        </div>
      )}
      <details>
        <summary>{t('policy.edit')}</summary>
        <label className="tp-field">
          <span>{t('policy.editLabel')}</span>
          <textarea className="tp-mono" rows={6} value={draft} onChange={(e) => setDraft(e.target.value)} data-testid="policy-input" />
        </label>
        {error && (
          <p role="alert" className="tp-status tp-status-failed">
            {t('policy.invalid', { message: error })}
          </p>
        )}
        <button type="button" className="tp-button" onClick={() => save(draft, 'user')} data-testid="policy-save">
          {t('policy.save')}
        </button>
      </details>
    </section>
  );
}
