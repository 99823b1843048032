// Runs the end-to-end tests one after another against one running app, and
// prints one line per test. Started by tests/e2e.sh, which prepares the
// display, the keychain, roster-server and tauri-driver and passes them in:
//   E2E_APP, E2E_DRIVER_PORT, E2E_SERVER_URL, E2E_API_TOKEN,
//   E2E_KEYCHAIN_SERVICE, E2E_DEMO_USERS, E2E_APP_LOG (the app's output),
//   XDG_DATA_HOME, XDG_CONFIG_HOME and XDG_CACHE_HOME (the run's own), and
//   optionally E2E_ONLY (a word in the names of the tests to run),
//   E2E_SHOTS (where failure screenshots go), E2E_SCREENS (where the review
//   screenshots go) and E2E_RESULTS (a file for the "N passed, N failed"
//   line).
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { App } from './lib/app.js';
import { demoConstant } from './lib/flows.js';
import { Scim } from './lib/scim.js';
// E2E_SPEC names another file of tests beside this one (offline.js: the
// fault tests; bench.js: the app's benchmarks).
const { tests } = await import(new URL(process.env.E2E_SPEC || './tests.js', import.meta.url));

const run = promisify(execFile);

/** A test that takes longer than this is stuck: fail it and go on. */
const TEST_TIMEOUT = 180_000;

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`e2e: ${name} is not set; run the suite through tests/e2e.sh`);
    process.exit(2);
  }
  return value;
}

const app = new App({
  application: required('E2E_APP'),
  port: Number(required('E2E_DRIVER_PORT')),
});
const ctx = {
  app,
  serverUrl: required('E2E_SERVER_URL'),
  keychainService: required('E2E_KEYCHAIN_SERVICE'),
  demoUsers: Number(required('E2E_DEMO_USERS')),
  owner: { email: demoConstant('DEMO_OWNER_EMAIL'), password: demoConstant('DEMO_OWNER_PASSWORD') },
  apiToken: required('E2E_API_TOKEN'),
  scim: new Scim({ baseUrl: required('E2E_SERVER_URL'), token: required('E2E_API_TOKEN') }),
  appLog: required('E2E_APP_LOG'),
  /** Where the app keeps files: its store, WebKit's data and caches. */
  appDirs: ['XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME'].map(required),
  screens: process.env.E2E_SCREENS ?? null,
  shots: process.env.E2E_SHOTS ?? null,
  /** Quits the app (ends the WebDriver session) and starts it again. */
  async relaunch() {
    await app.quit();
    await app.launch();
  },
};

function withTimeout(promise, ms) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The whole virtual screen, taken from the X display (ImageMagick's import):
 * WebDriver's own screenshot sometimes hangs in WebKitWebDriver.
 */
async function screenshot(path) {
  try {
    await run('import', ['-window', 'root', path], { timeout: 15_000 });
  } catch {
    if (app.browser === null) throw new Error('the app is not running');
    await withTimeout(app.screenshot(path), 20_000);
  }
}

const only = process.env.E2E_ONLY;
const chosen = tests
  .map((test, index) => ({ ...test, number: index + 1 }))
  .filter((test) => !only || test.name.includes(only));
let passed = 0;
let failed = 0;
const started = Date.now();

for (const test of chosen) {
  const t0 = Date.now();
  try {
    if (app.browser === null) await app.launch();
    await withTimeout(test.run(ctx), TEST_TIMEOUT);
    passed += 1;
    console.log(`ok   ${test.number} ${test.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (error) {
    failed += 1;
    console.log(`FAIL ${test.number} ${test.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    console.log(`     ${String(error?.message ?? error).replace(/\n/g, '\n     ')}`);
    if (process.env.E2E_SHOTS) {
      const shot = join(process.env.E2E_SHOTS, `test-${test.number}-failed.png`);
      await screenshot(shot)
        .then(() => console.log(`     screenshot: ${shot}`))
        .catch((error) => console.log(`     no screenshot: ${error.message}`));
    }
    // The next test starts from a freshly launched app.
    const t1 = Date.now();
    await withTimeout(app.quit(), 60_000).catch((error) =>
      console.log(`     quitting the app: ${error.message}`),
    );
    if (Date.now() - t1 > 5_000)
      console.log(`     quitting the app took ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  }
}
await app.quit();

const summary = `${passed} passed, ${failed} failed`;
console.log(`e2e: ${chosen.length} tests in ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (process.env.E2E_RESULTS) writeFileSync(process.env.E2E_RESULTS, `${summary}\n`);
else console.log(summary);
process.exit(failed === 0 && chosen.length > 0 ? 0 : 1);
