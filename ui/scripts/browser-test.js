// Browser test: the fake-backend build (`vite build --mode fake`, see
// vite.config.ts) served by `vite preview` under the app's production CSP, in
// Debian's headless Chromium driven by playwright-core. It checks what jsdom
// cannot: real layout and scrolling of the virtual list, the CSP, and how the
// screens look (screenshots in test-results/, light and dark).
//
// Usage: npm run test:browser   (builds first; CHROMIUM=/path overrides the browser)
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const uiDir = fileURLToPath(new URL('..', import.meta.url));
const resultsDir = join(uiDir, 'test-results');
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** @returns {Promise<number>} a port nothing listens on right now */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `vite preview` for the fake build and resolves once it answers.
 * @param {number} port
 */
async function startPreview(port) {
  const vite = join(uiDir, 'node_modules', 'vite', 'bin', 'vite.js');
  const child = spawn(
    process.execPath,
    [
      vite,
      'preview',
      '--mode',
      'fake',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--strictPort',
    ],
    { cwd: uiDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}/fake.html`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vite preview exited early:\n${output}`);
    try {
      const response = await fetch(url);
      if (response.ok) {
        const csp = response.headers.get('content-security-policy') ?? '';
        if (!csp.includes("style-src 'self'")) {
          throw new Error(`the preview does not send the app's CSP (got "${csp}")`);
        }
        return { child, url };
      }
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('the preview')) throw error;
    }
    if (Date.now() > deadline) throw new Error(`vite preview did not answer on ${url}:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** @type {{ name: string, error?: unknown }[]} */
const results = [];

/**
 * Runs one named check; a failure is recorded and the run goes on.
 * @param {string} name
 * @param {() => Promise<void>} body
 */
async function check(name, body) {
  try {
    await body();
    results.push({ name });
    console.log(`  ✓ ${name}`);
  } catch (error) {
    results.push({ name, error });
    console.log(`  ✗ ${name}\n    ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * @param {unknown} condition
 * @param {string} message why it matters
 */
function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** "Active 91,234" → 91234 */
function countIn(/** @type {string} */ text) {
  const digits = text.replace(/[^\d]/g, '');
  return digits === '' ? NaN : Number(digits);
}

async function main() {
  mkdirSync(resultsDir, { recursive: true });
  const port = await freePort();
  const preview = await startPreview(port);
  const profileDir = mkdtempSync(join(tmpdir(), 'roster-chromium-'));
  /** @type {import('playwright-core').BrowserContext | undefined} */
  let context;
  try {
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath,
      headless: true,
      viewport: { width: 1200, height: 800 },
      colorScheme: 'light',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    const page = context.pages()[0] ?? (await context.newPage());

    /** @type {string[]} */
    const consoleErrors = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) consoleErrors.push(`${response.status()} ${response.url()}`);
    });
    // Chromium reports every CSP violation as this event; collect them across reloads.
    /** @type {string[]} */
    const violations = [];
    await page.exposeFunction('__reportCspViolation', (/** @type {string} */ text) =>
      violations.push(text),
    );
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        const report = Reflect.get(window, '__reportCspViolation');
        if (typeof report === 'function') {
          void report(`${event.violatedDirective}: ${event.blockedURI} ${event.sample}`);
        }
      });
    });

    const grid = page.getByRole('grid');
    const rowsInDom = () =>
      page.locator('[role="grid"] [role="rowgroup"].viewport [role="row"]').count();

    await check('the connect screen offers sign-in and the demo', async () => {
      await page.goto(preview.url);
      await page.getByRole('textbox', { name: 'Server URL' }).waitFor();
      await page.getByRole('textbox', { name: 'E-mail' }).waitFor();
      await page.getByLabel('Password').waitFor();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await page.screenshot({ path: join(resultsDir, 'connect-light.png') });
    });

    await check('the CSP is enforced and its violations are seen (self-check)', async () => {
      // A style attribute in markup is exactly what the app must never produce;
      // if this one is not reported, the final "no CSP violations" check proves nothing.
      await page.evaluate(() => {
        const probe = document.createElement('div');
        probe.innerHTML = '<span style="color: red">probe</span>';
        document.body.append(probe);
        probe.remove();
      });
      await page.waitForTimeout(100);
      assert(
        violations.some((v) => v.startsWith('style-src')),
        `a deliberate inline style should be refused and reported (saw: ${violations.join(' | ')})`,
      );
      violations.length = 0;
      consoleErrors.length = 0;
    });

    await check('a wrong password is explained inline', async () => {
      await page
        .getByRole('textbox', { name: 'Server URL' })
        .fill('https://roster.nordlys-consulting.example');
      await page
        .getByRole('textbox', { name: 'E-mail' })
        .fill('amara.okafor@nordlys-consulting.example');
      await page.getByLabel('Password').fill('not the password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      assert(
        /incorrect/.test(await alert.innerText()),
        'the error should say the password is wrong',
      );
    });

    await check('the demo opens on the Active tab with counts', async () => {
      await page.getByRole('button', { name: 'Explore the demo' }).click();
      const active = page.getByRole('tab', { name: /^Active [\d,.\s\u202f]+$/ });
      await active.waitFor({ timeout: 15_000 });
      await page.getByRole('tab', { name: /^Pending [\d,.\s\u202f]+$/ }).waitFor();
      await page.getByRole('tab', { name: /^Archived [\d,.\s\u202f]+$/ }).waitFor();
      assert((await active.getAttribute('aria-selected')) === 'true', 'Active is the default tab');
      const total = countIn(await active.innerText());
      assert(total > 50_000, `the demo has 100,000 users, ${total} of them active`);
      await grid.locator('[role="row"][aria-rowindex="2"]').waitFor();
      assert(
        Number(await grid.getAttribute('aria-rowcount')) === total + 1,
        'aria-rowcount counts every row (header included), not just those in the DOM',
      );
      await page.screenshot({ path: join(resultsDir, 'users-light.png') });
    });

    await check('the virtual list keeps the DOM small while scrolling 100,000 users', async () => {
      const viewport = page.locator('[role="grid"] .viewport');
      const before = await rowsInDom();
      assert(before > 5 && before < 60, `only the visible rows are rendered (got ${before})`);
      for (const fraction of [0.25, 0.5, 0.999]) {
        await viewport.evaluate((el, f) => {
          el.scrollTop = el.scrollHeight * f;
        }, fraction);
        await page.waitForFunction(
          () => {
            const rows = document.querySelectorAll('[role="grid"] .viewport [role="row"]');
            return rows.length > 0 && [...rows].every((row) => !row.hasAttribute('aria-busy'));
          },
          undefined,
          { timeout: 10_000 },
        );
        const count = await rowsInDom();
        assert(
          count < 60,
          `at ${fraction * 100}% the DOM holds ${count} rows; it should stay in the tens`,
        );
        const index = Number(
          await page
            .locator('[role="grid"] .viewport [role="row"]')
            .first()
            .getAttribute('aria-rowindex'),
        );
        assert(index > 1000, `scrolled rows carry their real aria-rowindex (got ${index})`);
      }
      await viewport.evaluate((el) => (el.scrollTop = 0));
    });

    await check('typing in the search box narrows the grid (ignoring accents)', async () => {
      const active = page.getByRole('tab', { name: /^Active/ });
      const before = countIn(await active.innerText());
      await page.getByRole('searchbox', { name: 'Search users' }).fill('zoe');
      await page.waitForFunction(
        (prior) => {
          const tab = [...document.querySelectorAll('[role="tab"]')].find((t) =>
            t.textContent?.trim().startsWith('Active'),
          );
          const n = Number((tab?.textContent ?? '').replace(/[^\d]/g, ''));
          return n > 0 && n < prior;
        },
        before,
        { timeout: 10_000 },
      );
      await grid.getByRole('row', { name: /Zoë/ }).first().waitFor();
      const names = await grid.locator('.viewport [role="row"] .name').allInnerTexts();
      assert(names.length > 0, 'some rows match');
      assert(
        names.every((name) => /zo[eë]/i.test(name)),
        `every row matches "zoe" in its name: ${names.slice(0, 5).join(', ')}`,
      );
      await page.screenshot({ path: join(resultsDir, 'search-light.png') });
      await page.getByRole('searchbox', { name: 'Search users' }).fill('');
      await page.waitForFunction(
        (prior) => {
          const tab = [...document.querySelectorAll('[role="tab"]')].find((t) =>
            t.textContent?.trim().startsWith('Active'),
          );
          return Number((tab?.textContent ?? '').replace(/[^\d]/g, '')) === prior;
        },
        before,
        { timeout: 10_000 },
      );
    });

    await check('the user panel opens from the keyboard', async () => {
      await grid.focus();
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      await dialog
        .getByRole('switch', { name: /custom permissions$/ })
        .first()
        .waitFor();
      await page.waitForTimeout(300); // let the slide-in finish before the picture
      await page.screenshot({ path: join(resultsDir, 'panel-light.png') });
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
    });

    await check('the Custom permissions of a panel show their switches', async () => {
      await page.getByRole('searchbox', { name: 'Search users' }).fill('maximiliane');
      const row = grid.getByRole('row', { name: /Maximiliane/ });
      await row.waitFor();
      await row.click();
      const dialog = page.getByRole('dialog', { name: /Maximiliane/ });
      await dialog.waitFor();
      const tasksCustom = dialog.getByRole('switch', {
        name: 'Tools and tasks custom permissions',
      });
      if ((await tasksCustom.getAttribute('aria-checked')) !== 'true') await tasksCustom.click();
      await dialog.getByRole('switch', { name: 'Run tasks' }).waitFor();
      // A disabled switch lets the pointer through to its tooltip (pointer-events: none).
      const deleteTasks = dialog.getByRole('switch', { name: 'Delete tasks' });
      assert(await deleteTasks.isDisabled(), 'a Member cannot hold "Delete tasks"');
      await deleteTasks.hover({ force: true });
      await page.getByRole('tooltip').waitFor();
      assert(
        /The Member role can't hold this permission/.test(
          await page.getByRole('tooltip').innerText(),
        ),
        'the tooltip says why the switch is disabled',
      );
      await page.screenshot({ path: join(resultsDir, 'panel-custom-light.png') });
      // Esc closes the topmost layer first: the tooltip, then the panel.
      await page.keyboard.press('Escape');
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      await page.getByRole('searchbox', { name: 'Search users' }).fill('');
    });

    await check('the connection menu lists profiles and "Add connection"', async () => {
      await page.getByRole('button', { name: /^Connection:/ }).click();
      const menu = page.getByRole('menu');
      await menu.getByRole('menuitemradio', { name: /Demo organisation/ }).waitFor();
      await menu.getByRole('menuitem', { name: 'Add connection' }).waitFor();
      await page.screenshot({ path: join(resultsDir, 'menu-light.png') });
      await page.keyboard.press('Escape');
      await menu.waitFor({ state: 'detached' });
    });

    await check('an empty search says so', async () => {
      await page.getByRole('searchbox', { name: 'Search users' }).fill('qqqzzz');
      await page.getByText('No users match “qqqzzz”').waitFor();
      await page.screenshot({ path: join(resultsDir, 'empty-light.png') });
      await page.getByRole('searchbox', { name: 'Search users' }).fill('');
      await grid.locator('.viewport [role="row"]').first().waitFor();
    });

    await check('deleting asks for the e-mail first', async () => {
      await grid.locator('.viewport [role="row"]').nth(1).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('button', { name: 'Delete' }).click();
      const confirm = page.getByRole('alertdialog');
      await confirm.waitFor();
      assert(
        await confirm.getByRole('button', { name: 'Delete user' }).isDisabled(),
        'nothing is deleted before the e-mail is typed',
      );
      await confirm.getByRole('textbox').fill('someone');
      await page.waitForTimeout(250);
      await page.screenshot({ path: join(resultsDir, 'delete-light.png') });
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      await confirm.waitFor({ state: 'detached' });
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
    });

    await check('the invite panel slides in', async () => {
      await page.getByRole('button', { name: 'Invite user' }).click();
      const dialog = page.getByRole('dialog', { name: 'Invite user' });
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Invite' }).click();
      await dialog.getByText('Enter a first name.').waitFor();
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(resultsDir, 'invite-light.png') });
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
    });

    await check('an expired session asks to sign in again over the current screen', async () => {
      await page.evaluate(() => Reflect.get(window, '__rosterFake').expireSession());
      await page.getByRole('tab', { name: /^Archived/ }).click();
      const dialog = page.getByRole('dialog', { name: 'Sign in again' });
      await dialog.waitFor();
      await page.waitForTimeout(250);
      await page.screenshot({ path: join(resultsDir, 'session-expired-light.png') });
      await dialog.getByRole('button', { name: 'Reconnect' }).click();
      await dialog.waitFor({ state: 'detached' });
      assert(
        (await page.getByRole('tab', { name: /^Archived/ }).getAttribute('aria-selected')) ===
          'true',
        'the user stays on the tab they chose',
      );
      await grid.locator('.viewport [role="row"]:not([aria-busy])').first().waitFor();
    });

    await check('a lost network shows a banner with Retry', async () => {
      await page.evaluate(() => Reflect.get(window, '__rosterFake').setOffline(true));
      await page.getByRole('tab', { name: /^Pending/ }).click();
      const banner = page.getByRole('alert').filter({ hasText: "You're offline" });
      await banner.waitFor();
      await page.screenshot({ path: join(resultsDir, 'offline-light.png') });
      await page.evaluate(() => Reflect.get(window, '__rosterFake').setOffline(false));
      await banner.getByRole('button', { name: 'Retry' }).click();
      await banner.waitFor({ state: 'detached' });
      await grid.locator('.viewport [role="row"]:not([aria-busy])').first().waitFor();
      await page.getByRole('tab', { name: /^Active/ }).click();
      await grid.locator('.viewport [role="row"]:not([aria-busy])').first().waitFor();
    });

    await check('the dark theme applies and persists', async () => {
      await page.getByRole('radio', { name: 'Dark' }).click();
      assert(
        (await page.evaluate(() => document.documentElement.dataset.theme)) === 'dark',
        'choosing Dark sets data-theme',
      );
      assert(
        (await page.evaluate(() => localStorage.getItem('roster.theme'))) === 'dark',
        'the choice is remembered',
      );
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert(background !== 'rgb(244, 245, 247)', `the page background changes (${background})`);
      await page.screenshot({ path: join(resultsDir, 'users-dark.png') });
      await grid.locator('.viewport [role="row"]').nth(3).click();
      await page.getByRole('dialog').waitFor();
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(resultsDir, 'panel-dark.png') });
      await page.keyboard.press('Escape');
      await page.reload();
      await page.getByRole('button', { name: 'Explore the demo' }).waitFor();
      assert(
        (await page.evaluate(() => document.documentElement.dataset.theme)) === 'dark',
        'the dark theme survives a reload',
      );
      await page.screenshot({ path: join(resultsDir, 'connect-dark.png') });
      await page.getByRole('radio', { name: 'System' }).count(); // not on this screen
      await page.evaluate(() => localStorage.removeItem('roster.theme'));
    });

    await check('"System" follows the OS colour scheme', async () => {
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.reload();
      await page.getByRole('button', { name: 'Explore the demo' }).waitFor();
      assert(
        (await page.evaluate(() => document.documentElement.dataset.theme)) === 'dark',
        'with no choice stored, a dark OS gives the dark theme',
      );
      await page.emulateMedia({ colorScheme: 'light' });
      await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
    });

    await check('no console errors and no CSP violations', async () => {
      assert(violations.length === 0, `CSP violations: ${violations.join(' | ')}`);
      // The deliberate wrong password is reported by the fake as a rejected
      // promise only, never logged; anything in the console is a defect.
      assert(consoleErrors.length === 0, `console errors: ${consoleErrors.join(' | ')}`);
    });
  } finally {
    await context?.close().catch(() => {});
    rmSync(profileDir, { recursive: true, force: true });
    if (preview.child.pid !== undefined && preview.child.exitCode === null) {
      preview.child.kill('SIGTERM');
    }
  }

  const failed = results.filter((r) => r.error !== undefined).length;
  console.log(`\n${results.length - failed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
