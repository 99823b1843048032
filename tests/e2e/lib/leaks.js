// Looking for secrets where they must never be: the files the app writes,
// its log, and what the webview receives over IPC. A secret is searched for
// in the encodings it could be stored in, so a token kept in WebKit's
// localStorage (UTF-16) or percent-encoded in a URL is found as well.
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The byte strings a secret could be written as. */
function encodings(secret) {
  const forms = [
    ['as text', Buffer.from(secret, 'utf8')],
    ['as UTF-16', Buffer.from(secret, 'utf16le')],
    ['percent-encoded', Buffer.from(encodeURIComponent(secret), 'utf8')],
    ['JSON-escaped', Buffer.from(JSON.stringify(secret).slice(1, -1), 'utf8')],
  ];
  const seen = new Set();
  return forms.filter(([, bytes]) => {
    const key = bytes.toString('hex');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Which of `secrets` ({ label, value }) occur in `haystack` (a Buffer or a
 * string), and how: [{ label, form }].
 */
export function secretsIn(haystack, secrets) {
  const bytes = Buffer.isBuffer(haystack) ? haystack : Buffer.from(String(haystack), 'utf8');
  const found = [];
  for (const { label, value } of secrets) {
    // A short "secret" would match by chance and prove nothing.
    if (typeof value !== 'string' || value.length < 8) {
      throw new Error(`${label} is too short to search for (${value?.length ?? 0} characters)`);
    }
    for (const [form, needle] of encodings(value)) {
      if (bytes.includes(needle)) found.push({ label, form });
    }
  }
  return found;
}

/** Every regular file under `dirs`, recursively (symbolic links not followed). */
export async function filesUnder(dirs) {
  const files = [];
  async function walk(dir) {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (error.code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) files.push(path);
    }
  }
  for (const dir of dirs) await walk(dir);
  return files;
}

/** [{ file, label, form }] for every secret found in a file under `dirs`. */
export async function secretsInFiles(dirs, secrets) {
  const found = [];
  for (const file of await filesUnder(dirs)) {
    let bytes;
    try {
      // A file may go away between listing and reading (WebKit's journals).
      if (!(await lstat(file)).isFile()) continue;
      bytes = await readFile(file);
    } catch (error) {
      if (error.code === 'ENOENT') continue;
      throw error;
    }
    for (const hit of secretsIn(bytes, secrets)) found.push({ file, ...hit });
  }
  return found;
}

/**
 * Runs in the webview: records everything Rust sends to the page.
 *
 * `window.__TAURI_INTERNALS__.invoke` cannot be wrapped: Tauri defines it
 * read-only and non-configurable. But every answer the page receives (a
 * command's result or error, an event, a channel message) is delivered by
 * `__TAURI_INTERNALS__.runCallback(id, data)`, which looks the callback up
 * in the `callbacks` map Tauri exposes; wrapping that map's `get` sees each
 * value as it arrives. Commands travel as `fetch` requests to
 * ipc://localhost/<command> that name their two callbacks in headers, so
 * wrapping `fetch` tells which command an answer belongs to. The connect
 * commands' password and token arguments are not recorded: they are what the
 * person typed.
 */
function installIpcRecorderInPage() {
  if (window.__rosterIpcLog) return 'already installed';
  const internals = window.__TAURI_INTERNALS__;
  if (!internals || !(internals.callbacks instanceof Map)) return 'no Tauri IPC in this page';
  const log = [];
  const calls = new Map();
  const TYPED = ['password', 'token'];
  const text = (value) => {
    if (value === undefined) return '';
    if (typeof value === 'string') return value;
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
      return new TextDecoder().decode(value);
    }
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  };
  const argumentsOf = (command, body) => {
    if (command !== 'connect_with_password' && command !== 'connect_with_token') return text(body);
    try {
      const args = JSON.parse(text(body));
      for (const key of TYPED) if (key in args) args[key] = '(typed by the user, not recorded)';
      return JSON.stringify(args);
    } catch {
      return '(not recorded)';
    }
  };
  const originalFetch = window.fetch;
  window.fetch = function (input, init) {
    try {
      const url = new URL(typeof input === 'string' ? input : input.url);
      if (url.protocol === 'ipc:' || url.hostname === 'ipc.localhost') {
        const command = decodeURIComponent(url.pathname.replace(/^\//, ''));
        const headers = new Headers((init && init.headers) || {});
        const args = argumentsOf(command, init && init.body);
        calls.set(String(headers.get('Tauri-Callback')), { command, args, outcome: 'resolved' });
        calls.set(String(headers.get('Tauri-Error')), { command, args, outcome: 'rejected' });
      }
    } catch {
      // Not an IPC request: nothing to record.
    }
    return originalFetch.apply(this, arguments);
  };
  const callbacks = internals.callbacks;
  const get = callbacks.get;
  callbacks.get = function (id) {
    const callback = get.call(this, id);
    if (typeof callback !== 'function') return callback;
    return (data) => {
      const call = calls.get(String(id));
      log.push({
        command: call ? call.command : null,
        outcome: call ? call.outcome : 'event',
        args: call ? call.args : null,
        value: text(data),
      });
      return callback(data);
    };
  };
  window.__rosterIpcLog = log;
  return 'installed';
}

/** Starts recording the page's IPC; fails if it cannot. */
export async function installIpcRecorder(app) {
  const outcome = await app.browser.execute(installIpcRecorderInPage);
  if (outcome !== 'installed') throw new Error(`could not record the page's IPC: ${outcome}`);
}

/**
 * What the page has received since the recorder was installed:
 * [{ command, outcome: 'resolved' | 'rejected' | 'event', args, value }].
 */
export async function ipcLog(app) {
  const log = await app.browser.execute(() => window.__rosterIpcLog ?? null);
  if (log === null) {
    throw new Error('the IPC recorder is gone: the page was reloaded after it was installed');
  }
  return log;
}

/** [{ command, outcome, part: 'answer' | 'arguments', label, form }]. */
export function secretsInIpc(log, secrets) {
  const found = [];
  for (const entry of log) {
    for (const [part, value] of [
      ['answer', entry.value],
      ['arguments', entry.args ?? ''],
    ]) {
      for (const hit of secretsIn(value, secrets)) {
        found.push({ command: entry.command ?? '(event)', outcome: entry.outcome, part, ...hit });
      }
    }
  }
  return found;
}
