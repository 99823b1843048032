import { screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { DEPARTMENTS } from '../lib/fake-catalogue';
import { dataRows, openApp, tabCount } from './helpers';

const everyone = { tab: 'active', search: '', sort: { key: 'name', descending: false } } as const;

describe('the department filter', () => {
  it('narrows the table and the tab counts to one department, and back', async () => {
    const { fake, user } = await openApp();
    const all = tabCount('Active');
    const department = DEPARTMENTS[4]!;
    const expected = await fake.usersWindow({ ...everyone, offset: 0, limit: 5, department });
    expect(expected.total).toBeGreaterThan(0);
    expect(expected.total).toBeLessThan(all);
    for (const row of expected.rows) expect(row.departments).toContain(department);

    const filter = screen.getByRole('combobox', { name: 'Department' });
    await user.selectOptions(filter, department);
    await waitFor(() => expect(tabCount('Active')).toBe(expected.total));
    const asked = fake.callsTo('usersWindow').at(-1)?.[0] as { department: string | null };
    expect(asked.department).toBe(department);
    // The rows shown are the department's, in order.
    await waitFor(() =>
      expect(dataRows()[0]?.textContent).toContain(expected.rows[0]!.displayName),
    );
    const shown = dataRows().slice(0, expected.rows.length);
    expected.rows.forEach((row, i) => expect(shown[i]?.textContent).toContain(row.displayName));

    await user.selectOptions(filter, 'All departments');
    await waitFor(() => expect(tabCount('Active')).toBe(all));
  });

  it('combines with the search, and says so when nobody matches', async () => {
    const { user } = await openApp();
    await user.selectOptions(screen.getByRole('combobox', { name: 'Department' }), 'Facilities');
    await user.type(screen.getByRole('searchbox', { name: 'Search users' }), 'zzzz-nobody');
    expect(await screen.findByText('No users match “zzzz-nobody” in Facilities')).toBeTruthy();
  });
});

describe('the Departments dialog', () => {
  it('lists each department with how many people are in it', async () => {
    const { fake, user } = await openApp({ signedInAs: 'owner' });
    await user.click(screen.getByRole('button', { name: 'Departments' }));
    const list = await screen.findByRole('list', { name: 'Departments' });
    const counts = await fake.departments();
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(counts.length);
    const first = counts[0]!;
    expect(items[0]!.textContent).toContain(first.name);
    expect(items[0]!.textContent).toContain(`${first.members.toLocaleString('en')} users`);
  });

  it('adds a department, refusing an empty or taken name', async () => {
    const { fake, user } = await openApp({ signedInAs: 'owner' });
    await user.click(screen.getByRole('button', { name: 'Departments' }));
    await screen.findByRole('list', { name: 'Departments' });
    const add = screen.getByRole('button', { name: 'Add department' });
    await user.click(add);
    expect(screen.getByText('Give the department a name.')).toBeTruthy();
    const name = screen.getByRole('textbox', { name: 'Department name' });
    await user.type(name, 'finance');
    await user.click(add);
    expect(await screen.findByText('There is already a department called Finance.')).toBeTruthy();
    await user.clear(name);
    await user.type(name, 'Øresund Logistics');
    await user.click(add);
    expect(await screen.findByText('The department Øresund Logistics was added.')).toBeTruthy();
    expect((await fake.departments()).map((d) => d.name)).toContain('Øresund Logistics');
    // The table's filter offers it too.
    await user.keyboard('{Escape}');
    await waitFor(() =>
      expect(
        within(screen.getByRole('combobox', { name: 'Department' })).getByRole('option', {
          name: 'Øresund Logistics',
        }),
      ).toBeTruthy(),
    );
  });

  it('renames a department for everyone in it', async () => {
    const { fake, user } = await openApp({ signedInAs: 'owner' });
    const before = (await fake.departments()).find((d) => d.name === 'Facilities')!;
    expect(before.members).toBeGreaterThan(0);
    await user.click(screen.getByRole('button', { name: 'Departments' }));
    await user.click(await screen.findByRole('button', { name: 'Rename Facilities' }));
    const field = screen.getByRole('textbox', { name: 'New name for Facilities' });
    await user.clear(field);
    await user.type(field, 'Workplace');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Facilities is now called Workplace.')).toBeTruthy();
    const after = await fake.departments();
    expect(after.find((d) => d.name === 'Workplace')?.members).toBe(before.members);
    expect(after.some((d) => d.name === 'Facilities')).toBe(false);
  });

  it('removes a department after asking, and its people stay', async () => {
    const { fake, user } = await openApp({ signedInAs: 'owner' });
    const people = (await fake.departments()).find((d) => d.name === 'Procurement')!.members;
    const activeBefore = tabCount('Active');
    await user.click(screen.getByRole('button', { name: 'Departments' }));
    await user.click(await screen.findByRole('button', { name: 'Remove Procurement' }));
    const confirm = await screen.findByRole('alertdialog', { name: 'Remove Procurement?' });
    expect(confirm.textContent).toContain(`${people.toLocaleString('en')} users belong to it`);
    await user.click(within(confirm).getByRole('button', { name: 'Remove department' }));
    expect(await screen.findByText('The department Procurement was removed.')).toBeTruthy();
    expect((await fake.departments()).some((d) => d.name === 'Procurement')).toBe(false);
    expect(tabCount('Active')).toBe(activeBefore);
  });

  it('is read-only without categories:manage, saying why', async () => {
    const { fake, user } = await openApp({
      signedInAs: 'admin',
      mePermissions: ['users:view', 'users:edit', 'categories:view'],
    });
    expect(fake).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Departments' }));
    await screen.findByRole('list', { name: 'Departments' });
    expect(screen.queryByRole('button', { name: /^Rename / })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Add department' })).toBeNull();
    expect(
      screen.getByText("You can't change departments: your role doesn't include it"),
    ).toBeTruthy();
  });
});
