// Processes the fault tests and benchmarks handle themselves: roster-server
// instances on a file (so a stopped server comes back on the same port with
// the same data), and the app and its WebKit processes, found through the
// run's mark (E2E_RUN_ID, which every process of the run inherits). Whatever
// is started here is stopped by PID with SIGTERM.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { waitFor } from './app.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** E2E_SERVER_BIN, or the debug build that tests/e2e.sh also uses. */
export function serverBinary() {
  return (
    process.env.E2E_SERVER_BIN ||
    join(process.env.CARGO_TARGET_DIR || join(ROOT, 'target'), 'debug', 'roster-server')
  );
}

const started = new Set();
// However the run ends, no server outlives it.
process.on('exit', () => {
  for (const server of started) server.child?.kill('SIGTERM');
});

/** Stops every server still running (for the end of a run). */
export async function stopAllServers() {
  for (const server of [...started]) await server.stop();
}

export class Server {
  /**
   * `db` is the SQLite file; `demo` seeds that many users into an empty one;
   * `port` 0 takes a free one (and a restart keeps the first one taken).
   */
  constructor({ db, token, demo = null, port = 0, log = null }) {
    Object.assign(this, { db, token, demo, port, log, child: null, url: null });
  }

  async start(timeout = 180_000) {
    if (this.child) throw new Error('the server is already running');
    const args = ['--listen', `127.0.0.1:${this.port}`, '--db', this.db, '--api-token', this.token];
    if (this.demo !== null) args.push('--demo', String(this.demo));
    const child = spawn(serverBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    started.add(this);
    const log = this.log ? createWriteStream(this.log, { flags: 'a' }) : null;
    let output = '';
    const exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    this.exited = exited;
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`roster-server did not start in ${timeout / 1000} s: ${output}`)),
        timeout,
      );
      const read = (chunk) => {
        output += chunk;
        log?.write(chunk);
        const match = output.match(/SCIM base URL: (http\S+)/);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`roster-server ended (${code ?? signal}) before listening: ${output}`));
      });
    });
    this.url = url;
    this.port = Number(new URL(url).port);
    exited.then(() => log?.end());
    return url;
  }

  get pid() {
    return this.child?.pid ?? null;
  }

  /** SIGTERM, then waits until it has ended (it finishes requests in flight). */
  async stop(timeout = 30_000) {
    const child = this.child;
    if (!child) return;
    this.child = null;
    started.delete(this);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    let timer;
    await Promise.race([
      this.exited,
      new Promise((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `roster-server (PID ${child.pid}) did not stop on SIGTERM within ${timeout / 1000} s`,
              ),
            ),
          timeout,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  }
}

/** Runs a Python snippet with arguments (sys.argv[1:]), for SQLite edits. */
export function python(script, ...args) {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`python3 failed (${code}): ${output}`)),
    );
  });
}

/** Every live process of this run: { pid, ppid, exe, name }. */
export async function runProcesses() {
  const mark = `E2E_RUN_ID=${process.env.E2E_RUN_ID}`;
  if (!process.env.E2E_RUN_ID) throw new Error('E2E_RUN_ID is not set; run through tests/e2e.sh');
  const found = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = (await readFile(`/proc/${entry}/environ`)).toString('latin1').split('\0');
      if (!environ.includes(mark)) continue;
      const exe = (await readlink(`/proc/${entry}/exe`)).replace(/ \(deleted\)$/, '');
      const stat = await readFile(`/proc/${entry}/stat`, 'latin1');
      // The command name in brackets may hold spaces: fields follow the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      found.push({
        pid: Number(entry),
        ppid: Number(fields[1]),
        exe,
        name: basename(exe),
        startTicks: Number(fields[19]),
      });
    } catch {
      // Ended meanwhile, or not ours to read.
    }
  }
  return found;
}

/** Whether a process of the run is the app (a binary named roster…, not the server). */
export function isApp(proc) {
  return /^roster/.test(proc.name) && !/^roster-server/.test(proc.name);
}

/** The app's process. */
export async function appProcess(timeout = 15_000) {
  let apps = [];
  return waitFor(
    async () => {
      apps = (await runProcesses()).filter(isApp);
      return apps.length === 1 ? apps[0] : null;
    },
    () => `expected one running app process of this run, found ${apps.length}`,
    timeout,
  );
}

/** The app and the WebKit processes it started (web content, network). */
export async function appFamily() {
  const app = await appProcess();
  const all = await runProcesses();
  const children = all.filter((p) => p.ppid === app.pid && /^WebKit/.test(p.name));
  return { app, children };
}

/** Proportional set size of a process, in kB, from smaps_rollup. */
export async function pssKb(pid) {
  const text = await readFile(`/proc/${pid}/smaps_rollup`, 'latin1');
  const match = text.match(/^Pss:\s+(\d+) kB/m);
  if (!match) throw new Error(`/proc/${pid}/smaps_rollup has no Pss line`);
  return Number(match[1]);
}

/** When the process started, in milliseconds since the epoch (10 ms steps). */
export async function startedAtMs(proc) {
  const ticksPerSecond = 100; // USER_HZ on Linux
  const uptime = Number((await readFile('/proc/uptime', 'latin1')).split(' ')[0]);
  const now = Date.now();
  return now - (uptime - proc.startTicks / ticksPerSecond) * 1000;
}

/** Waits until the process has gone (after a signal). */
export async function gone(pid, timeout = 15_000) {
  await waitFor(
    async () => {
      try {
        const stat = await readFile(`/proc/${pid}/stat`, 'latin1');
        // A zombie has ended; its parent has yet to collect it.
        return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
      } catch {
        return true;
      }
    },
    `process ${pid} did not end`,
    timeout,
  );
}
