// The flows a user notices first, in the order a person would try them, each
// done through the window by role and accessible name. Tests after the first
// start from the Users screen (signing in if the app shows the connect
// screen), so one failure does not hide the next test's result.
import { readFile, rm, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { waitFor } from './lib/app.js';
import {
  activePeople,
  assert,
  closePanel,
  currentScreen,
  fold,
  home,
  keychainEntries,
  keychainItems,
  keychainSessions,
  openUser,
  search,
  selectTab,
  settledRows,
  signIn,
  signInWithToken,
  signOut,
  SLOW,
  tabCount,
  tabCounts,
  tabName,
} from './lib/flows.js';
import {
  installIpcRecorder,
  ipcLog,
  secretsIn,
  secretsInFiles,
  secretsInIpc,
} from './lib/leaks.js';
import { screens } from './screens.js';

/** What the connect screen of a fresh install offers, by role and name. */
export async function connectScreenOffers(app) {
  assert(
    (await currentScreen(app)) === 'connect',
    'a fresh profile must open on the connect screen',
  );
  for (const name of ['Server URL', 'E-mail', 'Password']) await app.find('textbox', name);
  await app.find('button', 'Sign in');
  await app.find('button', 'Explore the demo');
  // The token field replaces e-mail and password when the token is chosen.
  await app.click('radio', 'API token');
  await app.find('textbox', 'API token');
  await app.waitGone('textbox', 'Password');
  await app.click('radio', 'E-mail and password');
  await app.find('textbox', 'Password');
}

/**
 * Every secret the keychain holds for the app now, as { label, value }: the
 * profile's session secret (called `sessionLabel`) and any other, such as
 * the key of its offline copy.
 */
async function keychainSecrets(ctx, sessionLabel) {
  const items = await keychainItems(ctx.keychainService);
  const sessions = items.filter((item) => item.account !== null && !item.account.includes('#'));
  assert(
    sessions.length === 1 && sessions[0].secret,
    `expected one profile's session secret under the keychain service ${ctx.keychainService}, found ${sessions.length}`,
  );
  return items
    .filter((item) => item.secret)
    .map((item) => ({
      label:
        item === sessions[0]
          ? sessionLabel
          : `the keychain's "${item.account?.replace(/^[^#]*#/, '') ?? '?'}" secret`,
      value: item.secret,
      session: item === sessions[0],
    }));
}

/** Adds the secrets not already in `secrets`. */
function remember(secrets, more) {
  for (const secret of more) {
    if (!secrets.some((known) => known.value === secret.value)) secrets.push(secret);
  }
  return secrets;
}

/**
 * Fails if any of `secrets` is in a file the app can write, in its log, or in
 * what the page received over IPC (`log`). Each place is also searched for a
 * string known to be there, so an empty or unread place cannot pass.
 */
async function assertNothingLeaks(ctx, secrets, when) {
  const leaks = [];
  const files = await secretsInFiles(ctx.appDirs, secrets);
  for (const hit of files) leaks.push(`${hit.label} is in ${hit.file} (${hit.form})`);
  const store = (
    await secretsInFiles(ctx.appDirs, [{ label: 'the server URL', value: ctx.serverUrl }])
  )
    .map((hit) => hit.file)
    .filter((file) => file.endsWith('profiles.json'));
  assert(
    store.length > 0,
    `no profiles.json holding the server URL under ${ctx.appDirs.join(', ')}: the search missed the app's store`,
  );

  const log = await readFile(ctx.appLog);
  for (const hit of secretsIn(log, secrets))
    leaks.push(`${hit.label} is in the app's log ${ctx.appLog} (${hit.form})`);
  assert(
    secretsIn(log, [{ label: 'start-up line', value: 'starting Roster' }]).length > 0,
    `the app's log ${ctx.appLog} does not hold its start-up line: the log was not captured`,
  );

  const ipc = await ipcLog(ctx.app);
  if (ctx.shots) await writeFile(join(ctx.shots, 'ipc-log.json'), JSON.stringify(ipc, null, 1));
  for (const hit of secretsInIpc(ipc, secrets)) {
    leaks.push(
      `${hit.label} is in the ${hit.part} of ${hit.command} (${hit.outcome}, ${hit.form})`,
    );
  }
  const answered = new Set(
    ipc.filter((entry) => entry.outcome === 'resolved').map((entry) => entry.command),
  );
  for (const command of ['connect_with_password', 'users_window', 'get_user']) {
    assert(
      answered.has(command),
      `the IPC recorder saw no answer to ${command} (it saw: ${[...answered].join(', ')})`,
    );
  }
  const signedIn = ipc.filter(
    (entry) => entry.command === 'connect_with_password' && entry.outcome === 'resolved',
  );
  assert(
    signedIn.some(
      (entry) => secretsIn(entry.value, [{ label: 'e-mail', value: ctx.owner.email }]).length > 0,
    ),
    `the recorded answer to connect_with_password does not name ${ctx.owner.email}: the recorder does not keep what the page receives`,
  );
  assert(leaks.length === 0, `${when}: ${leaks.join('; ')}`);
}

// ------------------------------------------------------------------ tests

export const tests = [
  {
    name: 'first run: the connect screen asks for a server and a password or API token, or offers the demo',
    async run(ctx) {
      await connectScreenOffers(ctx.app);
    },
  },
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
    name: "delete: typing the user's e-mail confirms; they leave the table and the server",
    async run(ctx) {
      const { app } = ctx;
      await home(ctx);
      const before = await tabCounts(app);
      const people = await activePeople(ctx);
      // Not a user an earlier test changed: the one before the last in view.
      const person = people[people.length - 2];
      assert(person, 'the Active table shows nobody to delete');
      const { id } = await ctx.scim.userByEmail(person.email);

      const { panel, name } = await openUser(ctx, 'Active', person.email);
      await app.click('button', 'Delete', { within: panel });
      const confirm = await app.find('alertdialog', `Delete ${name}?`);
      const deleteUser = await app.find('button', 'Delete user', { within: confirm });
      assert(
        (await app.describe(deleteUser)).disabled,
        '"Delete user" can be clicked before the e-mail is typed',
      );
      const field = /^Type .+ to confirm$/;
      await app.type('textbox', field, person.email.slice(0, -1), { within: confirm });
      assert(
        (await app.describe(deleteUser)).disabled,
        '"Delete user" can be clicked with the e-mail typed only in part',
      );
      await app.type('textbox', field, person.email, { within: confirm });
      await app.click('button', 'Delete user', { within: confirm });
      await app.waitGone('alertdialog', `Delete ${name}?`, { timeout: SLOW });
      await app.waitGone('dialog', name, { timeout: SLOW });

      await settledRows(
        app,
        'Active',
        (state) => state.total === 0,
        `searching for ${person.email} after deleting them still finds them`,
      );
      await search(app, '');
      await waitFor(
        async () => (await tabCount(app, 'Active')) === before.Active - 1,
        `the Active count did not go from ${before.Active} to ${before.Active - 1}`,
      );
      assert(
        !(await ctx.scim.exists(id)),
        `the server still has ${person.email} (GET /Users/${id} did not answer 404)`,
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
    name: 'API token: sign in with a token instead of a password, then sign out',
    async run(ctx) {
      const { app } = ctx;
      await signOut(ctx);
      await signInWithToken(ctx);
      const count = await waitFor(
        () => tabCount(app, 'Active'),
        'the Active tab shows no count after signing in with the API token',
      );
      assert(count > 0, `the Active tab counts ${count} users`);
      await settledRows(app, 'Active', (state) => state.rows.length > 0);
      await app.click('button', 'Sign out');
      await app.find('textbox', 'Server URL', { timeout: SLOW });
      await app.waitGone('tab', tabName('Active'));
      await waitFor(
        async () => (await keychainEntries(ctx.keychainService)) === 0,
        `after signing out, the keychain still holds an entry for ${ctx.keychainService}`,
      );
    },
  },
  {
    name: 'secrets: no password, refresh token or API token in the files, the log or any IPC answer',
    async run(ctx) {
      const { app } = ctx;
      await signOut(ctx);

      // The searches find a planted string, so finding nothing means something.
      const planted = { label: 'a planted string', value: `planted-${Date.now()}-e2e` };
      const plantedDir = join(ctx.appDirs[2], 'e2e-planted', 'deeper');
      await mkdir(plantedDir, { recursive: true });
      await writeFile(join(plantedDir, 'file'), Buffer.from(`x${planted.value}y`, 'utf16le'));
      const plantedHits = await secretsInFiles(ctx.appDirs, [planted]);
      await rm(join(ctx.appDirs[2], 'e2e-planted'), { recursive: true });
      assert(
        plantedHits.length === 1 && plantedHits[0].form === 'as UTF-16',
        `the file search did not find a planted UTF-16 string: ${JSON.stringify(plantedHits)}`,
      );
      assert(
        secretsInIpc(
          [{ command: 'c', outcome: 'resolved', args: '{}', value: `{"a":"${planted.value}"}` }],
          [planted],
        ).length === 1,
        'the IPC search did not find a planted string',
      );

      await installIpcRecorder(app);
      await signIn(ctx);
      // Use the app a little: windows of rows, a user's details.
      await home(ctx);
      const [person] = await activePeople(ctx);
      const { name } = await openUser(ctx, 'Active', person.email);
      await closePanel(app, name);
      const secrets = [{ label: 'the password', value: ctx.owner.password }];
      remember(secrets, await keychainSecrets(ctx, 'the refresh token'));
      await assertNothingLeaks(ctx, secrets, 'signed in with a password');

      await signOut(ctx);
      await signInWithToken(ctx);
      await home(ctx);
      const stored = await keychainSecrets(ctx, 'the API token');
      assert(
        stored.find((secret) => secret.session).value === ctx.apiToken,
        'the keychain does not hold the API token signed in with',
      );
      remember(secrets, stored);
      await assertNothingLeaks(ctx, secrets, 'signed in with an API token');
      await signOut(ctx);
    },
  },
  ...screens,
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
        async () => (await keychainSessions(ctx.keychainService)).length === 1,
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
