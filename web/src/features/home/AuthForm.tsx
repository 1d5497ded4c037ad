import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../../lib/auth.js';
import { useDocumentTitle } from '../../lib/document-title.js';
import { useSubmit } from '../../lib/use-submit.js';

export function AuthForm() {
  const { t } = useTranslation();
  const { login, signup } = useAuth();
  const [mode, setMode] = useState<'signin' | 'signup'>('signin');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [accountType, setAccountType] = useState<'individual' | 'business'>('individual');
  const { busy, error, submit, clearError } = useSubmit(async () => {
    if (mode === 'signin') await login(email.trim(), password);
    else await signup({ email: email.trim(), password, displayName: displayName.trim(), accountType });
  });
  const errorRef = useRef<HTMLParagraphElement>(null);
  // The submit button is disabled while busy, which drops focus to the body: give it to the
  // error instead, so the next thing read is why it failed.
  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);
  useDocumentTitle(mode === 'signup' ? t('auth.signUp') : t('app.name'));

  return (
    <div className="auth">
      <div className="tabs" role="tablist" aria-label={t('auth.signIn')}>
        {(['signin', 'signup'] as const).map((m) => (
          <button
            key={m}
            type="button"
            role="tab"
            aria-selected={mode === m}
            className={mode === m ? 'tab active' : 'tab'}
            onClick={() => {
              setMode(m);
              clearError();
            }}
            data-testid={`tab-${m}`}
          >
            {m === 'signin' ? t('auth.signIn') : t('auth.signUp')}
          </button>
        ))}
      </div>
      <form onSubmit={(e) => void submit(e)} className="stack" data-testid="auth-form">
        {mode === 'signup' && (
          <label className="field">
            <span>{t('auth.displayName')}</span>
            <input required maxLength={64} autoComplete="name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} data-testid="auth-name" />
          </label>
        )}
        <label className="field">
          <span>{t('auth.email')}</span>
          <input type="email" required autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} data-testid="auth-email" />
        </label>
        <label className="field">
          <span>{t('auth.password')}</span>
          <input
            type="password"
            required
            minLength={mode === 'signup' ? 8 : 1}
            autoComplete={mode === 'signup' ? 'new-password' : 'current-password'}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            data-testid="auth-password"
          />
          {mode === 'signup' && <small className="muted">{t('auth.passwordHint')}</small>}
        </label>
        {mode === 'signup' && (
          <fieldset className="field radio-row">
            <legend>{t('auth.accountType')}</legend>
            {(['individual', 'business'] as const).map((a) => (
              <label key={a} className="radio">
                <input type="radio" name="accountType" checked={accountType === a} onChange={() => setAccountType(a)} />
                {t(`auth.${a}`)}
              </label>
            ))}
          </fieldset>
        )}
        {error && (
          <p className="error" role="alert" tabIndex={-1} ref={errorRef} data-testid="auth-error">
            {error}
          </p>
        )}
        <button className="btn btn-primary" type="submit" disabled={busy} data-testid="auth-submit">
          {busy ? t('auth.working') : mode === 'signin' ? t('auth.submitSignIn') : t('auth.submitSignUp')}
        </button>
      </form>
    </div>
  );
}
