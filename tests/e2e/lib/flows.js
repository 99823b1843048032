// What the tests do again and again, the way a person would: sign in, pick
// a tab, search, open a user, read the grid, ask the keychain. Everything is
// found by role and accessible name and waited for, never slept on.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

import { waitFor } from './app.js';

/** A sign-in of the demo, read from the server's own constants so they cannot drift. */
export function demoConstant(name) {
  const source = readFileSync(
    new URL('../../../crates/roster-server/src/demo.rs', import.meta.url),
    'utf8',
  );
  const match = source.match(new RegExp(`pub const ${name}: &str = "([^"]+)";`));
  if (!match) throw new Error(`crates/roster-server/src/demo.rs defines no ${name}`);
  return match[1];
}

const run = promisify(execFile);

export const TABS = ['Active', 'Pending', 'Archived'];
export const SLOW = 30_000;

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** A tab's accessible name is its label, then its count when known. */
export function tabName(label) {
  return new RegExp(`^${label}(\\s|$)`);
}

/** Case and accents do not matter to a search box. */
export function fold(text) {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();
}

// ---------------------------------------------------------------- helpers

export async function signIn(ctx) {
  const { app } = ctx;
  await app.type('textbox', 'Server URL', ctx.serverUrl);
  // After a token sign-in the form may still offer the token field.
  if (!(await app.has('textbox', 'E-mail'))) await app.click('radio', 'E-mail and password');
  await app.type('textbox', 'E-mail', ctx.owner.email);
  await app.type('textbox', 'Password', ctx.owner.password);
  await app.click('button', 'Sign in');
  await app.find('tab', tabName('Active'), { timeout: SLOW });
}

/** Which screen is up: 'connect' or 'users'. */
export async function currentScreen(app, timeout = SLOW) {
  return waitFor(
    async () => {
      if (await app.has('tab', tabName('Active'))) return 'users';
      if (await app.has('textbox', 'Server URL')) return 'connect';
      return null;
    },
    async () =>
      `neither the connect screen nor the Users screen appeared; on screen: ${await app.inventory()}`,
    timeout,
  );
}

