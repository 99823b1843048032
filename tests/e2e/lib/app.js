// The Roster desktop app under tauri-driver, seen the way a person (or a
// screen reader) sees it: elements are found by role and accessible name,
// and every step waits for the state it needs instead of sleeping.
import { build } from 'esbuild';
import { remote } from 'webdriverio';
import { fileURLToPath } from 'node:url';

const DEFAULT_TIMEOUT = 15_000;
const ELEMENT_KEY = 'element-6066-11e4-a52e-4f735466cecf';
const POLL = 100;

let pageScript = null;

/** The in-page helper, bundled once per run (about 30 kB). */
async function pageHelper() {
  if (pageScript === null) {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('./page-a11y.js', import.meta.url))],
      bundle: true,
      write: false,
      format: 'iife',
      target: 'es2020',
      logLevel: 'silent',
    });
    pageScript = result.outputFiles[0].text;
  }
  return pageScript;
}

function toWire(name) {
  return name instanceof RegExp ? { source: name.source, flags: name.flags } : name;
}

function show(name, text) {
  const shown = (value) => (value instanceof RegExp ? `/${value.source}/` : `"${value}"`);
  return `${name === undefined ? '' : ` ${shown(name)}`}${text === undefined ? '' : ` saying ${shown(text)}`}`;
}

export class TimeoutError extends Error {}

/** Polls `check` until it returns something truthy; fails with `message`. */
export async function waitFor(check, message, timeout = DEFAULT_TIMEOUT) {
  const deadline = Date.now() + timeout;
  let lastError = null;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const why = typeof message === 'function' ? await message() : message;
      throw new TimeoutError(
        `${why} (waited ${timeout / 1000} s)${lastError ? `; last error: ${lastError.message}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL));
  }
}

const TRACE = Boolean(process.env.E2E_TRACE);
let traceStart = Date.now();

/** With E2E_TRACE=1, each step is printed with the time it took. */
function trace(what, since) {
  if (TRACE)
    console.log(
      `       ${((Date.now() - traceStart) / 1000).toFixed(2)} s  ${what} (${Date.now() - since} ms)`,
    );
}

export class App {
  constructor({ application, port }) {
    this.application = application;
    this.port = port;
    this.browser = null;
  }

  /** Starts the app in a new WebDriver session and waits for its page. */
  async launch() {
    traceStart = Date.now();
    const script = await pageHelper();
    this.browser = await remote({
      hostname: '127.0.0.1',
      port: this.port,
      // Failed polls are expected while waiting; the tests report what matters.
      logLevel: 'silent',
      connectionRetryCount: 0,
      capabilities: {
        // tauri-driver speaks classic WebDriver only.
        'wdio:enforceWebDriverClassic': true,
        'tauri:options': { application: this.application },
      },
    });
    this.script = script;
    await waitFor(
      () => this.browser.execute(() => document.readyState === 'complete'),
      'the app window never finished loading its page',
    );
    // A build without tauri/custom-protocol loads the UI from the Vite dev
    // server instead of the files built into it.
    const page = await this.browser.execute(() => location.href);
    // (WebKit shows a failed load of the dev server as about:blank.)
    if (/^https?:\/\/localhost:1420/.test(page) || page === 'about:blank') {
      throw new Error(
        `the app is a development build (it loads ${page}); build it with: cargo build --bin roster --features tauri/custom-protocol`,
      );
    }
  }

  /** Ends the session, which closes the app as quitting it would. */
  async quit() {
    const browser = this.browser;
    this.browser = null;
    if (browser !== null) await browser.deleteSession().catch(() => {});
  }

