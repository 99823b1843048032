// The Users table's state machine on its own, with answers released by hand
// in whatever order a test wants (the IPC gives no ordering guarantee).
import { describe, expect, it } from 'vitest';
import type { UserRow } from '../lib/bindings/UserRow';
import type { UsersWindow } from '../lib/bindings/UsersWindow';
import type { WindowRequest } from '../lib/bindings/WindowRequest';
import { UsersTable } from '../lib/users-table.svelte';

interface Asked {
  request: WindowRequest;
  answer: (window: UsersWindow) => void;
  fail: (error: unknown) => void;
}

/** A backend whose every answer waits until the test gives it. */
function heldBackend() {
  const asked: Asked[] = [];
  const fetchWindow = (request: WindowRequest) =>
    new Promise<UsersWindow>((answer, fail) => asked.push({ request, answer, fail }));
  return { asked, fetchWindow };
}

function row(name: string): UserRow {
  return {
    id: name,
    displayName: name,
    email: `${name.toLowerCase()}@example.com`,
    role: 'member',
    roleName: 'Member',
    status: 'active',
    lastActive: null,
    invitationExpired: false,
    departments: [],
  } as UserRow;
}

/** A window with `names` as its rows and `total` users in the tab. */
function windowOf(names: string[], total = names.length): UsersWindow {
  return {
    total,
    counts: { active: total, pending: 1, archived: 2 },
    offset: 0,
    rows: names.map(row),
  } as UsersWindow;
}

/** Lets the table's awaits run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function shown(table: UsersTable): string[] {
  const names: string[] = [];
  for (let i = 0; i < (table.total ?? 0); i++) {
    const found = table.rowAt(i);
    if (found) names.push(found.displayName);
  }
  return names;
}

/** A table showing its first answer (everyone). */
async function loadedTable() {
  const backend = heldBackend();
  const table = new UsersTable(backend.fetchWindow);
  table.ensure(0, 10);
  backend.asked.shift()!.answer(windowOf(['Ada', 'Bo', 'Cy'], 3000));
  await settle();
  return { table, ...backend };
}

describe('UsersTable', () => {
  it('asks once per keystroke and ignores an answer to an older search', async () => {
    const { table, asked } = await loadedTable();
    table.setSearch('b');
    table.setSearch('bo');
    expect(
      asked.map((a) => a.request.search),
      'one request per search typed, for the first block only',
    ).toEqual(['b', 'bo']);
    const [forB, forBo] = [asked[0]!, asked[1]!];
    // The newer answer arrives first, the older one after it.
    forBo.answer(windowOf(['Bo'], 1));
    await settle();
    forB.answer(windowOf(['Bo', 'Bob', 'Abe'], 3));
    await settle();
    expect(shown(table), 'the late answer for "b" must not replace the one for "bo"').toEqual([
      'Bo',
    ]);
    expect(table.total).toBe(1);
    expect(table.counts?.active, 'the counts are those of "bo" too').toBe(1);
    expect(table.loading).toBe(false);
  });

  it('keeps the previous rows, marked as loading, until a new search is answered', async () => {
    const { table, asked } = await loadedTable();
    const revision = table.revision;
    table.setSearch('c');
    expect(table.loading, 'the table says it is loading').toBe(true);
    expect(shown(table), 'the previous rows stay until the answer').toEqual(['Ada', 'Bo', 'Cy']);
    expect(table.total).toBe(3000);
    expect(table.revision, 'nothing to re-render before the answer').toBe(revision);
    asked.shift()!.answer(windowOf(['Cy'], 1));
    await settle();
    expect(table.loading).toBe(false);
    expect(shown(table)).toEqual(['Cy']);
    expect(table.counts?.active).toBe(1);
  });

  it('drops every block of the previous search with its first answer', async () => {
    const { table, asked } = await loadedTable();
    // A second block of the unsearched list is cached too.
    table.ensure(40, 50);
    asked.shift()!.answer({ ...windowOf(['Zed'], 3000), offset: 40 });
    await settle();
    expect(table.rowAt(40)?.displayName).toBe('Zed');
    table.setSearch('a');
    asked.shift()!.answer(windowOf(['Ada'], 3000));
    await settle();
    expect(table.rowAt(40), 'an old row elsewhere in the list is not kept').toBeUndefined();
  });

  it('empties the table when the tab changes', async () => {
    const { table, asked } = await loadedTable();
    table.setTab('pending');
    expect(table.total, "another tab's rows are not shown under this one").toBeNull();
    expect(shown(table)).toEqual([]);
    asked.shift()!.answer(windowOf(['Pat'], 1));
    await settle();
    expect(shown(table)).toEqual(['Pat']);
  });

  it('shows the error, not the previous rows, when the new search fails', async () => {
    const { table, asked } = await loadedTable();
    table.setSearch('x');
    asked.shift()!.fail({ kind: 'internal', message: 'broken' });
    await settle();
    expect(table.error?.message).toBe('broken');
    expect(table.loading).toBe(false);
    expect(table.total).toBeNull();
    expect(shown(table)).toEqual([]);
  });
});
