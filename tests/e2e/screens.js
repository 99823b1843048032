// Screenshots of every screen, tab, panel and dialog, in the light and the
// dark theme, for a person to look at: target/e2e/screens/<name>-<theme>.png.
// Each theme is one test that walks through the app as a person would and
// photographs what they see; it fails when a screen cannot be reached.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { waitFor } from './lib/app.js';
import {
  activePeople,
  assert,
  closePanel,
  home,
  keychainSessions,
  openUser,
  search,
  selectTab,
  settledRows,
  signIn,
  signOut,
  SLOW,
} from './lib/flows.js';

const run = promisify(execFile);

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Picks the theme with the title bar's switch and waits until the page wears it. */
async function useTheme(app, theme) {
  const label = theme === 'dark' ? 'Dark' : 'Light';
  const group = await app.find('radiogroup', 'Theme');
  await app.click('radio', label, { within: group });
  await waitFor(
    () => app.browser.execute(() => document.documentElement.dataset.theme),
    'the page has no theme',
  ).then((worn) =>
    assert(worn === theme, `the page is ${worn}, not ${theme}, after choosing ${label}`),
  );
}

/**
 * The webview as WebDriver sees it, after animations have finished and with
 * the pointer out of the way (no hover effects or tooltips in the picture).
 */
async function shoot(ctx, theme, name) {
  const { app } = ctx;
  await app.browser
    .action('pointer')
    .move({ x: 1, y: 1 })
    .perform()
    .catch(() => {});
  await app.whenStill();
  const path = join(ctx.screens, `${name}-${theme}.png`);
  try {
    await writeFile(
      path,
      await withTimeout(app.screenshotPng(), 20_000, 'the WebDriver screenshot'),
    );
  } catch (error) {
    // WebKitWebDriver's screenshot sometimes hangs: take the X display instead.
    console.log(`     ${name}-${theme}: ${error.message}; taking the whole display instead`);
    await run('import', ['-window', 'root', path], { timeout: 15_000 });
  }
}

/** The first user in view with an application that can be switched to Custom. */
async function customisable(ctx, people) {
  const { app } = ctx;
  for (const person of people.slice(0, 8)) {
    const { panel, name } = await openUser(ctx, 'Active', person.email);
    for (const toggle of await app.queryAll('switch', / custom permissions$/, { within: panel })) {
      const state = await app.describe(toggle);
      if (!state.disabled && state.checked === 'false')
        return { panel, name, person, switchName: state.name };
    }
    await closePanel(app, name);
    await home(ctx);
  }
  throw new Error('none of the first users in view has an application that can be set to Custom');
}

