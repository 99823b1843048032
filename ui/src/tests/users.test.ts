import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { WindowRequest } from '../lib/bindings/WindowRequest';
import { FakeBackend } from '../lib/fake-backend';
import { dataRows, openApp, tabCount, theGrid } from './helpers';

const everyone = (fake: FakeBackend, request: Partial<WindowRequest> = {}) =>
  fake.usersWindow({
    tab: 'active',
    search: '',
    sort: { key: 'name', descending: false },
    offset: 0,
    limit: 5,
    ...request,
  });

function searchBox(): HTMLInputElement {
  return screen.getByRole('searchbox', { name: 'Search users' }) as HTMLInputElement;
}

function names(): string[] {
  return dataRows().map((row) => within(row).getAllByRole('gridcell')[0]?.textContent ?? '');
}

describe('the Users table', () => {
  it('has Active, Pending and Archived tabs with their counts', async () => {
    const { fake } = await openApp();
    const { counts } = await everyone(fake);
    expect(counts.active + counts.pending + counts.archived).toBe(2000);
    const format = new Intl.NumberFormat();
    for (const [name, count] of [
      ['Active', counts.active],
      ['Pending', counts.pending],
      ['Archived', counts.archived],
    ] as const) {
      expect(
        screen.getByRole('tab', { name: `${name} ${format.format(count)}` }),
        `the ${name} tab shows its count`,
      ).toBeTruthy();
    }
    expect(screen.getByRole('tab', { name: /^Active/ }).getAttribute('aria-selected')).toBe('true');
  });

  it('switches tabs and shows that tab’s rows', async () => {
    const { user, fake } = await openApp();
    await user.click(screen.getByRole('tab', { name: /^Pending/ }));
    await waitFor(() => expect(theGrid().getAttribute('aria-label')).toBe('Pending users'));
    const { rows } = await everyone(fake, { tab: 'pending' });
    expect(
      await within(theGrid()).findByRole('row', { name: new RegExp(rows[0]!.email) }),
    ).toBeTruthy();
    expect(dataRows().length).toBeGreaterThan(0);
  });

  it('filters as you type, ignoring case and accents, and says when nothing matches', async () => {
    const { user, fake } = await openApp();
    // No offline copy yet: every search goes to the server, so typing waits
    // for a pause.
    await screen.findByRole('button', { name: 'Sync' });
    fake.setSync({ asOf: null });
    await screen.findByText('Not synced yet');
    const before = tabCount('Active');
    await user.type(searchBox(), 'ZOE');
    await waitFor(() => expect(tabCount('Active')).toBeLessThan(before));
    const rows = names();
    expect(rows.length).toBeGreaterThan(0);
    expect(
      rows.every((name) => name.includes('Zoë')),
      `"ZOE" finds Zoë (accent- and case-insensitive): ${rows.join(' | ')}`,
    ).toBe(true);
    const searches = fake
      .callsTo('usersWindow')
      .map(([request]) => (request as WindowRequest).search);
    expect(searches, 'typing quickly sends one debounced search, not one per key').not.toContain(
      'Z',
    );

    await user.clear(searchBox());
    await user.type(searchBox(), 'qqqqzzzz');
    expect(await screen.findByText('No users match “qqqqzzzz”')).toBeTruthy();

    await user.clear(searchBox());
    await waitFor(() => expect(tabCount('Active')).toBe(before));
  });

  it('searches the offline copy on every key, without waiting for a pause', async () => {
    const { user, fake } = await openApp();
    await screen.findByRole('button', { name: 'Sync' });
    await user.type(searchBox(), 'zoe');
    await waitFor(() => expect(names().every((name) => name.includes('Zoë'))).toBe(true));
    const searches = fake
      .callsTo('usersWindow')
      .map(([request]) => (request as WindowRequest).search);
    expect(searches).toContain('z');
    expect(searches).toContain('zo');
  });

  it('empties the search box again from code when the person empties it (WebKitGTK repaint)', async () => {
    const { user } = await openApp();
    await screen.findByRole('button', { name: 'Sync' });
    const box = searchBox();
    await user.type(box, 'zo');
    await waitFor(() => expect(names().every((name) => name.includes('Zo'))).toBe(true));
    // Deleting the last letter: the browser edits the value, then says so.
    box.value = '';
    const written = vi.spyOn(box, 'value', 'set');
    box.dispatchEvent(
      new InputEvent('input', { bubbles: true, inputType: 'deleteContentBackward' }),
    );
    expect(written).toHaveBeenLastCalledWith('');
    expect(box.value).toBe('');
    await waitFor(() => expect(names().some((name) => !name.includes('Zo'))).toBe(true));

    // An input method still composing: left alone.
    await user.type(box, 'z');
    box.value = '';
    written.mockClear();
    box.dispatchEvent(new InputEvent('input', { bubbles: true, isComposing: true }));
    expect(written).not.toHaveBeenCalled();
  });

  it('never shows the rows of a search that was overtaken', async () => {
    const { user, fake } = await openApp();
    const held = fake.holdNext('usersWindow');
    await user.type(searchBox(), 'zoe');
    await held.started; // the "zoe" window is in flight…
    await user.clear(searchBox());
    await user.type(searchBox(), 'okafor'); // …when the search changes
    await within(theGrid()).findAllByRole('row', { name: /Okafor/ });
    // Hold any later request too, so nothing can paper over a wrongly kept answer.
    const later = fake.holdNext('usersWindow');
    held.release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(
      names().every((name) => name.includes('Okafor')),
      `the late "zoe" answer is dropped: ${names().slice(0, 3).join(' | ')}`,
    ).toBe(true);
    later.release();
  });

  it('sorts by a column when its header is clicked', async () => {
    const { user, fake } = await openApp();
    const nameHeader = screen.getByRole('columnheader', { name: 'Name' });
    expect(nameHeader.getAttribute('aria-sort')).toBe('ascending');

    await user.click(within(nameHeader).getByRole('button', { name: 'Name' }));
    await waitFor(() => expect(nameHeader.getAttribute('aria-sort')).toBe('descending'));
    const { rows } = await everyone(fake, { sort: { key: 'name', descending: true } });
    await waitFor(() => expect(names()[0]).toContain(rows[0]!.displayName));

    const roleHeader = screen.getByRole('columnheader', { name: 'Role' });
    await user.click(within(roleHeader).getByRole('button', { name: 'Role' }));
    await waitFor(() => expect(roleHeader.getAttribute('aria-sort')).toBe('ascending'));
    expect(nameHeader.hasAttribute('aria-sort'), 'only the sorted column says so').toBe(false);
    const departments = screen.getByRole('columnheader', { name: 'Departments' });
    expect(within(departments).queryByRole('button'), 'Departments is not sortable').toBeNull();
    const last = fake.callsTo('usersWindow').at(-1)?.[0] as WindowRequest;
    expect(last.sort).toEqual({ key: 'role', descending: false });
  });

  it('moves through rows with the keyboard and opens one with Enter', async () => {
    const { user } = await openApp();
    const grid = theGrid();
    grid.focus();
    const selected = () => dataRows().find((row) => row.getAttribute('aria-selected') === 'true');
    expect(selected()?.getAttribute('aria-rowindex')).toBe('2');

    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(selected()?.getAttribute('aria-rowindex')).toBe('4');
    expect(grid.getAttribute('aria-activedescendant')).toBe(selected()?.id);
    await user.keyboard('{ArrowUp}');
    expect(selected()?.getAttribute('aria-rowindex')).toBe('3');

    await user.keyboard('{End}');
    const total = tabCount('Active');
    await waitFor(() => expect(selected()?.getAttribute('aria-rowindex')).toBe(String(total + 1)));
    await user.keyboard('{PageUp}');
    await waitFor(() =>
      expect(Number(selected()?.getAttribute('aria-rowindex'))).toBeLessThan(total - 5),
    );
    await user.keyboard('{Home}');
    await waitFor(() => expect(selected()?.getAttribute('aria-rowindex')).toBe('2'));
    await user.keyboard('{PageDown}');
    await waitFor(() =>
      expect(Number(selected()?.getAttribute('aria-rowindex'))).toBeGreaterThan(8),
    );

    await user.keyboard('{Home}{ArrowDown}');
    const name = within(selected()!)
      .getAllByRole('gridcell')[0]!
      .querySelector('.name')!.textContent!;
    await user.keyboard('{Enter}');
    const panel = await screen.findByRole('dialog', { name });
    expect(panel).toBeTruthy();

    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('focuses the search box with "/" unless typing in a field', async () => {
    const { user } = await openApp();
    theGrid().focus();
    await user.keyboard('/');
    expect(document.activeElement).toBe(searchBox());
    expect(searchBox().value, 'the "/" is not typed into the box').toBe('');
    await user.keyboard('a/b');
    expect(searchBox().value, 'inside a field "/" is just a character').toBe('a/b');
  });

  it('shows Never for someone who never signed in and the exact time on hover', async () => {
    const { user } = await openApp();
    const sortLastActive = within(screen.getByRole('columnheader', { name: 'Last active' }));
    await user.click(sortLastActive.getByRole('button', { name: 'Last active' }));
    const firstRow = await waitFor(() => {
      const row = dataRows()[0]!;
      expect(row.textContent).toContain('Never');
      return row;
    });
    expect(firstRow).toBeTruthy();
    await user.click(sortLastActive.getByRole('button', { name: 'Last active' }));
    await waitFor(() => expect(dataRows()[0]!.textContent).toMatch(/ago|now|minute|hour/));
    const when = within(dataRows()[0]!).getAllByRole('gridcell')[2]!.querySelector('[title]');
    expect(when?.getAttribute('title'), 'the exact local time is in the tooltip').toMatch(/\d{4}/);
  });

  it('marks expired invitations in the Pending tab', async () => {
    const { user } = await openApp();
    await user.click(screen.getByRole('tab', { name: /^Pending/ }));
    await user.click(
      within(screen.getByRole('columnheader', { name: 'Name' })).getByRole('button', {
        name: 'Name',
      }),
    );
    await waitFor(() => expect(dataRows().length).toBeGreaterThan(5));
    const texts = dataRows().map((row) => row.textContent ?? '');
    expect(texts.some((text) => text.includes('Invitation expired'))).toBe(true);
  });

  it('says so when a tab is empty', async () => {
    const { user } = await openApp({ users: 3 });
    await user.click(screen.getByRole('tab', { name: /^Pending/ }));
    expect(await screen.findByText('No pending invitations')).toBeTruthy();
    await user.click(screen.getByRole('tab', { name: /^Archived/ }));
    expect(await screen.findByText('No archived users')).toBeTruthy();
  });

  it('shows an error with Retry when a window fails to load', async () => {
    const { user, fake } = await openApp({ signedInAs: 'admin' });
    fake.failNext('internal', 'The server had a problem.', 'usersWindow');
    await user.click(screen.getByRole('tab', { name: /^Archived/ }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The server had a problem.');
    await user.click(within(alert).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    expect(dataRows().length).toBeGreaterThan(0);
  });

  it('shows skeleton rows while loading', async () => {
    const { user, fake } = await openApp();
    const held = fake.holdNext('usersWindow');
    await user.click(screen.getByRole('tab', { name: /^Archived/ }));
    await held.started;
    expect(theGrid().getAttribute('aria-busy')).toBe('true');
    expect(screen.getByRole('status').textContent).toContain('Loading users');
    held.release();
    await waitFor(() => expect(theGrid().getAttribute('aria-busy')).toBe('false'));
  });

  it('renders only the rows in view, even with 100,000 users', async () => {
    const { fake } = await openApp({ users: 100_000 });
    const { counts } = await everyone(fake);
    expect(counts.active + counts.pending + counts.archived).toBe(100_000);
    const grid = theGrid();
    expect(Number(grid.getAttribute('aria-rowcount'))).toBe(counts.active + 1);
    expect(dataRows().length).toBeGreaterThan(5);
    expect(dataRows().length, 'the DOM holds tens of rows, not thousands').toBeLessThan(40);

    // Scroll to the middle: the rows there are fetched as a window and rendered.
    const viewport = within(grid).getAllByRole('rowgroup')[1]!;
    viewport.scrollTop = 52 * 40_000;
    await fireEvent.scroll(viewport);
    await waitFor(() =>
      expect(
        dataRows().some((row) => row.getAttribute('aria-rowindex') === '40002'),
        'the row at index 40,000 is rendered after scrolling there',
      ).toBe(true),
    );
    expect(dataRows().length).toBeLessThan(40);
    const windows = fake.callsTo('usersWindow').map(([r]) => r as WindowRequest);
    expect(Math.max(...windows.map((w) => w.limit)), 'windows are small').toBeLessThanOrEqual(100);
    expect(windows.some((w) => w.offset >= 39_900 && w.offset <= 40_000)).toBe(true);
  });
});
