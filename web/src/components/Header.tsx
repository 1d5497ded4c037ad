import { useTranslation } from 'react-i18next';
import { useAuth } from '../lib/auth.js';
import { linkHandler, navigate } from '../lib/router.js';
import { LanguageMenu } from './LanguageMenu.js';

export function Header() {
  const { t } = useTranslation();
  const { user, logout } = useAuth();
  const roles = user?.roles ?? [];
  return (
    <header className="app-header">
      <a className="brand" href="/" onClick={linkHandler('/')}>
        <span className="brand-mark" aria-hidden="true" />
        {t('app.name')}
      </a>
      <nav aria-label={t('nav.mainNav')} className="header-nav">
        {user && (
          <a href="/" onClick={linkHandler('/')}>
            {t('nav.dashboard')}
          </a>
        )}
        {user && (
          <a href="/settings" onClick={linkHandler('/settings')}>
            {t('nav.settings')}
          </a>
        )}
        {roles.includes('admin') && (
          <a href="/admin" onClick={linkHandler('/admin')}>
            {t('nav.admin')}
          </a>
        )}
        {(roles.includes('compliance') || roles.includes('approver')) && (
          <a href="/compliance" onClick={linkHandler('/compliance')}>
            {t('nav.compliance')}
          </a>
        )}
        <a href="/transparency" onClick={linkHandler('/transparency')}>
          {t('nav.transparency')}
        </a>
      </nav>
      <div className="header-end">
        <LanguageMenu />
        {user && (
          <button
            type="button"
            className="btn btn-ghost btn-small"
            title={t('nav.signedInAs', { name: user.displayName })}
            onClick={() => void logout().then(() => navigate('/'))}
            data-testid="sign-out"
          >
            {t('nav.signOut')}
          </button>
        )}
      </div>
    </header>
  );
}
