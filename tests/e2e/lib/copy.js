// The offline copy as the Users screen shows it: "20,000 users · as of 2
// minutes ago" next to Sync, and a progress bar while a sync runs.
import { waitFor } from './app.js';

export async function pageText(app) {
  return app.browser.execute(() => document.body.innerText);
}

/** How many users the copy holds, from its line next to Sync (null before a sync). */
export async function copyCount(app) {
  // A line of its own: the lede above it ends in the server's port.
  const match = (await pageText(app)).match(/^([\d][\d,. \u00a0\u202f]*) users · as of/m);
  return match ? Number(match[1].replace(/\D/g, '')) : null;
}

export async function syncing(app) {
  return app.has('progressbar');
}

/** Waits until no sync runs and the copy holds `users` users. */
export async function synced(app, users, timeout) {
  await waitFor(
    async () => !(await syncing(app)) && (await copyCount(app)) === users,
    async () =>
      `the copy did not finish syncing ${users} users; the page says: ${(await pageText(app)).slice(0, 400)}`,
    timeout,
  );
}
