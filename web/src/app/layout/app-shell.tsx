import { useEffect, useId, useState } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router';

import { Button } from '@/components/ui/button';
import { NotificationCentre } from '@/features/alerts/components/notification-centre';
import { useSignOut } from '@/features/auth/api/session';
import { useUser } from '@/lib/auth';
import { connectSocket, resetSocket } from '@/lib/socket';
import { currentTheme, setTheme, type Theme } from '@/app/theme';

const links = [
  { to: '/', label: 'Live board', end: true },
  { to: '/portfolio', label: 'Portfolio', end: false },
  { to: '/history', label: 'History', end: false },
  { to: '/accounts', label: 'Accounts', end: false },
  { to: '/performance', label: 'Performance', end: false },
  { to: '/model-health', label: 'Model health', end: false },
];

function navClass({ isActive }: { isActive: boolean }): string {
  return `block whitespace-nowrap rounded-md px-2.5 py-1.5 text-sm ${
    isActive ? 'bg-panel-2 font-semibold text-ink' : 'text-muted hover:text-ink'
  }`;
}

export function AppShell() {
  const user = useUser().data;
  const signOut = useSignOut();
  const navigate = useNavigate();
  const [theme, setThemeState] = useState<Theme>(currentTheme);
  const [menuOpen, setMenuOpen] = useState(false);
  const menuId = useId();
  const closeMenu = () => setMenuOpen(false); // a link followed in the drawer closes it

  useEffect(() => {
    connectSocket();
    return () => resetSocket();
  }, []);

  const toggleTheme = () => {
    const next = theme === 'dark' ? 'light' : 'dark';
    setTheme(next);
    setThemeState(next);
  };

  const leave = () => {
    signOut.mutate(undefined, {
      onSettled: () => {
        resetSocket();
        void navigate('/sign-in', { replace: true });
      },
    });
  };

  return (
    <div className="min-h-screen">
      <a
        href="#main"
        className="sr-only z-50 rounded bg-accent px-3 py-2 text-accent-ink focus:not-sr-only focus:fixed focus:left-2 focus:top-2"
      >
        Skip to content
      </a>
      <header className="border-b border-line bg-panel">
        <div className="mx-auto flex max-w-[112rem] flex-wrap items-center gap-x-4 gap-y-2 px-3 py-2 sm:px-4">
          <span className="flex items-center gap-2 font-semibold tracking-tight">
            <img src="/favicon.svg" alt="" width={22} height={22} />
            Scoreline
          </span>
          {/* In the header row at every width: last on a wide screen, before Menu on a phone.
              Only while signed in: signing out clears the cache, and a mounted centre would
              read its alerts again with the closed session (a 401). */}
          {user ? <NotificationCentre className="ml-auto lg:order-last lg:ml-0" /> : null}
          <Button
            size="sm"
            className="lg:hidden"
            aria-expanded={menuOpen}
            aria-controls={menuId}
            onClick={() => setMenuOpen((open) => !open)}
          >
            {menuOpen ? 'Close menu' : 'Menu'}
          </Button>
          {/* One navigation: a row on a wide screen, a drawer under the header on a phone. */}
          <div
            id={menuId}
            className={`${menuOpen ? 'flex' : 'hidden'} order-3 w-full flex-col gap-3 lg:order-none lg:flex lg:w-auto lg:flex-1 lg:flex-row lg:items-center`}
          >
            <nav aria-label="Main">
              <ul className="flex flex-col gap-1 lg:flex-row">
                {links.map((link) => (
                  <li key={link.to}>
                    <NavLink to={link.to} end={link.end} className={navClass} onClick={closeMenu}>
                      {link.label}
                    </NavLink>
                  </li>
                ))}
                {user?.role === 'admin' ? (
                  <li>
                    <NavLink to="/admin" className={navClass} onClick={closeMenu}>
                      Admin
                    </NavLink>
                  </li>
                ) : null}
              </ul>
            </nav>
            <div className="flex flex-wrap items-center gap-2 lg:ml-auto">
              {user ? (
                <span className="text-xs text-muted lg:hidden xl:inline" data-testid="current-user">
                  {user.email} · {user.role}
                </span>
              ) : null}
              <Button size="sm" variant="ghost" onClick={toggleTheme} data-testid="theme-toggle">
                {theme === 'dark' ? 'Light theme' : 'Dark theme'}
              </Button>
              <Button size="sm" onClick={leave} disabled={signOut.isPending}>
                Sign out
              </Button>
            </div>
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="mx-auto max-w-[112rem] px-3 py-4 outline-none sm:px-4">
        <Outlet />
      </main>
    </div>
  );
}
