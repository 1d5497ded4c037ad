import { useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../../lib/auth.js';
import { useDocumentTitle } from '../../lib/document-title.js';
import { navigate } from '../../lib/router.js';
import { Dashboard } from '../dashboard/Dashboard.js';
import { AuthForm } from './AuthForm.js';

/** Accepts a full link, a path or a bare meeting ID; keeps a ?pwd= if the link had one. */
export function parseMeetingInput(input: string): string | null {
  const s = input.trim();
  if (!s) return null;
  if (/^[A-Za-z0-9_-]{1,64}$/.test(s)) return `/m/${s}`;
  try {
    const url = new URL(s, location.origin);
    const m = /\/m\/([A-Za-z0-9_-]{1,64})\/?$/.exec(url.pathname);
    if (!m?.[1]) return null;
    const pwd = url.searchParams.get('pwd');
    return `/m/${m[1]}${pwd ? `?pwd=${encodeURIComponent(pwd)}` : ''}`;
  } catch {
    return null;
  }
}

function JoinBox() {
  const { t } = useTranslation();
  const [value, setValue] = useState('');
  const [invalid, setInvalid] = useState(false);
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const to = parseMeetingInput(value);
    if (to) navigate(to);
    else setInvalid(true);
  };
  return (
    <section className="card" aria-labelledby="join-title">
      <h2 id="join-title">{t('home.joinTitle')}</h2>
      <form onSubmit={submit} className="inline-form">
        <label className="field grow">
          <span>{t('home.joinLabel')}</span>
          <input
            value={value}
            onChange={(e) => {
              setValue(e.target.value);
              setInvalid(false);
            }}
            placeholder={t('home.joinPlaceholder')}
            aria-invalid={invalid}
            autoCapitalize="off"
            autoCorrect="off"
            spellCheck={false}
            data-testid="home-join-input"
          />
        </label>
        <button className="btn btn-primary" type="submit" data-testid="home-join-button">
          {t('home.joinButton')}
        </button>
      </form>
      {invalid && (
        <p className="error" role="alert">
          {t('errors.MEETING_NOT_FOUND')}
        </p>
      )}
    </section>
  );
}

export function HomePage() {
  const { t } = useTranslation();
  const { user, loading } = useAuth();
  // The dashboard names itself; signed out, this is the home page.
  useDocumentTitle(loading || user ? null : t('app.name'));
  if (loading) {
    return (
      <main id="main" className="page narrow" aria-busy="true">
        {t('app.loading')}
      </main>
    );
  }
  if (user) return <Dashboard user={user} />;
  return (
    <main id="main" className="page home" data-testid="home-page">
      <section className="hero">
        <h1>{t('app.name')}</h1>
        <p className="lede">{t('app.tagline')}</p>
        <ul className="promises">
          <li>{t('home.promise1')}</li>
          <li>{t('home.promise2')}</li>
          <li>{t('home.promise3')}</li>
          <li>{t('home.promise4')}</li>
        </ul>
      </section>
      <div className="home-cards">
        <JoinBox />
        <section className="card" aria-labelledby="host-title">
          <h2 id="host-title">{t('home.hostTitle')}</h2>
          <p className="muted">{t('home.hostBody')}</p>
          <AuthForm />
        </section>
      </div>
    </main>
  );
}
