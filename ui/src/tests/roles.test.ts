// Changing and deleting custom roles in the Roles dialog, over the fake backend.
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '../App.svelte';
import { FAKE_ADMIN_EMAIL, FAKE_PASSWORD, FAKE_SERVER_URL, FakeBackend } from '../lib/fake-backend';
import { editOf } from '../lib/permissions';
import { someone } from './helpers';

/**
 * Opens the Roles dialog as the Admin, after `prepare` ran as the Owner (who
 * can define roles with permissions the Admin does not hold).
 */
async function openRoles(prepare: (fake: FakeBackend) => Promise<unknown> = async () => {}) {
  const fake = new FakeBackend({ users: 2000, signedInAs: 'owner' });
  await prepare(fake);
  await fake.connectWithPassword(FAKE_SERVER_URL, FAKE_ADMIN_EMAIL, FAKE_PASSWORD);
  const user = userEvent.setup();
  render(App, { props: { backend: fake } });
  await screen.findByRole('tab', { name: /^Active [\d,]+$/ });
  await user.click(screen.getByRole('button', { name: 'Roles' }));
  const dialog = within(await screen.findByRole('dialog', { name: 'Roles' }));
  return { fake, user, dialog };
}

function defineCaseReader(fake: FakeBackend) {
  return fake.createRole({
    name: 'Case reader',
    description: 'Reads cases.',
    permissions: ['cases:view', 'billing:view-invoices'],
  });
}

function roleNames(dialog: ReturnType<typeof within>): string[] {
  return within(dialog.getByRole('list', { name: 'Roles' }))
    .getAllByRole('listitem')
    .map((li) => li.querySelector('.name')?.textContent ?? '');
}

function checkbox(dialog: ReturnType<typeof within>, name: string): HTMLInputElement {
  return dialog.getByRole('checkbox', { name }) as HTMLInputElement;
}

describe('editing custom roles', () => {
  it('loads the role into the form, keeps what the Admin cannot grant, and saves', async () => {
    const { fake, user, dialog } = await openRoles(defineCaseReader);
    await user.click(dialog.getByRole('button', { name: 'Edit Case reader' }));
    const form = dialog.getByRole('form', { name: 'Edit role Case reader' });
    const f = within(form);
    expect((f.getByRole('textbox', { name: 'Role name' }) as HTMLInputElement).value).toBe(
      'Case reader',
    );
    expect(checkbox(f, 'View cases').checked, 'the role has View cases').toBe(true);
    const invoices = checkbox(f, 'View invoices');
    expect(invoices.checked, 'the role keeps View invoices').toBe(true);
    expect(invoices.disabled, 'the Admin holds no billing permission').toBe(true);
    expect(checkbox(f, 'Buy credits').checked, 'not in the role').toBe(false);
    const save = f.getByRole('button', { name: 'Save role' }) as HTMLButtonElement;
    expect(save.disabled, 'nothing changed yet').toBe(true);

    const nameBox = f.getByRole('textbox', { name: 'Role name' });
    await user.clear(nameBox);
    await user.type(nameBox, 'Case commenter');
    await user.click(checkbox(f, 'Comment and message'));
    await user.click(save);

    await dialog.findByText(/The role Case commenter was saved/);
    expect(roleNames(dialog)).toContain('Case commenter');
    expect(roleNames(dialog)).not.toContain('Case reader');
    const item = within(dialog.getByRole('list', { name: 'Roles' }))
      .getAllByRole('listitem')
      .find((li) => li.textContent?.includes('Case commenter'))!;
    expect(item.textContent).toContain('3 permissions');
    expect(
      dialog.getByRole('form', { name: 'New role' }),
      'the form is back to defining a role',
    ).toBeTruthy();
    const stored = (await fake.catalogue()).roles.find((r) => r.name === 'Case commenter');
    expect(new Set(stored?.permissions)).toEqual(
      new Set(['cases:view', 'billing:view-invoices', 'cases:comment']),
    );
  });

  it('cancels an edit without calling the server', async () => {
    const { fake, user, dialog } = await openRoles(defineCaseReader);
    await user.click(dialog.getByRole('button', { name: 'Edit Case reader' }));
    await user.type(dialog.getByRole('textbox', { name: 'Role name' }), ' 2');
    await user.click(dialog.getByRole('button', { name: 'Cancel' }));
    expect(dialog.getByRole('form', { name: 'New role' })).toBeTruthy();
    expect((dialog.getByRole('textbox', { name: 'Role name' }) as HTMLInputElement).value).toBe('');
    expect(fake.callsTo('updateRole')).toEqual([]);
    expect(roleNames(dialog)).toContain('Case reader');
  });

  it('shows the server’s refusal of a name that is taken', async () => {
    const { user, dialog } = await openRoles(defineCaseReader);
    await user.click(dialog.getByRole('button', { name: 'Edit Case reader' }));
    const nameBox = dialog.getByRole('textbox', { name: 'Role name' });
    await user.clear(nameBox);
    await user.type(nameBox, 'manager');
    await user.click(dialog.getByRole('button', { name: 'Save role' }));
    expect((await dialog.findByRole('alert')).textContent).toContain(
      "A role called 'manager' already exists",
    );
    expect(
      dialog.getByRole('form', { name: 'Edit role Case reader' }),
      'the form stays on the role',
    ).toBeTruthy();
  });

  it('offers neither Edit nor Delete for built-in roles', async () => {
    const { dialog } = await openRoles(defineCaseReader);
    const items = within(dialog.getByRole('list', { name: 'Roles' })).getAllByRole('listitem');
    for (const builtIn of ['Owner', 'Admin', 'Manager', 'Member', 'Viewer', 'Guest']) {
      const item = items.find((li) => li.querySelector('.name')?.textContent === builtIn);
      expect(item, `${builtIn} is listed`).toBeTruthy();
      expect(within(item!).queryAllByRole('button'), `${builtIn} is built in`).toEqual([]);
    }
    expect(dialog.getByRole('button', { name: 'Edit Case reader' })).toBeTruthy();
    expect(dialog.getByRole('button', { name: 'Delete Case reader' })).toBeTruthy();
  });
});