/** The count shown in a tab's name, or null while it is not known. */
export async function tabCount(app, label) {
  const { name } = await app.describe(await app.find('tab', tabName(label)));
  const match = name.match(/^\S+\s+(\d[\d\s.,'\u00a0\u202f]*)$/);
  return match ? Number(match[1].replace(/\D/g, '')) : null;
}

export async function tabCounts(app) {
  return waitFor(
    async () => {
      const counts = {};
      for (const label of TABS) {
        counts[label] = await tabCount(app, label);
        if (counts[label] === null) return null;
      }
      return counts;
    },
    async () => `the tabs show no counts; on screen: ${await app.inventory()}`,
  );
}

export async function grid(app, label) {
  return app.find('grid', `${label} users`);
}

/** Waits until the grid has loaded what it shows, and returns that. */
export async function settledRows(
  app,
  label,
  accept = () => true,
  message = 'the table did not settle',
) {
  const table = await grid(app, label);
  let last = null;
  return waitFor(
    async () => {
      last = await app.gridRows(table);
      if (last.busy || last.total === null) return null;
      const loaded = last.rows.filter((row) => !row.busy);
      if (last.total > 0 && loaded.length === 0) return null;
      const state = { total: last.total, rows: loaded };
      return accept(state) ? state : null;
    },
    () =>
      `${message}; the ${label} table announces ${last?.total ?? 'no'} rows and shows ${JSON.stringify(
        last?.rows.slice(0, 5).map((row) => row.cells[0]) ?? [],
      )}`,
  );
}

export async function selectTab(app, label) {
  const tab = await app.click('tab', tabName(label));
  await waitFor(
    async () => (await app.describe(tab)).selected === 'true',
    `the ${label} tab did not become the selected one`,
  );
  await grid(app, label);
}

/**
 * Types into the search box. With `commit`, presses Enter as well: the search
 * starts at once instead of after the typing pause, so the table's next
 * settled state is known to answer this search and not the one before.
 */
export async function search(app, text, { commit = true } = {}) {
  const box = await app.type('searchbox', 'Search users', text);
  if (commit) await app.press(box, 'Enter');
}

/** Back to a known place: the Users screen, no panel, Active, no search. */
export async function home(ctx) {
  const { app } = ctx;
  if ((await currentScreen(app)) === 'connect') await signIn(ctx);
  const openPanels = async () =>
    (await app.queryAll('alertdialog')).length + (await app.queryAll('dialog')).length;
  for (let i = 0; i < 3; i += 1) {
    const open = await openPanels();
    if (open === 0) break;
    // Escape closes the topmost panel, as for a person.
    await app.keys('Escape');
    await waitFor(async () => (await openPanels()) < open, 'Escape closed nothing').catch(() => {});
  }
  await app.waitGone('alertdialog');
  await app.waitGone('dialog');
  await selectTab(app, 'Active');
  const box = await app.find('searchbox', 'Search users');
  if ((await app.describe(box)).value !== '') await search(app, '');
  await settledRows(app, 'Active');
}

/** The user's name as the app titles them: given and family name (from SCIM). */
export async function fullNameOf(ctx, email) {
  const user = await ctx.scim.userByEmail(email);
  return `${user.name?.givenName ?? ''} ${user.name?.familyName ?? ''}`.trim();
}

/** Finds the user by e-mail with the search box and opens their panel. */
export async function openUser(ctx, label, email) {
  const { app } = ctx;
  await search(app, email);
  await settledRows(
    app,
    label,
    (state) => state.total === 1 && state.rows.length === 1,
    `searching for ${email} in ${label} did not narrow the table to that one user`,
  );
  const table = await grid(app, label);
  await app.clickWhenReady(async () => {
    const { rows } = await app.gridRows(table);
    return rows.find((row) => !row.busy && row.cells[0]?.includes(email))?.element ?? null;
  }, `the row of ${email} in the ${label} table`);
  const name = await fullNameOf(ctx, email);
  const panel = await app.find('dialog', name);
  // Loaded when its actions are there.
  await app.find('button', 'Save', { within: panel });
  return { panel, name };
}

export async function closePanel(app, name) {
  await app.keys('Escape');
  await app.waitGone('dialog', name);
}

/** Users in the Active table other than the Owner, as { name, email }. */
export async function activePeople(ctx) {
  const { rows } = await settledRows(ctx.app, 'Active', (state) => state.rows.length > 1);
  return rows
    .map((row) => ({ name: row.cells[0]?.[0] ?? '', email: row.cells[0]?.[1] ?? '' }))
    .filter((person) => person.email.includes('@') && person.email !== ctx.owner.email);
}

/**
 * The items the keychain holds under `service`, as secret-tool shows them on
 * its standard output: a "[/path]" header per item, then "key = value" lines
 * (its attributes go to standard error, apart from the items). Each item is
 * { account, secret }: the label "keyring:<account>@<service>" names the
 * account, which is a profile's id for its session secret (a refresh token
 * or an API token) and "<profile id>#<purpose>" for other secrets, such as
 * the key of the profile's offline copy.
 */
export async function keychainItems(service) {
  const { stdout } = await run('secret-tool', ['search', '--all', 'service', service]).catch(
    (error) => ({ stdout: error.stdout ?? '' }),
  );
  const items = [];
  for (const line of stdout.split('\n')) {
    if (/^\[\//.test(line)) items.push({ account: null, secret: null });
    const item = items[items.length - 1];
    if (!item) continue;
    const secret = line.match(/^secret = (.*)$/);
    if (secret) item.secret = secret[1];
    const label = line.match(/^label = keyring:(.*)@[^@]*$/);
    if (label) item.account = label[1];
  }
  return items;
}

/** The session secrets (refresh or API tokens) the keychain holds, one per profile. */
export async function keychainSessions(service) {
  return (await keychainItems(service)).filter(
    (item) => item.account !== null && !item.account.includes('#'),
  );
}

export async function keychainEntries(service) {
  return (await keychainItems(service)).length;
}

/** Signs in with the run's API token instead of a password. */
export async function signInWithToken(ctx) {
  const { app } = ctx;
  await app.type('textbox', 'Server URL', ctx.serverUrl);
  // The connect screen asks for a password until the token method is chosen.
  await app.click('radio', 'API token');
  await app.type('textbox', 'API token', ctx.apiToken);
  await app.click('button', 'Sign in');
  await app.find('tab', tabName('Active'), { timeout: SLOW });
}

/** Signs out if signed in; returns once the connect screen is up. */
export async function signOut(ctx) {
  const { app } = ctx;
  if ((await currentScreen(app)) === 'users') {
    await app.click('button', 'Sign out');
  }
  await app.find('textbox', 'Server URL', { timeout: SLOW });
}
