// How the app starts: the Users table's first window is asked for before the
// page is built, and the table uses that answer; the grid does not make the
// browser lay out the page while it mounts.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { UsersWindow } from '../lib/bindings/UsersWindow';
import type { WindowRequest } from '../lib/bindings/WindowRequest';
import { firstRequest } from '../lib/users-table.svelte';
import { openApp } from './helpers';

const invoke = vi.hoisted(() => vi.fn());
vi.mock('@tauri-apps/api/core', () => ({ invoke }));

const { TauriBackend } = await import('../lib/tauri-backend');

function answer(total: number): UsersWindow {
  return {
    rows: [],
    total,
    counts: { active: total, pending: 0, archived: 0 },
  } as unknown as UsersWindow;
}

/** The window requests made, with their command. */
function windowCalls(): [string, WindowRequest][] {
  return invoke.mock.calls
    .filter(([command]) => String(command).endsWith('users_window'))
    .map(([command, args]) => [command as string, (args as { request: WindowRequest }).request]);
}

afterEach(() => {
  invoke.mockReset();
});

/** Answers commands by name; every call is recorded by the mock. */
function answering(answers: Record<string, () => Promise<unknown>>): void {
  invoke.mockImplementation((command: string) => {
    const answer = answers[command];
    return answer ? answer() : Promise.reject(new Error(`unexpected ${command}`));
  });
}

describe('the first window, asked for as the app starts', () => {
  it('is the answer to the table’s first request, without asking again', async () => {
    let served = 0;
    answering({
      first_users_window: () => Promise.resolve(answer(7)),
      users_window: () => Promise.resolve(answer(100 + ++served)),
    });
    const backend = new TauriBackend();
    backend.prefetchUsersWindow(firstRequest());
    await expect(backend.usersWindow(firstRequest())).resolves.toEqual(answer(7));
    // Only once: the next request is asked afresh.
    await expect(backend.usersWindow(firstRequest())).resolves.toEqual(answer(101));
    expect(windowCalls()).toEqual([
      ['first_users_window', firstRequest()],
      ['users_window', firstRequest()],
    ]);
  });

  it('is not used for another question, nor kept for later', async () => {
    answering({
      first_users_window: () => Promise.resolve(answer(7)),
      users_window: () => Promise.resolve(answer(2)),
    });
    const backend = new TauriBackend();
    backend.prefetchUsersWindow(firstRequest());
    const other = { ...firstRequest(), search: 'zoé' };
    await expect(backend.usersWindow(other)).resolves.toEqual(answer(2));
    await expect(backend.usersWindow(firstRequest())).resolves.toEqual(answer(2));
    expect(windowCalls().map(([command]) => command)).toEqual([
      'first_users_window',
      'users_window',
      'users_window',
    ]);
  });

  it('without a synced copy, or failing, leaves the table to ask as usual', async () => {
    for (const early of [
      () => Promise.resolve(null),
      () => Promise.reject({ kind: 'internal', message: 'the copy could not be read' }),
    ]) {
      invoke.mockReset();
      answering({
        first_users_window: early,
        users_window: () => Promise.resolve(answer(5)),
      });
      const backend = new TauriBackend();
      backend.prefetchUsersWindow(firstRequest());
      await expect(backend.usersWindow(firstRequest())).resolves.toEqual(answer(5));
      expect(windowCalls().map(([command]) => command)).toEqual([
        'first_users_window',
        'users_window',
      ]);
    }
  });

  it('is waited for by the connection’s answer, so the screen is built with its rows', async () => {
    let release: (window: UsersWindow) => void = () => undefined;
    const connection = { profile: { id: 'p1' } };
    answering({
      current_connection: () => Promise.resolve(connection),
      first_users_window: () => new Promise((resolve) => (release = resolve)),
    });
    const backend = new TauriBackend();
    backend.prefetchUsersWindow(firstRequest());
    let connected = false;
    const asked = backend.currentConnection().then((current) => {
      connected = true;
      return current;
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(connected, 'the connection waits for the first window').toBe(false);
    release(answer(3));
    await expect(asked).resolves.toEqual(connection);
    await expect(backend.usersWindow(firstRequest())).resolves.toEqual(answer(3));
  });
});

describe('the grid as it mounts', () => {
  it('does not read its scroll position (which would lay out the page early)', async () => {
    const read = vi.spyOn(Element.prototype, 'scrollTop', 'get');
    try {
      await openApp();
      expect(read).not.toHaveBeenCalled();
    } finally {
      read.mockRestore();
    }
  });
});
