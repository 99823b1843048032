import { screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { SyncState } from '../lib/bindings/SyncState';
import { FakeBackend } from '../lib/fake-backend';
import App from '../App.svelte';
import { render } from '@testing-library/svelte';
import { dataRows, descriptionOf, openApp } from './helpers';

describe('the offline copy', () => {
  it('shows how many users it holds and as of when, and syncs on demand', async () => {
    const { user, fake } = await openApp();
    const asOf = await screen.findByText(/users · as of/);
    expect(asOf.textContent).toMatch(/2,000 users · as of (just now|now)/);
    const before = fake.callsTo('usersWindow').length;
    await user.click(screen.getByRole('button', { name: 'Sync' }));
    expect(fake.callsTo('syncNow').length).toBe(1);
    // A finished sync shows the table again (the copy may have changed).
    await waitFor(() => expect(fake.callsTo('usersWindow').length).toBeGreaterThan(before));
  });

  it('keeps the newest state when the first answer arrives after a later event', async () => {
    // The sync finishes (an event) while the app's first question about the
    // sync state is still on its way back with "running": the late answer
    // must not bring the progress bar back for good.
    let answerLate = (): void => {};
    class LateAnswer extends FakeBackend {
      override async syncState(): Promise<SyncState> {
        const stale = await super.syncState();
        await new Promise<void>((resolve) => (answerLate = resolve));
        return stale;
      }
    }
    const fake = new LateAnswer({ users: 200, signedInAs: 'admin' });
    fake.setSync({ running: { phase: 'full', done: 200, total: 200 } });
    render(App, { props: { backend: fake } });
    await waitFor(() => expect(fake.callsTo('syncState').length).toBe(1));
    fake.setSync({ running: null });
    answerLate();
    expect(await screen.findByRole('button', { name: 'Sync' })).toBeTruthy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  it('shows a sync under way with counts, and cancels it', async () => {
    const { user, fake } = await openApp();
    await screen.findByRole('button', { name: 'Sync' });
    fake.setSync({ running: { phase: 'full', done: 1500, total: 100000 } });
    const bar = await screen.findByRole('progressbar', {
      name: 'Downloading users: 1,500 of 100,000',
    });
    expect(bar.getAttribute('aria-valuenow')).toBe('1500');
    expect(bar.getAttribute('aria-valuemax')).toBe('100000');
    expect(screen.queryByRole('button', { name: 'Sync' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Cancel sync' }));
    expect(fake.callsTo('cancelSync').length).toBe(1);
    await waitFor(() => expect(screen.queryByRole('progressbar')).toBeNull());
    expect((await screen.findByText(/The sync was cancelled/)).textContent).toContain(
      'offline copy is as it was',
    );
  });

  it('while offline: says so with the time, keeps browsing and searching, disables changes', async () => {
    const { user, fake } = await openApp();
    await screen.findByRole('button', { name: 'Sync' });
    fake.setSync({ offline: true, asOf: '2026-11-20T08:30:00Z' });
    const banner = await screen.findByText(/Offline — as of/);
    expect(banner.closest('[role="status"]')).not.toBeNull();
    expect(screen.getByRole('button', { name: 'Reconnect now' })).toBeTruthy();

    const invite = screen.getByRole('button', { name: 'Invite user' });
    expect((invite as HTMLButtonElement).disabled).toBe(true);
    expect(descriptionOf(invite)).toContain("You're offline: this needs the server");

    const search = screen.getByRole('searchbox', { name: 'Search users' });
    await user.type(search, 'zoe');
    await waitFor(() => expect(dataRows()[0]?.textContent).toContain('Zoë'));
    const row = dataRows()[0]!;
    const name = row.querySelector('.name')!.textContent!;
    await user.click(row);
    const panel = within(await screen.findByRole('dialog', { name }));
    const archive = await panel.findByRole('button', { name: 'Archive' });
    expect((archive as HTMLButtonElement).disabled).toBe(true);
    expect(descriptionOf(archive)).toContain("You're offline");
    expect((panel.getByRole('button', { name: 'Delete' }) as HTMLButtonElement).disabled).toBe(
      true,
    );

    // The network is back: the banner goes and changes are possible again.
    fake.setSync({ offline: false });
    await waitFor(() => expect(screen.queryByText(/Offline — as of/)).toBeNull());
    await waitFor(() =>
      expect((panel.getByRole('button', { name: 'Archive' }) as HTMLButtonElement).disabled).toBe(
        false,
      ),
    );
  });

  it('tells what happened to the copy itself', async () => {
    const { fake } = await openApp();
    await screen.findByRole('button', { name: 'Sync' });
    fake.setSync({
      notice:
        "This connection's offline copy was damaged. Roster set it aside and is downloading a fresh copy.",
    });
    expect(
      (await screen.findByText(/offline copy was damaged/)).closest('[role="status"]'),
    ).not.toBeNull();
  });

  it('asks to sign in again when the sync finds the session over', async () => {
    const { fake } = await openApp();
    await screen.findByRole('button', { name: 'Sync' });
    expect(screen.queryByRole('dialog', { name: 'Sign in again' })).toBeNull();
    fake.setSync({
      sessionEnded: true,
      error: 'The sync did not finish: Your session has ended; sign in again.',
    });
    expect(await screen.findByRole('dialog', { name: 'Sign in again' })).toBeTruthy();
  });
});
