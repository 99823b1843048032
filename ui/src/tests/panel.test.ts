import { screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { UserEdit } from '../lib/bindings/UserEdit';
import { FAKE_OWNER_EMAIL } from '../lib/fake-backend';
import { fakeCatalogue } from '../lib/fake-catalogue';
import { CANT_GRANT } from '../lib/permissions';
import { dataRows, descriptionOf, loaded, openApp, openUser, someone, tabCount } from './helpers';

const ADMIN_PERMISSIONS = fakeCatalogue().roles.find((r) => r.id === 'admin')!.permissions;

describe('the user panel', () => {
  it('shows the details, with a switch per permission named after it and described', async () => {
    const { user, fake } = await openApp();
    const member = await someone(fake, 'member');
    const panel = await loaded(await openUser(user, member.email, member.displayName));
    const detail = fake.peek(member.id);
    expect((panel.getByRole('textbox', { name: 'First name' }) as HTMLInputElement).value).toBe(
      detail.givenName,
    );
    expect((panel.getByRole('textbox', { name: 'E-mail' }) as HTMLInputElement).value).toBe(
      detail.email,
    );
    expect(panel.getByRole('combobox', { name: 'Role' }).textContent).toContain('Member');

    const cases = panel.getByRole('switch', { name: 'Cases custom permissions' });
    if (cases.getAttribute('aria-checked') !== 'true') await user.click(cases);
    const viewCases = panel.getByRole('switch', { name: 'View cases' });
    expect(descriptionOf(viewCases)).toContain('Open and read the cases shared with you');
    const comment = panel.getByRole('switch', { name: 'Comment and message' });
    expect(descriptionOf(comment), 'sub-permissions have their own description').toContain(
      'Write internal notes',
    );

    // Facts that cannot be edited here.
    for (const term of [
      'Status',
      'Created',
      'Last active',
      'Credits used',
      'Allowed IPs',
      'Groups',
    ]) {
      expect(panel.getByText(term)).toBeTruthy();
    }
  });

  it('disables what the administrator cannot grant, with the reason', async () => {
    const { user, fake } = await openApp({
      mePermissions: ADMIN_PERMISSIONS.filter((p) => p !== 'tasks:delete'),
    });
    const manager = await someone(fake, 'manager');
    const panel = await loaded(await openUser(user, manager.email, manager.displayName));
    const tasks = panel.getByRole('switch', { name: 'Tools and tasks custom permissions' });
    expect(tasks.getAttribute('aria-checked')).toBe('false');
    await user.click(tasks);
    const deleteTasks = panel.getByRole('switch', { name: 'Delete tasks' });
    expect((deleteTasks as HTMLButtonElement).disabled).toBe(true);
    expect(descriptionOf(deleteTasks)).toContain(CANT_GRANT);
    expect(
      (panel.getByRole('switch', { name: 'Run tasks' }) as HTMLButtonElement).disabled,
      'what the admin holds stays enabled',
    ).toBe(false);
    // Back to All would grant "Delete tasks" too.
    expect((tasks as HTMLButtonElement).disabled).toBe(true);
    expect(descriptionOf(tasks)).toContain("you don't have every permission in it yourself");

    // Roles holding what the admin lacks are disabled with the reason.
    await user.click(panel.getByRole('combobox', { name: 'Role' }));
    const adminOption = await screen.findByRole('option', { name: /^Admin/ });
    expect(adminOption.getAttribute('aria-disabled')).toBe('true');
    // The reason is the server's notGrantableReason, shown as it is.
    expect(adminOption.textContent).toMatch(
      /The role Admin includes '.+', which you do not hold yourself\./,
    );
    expect(screen.getByRole('option', { name: /^Member/ }).getAttribute('aria-disabled')).not.toBe(
      'true',
    );
    await user.keyboard('{Escape}');
  });

  it('keeps names and e-mail read-only without “Edit users”, and says why', async () => {
    const { user, fake } = await openApp({
      mePermissions: ADMIN_PERMISSIONS.filter((p) => p !== 'users:edit'),
    });
    const member = await someone(fake, 'member');
    const panel = await loaded(await openUser(user, member.email, member.displayName));
    const email = panel.getByRole('textbox', { name: 'E-mail' }) as HTMLInputElement;
    expect(email.readOnly).toBe(true);
    expect(descriptionOf(email)).toContain("You can't edit users");
    expect((panel.getByRole('button', { name: 'Save' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('keeps the Owner read-only for an Admin', async () => {
    const { user, fake } = await openApp();
    const ownerId = fake.idOf(FAKE_OWNER_EMAIL)!;
    const owner = fake.peek(ownerId);
    const panel = await loaded(
      await openUser(user, owner.email, `${owner.givenName} ${owner.familyName}`),
    );
    const lastName = panel.getByRole('textbox', { name: 'Last name' }) as HTMLInputElement;
    expect(lastName.readOnly).toBe(true);
    expect(descriptionOf(lastName)).toContain('Only the Owner can change the Owner');
    expect((panel.getByRole('button', { name: 'Delete' }) as HTMLButtonElement).disabled).toBe(
      true,
    );
    expect((panel.getByRole('button', { name: 'Archive' }) as HTMLButtonElement).disabled).toBe(
      true,
    );
  });

  it('sends a save only after a change, with the version, and refreshes the table', async () => {
    const { user, fake } = await openApp();
    const member = await someone(fake, 'member');
    const panel = await loaded(await openUser(user, member.email, member.displayName));
    const save = panel.getByRole('button', { name: 'Save' }) as HTMLButtonElement;
    expect(save.disabled, 'nothing changed yet').toBe(true);

    const lastName = panel.getByRole('textbox', { name: 'Last name' });
    await user.clear(lastName);
    await user.type(lastName, 'Łukaszewicz-Ødegård');
    expect(save.disabled).toBe(false);
    await user.click(save);

    expect(await panel.findByText('Changes saved.')).toBeTruthy();
    const saves = fake.callsTo('saveUser');
    expect(saves, 'exactly one save').toHaveLength(1);
    const [id, version, edit] = saves[0] as [string, string, UserEdit];
    expect(id).toBe(member.id);
    expect(version, 'the version the panel was opened with').toBe('W/"1"');
    expect(edit.familyName).toBe('Łukaszewicz-Ødegård');
    expect(save.disabled, 'saved: nothing left to save').toBe(true);
    expect(fake.peek(member.id).version).toBe('W/"2"');
    // The table behind shows the new name (search still matches the e-mail).
    await waitFor(() => expect(dataRows()[0]!.textContent).toContain('Łukaszewicz-Ødegård'));
  });

  it('toggles a permission and saves it', async () => {
    const { user, fake } = await openApp();
    const member = await someone(fake, 'member');
    const panel = await loaded(await openUser(user, member.email, member.displayName));
    const reviews = panel.getByRole('switch', { name: 'Reviews custom permissions' });
    if (reviews.getAttribute('aria-checked') !== 'true') await user.click(reviews);
    const approve = panel.getByRole('switch', { name: 'Approve' });
    const wasOn = approve.getAttribute('aria-checked') === 'true';
    await user.click(approve);
    await user.click(panel.getByRole('button', { name: 'Save' }));
    await panel.findByText('Changes saved.');
    expect(fake.peek(member.id).entitlements.includes('reviews:approve')).toBe(!wasOn);
  });

  it('says when someone else changed the user, and reloads without closing', async () => {
    const { user, fake } = await openApp();
    const member = await someone(fake, 'member');
    const dialog = await openUser(user, member.email, member.displayName);
    const panel = await loaded(dialog);
    fake.bumpVersion(member.id); // a second client saves meanwhile
    const firstName = panel.getByRole('textbox', { name: 'First name' });
    await user.type(firstName, 'x');
    await user.click(panel.getByRole('button', { name: 'Save' }));
    const alert = await panel.findByRole('alert');
    expect(alert.textContent).toContain('Changed by someone else since you opened it');
    await user.click(within(alert).getByRole('button', { name: 'Reload' }));
    await waitFor(() => expect(panel.queryByRole('alert')).toBeNull());
    expect(dialog.isConnected, 'the panel stays open').toBe(true);
    expect((panel.getByRole('textbox', { name: 'First name' }) as HTMLInputElement).value).toBe(
      fake.peek(member.id).givenName,
    );
    expect(fake.callsTo('getUser').length, 'Reload fetched the user again').toBe(2);
  });

  it('shows a refusal from the server inline', async () => {
    const { user, fake } = await openApp();
    const member = await someone(fake, 'member');
    const panel = await loaded(await openUser(user, member.email, member.displayName));
    fake.failNext('forbidden', "You can't grant “Buy credits”: you don't have it yourself.");
    await user.type(panel.getByRole('textbox', { name: 'First name' }), 'y');
    await user.click(panel.getByRole('button', { name: 'Save' }));
    expect((await panel.findByRole('alert')).textContent).toContain('Buy credits');
  });

  it('archives and reactivates after confirmation, and updates the counts', async () => {
    const { user, fake } = await openApp();
    const member = await someone(fake, 'member');
    const panel = await loaded(await openUser(user, member.email, member.displayName));
    const archivedBefore = tabCount('Archived');

    await user.click(panel.getByRole('button', { name: 'Archive' }));
    const confirm = await screen.findByRole('alertdialog', {
      name: `Archive ${member.displayName}?`,
    });
    expect(fake.callsTo('setArchived'), 'nothing happens before confirming').toEqual([]);
    await user.click(within(confirm).getByRole('button', { name: 'Archive' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(fake.peek(member.id).status).toBe('archived');
    await waitFor(() => expect(tabCount('Archived')).toBe(archivedBefore + 1));
    expect(tabCount('Active')).toBe(0); // the search matches only this user

    await user.click(panel.getByRole('button', { name: 'Reactivate' }));
    const again = await screen.findByRole('alertdialog', { name: /^Reactivate/ });
    await user.click(within(again).getByRole('button', { name: 'Reactivate' }));
    await waitFor(() => expect(fake.peek(member.id).status).toBe('active'));
    await waitFor(() => expect(tabCount('Active')).toBe(1));
  });

  it('cancels an archive without calling the server', async () => {
    const { user, fake } = await openApp();
    const member = await someone(fake, 'member');
    const panel = await loaded(await openUser(user, member.email, member.displayName));
    await user.click(panel.getByRole('button', { name: 'Archive' }));
    const confirm = await screen.findByRole('alertdialog');
    await user.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(fake.callsTo('setArchived')).toEqual([]);
  });

  it('deletes only once the e-mail has been typed', async () => {
    const { user, fake } = await openApp();
    const member = await someone(fake, 'member');
    const panel = await loaded(await openUser(user, member.email, member.displayName));
    await user.click(panel.getByRole('button', { name: 'Delete' }));
    const confirm = await screen.findByRole('alertdialog', {
      name: `Delete ${member.displayName}?`,
    });
    const button = within(confirm).getByRole('button', {
      name: 'Delete user',
    }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    const typed = within(confirm).getByRole('textbox', { name: /to confirm/ });
    await user.type(typed, 'someone.else@example.org');
    expect(button.disabled, 'a different e-mail does not confirm').toBe(true);
    await user.clear(typed);
    await user.type(typed, member.email);
    expect(button.disabled).toBe(false);
    await user.click(button);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fake.idOf(member.email)).toBeUndefined();
    expect(await screen.findByText(`No users match “${member.email}”`)).toBeTruthy();
  });
});
