/** Dark by default (a trading screen); the light theme is a remembered preference, nothing more. */
const KEY = 'scoreline-theme';
export type Theme = 'dark' | 'light';

export function currentTheme(): Theme {
  return document.documentElement.classList.contains('dark') ? 'dark' : 'light';
}

export function setTheme(theme: Theme): void {
  document.documentElement.classList.toggle('dark', theme === 'dark');
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    // storage refused (private mode): the choice lasts for this page only
  }
}

export function applyStoredTheme(): void {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(KEY);
  } catch {
    stored = null;
  }
  document.documentElement.classList.toggle('dark', stored !== 'light');
}
