// The app's benchmarks, in the real app under tauri-driver, printed as
// `name: value unit` lines. Run by tests/app_bench.sh (a release build of
// the app and of roster-server, 100,000 demo users); the "tests" below are
// its steps, in order.
//
// - app_cold_start_to_rows_from_copy: from the app process's start (its
//   start time in /proc, 10 ms steps) to the first data row seen in the
//   grid, by WebDriver polls every 10 ms, with a complete copy and a saved
//   profile. Nothing is subtracted: WebDriver's session set-up is inside.
//   The median of COLD_STARTS launches.
// - app_pss_with_N_cached: PSS (smaps_rollup) of the app and every process
//   under it (WebKit's web and network processes), after a cold start with
//   the table shown.
// - keystroke_to_repaint_p50/p95: measured inside the page, from the
//   keydown of a letter in the search box to the animation frame in which
//   the grid shows the new result (a MutationObserver sees the rows or the
//   row count change, then requestAnimationFrame); no WebDriver round trip
//   is inside. Typed as a person types: with a synced copy the UI searches
//   at once (its 120 ms pause applies only while searches go to the server),
//   so no debounce is inside either.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { waitFor } from './lib/app.js';
import { synced } from './lib/copy.js';
import { assert, currentScreen, search, settledRows, signIn } from './lib/flows.js';
import {
  appProcess,
  isApp,
  pssKb,
  runProcesses,
  Server,
  startedAtMs,
  stopAllServers,
} from './lib/processes.js';

const USERS = Number(process.env.E2E_BENCH_USERS || 100_000);
const COLD_STARTS = 3;
// Every e-mail ends in example.com or northwind.example, so a first letter from
// those would match everyone and change nothing: these start with others.
const PREFIXES = [
  'su',
  'ba',
  'ga',
  'fr',
  'ju',
  'ka',
  'ya',
  'vi',
  'sa',
  'be',
  'gu',
  'ko',
  'fu',
  'ze',
  'bo',
];

const world = { server: null, dir: null };

function figure(name, value, unit) {
  console.log(`${name}: ${value} ${unit}`);
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Every process under `root` (children, their children, …). */
async function descendants(root) {
  const all = await runProcesses();
  const found = [];
  let frontier = [root.pid];
  while (frontier.length > 0) {
    const next = all.filter((p) => frontier.includes(p.ppid));
    found.push(...next);
    frontier = next.map((p) => p.pid);
  }
  return found;
}

/** Launches the app and returns ms from its process start to a grid row seen. */
async function coldStart(app) {
  await app.launch();
  const proc = await appProcess();
  const spawned = await startedAtMs(proc);
  // Polled every 10 ms (waitFor's 100 ms would blur the figure).
  let polls = 0;
  let seen = null;
  const deadline = Date.now() + 60_000;
  while (seen === null) {
    polls += 1;
    const has = await app.browser.execute(() =>
      Boolean(
        document.querySelector('[role="grid"] [role="row"] [role="gridcell"]')?.textContent?.trim(),
      ),
    );
    if (has) seen = Date.now();
    else if (Date.now() > deadline)
      throw new Error('no row appeared in the grid within 60 s of the start');
    else await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // Where the time went: the page's navigation start and load, on the same clock.
  // The UI marks the first call of each command and its answer (ui/src/lib/tauri-backend.ts).
  const page = await app.browser.execute(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const marks = Object.fromEntries(
      performance.getEntriesByType('mark').map((m) => [m.name, m.startTime]),
    );
    return { origin: performance.timeOrigin, loaded: nav ? nav.loadEventEnd : null, marks };
  });
  const at = (name) =>
    page.marks[name] === undefined ? null : Math.round(page.origin + page.marks[name] - spawned);
  const steps = {
    toPage: Math.round(page.origin - spawned),
    toLoaded: page.loaded === null ? null : Math.round(page.origin + page.loaded - spawned),
    connection: at('roster:current_connection:answered'),
    windowAsked: at('roster:first_users_window'),
    windowAnswered: at('roster:first_users_window:answered'),
  };
  return { ms: Math.round(seen - spawned), firstPoll: polls === 1, steps };
}

/** Installs the in-page keystroke timer on the grid and search box. */
async function installTimer(app, grid, box) {
  await app.browser.execute(
    (grid, box) => {
      const state = { samples: [], started: [], pending: null };
      window.__keystrokes = state;
      const signature = () =>
        `${grid.getAttribute('aria-rowcount')}|${[...grid.querySelectorAll('[role="row"]')]
          .slice(1, 8)
          .map((row) => row.textContent)
          .join('|')}`;
      box.addEventListener(
        'keydown',
        (event) => {
          if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) {
            state.pending = { t0: performance.now(), before: signature(), seen: false };
          }
        },
        true,
      );
      new MutationObserver(() => {
        const pending = state.pending;
        if (!pending || pending.seen) return;
        if (grid.getAttribute('aria-busy') === 'true') {
          // The search has started (the table forgets its rows and waits).
          pending.busy ??= performance.now() - pending.t0;
          return;
        }
        if (signature() === pending.before) return;
        pending.seen = true;
        requestAnimationFrame(() => {
          state.samples.push(performance.now() - pending.t0);
          state.started.push(pending.busy ?? null);
          state.pending = null;
        });
      }).observe(grid, { subtree: true, childList: true, characterData: true, attributes: true });
    },
    grid,
    box,
  );
}