async function tour(ctx, theme) {
  const { app } = ctx;
  assert(ctx.screens, 'E2E_SCREENS is not set: nowhere to put the screenshots');
  await mkdir(ctx.screens, { recursive: true });
  const snap = (name) => shoot(ctx, theme, name);

  await home(ctx);
  await useTheme(app, theme);

  // The three tabs.
  await settledRows(app, 'Active', (state) => state.rows.length > 0);
  await snap('users-active');
  for (const label of ['Pending', 'Archived']) {
    await selectTab(app, label);
    await settledRows(app, label);
    await snap(`users-${label.toLowerCase()}`);
  }
  await selectTab(app, 'Active');

  // Search: some results, then none.
  const before = await settledRows(app, 'Active', (state) => state.rows.length > 0);
  const part = before.rows[0].cells[0][0].split(/\s+/).pop().slice(0, 4);
  await search(app, part);
  await settledRows(app, 'Active', (state) => state.total > 0 && state.total < before.total);
  await snap('search-results');
  await search(app, 'zzqx nobody');
  await settledRows(app, 'Active', (state) => state.total === 0);
  await app.find('status', undefined, { text: /No users match/ });
  await snap('search-empty');
  await search(app, '');
  await settledRows(app, 'Active', (state) => state.total === before.total);

  // The user panel, then with an application's permissions one by one.
  const people = await activePeople(ctx);
  const { panel, name, person, switchName } = await customisable(ctx, people);
  await snap('user-panel');
  const custom = await app.click('switch', switchName, { within: panel });
  await waitFor(
    async () => (await app.describe(custom)).checked === 'true',
    `${switchName} did not turn on`,
  );
  const permission = await waitFor(async () => {
    for (const toggle of await app.queryAll('switch', undefined, { within: panel })) {
      if (!/ custom permissions$/.test((await app.describe(toggle)).name)) return toggle;
    }
    return null;
  }, `no permission switches appeared under ${switchName}`);
  await app.browser.execute((element) => element.scrollIntoView({ block: 'center' }), permission);
  await snap('user-panel-custom-permissions');
  await app.click('switch', switchName, { within: panel });
  await waitFor(
    async () => (await app.describe(custom)).checked === 'false',
    `${switchName} did not turn off`,
  );

  // Its confirmations: delete (e-mail half typed), archive.
  await app.click('button', 'Delete', { within: panel });
  let confirm = await app.find('alertdialog', `Delete ${name}?`);
  await app.type('textbox', /^Type .+ to confirm$/, person.email.slice(0, 8), { within: confirm });
  await snap('delete-confirm');
  await app.click('button', 'Cancel', { within: confirm });
  await app.waitGone('alertdialog', `Delete ${name}?`);
  await app.click('button', 'Archive', { within: panel });
  confirm = await app.find('alertdialog', `Archive ${name}?`);
  await snap('archive-confirm');
  await app.click('button', 'Cancel', { within: confirm });
  await app.waitGone('alertdialog', `Archive ${name}?`);
  await closePanel(app, name);

  // Reactivate, from an archived user's panel.
  await home(ctx);
  await selectTab(app, 'Archived');
  const archived = await settledRows(app, 'Archived', (state) => state.rows.length > 0);
  const email = archived.rows[0].cells[0][1];
  const opened = await openUser(ctx, 'Archived', email);
  await app.click('button', 'Reactivate', { within: opened.panel });
  confirm = await app.find('alertdialog', `Reactivate ${opened.name}?`);
  await snap('reactivate-confirm');
  await app.click('button', 'Cancel', { within: confirm });
  await app.waitGone('alertdialog', `Reactivate ${opened.name}?`);
  await closePanel(app, opened.name);
  await home(ctx);

  // The invite panel.
  await app.click('button', 'Invite user');
  const invite = await app.find('dialog', 'Invite user');
  await snap('invite-panel');
  const send = await app.find('checkbox', 'Send invitation e-mail', { within: invite });
  await app.browser.execute((element) => element.scrollIntoView({ block: 'center' }), send);
  await snap('invite-panel-end');
  await app.keys('Escape');
  await app.waitGone('dialog', 'Invite user');

  // The connection menu in the title bar.
  await app.click('button', /^Connection: /);
  await app.find('menu');
  await snap('profile-switcher');
  await app.keys('Escape');
  await app.waitGone('menu');

  // A conflict: someone else changed the user after the panel opened.
  const other = people[Math.min(3, people.length - 1)];
  const edited = await openUser(ctx, 'Active', other.email);
  const user = await ctx.scim.userByEmail(other.email);
  await ctx.scim.replace(user.id, 'nickName', `Changed elsewhere ${Date.now()}`);
  const field = await app.find('textbox', 'First name', { within: edited.panel });
  await app.type('textbox', 'First name', `${(await app.describe(field)).value}x`, {
    within: edited.panel,
  });
  await app.click('button', 'Save', { within: edited.panel });
  const alert = await app.find('alert', undefined, {
    within: edited.panel,
    text: /changed by someone else/i,
    timeout: SLOW,
  });
  await snap('conflict');
  await app.click('button', 'Reload', { within: alert });
  await app.waitGone('alert', undefined, {
    within: edited.panel,
    text: /changed by someone else/i,
  });
  await closePanel(app, edited.name);

  // Adding a connection, and the connect screen once signed out.
  await home(ctx);
  await app.click('button', /^Connection: /);
  await app.click('menuitem', /Add connection/);
  await app.find('textbox', 'Server URL');
  await snap('connect-add');
  await app.click('button', 'Cancel');
  await app.find('button', 'Sign out');
  await signOut(ctx);
  await snap('connect');
  await app.click('radio', 'API token');
  await app.find('textbox', 'API token');
  await snap('connect-token');
  await app.click('radio', 'E-mail and password');
  await signIn(ctx);

  // Last, as it ends the session: it ends elsewhere, and the app asks to
  // sign in again in place.
  await sessionExpired(ctx, snap);
  // Back to following the system, as a fresh install does.
  await app.click('radio', 'System', { within: await app.find('radiogroup', 'Theme') });
}

async function sessionExpired(ctx, snap) {
  const { app } = ctx;
  await home(ctx);
  const sessions = await keychainSessions(ctx.keychainService);
  assert(
    sessions.length === 1 && sessions[0].secret,
    `expected the refresh token of one signed-in profile in the keychain, found ${sessions.length}`,
  );
  const [item] = sessions;
  await ctx.scim.revokeSession(item.secret);
  // With rows cached, browsing may not ask the server anything: try what
  // does until the app notices.
  const tried = [];
  let dialog = null;
  for (const [what, act] of [
    [
      'opening a user',
      async () => {
        const [person] = await activePeople(ctx);
        await search(app, person.email);
        const { rows } = await settledRows(app, 'Active', (state) => state.rows.length === 1);
        await app.clickWhenReady(async () => rows[0].element, `the row of ${person.email}`);
      },
    ],
    ['switching tabs', () => app.click('tab', /^Pending(\s|$)/)],
    ['syncing', () => app.click('button', 'Sync', { timeout: 2_000 })],
  ]) {
    tried.push(what);
    await act().catch(() => {});
    dialog = await app.find('dialog', 'Sign in again', { timeout: 5_000 }).catch(() => null);
    if (dialog) {
      if (tried.length > 1) console.log(`     the ended session showed only after ${what}`);
      break;
    }
  }
  assert(
    dialog,
    `after the session was ended on the server, no "Sign in again" dialog came (tried ${tried.join(', ')}); on screen: ${await app.inventory()}`,
  );
  await snap('session-expired');
  await app.type('textbox', 'Password', ctx.owner.password, { within: dialog });
  await app.click('button', 'Sign in', { within: dialog });
  await app.waitGone('dialog', 'Sign in again', { timeout: SLOW });
  await home(ctx);
}

export const screens = ['light', 'dark'].map((theme) => ({
  name: `screens: every tab, panel and dialog in the ${theme} theme (target/e2e/screens)`,
  async run(ctx) {
    try {
      await tour(ctx, theme);
    } catch (error) {
      // Sign out, so that the next test does not inherit a half-ended session.
      const { app } = ctx;
      const dialog = (await app.queryAll('dialog', 'Sign in again').catch(() => []))[0];
      if (dialog) await app.click('button', 'Sign out', { within: dialog }).catch(() => {});
      await signOut(ctx).catch(() => {});
      throw error;
    }
  },
}));
