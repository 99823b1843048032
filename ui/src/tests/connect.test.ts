import { screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { FAKE_ADMIN_EMAIL, FAKE_PASSWORD, FAKE_SERVER_URL, FAKE_TOKEN } from '../lib/fake-backend';
import { openApp } from './helpers';

async function firstRun() {
  const app = await openApp({ signedInAs: null });
  await screen.findByRole('button', { name: 'Sign in' });
  return app;
}

describe('the connect screen', () => {
  it('offers e-mail and password, an API token, and the demo', async () => {
    const { user } = await firstRun();
    expect(screen.getByRole('textbox', { name: 'Server URL' })).toBeTruthy();
    expect(screen.getByRole('textbox', { name: 'E-mail' })).toBeTruthy();
    expect(screen.getByLabelText('Password')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Explore the demo' })).toBeTruthy();

    await user.click(screen.getByRole('radio', { name: 'API token' }));
    expect(screen.getByLabelText('API token')).toBeTruthy();
    expect(screen.queryByLabelText('Password'), 'token sign-in asks for no password').toBeNull();
  });

  it('says inline what is missing before asking the server', async () => {
    const { user, fake } = await firstRun();
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(
      await screen.findByText('Enter the address of your Roster or SCIM server.'),
    ).toBeTruthy();
    expect(screen.getByText('Enter your password.')).toBeTruthy();
    expect(fake.callsTo('connectWithPassword'), 'nothing is sent while fields are empty').toEqual(
      [],
    );
  });

  it("shows the server's error message and stays usable", async () => {
    const { user } = await firstRun();
    await user.type(screen.getByRole('textbox', { name: 'Server URL' }), FAKE_SERVER_URL);
    await user.type(screen.getByRole('textbox', { name: 'E-mail' }), FAKE_ADMIN_EMAIL);
    await user.type(screen.getByLabelText('Password'), 'not-the-password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The e-mail address or password is incorrect.');
    expect(
      (screen.getByRole('button', { name: 'Sign in' }) as HTMLButtonElement).disabled,
      'the form is usable again after an error',
    ).toBe(false);
    expect(screen.queryByRole('grid')).toBeNull();
  });

  it('explains an unreachable server inline, not with the offline banner', async () => {
    const { user } = await firstRun();
    await user.type(screen.getByRole('textbox', { name: 'Server URL' }), 'https://nowhere.invalid');
    await user.type(screen.getByRole('textbox', { name: 'E-mail' }), FAKE_ADMIN_EMAIL);
    await user.type(screen.getByLabelText('Password'), FAKE_PASSWORD);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toContain("can't reach nowhere.invalid");
  });

  it('signs in with e-mail and password and shows busy meanwhile', async () => {
    const { user, fake } = await firstRun();
    const held = fake.holdNext('connectWithPassword');
    await user.type(screen.getByRole('textbox', { name: 'Server URL' }), FAKE_SERVER_URL);
    await user.type(screen.getByRole('textbox', { name: 'E-mail' }), FAKE_ADMIN_EMAIL);
    await user.type(screen.getByLabelText('Password'), FAKE_PASSWORD);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await held.started;
    const busy = await screen.findByRole('button', { name: 'Signing in…' });
    expect((busy as HTMLButtonElement).disabled, 'no second submit while busy').toBe(true);
    held.release();
    expect(await screen.findByRole('tab', { name: /^Active [\d,]+$/ })).toBeTruthy();
    expect(fake.callsTo('connectWithPassword')[0]?.slice(0, 2)).toEqual([
      FAKE_SERVER_URL,
      FAKE_ADMIN_EMAIL,
    ]);
  });

  it('signs in with an API token', async () => {
    const { user } = await firstRun();
    await user.type(screen.getByRole('textbox', { name: 'Server URL' }), FAKE_SERVER_URL);
    await user.click(screen.getByRole('radio', { name: 'API token' }));
    await user.type(screen.getByLabelText('API token'), 'wrong-token');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toContain(
      'did not accept this API token',
    );
    await user.clear(screen.getByLabelText('API token'));
    await user.type(screen.getByLabelText('API token'), FAKE_TOKEN);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('tab', { name: /^Active [\d,]+$/ })).toBeTruthy();
  });

  it('opens the demo', async () => {
    const { user } = await firstRun();
    await user.click(screen.getByRole('button', { name: 'Explore the demo' }));
    expect(await screen.findByRole('tab', { name: /^Active [\d,]+$/ })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Connection: Demo organisation' })).toBeTruthy();
  });

  it('lists saved connections after signing out, and asks to sign in again to reopen one', async () => {
    const { user } = await openApp();
    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    const saved = await screen.findByRole('region', { name: 'Saved connections' });
    const profile = within(saved).getByRole('button', { name: /Amara Okafor/ });
    await user.click(profile);
    expect((await screen.findByRole('status')).textContent).toContain('Sign in again to open');
    expect((screen.getByRole('textbox', { name: 'Server URL' }) as HTMLInputElement).value).toBe(
      FAKE_SERVER_URL,
    );
    expect((screen.getByRole('textbox', { name: 'E-mail' }) as HTMLInputElement).value).toBe(
      FAKE_ADMIN_EMAIL,
    );
    await user.type(screen.getByLabelText('Password'), FAKE_PASSWORD);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('tab', { name: /^Active [\d,]+$/ })).toBeTruthy();
  });

  it('reopens a saved connection that still has its secret', async () => {
    const { user } = await openApp({ signedInAs: null });
    await user.click(await screen.findByRole('button', { name: 'Explore the demo' }));
    await screen.findByRole('tab', { name: /^Active [\d,]+$/ });
    await user.click(screen.getByRole('button', { name: /^Connection:/ }));
    await user.click(await screen.findByRole('menuitem', { name: 'Add connection' }));
    await user.click(await screen.findByRole('button', { name: /Demo organisation/ }));
    await waitFor(() => expect(screen.getByRole('tab', { name: /^Active [\d,]+$/ })).toBeTruthy());
  });
});
