import { screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { InviteRequest } from '../lib/bindings/InviteRequest';
import { FAKE_ADMIN_EMAIL } from '../lib/fake-backend';
import { dataRows, openApp, tabCount } from './helpers';

type App = Awaited<ReturnType<typeof openApp>>;

async function openInvite({ user }: App) {
  await user.click(screen.getByRole('button', { name: 'Invite user' }));
  return within(await screen.findByRole('dialog', { name: 'Invite user' }));
}

async function fill(app: App, panel: ReturnType<typeof within>, email: string) {
  await app.user.type(panel.getByRole('textbox', { name: 'First name' }), 'Søren');
  await app.user.type(panel.getByRole('textbox', { name: 'Last name' }), 'Nguyễn-Åkesson');
  await app.user.type(panel.getByRole('textbox', { name: 'E-mail' }), email);
}

describe('the invite panel', () => {
  it('checks required fields and the e-mail shape before sending', async () => {
    const app = await openApp();
    const panel = await openInvite(app);
    await app.user.click(panel.getByRole('button', { name: 'Invite' }));
    expect(panel.getByText('Enter a first name.')).toBeTruthy();
    expect(panel.getByText('Enter a last name.')).toBeTruthy();
    expect(panel.getByText('Enter an e-mail address.')).toBeTruthy();
    expect(panel.getByRole('textbox', { name: 'First name' }).getAttribute('aria-invalid')).toBe(
      'true',
    );

    await fill(app, panel, 'soren.at.example.org');
    await app.user.click(panel.getByRole('button', { name: 'Invite' }));
    expect(panel.getByText('Enter an e-mail address like name@example.org.')).toBeTruthy();
    expect(app.fake.callsTo('inviteUser'), 'nothing invalid is sent').toEqual([]);
  });

  it('shows the server’s validation message inline', async () => {
    const app = await openApp();
    const panel = await openInvite(app);
    await fill(app, panel, FAKE_ADMIN_EMAIL);
    await app.user.click(panel.getByRole('button', { name: 'Invite' }));
    expect((await panel.findByRole('alert')).textContent).toContain(
      `Another user already signs in with ${FAKE_ADMIN_EMAIL}`,
    );
    expect(
      screen.getByRole('dialog', { name: 'Invite user' }),
      'the panel stays open',
    ).toBeTruthy();
  });

  it('invites, then shows the new user in the Pending tab with a confirmation', async () => {
    const app = await openApp();
    const pendingBefore = tabCount('Pending');
    const panel = await openInvite(app);
    const email = 'soren.nguyen-akesson@nordlys-consulting.example';
    await fill(app, panel, email);
    const send = panel.getByRole('checkbox', {
      name: 'Send invitation e-mail',
    }) as HTMLInputElement;
    expect(send.checked, 'the invitation e-mail is sent by default').toBe(true);
    const cases = panel.getByRole('switch', { name: 'Cases custom permissions' });
    await app.user.click(cases);
    await app.user.click(panel.getByRole('switch', { name: 'Register cases' }));
    await app.user.click(panel.getByRole('button', { name: 'Invite' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(
      screen.getByRole('tab', { name: /^Pending/ }).getAttribute('aria-selected'),
      'the Pending tab is shown',
    ).toBe('true');
    expect(screen.getByRole('status').textContent).toContain(`on its way to ${email}`);
    await waitFor(() => expect(tabCount('Pending')).toBe(pendingBefore + 1));

    const [request] = app.fake.callsTo('inviteUser')[0] as [InviteRequest];
    expect(request.sendEmail).toBe(true);
    expect(request.user.role).toBe('member');
    expect(request.user.applications).toEqual([{ application: 'cases', mode: 'custom' }]);
    expect(request.user.permissions).not.toContain('cases:create');

    await app.user.type(screen.getByRole('searchbox', { name: 'Search users' }), 'soren nguyen');
    await waitFor(() =>
      expect(
        dataRows()
          .map((row) => row.textContent)
          .join(),
      ).toContain(email),
    );
    expect(dataRows()[0]!.textContent).toContain('Invited');
  });

  it('can add someone without sending the e-mail yet', async () => {
    const app = await openApp();
    const panel = await openInvite(app);
    await fill(app, panel, 'later@nordlys-consulting.example');
    await app.user.click(panel.getByRole('checkbox', { name: 'Send invitation e-mail' }));
    await app.user.click(panel.getByRole('button', { name: 'Invite' }));
    expect((await screen.findByRole('status')).textContent).toContain('No e-mail was sent');
    const [request] = app.fake.callsTo('inviteUser')[0] as [InviteRequest];
    expect(request.sendEmail).toBe(false);
  });
});
