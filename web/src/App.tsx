import { Suspense, lazy, type ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { Header } from './components/Header.js';
import { Placeholder } from './components/Placeholder.js';
import { HomePage } from './features/home/HomePage.js';
import { MeetingPage } from './features/meeting/MeetingPage.js';
import { Announcer } from './lib/announcer.js';
import { AuthProvider } from './lib/auth.js';
import { useDocumentTitle } from './lib/document-title.js';
import { linkHandler, matchRoute, useLocation, type Route } from './lib/router.js';

// Operator pages are split out: a participant on a phone loads only the meeting client.
const adminModule = () => import('./features/admin/AdminPage.js');
const AdminPage = lazy(() => adminModule().then((m) => ({ default: m.AdminPage })));
const CompliancePage = lazy(() => adminModule().then((m) => ({ default: m.CompliancePage })));
const SettingsPage = lazy(() => adminModule().then((m) => ({ default: m.SettingsPage })));

// The transparency page is another team's feature; load it only if it is in the tree.
const transparencyModules = import.meta.glob<{ default: ComponentType }>('./features/transparency/TransparencyPage.tsx');
const transparencyLoader = Object.values(transparencyModules)[0];
const TransparencyPage = transparencyLoader ? lazy(transparencyLoader) : null;

function NotFound() {
  const { t } = useTranslation();
  return (
    <main id="main" className="page narrow">
      <h1>{t('app.notFoundTitle')}</h1>
      <p>{t('app.notFoundBody')}</p>
      <a href="/" onClick={linkHandler('/')}>
        {t('app.backHome')}
      </a>
    </main>
  );
}

function Loading() {
  const { t } = useTranslation();
  return (
    <main id="main" className="page narrow" aria-busy="true">
      {t('app.loading')}
    </main>
  );
}

/** Titles for pages that do not set their own (home and meeting pages depend on their state). */
function routeTitle(route: Route, t: (k: string) => string): string | null {
  switch (route.name) {
    case 'admin':
      return t('nav.admin');
    case 'compliance':
      return t('nav.compliance');
    case 'settings':
      return t('nav.settings');
    case 'transparency':
      return t('nav.transparency');
    case 'notFound':
      return t('app.notFoundTitle');
    case 'home':
    case 'meeting':
      return null;
  }
}

/** "Skip to content" moves focus there, not only the scroll position (a <main> is not focusable). */
function skipToMain(e: { preventDefault(): void }): void {
  const main = document.getElementById('main');
  if (!main) return;
  e.preventDefault();
  if (!main.hasAttribute('tabindex')) main.setAttribute('tabindex', '-1');
  main.focus();
  main.scrollIntoView();
}

function Routes() {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const route = matchRoute(pathname);
  useDocumentTitle(routeTitle(route, t));
  switch (route.name) {
    case 'home':
      return <HomePage />;
    case 'meeting':
      return <MeetingPage key={route.meetingId} meetingId={route.meetingId} />;
    case 'admin':
      return <AdminPage />;
    case 'compliance':
      return <CompliancePage />;
    case 'settings':
      return <SettingsPage />;
    case 'transparency':
      return TransparencyPage ? <TransparencyPage /> : <Placeholder title={t('placeholder.transparencyTitle')} body={t('placeholder.transparencyBody')} />;
    case 'notFound':
      return <NotFound />;
  }
}

export function App() {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  // The meeting room owns the whole screen; every other page gets the header.
  const inMeeting = matchRoute(pathname).name === 'meeting';
  return (
    <AuthProvider>
      <a className="skip-link" href="#main" onClick={skipToMain}>
        {t('app.skipToContent')}
      </a>
      <Announcer />
      <div className={inMeeting ? 'shell shell-meeting' : 'shell'}>
        {!inMeeting && <Header />}
        <Suspense fallback={<Loading />}>
          <Routes />
        </Suspense>
      </div>
    </AuthProvider>
  );
}
