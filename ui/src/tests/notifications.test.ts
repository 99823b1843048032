// The notification settings on the user panel's Details tab, over the fake backend.
import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from '../App.svelte';
import type { UserDetail } from '../lib/bindings/UserDetail';
import { FakeBackend } from '../lib/fake-backend';
import { fakeCatalogue } from '../lib/fake-catalogue';
import { descriptionOf, loaded, openApp, openUser, someone } from './helpers';

const ADMIN_PERMISSIONS = fakeCatalogue().roles.find((r) => r.id === 'admin')!.permissions;

type Panel = Awaited<ReturnType<typeof loaded>>;

function saveButton(panel: Panel): HTMLButtonElement {
  return panel.getByRole('button', { name: 'Save notifications' }) as HTMLButtonElement;
}

function isOn(element: HTMLElement): boolean {
  return element.getAttribute('aria-checked') === 'true';
}

describe('notification settings', () => {
  it('saves a switch and the summary, and Save is off while nothing changed', async () => {
    const { user, fake } = await openApp();
    const member = await someone(fake, 'member');
    const before = fake.peek(member.id).notifications!;
    const panel = await loaded(await openUser(user, member.email, member.displayName));
    const email = panel.getByRole('switch', { name: 'E-mail notifications' });
    const inApp = panel.getByRole('switch', { name: 'In-app notifications' });
    const summary = panel.getByRole('combobox', {
      name: 'Summary of activity',
    }) as HTMLSelectElement;
    expect(isOn(email)).toBe(before.email);
    expect(isOn(inApp)).toBe(before.inApp);
    expect(summary.value).toBe(before.digest);
    expect(descriptionOf(summary)).toContain('An e-mail summing up');
    expect(saveButton(panel).disabled, 'nothing changed yet').toBe(true);

    await user.click(email);
    expect(isOn(email)).toBe(!before.email);
    expect(saveButton(panel).disabled).toBe(false);
    await user.click(email);
    expect(saveButton(panel).disabled, 'back as it was').toBe(true);

    const digest = before.digest === 'daily' ? 'weekly' : 'daily';
    await user.click(inApp);
    await user.selectOptions(summary, digest === 'daily' ? 'Daily' : 'Weekly');
    await user.click(saveButton(panel));
    await panel.findByText('Notifications saved.');
    expect(fake.peek(member.id).notifications).toEqual({
      email: before.email,
      inApp: !before.inApp,
      digest,
    });
    expect(fake.callsTo('setNotifications')).toHaveLength(1);
    expect(saveButton(panel).disabled, 'saved: nothing left to save').toBe(true);
    expect(isOn(inApp)).toBe(!before.inApp);
  });

  it('keeps unsaved changes here when the limits are saved', async () => {
    const { user, fake } = await openApp();
    const member = await someone(fake, 'member');
    const before = fake.peek(member.id).notifications!;
    const panel = await loaded(await openUser(user, member.email, member.displayName));
    const email = panel.getByRole('switch', { name: 'E-mail notifications' });
    await user.click(email);
    const limit = panel.getByRole('textbox', { name: 'Credit limit' });
    await user.clear(limit);
    await user.type(limit, '700');
    await user.click(panel.getByRole('button', { name: 'Save limits' }));
    await panel.findByText('Limits saved.');
    expect(isOn(email), 'the switch keeps its unsaved change').toBe(!before.email);
    expect(saveButton(panel).disabled).toBe(false);
    await user.click(saveButton(panel));
    await panel.findByText('Notifications saved.');
    expect(fake.peek(member.id).notifications?.email).toBe(!before.email);
  });

  it('says when someone else changed the user, and saves nothing', async () => {
    const { user, fake } = await openApp();
    const member = await someone(fake, 'member');
    const before = fake.peek(member.id).notifications;
    const panel = await loaded(await openUser(user, member.email, member.displayName));
    fake.bumpVersion(member.id); // a second client saves meanwhile
    await user.click(panel.getByRole('switch', { name: 'In-app notifications' }));
    await user.click(saveButton(panel));
    const alert = await panel.findByRole('alert');
    expect(alert.textContent).toContain('Changed by someone else since you opened it');
    expect(panel.queryByText('Notifications saved.')).toBeNull();
    expect(fake.callsTo('setNotifications')).toHaveLength(1);
    expect(fake.peek(member.id).notifications).toEqual(before);
  });

  it('shows another refusal inline', async () => {
    const { user, fake } = await openApp();
    const member = await someone(fake, 'member');
    const panel = await loaded(await openUser(user, member.email, member.displayName));
    fake.failNext('forbidden', 'You may not change notifications (server).', 'setNotifications');
    await user.click(panel.getByRole('switch', { name: 'E-mail notifications' }));
    await user.click(saveButton(panel));
    expect((await panel.findByRole('alert')).textContent).toContain('(server)');
  });

  it('is read-only without “Edit users”', async () => {
    const { user, fake } = await openApp({
      mePermissions: ADMIN_PERMISSIONS.filter((p) => p !== 'users:edit'),
    });
    const member = await someone(fake, 'member');
    const panel = await loaded(await openUser(user, member.email, member.displayName));
    const email = panel.getByRole('switch', { name: 'E-mail notifications' }) as HTMLButtonElement;
    expect(email.disabled).toBe(true);
    expect(
      (panel.getByRole('combobox', { name: 'Summary of activity' }) as HTMLSelectElement).disabled,
    ).toBe(true);
    expect(saveButton(panel).disabled).toBe(true);
  });

  it('is not shown when the server keeps no notification settings', async () => {
    class WithoutNotifications extends FakeBackend {
      override async getUser(id: string): Promise<UserDetail> {
        return { ...(await super.getUser(id)), notifications: null };
      }
    }
    const fake = new WithoutNotifications({ users: 2000, signedInAs: 'admin' });
    const user = userEvent.setup();
    render(App, { props: { backend: fake } });
    await screen.findByRole('tab', { name: /^Active [\d,]+$/ });
    const member = await someone(fake, 'member');
    const panel = await loaded(await openUser(user, member.email, member.displayName));
    expect(
      panel.getByRole('button', { name: 'Save limits' }),
      'the Details tab is shown',
    ).toBeTruthy();
    expect(panel.queryByRole('switch', { name: 'E-mail notifications' })).toBeNull();
    expect(panel.queryByRole('button', { name: 'Save notifications' })).toBeNull();
    expect(panel.queryByText('Summary of activity')).toBeNull();
  });
});
