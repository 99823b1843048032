// The seeds' rules end to end, in the real app against roster-server:
// invitation → the accept page → Active and able to sign in; an escalation
// refused in the app and the API; delete with transfer; a Guest's last
// resource; an over-limit usage event; departments managed and filtered by;
// notification settings. With E2E_SCREENS, the new tabs and
// views are photographed in both themes. Run with E2E_SPEC=rules.js.
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { waitFor } from './lib/app.js';
import {
  assert,
  demoConstant,
  home,
  tabCount,
  openUser,
  search,
  selectTab,
  settledRows,
  signIn,
  signOut,
  SLOW,
} from './lib/flows.js';
import { RosterApi } from './lib/roster-api.js';

const run = promisify(execFile);

const EXT = 'urn:roster:params:scim:schemas:extension:roster:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const api = (ctx) => new RosterApi({ scimUrl: ctx.serverUrl, token: ctx.apiToken });
const stamp = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

/** A user of the demo with this role, from the API. */
async function someoneWith(ctx, role, status = 'active') {
  const filter = encodeURIComponent(
    `urn:roster:params:scim:schemas:extension:roster:2.0:User:role eq "${role}" and ` +
      `urn:roster:params:scim:schemas:extension:roster:2.0:User:status eq "${status}"`,
  );
  const list = await api(ctx).ok('GET', `/scim/v2/Users?filter=${filter}&count=20`);
  assert(list.totalResults > 0, `the demo has no ${status} ${role}`);
  return list.Resources;
}

const emailOf = (user) =>
  (user.emails?.find((e) => e.primary) ?? user.emails?.[0])?.value ?? user.userName;

/** The whole display, when screenshots were asked for. */
async function snap(ctx, name) {
  if (!ctx.screens) return;
  await mkdir(ctx.screens, { recursive: true });
  const theme = await ctx.app.browser.execute(() => document.documentElement.dataset.theme);
  await ctx.app.whenStill().catch(() => {});
  await run('import', ['-window', 'root', join(ctx.screens, `rules-${name}-${theme}.png`)], {
    timeout: 15_000,
  });
}

