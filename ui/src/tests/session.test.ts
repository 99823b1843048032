import { screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_ADMIN_EMAIL, FAKE_PASSWORD } from '../lib/fake-backend';
import { dataRows, openApp } from './helpers';

afterEach(() => {
  localStorage.clear();
  delete document.documentElement.dataset.theme;
});

describe('an expired session', () => {
  it('asks to sign in again over the current screen and carries on where the user was', async () => {
    const { user, fake } = await openApp();
    // Get somewhere: the Archived tab, a search, an open panel with an unsaved change.
    await user.click(screen.getByRole('tab', { name: /^Archived/ }));
    const archived = await fake.usersWindow({
      tab: 'archived',
      search: '',
      sort: { key: 'name', descending: false },
      offset: 7,
      limit: 1,
    });
    const someone = archived.rows[0]!;
    const search = screen.getByRole('searchbox', { name: 'Search users' }) as HTMLInputElement;
    await user.type(search, someone.email);
    await waitFor(() => expect(dataRows()[0]?.textContent).toContain(someone.displayName));
    const row = dataRows()[0]!;
    const name = row.querySelector('.name')!.textContent!;
    await user.click(row);
    const panel = within(await screen.findByRole('dialog', { name }));
    const lastName = await panel.findByRole('textbox', { name: 'Last name' });
    await user.type(lastName, '-Lindqvist');

    fake.expireSession();
    await user.click(panel.getByRole('button', { name: 'Save' }));

    const signIn = within(await screen.findByRole('dialog', { name: 'Sign in again' }));
    expect((signIn.getByRole('textbox', { name: 'E-mail' }) as HTMLInputElement).value).toBe(
      FAKE_ADMIN_EMAIL,
    );
    await user.type(signIn.getByLabelText('Password'), 'wrong');
    await user.click(signIn.getByRole('button', { name: 'Sign in' }));
    expect((await signIn.findByRole('alert')).textContent).toContain('incorrect');

    await user.clear(signIn.getByLabelText('Password'));
    await user.type(signIn.getByLabelText('Password'), FAKE_PASSWORD);
    await user.click(signIn.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Sign in again' })).toBeNull());

    // The save that was waiting went through, and nothing else moved.
    expect(await panel.findByText('Changes saved.')).toBeTruthy();
    expect((panel.getByRole('textbox', { name: 'Last name' }) as HTMLInputElement).value).toMatch(
      /-Lindqvist$/,
    );
    expect(fake.callsTo('connectWithPassword').at(-1)?.slice(0, 2)).toEqual([
      'https://roster.nordlys-consulting.example',
      FAKE_ADMIN_EMAIL,
    ]);
    expect(screen.getByRole('tab', { name: /^Archived/ }).getAttribute('aria-selected')).toBe(
      'true',
    );
    expect(search.value).toBe(someone.email);
    expect(screen.getByRole('dialog', { name: new RegExp(name.split(' ')[0]!) })).toBeTruthy();
  });

  it('offers to sign out instead', async () => {
    const { user, fake } = await openApp();
    fake.expireSession();
    await user.click(screen.getByRole('tab', { name: /^Pending/ }));
    const signIn = within(await screen.findByRole('dialog', { name: 'Sign in again' }));
    await user.click(signIn.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('button', { name: 'Explore the demo' })).toBeTruthy();
  });
});

describe('a lost network', () => {
  it('shows a banner whose Retry finishes what was waiting', async () => {
    const { user, fake } = await openApp();
    fake.setOffline(true);
    await user.click(screen.getByRole('tab', { name: /^Pending/ }));
    const banner = await screen.findByRole('alert');
    expect(banner.textContent).toContain("You're offline");
    fake.setOffline(false);
    await user.click(within(banner).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    await waitFor(() => expect(dataRows().length).toBeGreaterThan(0));
  });
});

describe('the title area', () => {
  it('shows the connection, switches theme and remembers it', async () => {
    const { user } = await openApp();
    expect(screen.getByText('Roster')).toBeTruthy();
    expect(screen.getByRole('button', { name: /^Connection: Amara Okafor/ })).toBeTruthy();
    const theme = within(screen.getByRole('radiogroup', { name: 'Theme' }));
    expect(theme.getByRole('radio', { name: 'System' }).getAttribute('aria-checked')).toBe('true');
    await user.click(theme.getByRole('radio', { name: 'Dark' }));
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(localStorage.getItem('roster.theme')).toBe('dark');
    await user.click(theme.getByRole('radio', { name: 'Light' }));
    expect(document.documentElement.dataset.theme).toBe('light');
    await user.click(theme.getByRole('radio', { name: 'System' }));
    expect(
      localStorage.getItem('roster.theme'),
      'System is the default: nothing stored',
    ).toBeNull();
  });

  it('warns when the keychain could not be used', async () => {
    await openApp({ keychainWarning: 'The Secret Service is not running.' });
    const warning = screen
      .getAllByRole('status')
      .find((status) => status.textContent?.includes('Not saved in the keychain.'));
    expect(warning?.textContent).toContain('The Secret Service is not running.');
  });

  it('shows no keychain warning when the keychain works', async () => {
    await openApp();
    expect(screen.queryByText('Not saved in the keychain.')).toBeNull();
  });

  it('lists saved connections in a menu with “Add connection”', async () => {
    const { user } = await openApp();
    await user.click(screen.getByRole('button', { name: /^Connection:/ }));
    const menu = within(await screen.findByRole('menu'));
    expect(
      menu.getByRole('menuitemradio', { name: /Amara Okafor/ }).getAttribute('aria-checked'),
    ).toBe('true');
    await user.click(menu.getByRole('menuitem', { name: 'Add connection' }));
    expect(await screen.findByRole('textbox', { name: 'Server URL' })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(await screen.findByRole('grid')).toBeTruthy();
  });

  it('signs out and forgets the session', async () => {
    const { user, fake } = await openApp();
    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('button', { name: 'Explore the demo' })).toBeTruthy();
    expect(fake.callsTo('signOut')).toHaveLength(1);
    expect(await fake.currentConnection()).toBeNull();
  });
});
