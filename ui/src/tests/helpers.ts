import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { expect } from 'vitest';
import App from '../App.svelte';
import type { AppError } from '../lib/bindings/AppError';
import type { WindowRequest } from '../lib/bindings/WindowRequest';
import { FakeBackend, type FakeOptions } from '../lib/fake-backend';

/** Renders the whole app over a fake backend, signed in as an Admin unless told otherwise. */
export async function openApp(options: FakeOptions = {}) {
  const signedIn = options.signedInAs === undefined ? 'admin' : options.signedInAs;
  const fake = new FakeBackend({ users: 2000, ...options, signedInAs: signedIn });
  const user = userEvent.setup();
  const view = render(App, { props: { backend: fake } });
  if (fake.latencyMs === 0 && signedIn !== null) {
    // Signed in: wait for the first window (the counts arrive with it).
    await screen.findByRole('tab', { name: /^Active [\d,]+$/ });
  }
  return { fake, user, view };
}

export function theGrid(): HTMLElement {
  return screen.getByRole('grid');
}

/** The user rows in the DOM (not the header row). */
export function dataRows(): HTMLElement[] {
  return within(theGrid())
    .getAllByRole('row')
    .filter((row) => row.getAttribute('aria-rowindex') !== '1');
}

/** The accessible description: the text of the elements aria-describedby points at. */
export function descriptionOf(element: HTMLElement): string {
  return (element.getAttribute('aria-describedby') ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ');
}

/** The number shown after a tab's name: "Active 1,234" → 1234. */
export function tabCount(name: 'Active' | 'Pending' | 'Archived'): number {
  const tab = screen.getByRole('tab', { name: new RegExp(`^${name}\\b`) });
  return Number((tab.textContent ?? '').replace(/[^\d]/g, ''));
}

/** What a call rejected with; fails the test when it resolved. */
export async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected the call to reject');
}

/** Finds a user of the given role (and status) through the backend, as a test fixture. */
export async function someone(
  fake: FakeBackend,
  role: string,
  tab: WindowRequest['tab'] = 'active',
) {
  const window = await fake.usersWindow({
    tab,
    search: '',
    sort: { key: 'role', descending: false },
    offset: 0,
    limit: 2000,
  });
  const row = window.rows.find((r) => r.role === role);
  if (row === undefined) throw new Error(`the fake has no ${tab} ${role}`);
  return row;
}

export type User = Awaited<ReturnType<typeof openApp>>['user'];

/** Searches for a user by e-mail and opens their panel. */
export async function openUser(user: User, email: string, displayName: string) {
  const search = screen.getByRole('searchbox', { name: 'Search users' });
  await user.clear(search);
  await user.type(search, email);
  await waitFor(() => expect(dataRows()).toHaveLength(1));
  await user.click(dataRows()[0]!);
  return screen.findByRole('dialog', { name: displayName });
}

export async function loaded(panel: HTMLElement) {
  await within(panel).findByRole('textbox', { name: 'E-mail' });
  return within(panel);
}