describe('deleting custom roles', () => {
  it('deletes a role nobody has, after a confirmation', async () => {
    const { fake, user, dialog } = await openRoles(defineCaseReader);
    await user.click(dialog.getByRole('button', { name: 'Delete Case reader' }));
    const confirm = await screen.findByRole('alertdialog', {
      name: 'Delete the role Case reader?',
    });
    await user.click(within(confirm).getByRole('button', { name: 'Delete role' }));
    await dialog.findByText('The role Case reader was deleted.');
    expect(roleNames(dialog)).not.toContain('Case reader');
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect((await fake.catalogue()).roles.some((r) => r.name === 'Case reader')).toBe(false);
  });

  it('keeps the role and shows the server’s refusal while someone has it', async () => {
    const { fake, user, dialog } = await openRoles(async (f) => {
      const catalogue = await defineCaseReader(f);
      const role = catalogue.roles.find((r) => r.name === 'Case reader')!;
      const member = await someone(f, 'member');
      const detail = await f.getUser(member.id);
      await f.saveUser(member.id, detail.version, { ...editOf(detail), role: role.id });
    });
    await user.click(dialog.getByRole('button', { name: 'Delete Case reader' }));
    const confirm = await screen.findByRole('alertdialog', {
      name: 'Delete the role Case reader?',
    });
    await user.click(within(confirm).getByRole('button', { name: 'Delete role' }));
    const alert = await within(confirm).findByRole('alert');
    expect(alert.textContent).toContain('1 user(s) still have the role Case reader');
    expect(roleNames(dialog), 'the role is still listed').toContain('Case reader');
    expect((await fake.catalogue()).roles.some((r) => r.name === 'Case reader')).toBe(true);

    await user.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(
      screen.getByRole('dialog', { name: 'Roles' }),
      'the Roles dialog stays open',
    ).toBeTruthy();
  });
});