async function samples(app) {
  return app.browser.execute(() => window.__keystrokes.samples.length);
}

/** Types each prefix letter by letter (each letter narrows the result). */
async function typeAll(app, box) {
  for (const prefix of PREFIXES) {
    await search(app, '');
    await settledRows(app, 'Active', (s) => s.total > 1000);
    for (const letter of prefix) {
      const before = await samples(app);
      await app.browser.elementSendKeys(box.elementId, letter);
      await waitFor(
        async () => (await samples(app)) > before,
        `typing "${letter}" did not change the grid`,
        10_000,
      );
    }
  }
  const all = await app.browser.execute(() => window.__keystrokes.samples.splice(0));
  return all;
}

export const tests = [
  {
    name: `set-up: roster-server seeded with ${USERS} demo users`,
    async run(ctx) {
      world.dir = await mkdtemp(join(tmpdir(), 'roster-bench-'));
      world.server = new Server({
        db: join(world.dir, 'roster.db'),
        token: `bench-${Date.now()}`,
        demo: USERS,
        log: ctx.shots ? join(ctx.shots, 'bench-server.log') : null,
      });
      await world.server.start(170_000);
    },
  },
  {
    name: `set-up: sign in and a full sync of the ${USERS} users into the copy`,
    async run(ctx) {
      const { app } = ctx;
      if ((await currentScreen(app)) === 'connect')
        await signIn({ ...ctx, serverUrl: world.server.url });
      await synced(app, USERS, 170_000);
    },
  },
  {
    name: 'cold start to rows from the copy, and memory',
    async run(ctx) {
      const { app } = ctx;
      const runs = [];
      let pss = null;
      for (let i = 0; i < COLD_STARTS; i += 1) {
        await app.quit();
        // Let the previous process go before the next one starts.
        await waitFor(
          async () => (await runProcesses()).every((p) => !isApp(p)),
          'the app did not close',
          30_000,
        );
        const run = await coldStart(app);
        runs.push(run);
        console.log(
          `     cold start ${i + 1}: ${run.ms} ms (page navigation began at ${run.steps.toPage} ms, loaded at ${run.steps.toLoaded} ms; the connection answered at ${run.steps.connection} ms; the first window asked at ${run.steps.windowAsked} ms, its answer handled at ${run.steps.windowAnswered} ms)${run.firstPoll ? ' (rows already there at the first poll: an upper bound)' : ''}`,
        );
      }
      figure(
        'app_cold_start_to_rows_from_copy',
        percentile(
          runs.map((r) => r.ms),
          50,
        ),
        'ms',
      );

      // Memory, with the table shown and the copy loaded.
      await settledRows(app, 'Active', (s) => s.total > 0);
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const root = await appProcess();
      const family = [root, ...(await descendants(root))];
      let total = 0;
      const parts = [];
      for (const p of family) {
        const kb = await pssKb(p.pid).catch(() => 0);
        total += kb;
        parts.push(`${p.name} ${Math.round(kb / 1024)} MB`);
      }
      console.log(`     PSS: ${parts.join(', ')}`);
      assert(
        family.some((p) => /^WebKitWebProcess/.test(p.name)),
        `no WebKit web process under the app: ${parts.join(', ')}`,
      );
      pss = Math.round(total / 1024);
      figure(`app_pss_with_${USERS}_cached`, pss, 'MB');
    },
  },
  {
    name: 'keystroke to repainted table',
    async run(ctx) {
      const { app } = ctx;
      await search(app, '');
      const grid = await app.find('grid', 'Active users');
      const box = await app.find('searchbox', 'Search users');
      await installTimer(app, grid, box);
      await app.browser.elementClick(box.elementId);
      const typed = await typeAll(app, box);
      figure('keystroke_to_repaint_p50', percentile(typed, 50).toFixed(1), 'ms');
      figure('keystroke_to_repaint_p95', percentile(typed, 95).toFixed(1), 'ms');
      // The first letter typed into the emptied box apart from the others
      // (a box emptied by editing used to make the next letter slow).
      const firsts = typed.filter((_, i) => i % 2 === 0);
      const others = typed.filter((_, i) => i % 2 === 1);
      console.log(
        `     first letters after clearing: p50 ${percentile(firsts, 50).toFixed(1)} ms, max ${Math.max(...firsts).toFixed(1)} ms; second letters: p50 ${percentile(others, 50).toFixed(1)} ms, max ${Math.max(...others).toFixed(1)} ms`,
      );
      const started = await app.browser.execute(() =>
        window.__keystrokes.started.filter((t) => t !== null),
      );
      console.log(
        `     ${typed.length} keystrokes; the table started the search ${started.length > 0 ? `${percentile(started, 50).toFixed(1)} ms (p50)` : '(not seen)'} after the keydown`,
      );
      await search(app, '');
    },
  },
  {
    name: 'clean up: stop the server',
    async run() {
      await stopAllServers();
      if (world.dir) await rm(world.dir, { recursive: true, force: true });
    },
  },
];
