// The user panel's tabs and actions for the seeds' rules, and the Outbox and
// Audit log views, over the fake backend.
import { screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { descriptionOf, loaded, openApp, openUser, someone } from './helpers';

describe('the user panel’s tabs', () => {
  it('has Details, Access, Statistics, Events and History, with credits and events', async () => {
    const { user, fake } = await openApp({ signedInAs: 'owner' });
    const member = await someone(fake, 'member');
    fake.recordUsage(member.id, 'Keyword research (12 pages)', 12);
    await fake.resetPassword(member.id);
    const panel = await loaded(await openUser(user, member.email, member.displayName));
    const names = panel.getAllByRole('tab').map((t) => t.textContent?.trim());
    expect(names).toEqual(['Details', 'Access', 'Statistics', 'Events', 'History']);

    await user.click(panel.getByRole('tab', { name: 'Statistics' }));
    const stats = await panel.findByRole('tabpanel');
    await within(stats).findByText('Account type');
    expect(stats.textContent).toContain('Member');
    for (const label of ['Budget', 'Created', 'Credits used', 'Remaining credits']) {
      expect(within(stats).getByText(label)).toBeTruthy();
    }

    await user.click(panel.getByRole('tab', { name: 'Events' }));
    const events = await panel.findByRole('table', { name: 'Usage events' });
    const row = within(events).getByRole('row', { name: /Keyword research/ });
    expect(row.textContent).toContain('12 credits');

    await user.click(panel.getByRole('tab', { name: 'History' }));
    const history = await panel.findByRole('list', { name: 'Audit entries' });
    expect(history.textContent).toContain(`Sent a password reset link to ${member.email}`);
  });

  it('keeps a Guest’s last resource, and shows the server’s refusal as it is', async () => {
    const { user, fake } = await openApp({ signedInAs: 'owner' });
    const guest = await someone(fake, 'guest');
    const [last] = (await fake.userResources(guest.id)).resources;
    const panel = await loaded(await openUser(user, guest.email, guest.displayName));
    await user.click(panel.getByRole('tab', { name: 'Access' }));
    const lastSwitch = (await panel.findByRole('switch', {
      name: last!.name,
    })) as HTMLButtonElement;
    expect(lastSwitch.getAttribute('aria-checked')).toBe('true');
    expect(lastSwitch.disabled).toBe(true);
    expect(descriptionOf(lastSwitch)).toContain(
      'A Guest must keep access to at least one resource',
    );

    // Share another: the last one can go now; the server may still refuse.
    const other = panel
      .getAllByRole('switch')
      .find((s) => s.getAttribute('aria-checked') === 'false') as HTMLButtonElement;
    await user.click(other);
    await waitFor(() => expect(other.getAttribute('aria-checked')).toBe('true'));
    await waitFor(() => expect(lastSwitch.disabled).toBe(false));
    fake.failNext(
      'validation',
      'A Guest must keep access to at least one resource (server).',
      'revokeResource',
    );
    await user.click(lastSwitch);
    expect((await panel.findByRole('alert')).textContent).toContain('(server)');
    expect(lastSwitch.getAttribute('aria-checked')).toBe('true');
  });

  it('validates allowed IP ranges and saves limits', async () => {
    const { user, fake } = await openApp({ signedInAs: 'owner' });
    const member = await someone(fake, 'member');
    const panel = await loaded(await openUser(user, member.email, member.displayName));
    const limit = panel.getByRole('textbox', { name: 'Credit limit' });
    const ranges = panel.getByRole('textbox', { name: 'Allowed IP ranges' });
    await user.clear(limit);
    await user.type(limit, '1500');
    await user.type(ranges, '10.0.0.0/33');
    await user.click(panel.getByRole('button', { name: 'Save limits' }));
    expect(descriptionOf(ranges)).toContain('is not an IP range; write it in CIDR notation');
    expect(ranges.getAttribute('aria-invalid')).toBe('true');
    expect(fake.callsTo('setLimits')).toEqual([]);
    await user.clear(ranges);
    await user.type(ranges, '10.0.0.0/8');
    await user.click(panel.getByRole('button', { name: 'Save limits' }));
    await panel.findByText('Limits saved.');
    expect(fake.peek(member.id)).toMatchObject({ creditLimit: 1500, allowedIps: ['10.0.0.0/8'] });
    await user.clear(limit);
    await user.click(panel.getByRole('button', { name: 'Save limits' }));
    await waitFor(() => expect(fake.peek(member.id).creditLimit).toBeNull());
  });
});

describe('invitations and password resets', () => {
  it('resends an expired invitation and shows the link in the Outbox', async () => {
    const { user, fake } = await openApp({ signedInAs: 'owner' });
    const pending = await someone(fake, 'member', 'pending');
    fake.expireInvitation(pending.id);
    await user.click(screen.getByRole('tab', { name: /^Pending/ }));
    const panel = await loaded(await openUser(user, pending.email, pending.displayName));
    expect(panel.getByText('Expired', { selector: '.badge' })).toBeTruthy();
    await user.click(panel.getByRole('button', { name: 'Resend invitation' }));
    await panel.findByText(/A new invitation link was sent/);
    expect(panel.queryByText('Expired', { selector: '.badge' })).toBeNull();
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

    await user.click(screen.getByRole('button', { name: 'Outbox' }));
    const outbox = await screen.findByRole('dialog', { name: 'Outbox' });
    const mails = await within(outbox).findByRole('list', { name: 'E-mails' });
    const first = within(mails).getAllByRole('listitem')[0]!;
    expect(first.textContent).toContain(pending.email);
    expect(within(first).getByLabelText('Link').textContent).toMatch(/\/invite\//);
  });

  it('revokes an invitation after a confirmation', async () => {
    const { user, fake } = await openApp({ signedInAs: 'owner' });
    const pending = await someone(fake, 'member', 'pending');
    await user.click(screen.getByRole('tab', { name: /^Pending/ }));
    const panel = await loaded(await openUser(user, pending.email, pending.displayName));
    await user.click(panel.getByRole('button', { name: 'Revoke invitation' }));
    const confirm = await screen.findByRole('alertdialog', {
      name: `Revoke the invitation of ${pending.displayName}?`,
    });
    await user.click(within(confirm).getByRole('button', { name: 'Revoke invitation' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fake.idOf(pending.email)).toBeUndefined();
  });

  it('sends a password reset link to the outbox', async () => {
    const { user, fake } = await openApp({ signedInAs: 'owner' });
    const member = await someone(fake, 'member');
    const panel = await loaded(await openUser(user, member.email, member.displayName));
    await user.click(panel.getByRole('button', { name: 'Reset password' }));
    await panel.findByText(/A password reset link was sent to/);
    expect((await fake.outbox(null, 1)).messages[0]).toMatchObject({
      kind: 'password-reset',
      to: member.email,
    });
  });
});

describe('delete with transfer', () => {
  it('moves the resources to a user picked by search, and says what moved', async () => {
    const { user, fake } = await openApp({ signedInAs: 'owner' });
    const guest = await someone(fake, 'guest');
    const heir = await someone(fake, 'member');
    const moved = (await fake.userResources(guest.id)).resources;
    const panel = await loaded(await openUser(user, guest.email, guest.displayName));
    await user.click(panel.getByRole('button', { name: 'Delete' }));
    const dialog = await screen.findByRole('alertdialog', { name: `Delete ${guest.displayName}?` });
    const d = within(dialog);
    await user.click(d.getByRole('radio', { name: 'Transfer their resources to…' }));
    await user.type(d.getByRole('searchbox', { name: /Find the recipient/ }), heir.email);
    await user.click(await d.findByRole('radio', { name: new RegExp(heir.email) }));
    await user.type(d.getByRole('textbox', { name: /to confirm/ }), guest.email);
    await user.click(d.getByRole('button', { name: 'Delete user' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const notice = await screen.findByText(/moved to/);
    expect(notice.textContent).toContain(heir.displayName);
    expect(notice.textContent).toContain(moved[0]!.name);
    expect(fake.idOf(guest.email)).toBeUndefined();
    const got = (await fake.userResources(heir.id)).resources.map((r) => r.id);
    expect(got).toEqual(expect.arrayContaining(moved.map((r) => r.id)));
  });
});

describe('the audit log', () => {
  it('lists what administrators did, in pages', async () => {
    const { user, fake } = await openApp({ signedInAs: 'owner' });
    for (const role of ['member', 'viewer', 'guest']) {
      const someoneElse = await someone(fake, role);
      await fake.resetPassword(someoneElse.id);
    }
    for (let i = 0; i < 30; i += 1) await fake.resetPassword((await someone(fake, 'member')).id);
    await user.click(screen.getByRole('button', { name: 'Audit log' }));
    const log = await screen.findByRole('dialog', { name: 'Audit log' });
    const list = await within(log).findByRole('list', { name: 'Audit entries' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(25);
    expect(list.textContent).toContain('Sent a password reset link');
    await user.click(within(log).getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(33));
    expect(within(log).queryByRole('button', { name: 'Load more' })).toBeNull();
  });
});

describe('custom roles', () => {
  it('are defined from permissions the administrator holds, and can then be given', async () => {
    const { user, fake } = await openApp();
    await user.click(screen.getByRole('button', { name: 'Roles' }));
    const dialog = await screen.findByRole('dialog', { name: 'Roles' });
    const d = within(dialog);
    const invoices = d.getByRole('checkbox', { name: 'View invoices' }) as HTMLInputElement;
    expect(invoices.disabled, 'the Admin holds no billing permission').toBe(true);
    await user.type(d.getByRole('textbox', { name: 'Role name' }), 'Case reader');
    await user.click(d.getByRole('checkbox', { name: 'View cases' }));
    await user.click(d.getByRole('button', { name: 'Create role' }));
    await d.findByText('The role Case reader was created.');
    expect(within(d.getByRole('list', { name: 'Roles' })).getByText('Case reader')).toBeTruthy();
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

    const member = await someone(fake, 'member');
    const panel = await loaded(await openUser(user, member.email, member.displayName));
    await user.click(panel.getByRole('combobox', { name: 'Role' }));
    expect(await screen.findByRole('option', { name: /^Case reader/ })).toBeTruthy();
  });
});
