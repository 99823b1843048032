// The flows a user notices first, in the order a person would try them, each
// done through the window by role and accessible name. Tests after the first
// start from the Users screen (signing in if the app shows the connect
// screen), so one failure does not hide the next test's result.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { waitFor } from './lib/app.js';

const run = promisify(execFile);
const TABS = ['Active', 'Pending', 'Archived'];
const SLOW = 30_000;

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** A tab's accessible name is its label, then its count when known. */
function tabName(label) {
  return new RegExp(`^${label}(\\s|$)`);
}

/** Case and accents do not matter to a search box. */
function fold(text) {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();
}

// ---------------------------------------------------------------- helpers

async function signIn(ctx) {
  const { app } = ctx;
  await app.type('textbox', 'Server URL', ctx.serverUrl);
  await app.type('textbox', 'E-mail', ctx.owner.email);
  await app.type('textbox', 'Password', ctx.owner.password);
  await app.click('button', 'Sign in');
  await app.find('tab', tabName('Active'), { timeout: SLOW });
}

/** Which screen is up: 'connect' or 'users'. */
async function currentScreen(app, timeout = SLOW) {
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
async function tabCount(app, label) {
  const { name } = await app.describe(await app.find('tab', tabName(label)));
  const match = name.match(/^\S+\s+(\d[\d\s.,'\u00a0\u202f]*)$/);
  return match ? Number(match[1].replace(/\D/g, '')) : null;
}

async function tabCounts(app) {
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

async function grid(app, label) {
  return app.find('grid', `${label} users`);
}

/** Waits until the grid has loaded what it shows, and returns that. */
async function settledRows(app, label, accept = () => true, message = 'the table did not settle') {
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

async function selectTab(app, label) {
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
async function search(app, text, { commit = true } = {}) {
  const box = await app.type('searchbox', 'Search users', text);
  if (commit) await app.press(box, 'Enter');
}

/** Back to a known place: the Users screen, no panel, Active, no search. */
async function home(ctx) {
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
async function fullNameOf(ctx, email) {
  const user = await ctx.scim.userByEmail(email);
  return `${user.name?.givenName ?? ''} ${user.name?.familyName ?? ''}`.trim();
}

/** Finds the user by e-mail with the search box and opens their panel. */
async function openUser(ctx, label, email) {
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

async function closePanel(app, name) {
  await app.keys('Escape');
  await app.waitGone('dialog', name);
}

/** Users in the Active table other than the Owner, as { name, email }. */
async function activePeople(ctx) {
  const { rows } = await settledRows(ctx.app, 'Active', (state) => state.rows.length > 1);
  return rows
    .map((row) => ({ name: row.cells[0]?.[0] ?? '', email: row.cells[0]?.[1] ?? '' }))
    .filter((person) => person.email.includes('@') && person.email !== ctx.owner.email);
}

async function keychainEntries(service) {
  // secret-tool prints one "[/path]" header line per item it finds.
  const { stdout, stderr } = await run('secret-tool', [
    'search',
    '--all',
    'service',
    service,
  ]).catch((error) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? '' }));
  return `${stdout}\n${stderr}`.split('\n').filter((line) => /^\[\//.test(line)).length;
}

// ------------------------------------------------------------------ tests

export const tests = [
  {
    name: 'connect: sign in as the demo Owner and see the Active tab with a count',
    async run(ctx) {
      const { app } = ctx;
      assert(
        (await currentScreen(app)) === 'connect',
        'a fresh profile must open on the connect screen',
      );
      await app.find('button', 'Explore the demo');
      await signIn(ctx);
      const count = await waitFor(
        () => tabCount(app, 'Active'),
        'the Active tab shows no count after signing in',
      );
      assert(count > 0, `the Active tab counts ${count} users`);
      assert(!(await app.has('textbox', 'Server URL')), 'the connect screen is still shown');
    },
  },
  {
    name: 'tabs and counts: Active, Pending and Archived add up to the demo size',
    async run(ctx) {
      const { app } = ctx;
      await home(ctx);
      const counts = await tabCounts(app);
      const sum = counts.Active + counts.Pending + counts.Archived;
      assert(
        sum === ctx.demoUsers,
        `the tab counts ${JSON.stringify(counts)} add up to ${sum}, not the ${ctx.demoUsers} demo users`,
      );
      // Each tab shows a table of as many rows as its count says.
      for (const label of ['Pending', 'Archived', 'Active']) {
        await selectTab(app, label);
        await settledRows(
          app,
          label,
          (state) => state.total === counts[label],
          `the ${label} table does not hold the ${counts[label]} users its tab counts`,
        );
      }
    },
  },
  {
    name: "search: part of a user's name narrows the rows",
    async run(ctx) {
      const { app } = ctx;
      await home(ctx);
      const before = await settledRows(app, 'Active', (state) => state.rows.length > 0);
      const name = before.rows[0].cells[0][0];
      // The longest word of the first row's name, up to six letters of it.
      const word = name.split(/\s+/).sort((a, b) => b.length - a.length)[0];
      const part = word.slice(0, Math.min(6, word.length));
      assert(part.length >= 2, `the first row's name "${name}" gives nothing to search for`);
      // Search as you type: no Enter.
      await search(app, part, { commit: false });
      const after = await settledRows(
        app,
        'Active',
        (state) => state.total > 0 && state.total < before.total,
        `searching for "${part}" (from "${name}") did not narrow ${before.total} rows`,
      );
      const stray = after.rows.filter((row) => !fold(row.cells[0].join(' ')).includes(fold(part)));
      assert(
        stray.length === 0,
        `rows that do not match "${part}": ${JSON.stringify(stray.map((row) => row.cells[0]))}`,
      );
      assert(
        after.rows.some((row) => row.cells[0][0] === name),
        `"${name}", whose name the search came from, is not among the results`,
      );
      await search(app, '', { commit: false });
      await settledRows(
        app,
        'Active',
        (state) => state.total === before.total,
        'clearing the search did not bring every row back',
      );
    },
  },
  {
    name: 'permissions: set an application to Custom, flip a permission, Save, reopen: it stuck',
    async run(ctx) {
      const { app } = ctx;
      await home(ctx);
      const people = await activePeople(ctx);
      // The first person with an application still on "All" that may be customised.
      let chosen = null;
      for (const person of people.slice(0, 8)) {
        const { panel, name } = await openUser(ctx, 'Active', person.email);
        for (const toggle of await app.queryAll('switch', / custom permissions$/, {
          within: panel,
        })) {
          const state = await app.describe(toggle);
          if (!state.disabled && state.checked === 'false') {
            chosen = {
              ...person,
              name,
              application: state.name.replace(/ custom permissions$/, ''),
            };
            break;
          }
        }
        if (chosen) break;
        await closePanel(app, name);
        await home(ctx);
      }
      assert(chosen, `none of ${people.length} users has an application that can be set to Custom`);
      const customName = `${chosen.application} custom permissions`;
      let panel = await app.find('dialog', chosen.name);
      const custom = await app.click('switch', customName, { within: panel });
      await waitFor(
        async () => (await app.describe(custom)).checked === 'true',
        `the "${customName}" switch did not turn on`,
      );
      // The application's own permission switches appear under it.
      const permission = await waitFor(async () => {
        for (const toggle of await app.queryAll('switch', undefined, { within: panel })) {
          const state = await app.describe(toggle);
          if (!state.disabled && !/ custom permissions$/.test(state.name)) return state;
        }
        return null;
      }, `no permission switch can be flipped after setting ${chosen.application} to Custom`);
      const want = permission.checked === 'true' ? 'false' : 'true';
      const toggle = await app.click('switch', permission.name, { within: panel });
      await waitFor(
        async () => (await app.describe(toggle)).checked === want,
        `the "${permission.name}" switch did not flip`,
      );
      await app.click('button', 'Save', { within: panel });
      await app
        .find('status', undefined, { within: panel, text: 'Changes saved', timeout: SLOW })
        .catch(async () => {
          throw new Error(
            `Save did not report success; the panel shows: ${await app.inventory(panel)}`,
          );
        });
      await closePanel(app, chosen.name);
      await home(ctx);

      ({ panel } = await openUser(ctx, 'Active', chosen.email));
      const customAgain = await app.find('switch', customName, { within: panel });
      assert(
        (await app.describe(customAgain)).checked === 'true',
        `${chosen.application} is not Custom any more after reopening ${chosen.name}`,
      );
      const again = await app.find('switch', permission.name, { within: panel });
      assert(
        (await app.describe(again)).checked === want,
        `"${permission.name}" is back to ${permission.checked} after reopening ${chosen.name}`,
      );
      await closePanel(app, chosen.name);
    },
  },
  {
    name: 'invite: a new user appears in Pending',
    async run(ctx) {
      const { app } = ctx;
      await home(ctx);
      const before = await tabCounts(app);
      const stamp = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
      const person = {
        first: 'Ines',
        last: `Invitee ${stamp}`,
        email: `ines.invitee.${stamp}@example.org`,
      };
      await app.click('button', 'Invite user');
      const panel = await app.find('dialog', 'Invite user');
      await app.type('textbox', 'First name', person.first, { within: panel });
      await app.type('textbox', 'Last name', person.last, { within: panel });
      await app.type('textbox', 'E-mail', person.email, { within: panel });
      await app.find('checkbox', 'Send invitation e-mail', { within: panel });
      await app.click('button', 'Invite', { within: panel });
      await app.waitGone('dialog', 'Invite user', { timeout: SLOW }).catch(async () => {
        throw new Error(`the invite panel stayed open: ${await app.inventory(panel)}`);
      });
      const pending = await app.find('tab', tabName('Pending'));
      await waitFor(
        async () => (await app.describe(pending)).selected === 'true',
        'after inviting, the Pending tab is not the one shown',
      );
      await waitFor(
        async () => (await tabCount(app, 'Pending')) === before.Pending + 1,
        `the Pending count did not go from ${before.Pending} to ${before.Pending + 1}`,
      );
      await search(app, person.email);
      await settledRows(
        app,
        'Pending',
        (state) =>
          state.rows.length === 1 &&
          state.rows[0].cells[0].join(' ').includes(`${person.first} ${person.last}`),
        `${person.first} ${person.last} is not in the Pending table`,
      );
    },
  },
  {
    name: 'archive: an archived user appears in Archived; reactivated, back in Active',
    async run(ctx) {
      const { app } = ctx;
      await home(ctx);
      const before = await tabCounts(app);
      const people = await activePeople(ctx);
      // Not a user an earlier test changed: the last one in view.
      const person = people[people.length - 1];
      assert(person, 'the Active table shows nobody to archive');

      // The tabs count what the search finds: this one person.
      let { panel, name } = await openUser(ctx, 'Active', person.email);
      await app.click('button', 'Archive', { within: panel });
      let confirm = await app.find('alertdialog', `Archive ${name}?`);
      await app.click('button', 'Archive', { within: confirm });
      await app.waitGone('alertdialog', `Archive ${name}?`, { timeout: SLOW });
      panel = await app.find('dialog', name);
      await app.find('button', 'Reactivate', { within: panel });
      await closePanel(app, name);
      await waitFor(
        async () =>
          (await tabCount(app, 'Active')) === 0 && (await tabCount(app, 'Archived')) === 1,
        `searching for ${person.email} after archiving does not count them under Archived`,
      );
      await selectTab(app, 'Archived');
      ({ panel } = await openUser(ctx, 'Archived', person.email));
      await closePanel(app, name);
      await search(app, '');
      await waitFor(
        async () =>
          (await tabCount(app, 'Archived')) === before.Archived + 1 &&
          (await tabCount(app, 'Active')) === before.Active - 1,
        `the counts did not move one user from Active to Archived (before: ${JSON.stringify(before)})`,
      );

      ({ panel } = await openUser(ctx, 'Archived', person.email));
      await app.click('button', 'Reactivate', { within: panel });
      confirm = await app.find('alertdialog', `Reactivate ${name}?`);
      await app.click('button', 'Reactivate', { within: confirm });
      await app.waitGone('alertdialog', `Reactivate ${name}?`, { timeout: SLOW });
      panel = await app.find('dialog', name);
      await app.find('button', 'Archive', { within: panel });
      await closePanel(app, name);
      await selectTab(app, 'Active');
      await openUser(ctx, 'Active', person.email);
      await closePanel(app, name);
      await search(app, '');
      await waitFor(
        async () =>
          (await tabCount(app, 'Archived')) === before.Archived &&
          (await tabCount(app, 'Active')) === before.Active,
        `the counts did not return to ${JSON.stringify(before)} after reactivating`,
      );
    },
  },
  {
    name: 'conflict: a change made elsewhere meanwhile makes Save offer Reload',
    async run(ctx) {
      const { app } = ctx;
      await home(ctx);
      const people = await activePeople(ctx);
      const person = people[Math.floor(people.length / 2)];
      assert(person, 'the Active table shows nobody to edit');
      const { panel, name } = await openUser(ctx, 'Active', person.email);

      // Another administrator changes the same user through the SCIM API.
      const user = await ctx.scim.userByEmail(person.email);
      await ctx.scim.replace(user.id, 'nickName', `Changed elsewhere ${Date.now()}`);

      const field = await app.find('textbox', 'First name', { within: panel });
      const original = (await app.describe(field)).value;
      await app.type('textbox', 'First name', `${original}x`, { within: panel });
      await app.click('button', 'Save', { within: panel });
      const changed = /changed by someone else/i;
      const alert = await app.find('alert', undefined, {
        within: panel,
        text: changed,
        timeout: SLOW,
      });
      await app.click('button', 'Reload', { within: alert });
      await app.waitGone('alert', undefined, { within: panel, text: changed, timeout: SLOW });
      await waitFor(
        async () => (await app.describe(field)).value === original,
        `after Reload the First name is not the server's "${original}" again`,
      );
      await closePanel(app, name);
      // The server kept the other administrator's change, and not the app's.
      const now = await ctx.scim.userByEmail(person.email);
      assert(
        now.name?.givenName === original,
        `the server's first name is "${now.name?.givenName}", not "${original}"`,
      );
    },
  },
  {
    name: 'sign out: the connect screen returns',
    async run(ctx) {
      const { app } = ctx;
      await home(ctx);
      await app.click('button', 'Sign out');
      await app.find('textbox', 'Server URL', { timeout: SLOW });
      await app.find('button', 'Sign in');
      await app.find('button', 'Explore the demo');
      await app.waitGone('tab', tabName('Active'));
    },
  },
  {
    name: 'keychain: relaunched, the app opens signed in; signing out leaves no secret',
    async run(ctx) {
      const { app } = ctx;
      if ((await currentScreen(app)) === 'users') {
        await app.click('button', 'Sign out');
        await app.find('textbox', 'Server URL', { timeout: SLOW });
      }
      assert(
        (await keychainEntries(ctx.keychainService)) === 0,
        `the keychain holds ${ctx.keychainService} entries while signed out`,
      );
      await signIn(ctx);
      await waitFor(
        async () => (await keychainEntries(ctx.keychainService)) === 1,
        `signing in stored no secret under the keychain service ${ctx.keychainService}`,
      );

      await ctx.relaunch();
      assert(
        (await currentScreen(app)) === 'users',
        'relaunched, the app asks to sign in again instead of resuming from the keychain',
      );
      await app.click('button', 'Sign out');
      await app.find('textbox', 'Server URL', { timeout: SLOW });
      await waitFor(
        async () => (await keychainEntries(ctx.keychainService)) === 0,
        `after signing out, secret-tool still finds an entry for ${ctx.keychainService}`,
      );
    },
  },
];
