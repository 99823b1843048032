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

function windowCalls(): WindowRequest[] {
  return invoke.mock.calls
    .filter(([command]) => command === 'users_window')
    .map(([, args]) => (args as { request: WindowRequest }).request);
}

afterEach(() => {
  invoke.mockReset();
});

describe('the first window, asked for as the app starts', () => {
  it('is the answer to the table’s first request, without asking again', async () => {
    invoke.mockResolvedValueOnce(answer(7));
    const backend = new TauriBackend();
    backend.prefetchUsersWindow(firstRequest());
    expect(windowCalls()).toHaveLength(1);
    await expect(backend.usersWindow(firstRequest())).resolves.toEqual(answer(7));
    expect(windowCalls()).toHaveLength(1);
    // Only once: the next request is asked afresh.
    invoke.mockResolvedValueOnce(answer(8));
    await expect(backend.usersWindow(firstRequest())).resolves.toEqual(answer(8));
    expect(windowCalls()).toHaveLength(2);
  });

  it('is not used for another question, nor kept for later', async () => {
    invoke.mockResolvedValueOnce(answer(7));
    const backend = new TauriBackend();
    backend.prefetchUsersWindow(firstRequest());
    const other = { ...firstRequest(), search: 'zoé' };
    invoke.mockResolvedValueOnce(answer(2));
    await expect(backend.usersWindow(other)).resolves.toEqual(answer(2));
    invoke.mockResolvedValueOnce(answer(9));
    await expect(backend.usersWindow(firstRequest())).resolves.toEqual(answer(9));
    expect(windowCalls()).toEqual([firstRequest(), other, firstRequest()]);
  });

  it('that failed is asked again, and only that answer counts', async () => {
    invoke.mockRejectedValueOnce({ kind: 'offline', message: 'no network' });
    const backend = new TauriBackend();
    backend.prefetchUsersWindow(firstRequest());
    invoke.mockResolvedValueOnce(answer(5));
    await expect(backend.usersWindow(firstRequest())).resolves.toEqual(answer(5));
    expect(windowCalls()).toHaveLength(2);
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