export const tests = [
  {
    name: 'invitation: the link from the outbox sets a password; the user is Active and signs in',
    async run(ctx) {
      const { app } = ctx;
      await home(ctx);
      const s = stamp();
      const email = `ada.accept.${s}@example.org`;
      await app.click('button', 'Invite user');
      const panel = await app.find('dialog', 'Invite user');
      await app.type('textbox', 'First name', 'Ada', { within: panel });
      await app.type('textbox', 'Last name', `Accept ${s}`, { within: panel });
      await app.type('textbox', 'E-mail', email, { within: panel });
      await app.click('button', 'Invite', { within: panel });
      await app.waitGone('dialog', 'Invite user', { timeout: SLOW });

      // Before accepting, they cannot sign in.
      const early = await api(ctx).signIn(email, 'a long enough password');
      assert(early.status === 400, `a pending user signed in (${early.status})`);

      // The app's Outbox shows the e-mail and its link.
      await app.click('button', 'Outbox');
      const outbox = await app.find('dialog', 'Outbox');
      await app.find('list', 'E-mails', { within: outbox, timeout: SLOW });
      await waitFor(
        () => app.browser.execute((e) => document.body.innerText.includes(e), email),
        `the Outbox does not list the e-mail to ${email}`,
      );
      await snap(ctx, 'outbox');
      await app.keys('Escape');
      await app.waitGone('dialog', 'Outbox');

      const mail = await api(ctx).latestMailTo(email);
      assert(mail.link.includes('/invite/'), `the invitation link is ${mail.link}`);
      const accepted = await api(ctx).setPassword(mail.link, 'correct horse battery');
      assert(accepted.status < 400, `the accept page answered ${accepted.status}`);
      const signedIn = await api(ctx).signIn(email, 'correct horse battery');
      assert(
        signedIn.status === 200 && signedIn.body?.access_token,
        `the invitee cannot sign in: ${JSON.stringify(signedIn.body)}`,
      );

      // The app shows them in Active: each look searches again, so the
      // table asks afresh (the server, or the copy once a sync brought it).
      await waitFor(
        async () => {
          if (await app.has('button', 'Sync')) await app.click('button', 'Sync').catch(() => {});
          await search(app, '');
          await search(app, email);
          await selectTab(app, 'Active');
          const { rows } = await settledRows(app, 'Active');
          return rows.some((row) => row.cells[0]?.join(' ').includes(email));
        },
        `${email} is not in the Active table after accepting`,
        60_000,
      );
    },
  },
  {
    name: 'escalation: a role the Admin cannot grant is disabled in the app and refused by the API',
    async run(ctx) {
      const { app } = ctx;
      // A custom role holding a permission the Admin lacks (billing).
      const roleName = `Billing clerk ${stamp()}`;
      const role = await api(ctx).ok('POST', '/roster/v1/roles', {
        name: roleName,
        permissions: ['billing:view-invoices'],
      });
      const member = (await someoneWith(ctx, 'member'))[2];
      const admin = {
        email: demoConstant('DEMO_ADMIN_EMAIL'),
        password: demoConstant('DEMO_ADMIN_PASSWORD'),
      };

      // The API refuses the Admin giving it, and says why.
      const session = await api(ctx).signIn(admin.email, admin.password);
      assert(session.status === 200, `the Admin cannot sign in (${session.status})`);
      const refused = await api(ctx).call(
        'PATCH',
        `/scim/v2/Users/${member.id}`,
        {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [
            {
              op: 'replace',
              path: 'urn:roster:params:scim:schemas:extension:roster:2.0:User:role',
              value: role.id,
            },
          ],
        },
        session.body.access_token,
      );
      assert(refused.status === 403, `the Admin giving ${roleName} answered ${refused.status}`);
      assert(refused.body?.detail, 'the refusal has no detail');

      // In the app, signed in as the Admin, the role is listed but disabled, with the reason.
      await home(ctx);
      await signOut(ctx);
      try {
        await signIn({ ...ctx, owner: admin });
        const { panel } = await openUser(ctx, 'Active', emailOf(member));
        await app.click('combobox', 'Role', { within: panel });
        const option = await app.find('option', new RegExp(`^${roleName}`));
        const state = await app.describe(option);
        assert(state.disabled, `the ${roleName} option can be chosen`);
        await waitFor(
          () =>
            app.browser.execute(() =>
              document.body.innerText.includes('which you do not hold yourself'),
            ),
          'the reason is not shown beside the disabled role',
        );
        await snap(ctx, 'role-not-grantable');
        await app.keys('Escape');
      } finally {
        // Back to the Owner, from wherever the Admin's part stopped.
        await home(ctx);
        await signOut(ctx);
        await home(ctx);
      }
    },
  },
  {
    name: "the user panel's tabs, the Outbox and the Audit log open, in both themes",
    async run(ctx) {
      const { app } = ctx;
      const member = (await someoneWith(ctx, 'member'))[3];
      for (const theme of ['Dark', 'Light']) {
        await home(ctx);
        await app.click('radio', theme, { within: await app.find('radiogroup', 'Theme') });
        const { panel } = await openUser(ctx, 'Active', emailOf(member));
        await snap(ctx, 'details');
        const notify = await app.find('switch', 'E-mail notifications', { within: panel });
        await app.browser.execute((element) => element.scrollIntoView({ block: 'center' }), notify);
        await snap(ctx, 'details-notifications');
        for (const tab of ['Access', 'Statistics', 'Events', 'History']) {
          await app.click('tab', tab, { within: panel });
          await app.find('tabpanel', tab, { within: panel, timeout: SLOW });
          await snap(ctx, tab.toLowerCase());
        }
        await app.keys('Escape');
        await app.waitGone('dialog');
        await app.click('button', 'Audit log');
        await app.find('list', 'Audit entries', { timeout: SLOW });
        await snap(ctx, 'audit-log');
        await app.keys('Escape');
        await app.waitGone('dialog');
        await app.click('button', 'Outbox');
        await app.find('dialog', 'Outbox');
        await snap(ctx, 'outbox');
        await app.keys('Escape');
        await app.waitGone('dialog');
        await app.click('button', 'Roles');
        await app.find('dialog', 'Roles');
        await snap(ctx, 'roles');
        await app.keys('Escape');
        await app.waitGone('dialog');
        await app.click('button', 'Departments');
        await app.find('list', 'Departments', { timeout: SLOW });
        await snap(ctx, 'departments-list');
        await app.keys('Escape');
        await app.waitGone('dialog');
      }
    },
  },
  {
    name: "a Guest's last resource cannot be taken away, in the app or the API",
    async run(ctx) {
      const { app } = ctx;
      await home(ctx);
      const guests = await someoneWith(ctx, 'guest');
      let guest = null;
      let held = null;
      for (const candidate of guests) {
        held = await api(ctx).ok('GET', `/roster/v1/users/${candidate.id}/resources`);
        if (held.resources.length >= 1) {
          guest = candidate;
          break;
        }
      }
      assert(guest, 'no Guest with a resource in the demo');
      // Down to one resource through the API.
      for (const resource of held.resources.slice(1)) {
        await api(ctx).ok('DELETE', `/roster/v1/users/${guest.id}/resources/${resource.id}`);
      }
      const last = held.resources[0];
      const refused = await api(ctx).call(
        'DELETE',
        `/roster/v1/users/${guest.id}/resources/${last.id}`,
      );
      assert(refused.status === 409, `removing the last resource answered ${refused.status}`);
      const { panel } = await openUser(ctx, 'Active', emailOf(guest));
      await app.click('tab', 'Access', { within: panel });
      const toggle = await app.find('switch', last.name, { within: panel, timeout: SLOW });
      const state = await app.describe(toggle);
      assert(state.disabled, "the Guest's last resource can be switched off in the app");
      await snap(ctx, 'access-guest');
    },
  },
  {
    name: 'delete with transfer moves the resources to the chosen user',
    async run(ctx) {
      const { app } = ctx;
      await home(ctx);
      const resources = (await api(ctx).ok('GET', '/roster/v1/resources')).resources;
      const members = await someoneWith(ctx, 'member');
      const owners = new Set(resources.map((r) => r.ownerId));
      const victim = members.find((m) => owners.has(m.id));
      assert(victim, 'no Member owns a resource in the demo');
      const heir = members.find((m) => m.id !== victim.id);
      const theirs = resources.filter((r) => r.ownerId === victim.id).map((r) => r.id);
      const { panel, name } = await openUser(ctx, 'Active', emailOf(victim));
      await app.click('button', 'Delete', { within: panel });
      const dialog = await app.find('alertdialog', `Delete ${name}?`);
      await app.click('radio', 'Transfer their resources to…', { within: dialog });
      await app.type('searchbox', /Find the recipient/, emailOf(heir), { within: dialog });
      await app.click('radio', new RegExp(emailOf(heir).replace(/[.+]/g, '\\$&')), {
        within: dialog,
      });
      await app.type('textbox', /^Type .+ to confirm$/, emailOf(victim), { within: dialog });
      await snap(ctx, 'delete-transfer');
      await app.click('button', 'Delete user', { within: dialog });
      await app.waitGone('dialog', name, { timeout: SLOW });
      await app.find('status', undefined, { text: 'moved to', timeout: SLOW });
      const after = (await api(ctx).ok('GET', '/roster/v1/resources')).resources;
      for (const id of theirs) {
        const moved = after.find((r) => r.id === id);
        assert(moved?.ownerId === heir.id, `${id} did not move to ${emailOf(heir)}`);
      }
    },
  },
  {
    name: 'an over-limit usage event is refused by the API',
    async run(ctx) {
      const member = (await someoneWith(ctx, 'member'))[1];
      const stats = await api(ctx).ok('GET', `/roster/v1/users/${member.id}/statistics`);
      await api(ctx).ok('PATCH', `/scim/v2/Users/${member.id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [
          {
            op: 'replace',
            path: 'urn:roster:params:scim:schemas:extension:roster:2.0:User:creditLimit',
            value: stats.creditsUsed + 5,
          },
        ],
      });
      const refused = await api(ctx).call('POST', `/roster/v1/users/${member.id}/usage`, {
        application: 'tasks',
        description: 'Too big a crawl',
        credits: 6,
      });
      assert(refused.status === 409, `an over-limit event answered ${refused.status}`);
      assert(
        /6 credits/.test(refused.body?.detail ?? ''),
        `the refusal says ${refused.body?.detail}`,
      );
      const fits = await api(ctx).call('POST', `/roster/v1/users/${member.id}/usage`, {
        application: 'tasks',
        description: 'A small crawl',
        credits: 5,
      });
      assert(fits.status === 201, `an event within the limit answered ${fits.status}`);
    },
  },
  {
    name: 'departments: added, renamed and removed in the app; the table filters by one',
    async run(ctx) {
      const { app } = ctx;
      await home(ctx);
      const s = stamp();
      const first = `Øresund ${s}`;
      const renamed = `Öresund Logistik ${s}`;
      const member = (await someoneWith(ctx, 'member'))[2];

      await app.click('button', 'Departments');
      let dialog = await app.find('dialog', 'Departments');
      await app.find('list', 'Departments', { within: dialog, timeout: SLOW });
      await app.type('textbox', 'Department name', first, { within: dialog });
      await app.click('button', 'Add department', { within: dialog });
      await app.find('status', undefined, {
        within: dialog,
        text: `The department ${first} was added.`,
        timeout: SLOW,
      });
      const added = await api(ctx).ok('GET', '/roster/v1/departments');
      assert(added.departments.includes(first), `the server has no ${first}`);

      // Someone joins it through the API, as another client would.
      await api(ctx).ok('PATCH', `/scim/v2/Users/${member.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', path: `${EXT}:departments`, value: [first] }],
      });
      await app.click('button', `Rename ${first}`, { within: dialog });
      await app.type('textbox', `New name for ${first}`, renamed, { within: dialog });
      await app.click('button', 'Save', { within: dialog });
      await app.find('status', undefined, {
        within: dialog,
        text: `${first} is now called ${renamed}.`,
        timeout: SLOW,
      });
      const moved = await api(ctx).ok('GET', `/scim/v2/Users/${member.id}`);
      assert(
        moved[EXT]?.departments?.includes(renamed) && !moved[EXT].departments.includes(first),
        `the user's departments are ${JSON.stringify(moved[EXT]?.departments)}`,
      );
      await snap(ctx, 'departments');
      await app.click('button', 'Close', { within: dialog });
      await app.waitGone('dialog', 'Departments');

      // The table, filtered to the renamed department, holds that one user
      // (the rename had the app sync the users it changed).
      await app.choose('Department', renamed);
      const { rows } = await settledRows(
        app,
        'Active',
        (state) => state.total === 1 && state.rows.length === 1,
        `filtering by ${renamed} did not narrow the table to ${emailOf(member)}`,
      );
      assert(rows[0].cells[0]?.includes(emailOf(member)), `the row is ${rows[0].cells[0]}`);
      assert((await tabCount(app, 'Active')) === 1, 'the Active tab counts the department only');
      await snap(ctx, 'department-filter');

      await app.click('button', 'Departments');
      dialog = await app.find('dialog', 'Departments');
      await app.click('button', `Remove ${renamed}`, { within: dialog, timeout: SLOW });
      const confirm = await app.find('alertdialog', `Remove ${renamed}?`);
      await app.click('button', 'Remove department', { within: confirm });
      await app.waitGone('alertdialog', `Remove ${renamed}?`, { timeout: SLOW });
      const after = await api(ctx).ok('GET', '/roster/v1/departments');
      assert(!after.departments.includes(renamed), `${renamed} is still on the server`);
      const left = await api(ctx).ok('GET', `/scim/v2/Users/${member.id}`);
      assert(!(left[EXT]?.departments ?? []).includes(renamed), `the user still has ${renamed}`);
      await app.click('button', 'Close', { within: dialog });
      // The filter lets go of a department that is gone.
      await waitFor(
        async () =>
          (await app.browser.execute(
            () => document.querySelector('select[aria-label="Department"]')?.value,
          )) === '',
        'the department filter still names a removed department',
        SLOW,
      );
    },
  },
  {
    name: 'custom roles: defined, changed and deleted in the app; a held one stays',
    async run(ctx) {
      const { app } = ctx;
      await home(ctx);
      const s = stamp();
      const name = `Case reader ${s}`;
      const renamed = `Case analyst ${s}`;
      await app.click('button', 'Roles');
      const dialog = await app.find('dialog', 'Roles');
      await app.type('textbox', 'Role name', name, { within: dialog });
      await app.click('checkbox', 'View cases', { within: dialog });
      await app.click('button', 'Create role', { within: dialog });
      await app.find('button', `Edit ${name}`, { within: dialog, timeout: SLOW });
      const roles = async () => (await api(ctx).ok('GET', '/roster/v1/roles')).roles;
      const created = (await roles()).find((r) => r.name === name);
      assert(
        created?.permissions.includes('cases:view'),
        `the server has ${JSON.stringify(created)}`,
      );

      await app.click('button', `Edit ${name}`, { within: dialog });
      await app.type('textbox', 'Role name', renamed, { within: dialog });
      await app.type('textbox', 'Description', 'Reads the cases shared with them.', {
        within: dialog,
      });
      await app.click('button', 'Save role', { within: dialog });
      await app.find('button', `Edit ${renamed}`, { within: dialog, timeout: SLOW });
      const changed = (await roles()).find((r) => r.id === created.id);
      assert(
        changed?.name === renamed && changed.description === 'Reads the cases shared with them.',
        `the server has ${JSON.stringify(changed)}`,
      );

      // Held by someone (invited through the API), it cannot go.
      const invited = await api(ctx).ok('POST', '/roster/v1/invitations', {
        user: {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', EXT],
          userName: `role.holder.${s}@example.org`,
          name: { givenName: 'Role', familyName: `Holder ${s}` },
          emails: [{ value: `role.holder.${s}@example.org`, primary: true }],
          [EXT]: { role: created.id },
        },
        sendEmail: false,
      });
      await app.click('button', `Delete ${renamed}`, { within: dialog });
      let confirm = await app.find('alertdialog', `Delete the role ${renamed}?`);
      await app.click('button', 'Delete role', { within: confirm });
      await app.find('alert', undefined, {
        within: confirm,
        text: /still have the role/,
        timeout: SLOW,
      });
      await snap(ctx, 'role-delete-refused');
      await app.click('button', 'Cancel', { within: confirm });
      await app.waitGone('alertdialog', `Delete the role ${renamed}?`);
      assert(
        (await roles()).some((r) => r.id === created.id),
        'a held role was deleted',
      );

      const holder = invited.id ?? invited.user?.id;
      assert(holder, `the invitation answered ${JSON.stringify(invited).slice(0, 200)}`);
      await api(ctx).ok('DELETE', `/roster/v1/users/${holder}/invitation`);
      await app.click('button', `Delete ${renamed}`, { within: dialog });
      confirm = await app.find('alertdialog', `Delete the role ${renamed}?`);
      await app.click('button', 'Delete role', { within: confirm });
      await app.waitGone('alertdialog', `Delete the role ${renamed}?`, { timeout: SLOW });
      await app.waitGone('button', `Edit ${renamed}`, { within: dialog });
      assert(!(await roles()).some((r) => r.id === created.id), 'the role is still on the server');
    },
  },
  {
    name: 'notifications: switched in the user panel and saved on the server',
    async run(ctx) {
      const { app } = ctx;
      await home(ctx);
      const member = (await someoneWith(ctx, 'member'))[3];
      const before = member[EXT]?.notifications ?? {};
      const emailWas = before.email ?? true;
      const digest = before.digest === 'daily' ? 'Weekly' : 'Daily';
      const { panel } = await openUser(ctx, 'Active', emailOf(member));
      const toggle = await app.click('switch', 'E-mail notifications', { within: panel });
      await waitFor(
        async () => (await app.describe(toggle)).checked === String(!emailWas),
        'the switch did not flip',
      );
      await app.choose('Summary of activity', digest, { within: panel });
      await snap(ctx, 'notifications');
      await app.click('button', 'Save notifications', { within: panel });
      await waitFor(
        async () => {
          const now = (await api(ctx).ok('GET', `/scim/v2/Users/${member.id}`))[EXT]?.notifications;
          return now?.email === !emailWas && now?.digest === digest.toLowerCase();
        },
        'the server did not get the new notification settings',
        SLOW,
      );
    },
  },
];