  async #call(method, ...args) {
    return this.browser.execute(
      `if (!window.__rosterA11y) { ${this.script} }
       return window.__rosterA11y.${method}(...arguments);`,
      ...args,
    );
  }

  /** Element references as WebdriverIO elements. */
  async #wrap(references) {
    return Promise.all(references.map((reference) => this.browser.$(reference)));
  }

  /** A WebdriverIO element goes over the wire as a W3C element reference. */
  #raw(element) {
    return element ? { [ELEMENT_KEY]: element.elementId } : undefined;
  }

  /**
   * Every perceivable element with `role`, a matching name and (for roles
   * named by their author only, such as status and alert) matching text, now.
   */
  async queryAll(role, name, { within, text } = {}) {
    // WebKitWebDriver turns element references into elements only at the
    // top level of the arguments, so the scope travels on its own.
    const scope = this.#raw(within);
    const references = await this.#call(
      'query',
      { role, name: toWire(name), text: toWire(text) },
      scope ?? null,
    );
    return this.#wrap(references);
  }

  /** What the screen offers now, for failure messages. */
  async inventory(within) {
    const scope = this.#raw(within);
    const names = await this.#call('inventory', scope);
    return names.join(', ');
  }

  /** Waits for exactly one element with `role` and `name`, and returns it. */
  async find(role, name, { within, text, timeout } = {}) {
    let count = 0;
    const since = Date.now();
    const found = await waitFor(
      async () => {
        const found = await this.queryAll(role, name, { within, text });
        count = found.length;
        return found.length === 1 ? found[0] : null;
      },
      async () =>
        `expected one ${role}${show(name, text)} but found ${count}; on screen: ${await this.inventory(within).catch(() => '?')}`,
      timeout,
    );
    trace(`found ${role}${show(name, text)}`, since);
    return found;
  }

  /** Waits until no element with `role` and `name` is perceivable. */
  async waitGone(role, name, { within, text, timeout } = {}) {
    const since = Date.now();
    await waitFor(
      async () => (await this.queryAll(role, name, { within, text })).length === 0,
      `the ${role}${show(name, text)} did not go away`,
      timeout,
    );
    trace(`${role}${show(name, text)} gone`, since);
  }

  /** Whether an element with `role` and `name` is on screen now. */
  async has(role, name, options) {
    return (await this.queryAll(role, name, options)).length > 0;
  }

  /** Role, name, state, cells: what a person reads off the element. */
  async describe(element) {
    return this.#call('describe', this.#raw(element));
  }

  /**
   * The grid's data rows now: { busy, total, rows: [{ element, name, cells,
   * busy, selected, … }] }, where cells are the lines of text in each cell.
   */
  async gridRows(grid) {
    const state = await this.#call('gridRows', this.#raw(grid));
    for (const row of state.rows) row.element = await this.browser.$(row.element);
    return state;
  }

  /**
   * Waits until a click would reach the element as a person's would: it is
   * enabled, has stopped moving (panels slide and dialogs zoom in), and
   * nothing covers it. Then clicks it. `locate` finds the element afresh on
   * every look (a re-rendered element replaces the one found before) and
   * returns null while there is none.
   */
  async clickWhenReady(locate, what, timeout = DEFAULT_TIMEOUT) {
    const since = Date.now();
    let previous = null;
    let last = null;
    const element = await waitFor(
      async () => {
        const candidate = await locate();
        if (!candidate) return null;
        const state = await this.describe(candidate);
        last = await this.#call('target', this.#raw(candidate));
        const ready = !state.disabled && last.hit && last.box === previous;
        previous = last.box;
        return ready ? candidate : null;
      },
      async () =>
        last === null
          ? `${what} is not on screen; on screen: ${await this.inventory().catch(() => '?')}`
          : last.hit === false
            ? `${what} is covered by something else`
            : `${what} stayed disabled or kept moving`,
      timeout,
    );
    await element.click();
    trace(`clicked ${what}`, since);
    return element;
  }

  /** Finds the element by role and name and clicks it (see clickWhenReady). */
  async click(role, name, options = {}) {
    const { within, text, timeout } = options;
    return this.clickWhenReady(
      async () => {
        const found = await this.queryAll(role, name, { within, text });
        return found.length === 1 ? found[0] : null;
      },
      `the ${role}${show(name, text)}`,
      timeout,
    );
  }

  /**
   * Clicks into a text field (found by role and name), selects what it holds
   * and types `text` over it, keystroke by keystroke, as a person would.
   */
  async type(role, name, text, options = {}) {
    const element = await this.click(role, name, options);
    // Ctrl+A, release, Backspace: clears through the keyboard, so the page
    // sees the same input events as for typing.
    await this.browser.elementSendKeys(element.elementId, '\uE009a\uE000\uE003');
    if (text !== '') await this.browser.elementSendKeys(element.elementId, text);
    await waitFor(
      async () => (await this.describe(element)).value === text,
      async () =>
        `the ${role}${show(name)} holds "${(await this.describe(element)).value}", not what was typed ("${text}")`,
    );
    return element;
  }

  /**
   * Picks an option of a drop-down list (a <select>, role combobox) by its
   * text, as a click on the option does: WebDriver selects it and the page
   * sees input and change events. Waits until the list shows it.
   */
  async choose(name, option, options = {}) {
    const select = await this.find('combobox', name, options);
    if (option.includes('"')) throw new Error(`choose: an option with a double quote: ${option}`);
    const found = await this.browser.findElementFromElement(
      select.elementId,
      'xpath',
      `.//option[normalize-space(.)="${option}"]`,
    );
    const id = found?.[ELEMENT_KEY];
    if (!id) throw new Error(`the list "${name}" has no option "${option}"`);
    await this.browser.elementClick(id);
    const shown = () =>
      this.browser.execute((s) => s.options[s.selectedIndex]?.text.trim(), this.#raw(select));
    await waitFor(
      async () => (await shown()) === option,
      async () => `the list "${name}" shows "${await shown()}", not "${option}"`,
    );
    return select;
  }

  /** Presses a key (a WebDriver key name such as 'Enter') in the element. */
  async press(element, key) {
    const codes = { Enter: '\uE007', Escape: '\uE00C', Tab: '\uE004', ArrowDown: '\uE015' };
    await this.browser.elementSendKeys(element.elementId, codes[key] ?? key);
  }

  /**
   * Waits until nothing on the page is moving: no CSS animation or
   * transition is running, except endless ones such as a spinner.
   */
  async whenStill(timeout = 5_000) {
    await waitFor(
      () =>
        this.browser.execute(() =>
          document
            .getAnimations()
            .every(
              (animation) =>
                animation.playState !== 'running' ||
                animation.effect?.getComputedTiming().iterations === Infinity,
            ),
        ),
      'the page kept animating',
      timeout,
    );
  }

  async keys(keys) {
    await this.browser.keys(keys);
  }

  /**
   * The page as PNG bytes, taken through WebDriver. WebKitWebDriver's
   * screenshot waits for the page's next paint, and a page where nothing
   * changes never paints again: while it is taken, a dot in a corner (one
   * pixel, one or two per cent black) changes every frame.
   */
  async screenshotPng() {
    await this.browser.execute(() => {
      const dot = document.createElement('div');
      dot.id = 'e2e-repaint';
      dot.setAttribute('aria-hidden', 'true');
      dot.style.cssText =
        'position:fixed;left:0;bottom:0;width:1px;height:1px;pointer-events:none;z-index:2147483647';
      document.documentElement.append(dot);
      let frame = 0;
      const tick = () => {
        if (!dot.isConnected) return;
        frame += 1;
        dot.style.background = `rgba(0, 0, 0, ${frame % 2 ? 0.01 : 0.02})`;
        requestAnimationFrame(tick);
      };
      tick();
    });
    try {
      return Buffer.from(await this.browser.takeScreenshot(), 'base64');
    } finally {
      await this.browser.execute(() => document.getElementById('e2e-repaint')?.remove());
    }
  }

  async screenshot(path) {
    if (this.browser !== null) await this.browser.saveScreenshot(path);
  }
}
