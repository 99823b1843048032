// Faults, in the real app: the offline copy survives a killed app, a server
// that stops mid-sync, a damaged file and a lost key; offline, the app still
// browses and searches; nothing on disk reads in plain text. Run with
//   E2E_SPEC=offline.js bash tests/e2e.sh
// The tests start their own roster-server on a file with 20,000 demo users
// (enough that a sync takes seconds, so "mid-sync" is real), stop it and
// bring it back on the same port. They build on each other, in order: one
// profile, signed in by the first.
import { execFile } from 'node:child_process';
import { mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { waitFor } from './lib/app.js';
import {
  assert,
  currentScreen,
  fold,
  grid,
  search,
  settledRows,
  signIn,
  SLOW,
  tabCounts,
} from './lib/flows.js';
import { synced as syncedTo, syncing } from './lib/copy.js';
import { appProcess, gone, python, Server, stopAllServers } from './lib/processes.js';
import { Scim } from './lib/scim.js';

const run = promisify(execFile);
const USERS = Number(process.env.E2E_FAULT_USERS || 20_000);
/** The app retries every 10 s while offline; a sync of 20,000 takes seconds. */
const RECONNECT = 60_000;

/** Waits until no sync runs and the copy holds `users` users. */
function synced(app, users, timeout = SLOW) {
  return syncedTo(app, users, timeout);
}

/** What the tests share: the server, its SCIM client, the profile. */
const world = { server: null, scim: null, dir: null, profileId: null };

async function setUp(ctx) {
  if (world.server) return;
  world.dir = await mkdtemp(join(tmpdir(), 'roster-faults-'));
  const token = `faults-${Date.now()}`;
  world.server = new Server({
    db: join(world.dir, 'roster.db'),
    token,
    demo: USERS,
    log: ctx.shots ? join(ctx.shots, 'faults-server.log') : null,
  });
  await world.server.start();
  world.scim = new Scim({ baseUrl: world.server.url, token });
  if ((await currentScreen(ctx.app)) === 'connect') await signIn(here(ctx));
}

/** The context for flows.js, pointed at this suite's server. */
function here(ctx) {
  return { ...ctx, serverUrl: world.server.url };
}

/** The texts of the status messages (banners, notices) now. */
async function statuses(app) {
  const texts = [];
  for (const element of await app.queryAll('status'))
    texts.push((await app.describe(element)).text);
  return texts;
}

async function waitStatus(app, pattern, message, timeout = SLOW) {
  return waitFor(
    async () => (await statuses(app)).find((text) => pattern.test(text)) ?? null,
    async () => `${message}; the status messages say: ${JSON.stringify(await statuses(app))}`,
    timeout,
  );
}

const OFFLINE = /^Offline — as of (.+?)\./;

/** Marks every user as changed now, so the next (incremental) sync reads all of them. */
async function touchEveryone() {
  await python(
    `import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
db.execute("UPDATE users SET last_modified = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), version = version + 1")
db.commit()`,
    world.server.db,
  );
}

/** Renames someone on the server: the app shows the new name only after a sync. */
async function rename(email, familyName) {
  const user = await world.scim.userByEmail(email);
  await world.scim.replace(user.id, 'name.familyName', familyName);
}

/**
 * Searches for something that names one user (or none), and returns how many
 * users the Active table then holds. (Waiting for a handful tells the
 * search's result from the full table before it.)
 */
async function found(app, text) {
  await search(app, text);
  return (await settledRows(app, 'Active', (state) => state.total < 10)).total;
}

async function clickSync(app) {
  await app.click('button', 'Sync');
}

/** Starts a sync that reads all 20,000 users, and waits until it is under way. */
async function longSync(app) {
  await touchEveryone();
  await clickSync(app);
  await app.find('progressbar', undefined, { timeout: SLOW });
}

/**
 * From a finished sync: renames someone on the server to `newName`, starts a
 * sync that reads every user and returns once it is under way, with what the
 * copy held before it.
 */
async function interruptASync(app, offset, newName) {
  await synced(app, USERS, RECONNECT);
  const counts = await tabCounts(app);
  const person = await someone(offset);
  await rename(person.email, newName);
  await longSync(app);
  return { counts, person, newName };
}

/** The copy is the one from before the interrupted sync: same counts, nothing of the sync. */
async function assertPreviousCopy(app, before, when) {
  const counts = await tabCounts(app);
  assert(
    JSON.stringify(counts) === JSON.stringify(before.counts),
    `${when}, the tabs count ${JSON.stringify(counts)}; the copy held ${JSON.stringify(before.counts)}`,
  );
  assert(
    (await found(app, before.person.email)) === 1,
    `${when}, the copy does not find ${before.person.email}`,
  );
  assert(
    (await found(app, before.newName)) === 0,
    `${when}, the copy holds "${before.newName}": the interrupted sync left part of its changes`,
  );
  await search(app, '');
}

/** Brings the server back and waits for the app to reconnect and sync by itself. */
async function serverBack(app, before, message) {
  await world.server.start();
  await waitFor(async () => (await found(app, before.newName)) === 1, message, RECONNECT);
  await search(app, '');
  await synced(app, USERS, RECONNECT);
}

async function profileId(ctx) {
  if (world.profileId) return world.profileId;
  const dir = join(process.env.XDG_DATA_HOME, 'app.roster.desktop', 'offline');
  const copies = (await readdir(dir)).filter((f) => /^p[0-9a-f]+\.db$/.test(f));
  assert(
    copies.length === 1,
    `expected one profile's copy in ${dir}, found ${copies.join(', ') || 'none'}`,
  );
  world.profileId = copies[0].replace(/\.db$/, '');
  return world.profileId;
}

async function copyPath(ctx) {
  return join(
    process.env.XDG_DATA_HOME,
    'app.roster.desktop',
    'offline',
    `${await profileId(ctx)}.db`,
  );
}

/** Quits the app (the WebDriver session ends, the app closes). */
async function quitApp(ctx) {
  const app = await appProcess().catch(() => null);
  await ctx.app.quit();
  if (app) await gone(app.pid, 30_000);
}

/** A user of the demo other than the Owner, by e-mail, from the server. */
async function someone(offset = 137) {
  const active = encodeURIComponent('active eq true');
  const list = await fetch(
    `${world.server.url}/Users?filter=${active}&startIndex=${offset}&count=1`,
    {
      headers: { Authorization: `Bearer ${world.scim.token}` },
    },
  ).then((r) => r.json());
  const user = list.Resources[0];
  return { email: user.userName, familyName: user.name.familyName };
}

// ------------------------------------------------------------------ tests

export const tests = [
  {
    name: 'offline: with the server stopped the banner says "Offline — as of", search and sort work, Invite is disabled with the reason; the server back, the banner goes by itself',
    async run(ctx) {
      const { app } = ctx;
      await setUp(ctx);
      await synced(app, USERS, 120_000);
      const counts = await tabCounts(app);
      const person = await someone();

      await world.server.stop();
      // The app learns the server is gone from its next call: Sync.
      await clickSync(app);
      const banner = await waitStatus(
        app,
        OFFLINE,
        'no "Offline — as of" banner after the server stopped',
      );
      assert(!/no sync yet/.test(banner), `the banner has no time of the copy: "${banner}"`);
      await app.find('button', 'Reconnect now');

      // Browsing: the counts and a search, from the copy.
      const offlineCounts = await tabCounts(app);
      assert(
        JSON.stringify(offlineCounts) === JSON.stringify(counts),
        `offline, the tabs count ${JSON.stringify(offlineCounts)}, online they counted ${JSON.stringify(counts)}`,
      );
      assert(
        (await found(app, person.email)) === 1,
        `offline, searching for ${person.email} does not find that one user`,
      );
      await search(app, '');
      // Sorting: by name, then the other way.
      const table = await grid(app, 'Active');
      const first = (await settledRows(app, 'Active')).rows[0].cells[0][0];
      await app.click('button', /^Name/, { within: table });
      await waitFor(
        async () => (await settledRows(app, 'Active')).rows[0].cells[0][0] !== first,
        `offline, clicking the Name column did not re-sort the table (the first row stayed "${first}")`,
      );
      await app.click('button', /^Name/, { within: table });
      await waitFor(
        async () => (await settledRows(app, 'Active')).rows[0].cells[0][0] === first,
        `offline, clicking the Name column again did not sort back (to "${first}" first)`,
      );

      // Invite needs the server: disabled, with the reason.
      const invite = await app.find('button', /Invite user/);
      const state = await app.describe(invite);
      assert(state.disabled, 'offline, Invite user is enabled');
      const reason = await app.browser.execute((el) => {
        const ids = (el.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
        return ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
      }, invite);
      assert(
        reason.includes("You're offline: this needs the server"),
        `offline, Invite user does not give the reason ("${reason}")`,
      );

      await world.server.start();
      await waitFor(
        async () => !(await statuses(app)).some((text) => OFFLINE.test(text)),
        'the server is back but the Offline banner stayed (the app did not reconnect by itself)',
        RECONNECT,
      );
      await synced(app, USERS, RECONNECT);
    },
  },
  {
    name: 'server stopped mid-sync: a clear message, the old copy kept, browsable and searchable; the server back, it reconnects and syncs by itself',
    async run(ctx) {
      const { app } = ctx;
      await setUp(ctx);
      const before = await interruptASync(app, 251, 'Midsyncstop');
      await world.server.stop();

      const message = await waitStatus(
        app,
        /^Offline — as of|The sync did not finish/,
        'no message after the server stopped in the middle of a sync',
      );
      assert(!/damaged/.test(message), `the copy was reported damaged: "${message}"`);
      await waitFor(
        async () => !(await syncing(app)),
        'the progress bar stayed after the server stopped',
      );
      await assertPreviousCopy(app, before, 'after the server stopped mid-sync');
      await serverBack(
        app,
        before,
        'the server is back but the app did not sync the renamed user by itself',
      );
    },
  },
  {
    name: 'app killed with SIGKILL mid-sync: the next start opens on the intact previous copy, then syncs',
    async run(ctx) {
      const { app } = ctx;
      await setUp(ctx);
      const before = await interruptASync(app, 377, 'Killedmidsync');
      const proc = await appProcess();
      process.kill(proc.pid, 'SIGKILL');
      await gone(proc.pid);
      await app.quit();
      // The server stays away, so what the app shows can only come from its copy.
      await world.server.stop();

      await app.launch();
      assert(
        (await currentScreen(app)) === 'users',
        'after the kill the app opened on the connect screen, not on its copy',
      );
      await waitStatus(
        app,
        OFFLINE,
        'the relaunched app does not say it works offline from its copy',
      );
      const notices = (await statuses(app)).filter((t) => /damaged|missing/.test(t));
      assert(notices.length === 0, `the copy was not intact: ${notices.join(' ')}`);
      await assertPreviousCopy(app, before, 'after the kill and a new start');
      await serverBack(
        app,
        before,
        'the server is back but the reopened app did not sync by itself',
      );
    },
  },
  {
    name: 'damaged copy: bytes overwritten while the app is closed; on start it says the copy was damaged and set aside, and syncs afresh',
    async run(ctx) {
      const { app } = ctx;
      await setUp(ctx);
      await synced(app, USERS, RECONNECT);
      const file = await copyPath(ctx);
      await quitApp(ctx);
      // Garbage over a stretch of pages in the middle and over the first page.
      const size = (await stat(file)).size;
      const handle = await open(file, 'r+');
      const junk = Buffer.alloc(64 * 1024, 0x5a);
      await handle.write(junk, 0, junk.length, Math.floor(size / 2));
      await handle.write(junk, 0, 4096, 0);
      await handle.close();

      await app.launch();
      await waitStatus(app, /damaged/, 'the app did not say its copy was damaged');
      await synced(app, USERS, RECONNECT);
      const aside = (await readdir(join(file, '..'))).filter((f) => f.includes('unreadable'));
      assert(aside.length > 0, 'the damaged copy was not set aside');
    },
  },
  {
    name: "lost key: the copy's key deleted from the keychain; on start a clear message, then a fresh sync",
    async run(ctx) {
      const { app } = ctx;
      await setUp(ctx);
      await synced(app, USERS, RECONNECT);
      const account = `${await profileId(ctx)}#offline-copy-key`;
      await quitApp(ctx);
      // The Secret Service items carry the account as their "username".
      const listed = async () =>
        (await run('secret-tool', ['search', '--all', 'service', ctx.keychainService])).stdout;
      assert(
        (await listed()).includes(account),
        `the keychain holds no ${account}: ${await listed()}`,
      );
      await run('secret-tool', ['clear', 'service', ctx.keychainService, 'username', account]);
      assert(
        !(await listed()).includes(account),
        `secret-tool clear left ${account} in the keychain`,
      );

      await app.launch();
      await waitStatus(
        app,
        /missing from the keychain/,
        "the app did not say the copy's key was missing",
      );
      await synced(app, USERS, RECONNECT);
    },
  },
  {
    name: "nothing readable on disk: no file under the run's data, config or cache folders holds a user's e-mail in plain text",
    async run(ctx) {
      const { app } = ctx;
      await setUp(ctx);
      await synced(app, USERS, RECONNECT);
      const person = await someone(4242);
      // Make sure the app has that user in its copy (and on screen).
      assert((await found(app, person.email)) === 1, `the copy does not hold ${person.email}`);
      await search(app, '');
      const dirs = ['XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME'].map(
        (name) => process.env[name],
      );
      // The search must be able to fail: a planted file is found.
      const planted = join(dirs[0], 'planted-by-the-test.txt');
      await writeFile(planted, `before ${person.email} after`);
      const withPlant = await filesHolding(dirs, person.email);
      await rm(planted);
      assert(withPlant.includes(planted), `the search missed the planted file ${planted}`);
      const hits = await filesHolding(dirs, person.email);
      assert(hits.length === 0, `${person.email} is in plain text in ${hits.join(', ')}`);
    },
  },
  {
    name: 'clean up: the suite stops its server',
    async run() {
      await stopAllServers();
      if (world.dir) await rm(world.dir, { recursive: true, force: true });
    },
  },
];

/** Files under `dirs` whose bytes hold `text` as UTF-8 or UTF-16. */
async function filesHolding(dirs, text) {
  const forms = [
    Buffer.from(text, 'utf8'),
    Buffer.from(text, 'utf16le'),
    Buffer.from(fold(text), 'utf8'),
  ];
  const hits = [];
  const walk = async (dir) => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        const bytes = await readFile(path).catch(() => null);
        if (bytes && forms.some((form) => bytes.includes(form))) hits.push(path);
      }
    }
  };
  for (const dir of dirs) await walk(dir);
  return hits;
}
