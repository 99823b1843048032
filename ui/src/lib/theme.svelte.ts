/**
 * Light, dark, or the operating system's choice (the default). The choice
 * persists in localStorage; the resolved theme is `data-theme` on <html>,
 * which app.css turns into colours.
 */
export type ThemeChoice = 'light' | 'dark' | 'system';

const KEY = 'roster.theme';

function stored(): ThemeChoice {
  try {
    const value = localStorage.getItem(KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    return 'system';
  }
}

function systemPrefersDark(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
}

class Theme {
  choice = $state<ThemeChoice>(stored());
  private systemDark = $state(systemPrefersDark());

  constructor() {
    if (typeof matchMedia === 'function') {
      matchMedia('(prefers-color-scheme: dark)').addEventListener('change', (event) => {
        this.systemDark = event.matches;
        this.apply();
      });
    }
  }

  get resolved(): 'light' | 'dark' {
    if (this.choice === 'system') return this.systemDark ? 'dark' : 'light';
    return this.choice;
  }

  set(choice: ThemeChoice): void {
    this.choice = choice;
    try {
      if (choice === 'system') localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, choice);
    } catch {
      // Private storage unavailable: the choice lasts for this run only.
    }
    this.apply();
  }

  /** Writes the resolved theme onto <html>. */
  apply(): void {
    document.documentElement.dataset.theme = this.resolved;
  }
}

export const theme = new Theme();
