// The seeds' rules end to end, in the real app against roster-server:
// invitation → the accept page → Active and able to sign in; an escalation
// refused in the app and the API; delete with transfer; a Guest's last
// resource; an over-limit usage event. With E2E_SCREENS, the new tabs and
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
];
