/**
 * @file The Firefox implementation of the `Session` interface in
 * `session.mjs`: puppeteer-core driving Debian's `/usr/bin/firefox-esr` over
 * WebDriver BiDi, with no geckodriver and no browser download.
 *
 * Playwright cannot drive Debian's Firefox (it needs its own patched build),
 * so this uses puppeteer-core, whose Firefox support is BiDi-only:
 *   - Puppeteer starts Firefox headless with a fresh temporary profile, and
 *     kills it if this process exits or gets Ctrl+C; on SIGTERM and SIGHUP
 *     this module kills it and lets the signal end the process (Puppeteer's
 *     own handler would close the browser but leave a hung test running);
 *   - the unpacked extension is installed as a temporary add-on
 *     (`browser.installExtension`, BiDi `webExtension.install`);
 *   - each tab intercepts its requests: those to routed hosts are answered
 *     by the router, so the page keeps its real URL, the manifest's
 *     content-script matches apply and the fixture's CSP header is enforced;
 *   - clicks and key presses are BiDi input actions, so the page and the
 *     extension see trusted events, as from a real user.
 *
 * What Puppeteer does not cover on Firefox ESR 153, each done here in a few
 * lines (ARCHITECTURE.md, "Build and tests", has the evidence):
 *   - Firefox sends BiDi no navigation events for extension pages
 *     (moz-extension://), so Puppeteer's `page.url()` stays `about:blank`
 *     there and `page.goto()` to one never resolves. `waitForPage` asks the
 *     tab for its `location`, and `goto` polls for the load itself.
 *     Navigating to an extension page at all needs Firefox started with
 *     `--remote-allow-system-access` (Firefox 138+);
 *   - Puppeteer's "Enter" is WebDriver's U+E007, which Firefox reports as
 *     the keypad's Enter (`code` "NumpadEnter"); `press` sends U+E006, the
 *     main Enter key, as Playwright does in Chromium;
 *   - Puppeteer's BiDi session leaves a page's prompts open, so a `goto`
 *     away from a page that asks "leave this page?" (Roundcube's compose
 *     with unsaved changes) never finishes; `answerPrompts` accepts that
 *     prompt and dismisses alerts, as Playwright does in Chromium;
 *   - `click` and `focus` find the element in one evaluation, not through
 *     an element handle: faster, and it works inside child frames;
 *   - SIGTERM and SIGHUP (see the first list);
 *   - navigation (`goto`): with the session subscribed to BiDi's four
 *     navigation events, which Puppeteer's own `goto` waits on, every
 *     navigation costs Firefox 30–45 ms more, so the session unsubscribes
 *     from them at launch and `goto` sends `browsingContext.navigate`, which
 *     itself waits for the load. That takes Puppeteer's BiDi connection and
 *     a tab's browsing-context ID, neither in its public API
 *     (`bidiOf`, `contextOf`: pinned in package.json, and checked at launch).
 */

import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import puppeteer from "puppeteer-core";
import { fixtureFor, jsonExpression, poll } from "./session.mjs";

/** The browser this driver runs; Debian's `firefox-esr` package installs it here. */
export const FIREFOX_BINARY = "/usr/bin/firefox-esr";

/** How long Firefox may take to start and accept the BiDi connection. */
const LAUNCH_TIMEOUT_MS = 60_000;
/** The deadline of one BiDi command, so a lost reply fails the test instead of hanging it. */
const COMMAND_TIMEOUT_MS = 30_000;
/** How long `goto` waits for a page to load. */
const NAVIGATION_TIMEOUT_MS = 30_000;

/**
 * The BiDi events Firefox pays for on every navigation while the session is
 * subscribed to them (ARCHITECTURE.md, "Why the Firefox suites were slower
 * on Puppeteer"). Nothing here needs them once `goto` navigates by command;
 * Puppeteer still gets the context, prompt, network and realm events it
 * tracks tabs, prompts, requests and evaluations by.
 */
const NAVIGATION_EVENTS = [
  "browsingContext.navigationStarted",
  "browsingContext.navigationCommitted",
  "browsingContext.domContentLoaded",
  "browsingContext.load",
];

/**
 * Launches Firefox ESR with the extension installed as a temporary add-on
 * and requests to the routed hosts answered by their routers. With
 * `extensionDir: null` no add-on is installed (a baseline), and `prefs`
 * adds preferences.
 *
 * Beyond `Session`, the returned object carries Firefox-only extras:
 * - `extensionId`: the add-on ID (the manifest's `browser_specific_settings.gecko.id`);
 * - `extensionUrl(path)`: `moz-extension://<uuid>/<path>`. The UUID is fixed
 *   through the `extensions.webextensions.uuids` pref, which needs the gecko
 *   ID in the manifest; without it `extensionUrl` throws;
 * - `pids`: `{firefox}`, the main process ID, for leak checks;
 * - `profileDir`: Firefox's temporary profile, which `close()` deletes.
 *
 * A router's answer goes through `fixtureFor` (session.mjs): nothing is a
 * 404, a throw a 500, as in Chromium. Routes apply to the tabs that
 * `newPage` and `waitForPage` return (Puppeteer intercepts per tab), from
 * then on; the extension's background makes no requests.
 *
 * Set `FIREFOX_LOG=1` to copy Firefox's output to stderr.
 *
 * @param {import("./session.mjs").LaunchOptions} options
 * @returns {Promise<import("./session.mjs").Session & {
 *   extensionId: string,
 *   extensionUrl: (path: string) => string,
 *   pids: {firefox: number},
 *   profileDir: string,
 * }>}
 */
export async function launchFirefox(options) {
  const { extensionDir, routes = {}, locale, prefs: extraPrefs = {} } = options;
  if (!existsSync(FIREFOX_BINARY)) {
    throw new Error(`Firefox ESR is not installed at ${FIREFOX_BINARY}; install it with \`apt-get install firefox-esr\`.`);
  }
  const extension = extensionDir === null ? null : path.resolve(extensionDir);
  const manifestPath = extension && path.join(extension, "manifest.json");
  if (extension && !existsSync(manifestPath)) {
    throw new Error(`No manifest.json in the extension directory ${extension}; build it first (\`npm run build\`).`);
  }
  const geckoId = extension ? geckoIdOf(manifestPath) : undefined;
  const extensionUuid = randomUUID();
  const hosts = Object.keys(routes);

  const prefs = {
    "network.dns.disablePrefetch": true,
    ...(geckoId && { "extensions.webextensions.uuids": JSON.stringify({ [geckoId]: extensionUuid }) }),
    ...(locale && { "intl.locale.requested": locale, "intl.accept_languages": locale }),
    ...extraPrefs,
    // Routed hosts resolve to loopback without a DNS query; their requests
    // are intercepted before they are sent anyway. Remote Settings is listed
    // so Firefox stops looking it up on this offline machine. Local domains
    // the caller adds come on top.
    "network.dns.localDomains": [
      ...hosts,
      "firefox.settings.services.mozilla.com",
      ...(extraPrefs["network.dns.localDomains"]?.split(",") ?? []),
    ].join(","),
  };

  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: FIREFOX_BINARY,
    headless: true,
    // Lets BiDi navigate a tab to an extension page (Firefox 138+).
    args: ["--remote-allow-system-access"],
    extraPrefsFirefox: prefs,
    // Firefox's own window size, as a user has it; `resize` changes it.
    defaultViewport: null,
    timeout: LAUNCH_TIMEOUT_MS,
    protocolTimeout: COMMAND_TIMEOUT_MS,
    handleSIGTERM: false,
    handleSIGHUP: false,
    dumpio: process.env.FIREFOX_LOG === "1",
  });
  const firefox = browser.process();
  const argv = firefox.spawnargs;
  const profileDir = argv[argv.indexOf("--profile") + 1];
  watchFatalSignals(firefox, profileDir);
  let closing;
  // Closing twice (a test's own close and then its `finally`) must be
  // harmless, so the first call's promise is shared. Puppeteer waits for
  // Firefox to exit and deletes the temporary profile.
  const close = () =>
    (closing ??= browser
      .close()
      .catch(() => firefox.kill("SIGKILL"))
      .finally(() => unwatchFatalSignals(firefox)));

  try {
    const bidi = bidiOf(browser);
    await bidi.send("session.unsubscribe", { events: NAVIGATION_EVENTS });
    const extensionId = extension ? await browser.installExtension(extension) : null;
    const prepared = new WeakSet();
    /** @param {import("puppeteer-core").Page} page */
    const wrap = async (page) => {
      if (!prepared.has(page)) {
        prepared.add(page);
        answerPrompts(page);
        if (hosts.length) await routeRequests(page, routes);
      }
      return firefoxPage(page, bidi);
    };
    return {
      name: "firefox",
      extensionId,
      extensionUrl: (file) => {
        if (!geckoId) {
          throw new Error(`${manifestPath} has no browser_specific_settings.gecko.id, so the extension's moz-extension:// UUID is unknown.`);
        }
        return `moz-extension://${extensionUuid}/${file.replace(/^\/+/, "")}`;
      },
      pids: { firefox: firefox.pid },
      profileDir,
      newPage: async () => wrap(await browser.newPage()),
      waitForPage: async (urlPrefix, timeoutMs = 10_000) => {
        // A tab the page or the extension opened (e.g. runtime.openOptionsPage()).
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          for (const page of await browser.pages()) {
            if ((await locationOf(page)).startsWith(urlPrefix)) return wrap(page);
          }
          if (Date.now() > deadline) throw new Error(`no page at ${urlPrefix} within ${timeoutMs} ms`);
          await sleep(50);
        }
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Every Firefox still running, with its profile. */
const running = new Map();
const FATAL_SIGNALS = ["SIGTERM", "SIGHUP"];

/**
 * @param {import("node:child_process").ChildProcess} firefox
 * @param {string} profileDir
 */
function watchFatalSignals(firefox, profileDir) {
  running.set(firefox, profileDir);
  if (running.size === 1) for (const signal of FATAL_SIGNALS) process.on(signal, onFatalSignal);
}

/** @param {import("node:child_process").ChildProcess} firefox */
function unwatchFatalSignals(firefox) {
  running.delete(firefox);
  if (running.size === 0) for (const signal of FATAL_SIGNALS) process.removeListener(signal, onFatalSignal);
}

/**
 * Kills every Firefox at once and removes its profile, then lets the signal
 * do what it would have done without this handler (terminate), unless the
 * program has its own handler for it.
 * @param {NodeJS.Signals} signal
 */
function onFatalSignal(signal) {
  for (const [firefox, profileDir] of running) {
    firefox.kill("SIGKILL");
    rmSync(profileDir, { recursive: true, force: true });
  }
  running.clear();
  for (const name of FATAL_SIGNALS) process.removeListener(name, onFatalSignal);
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/**
 * The gecko add-on ID declared in a manifest, if any.
 * @param {string} manifestPath
 * @returns {string|undefined}
 */
function geckoIdOf(manifestPath) {
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  return (manifest.browser_specific_settings ?? manifest.applications)?.gecko?.id;
}

/**
 * Where a tab is, asked of the tab itself: Puppeteer's `page.url()` misses
 * every navigation to or within an extension page (Firefox sends no
 * navigation events for those), so it may still show `about:blank` or the
 * page before. A tab too busy to answer within a second (between
 * documents) is taken at Puppeteer's word, and the caller asks again.
 * @param {import("puppeteer-core").Page} page
 * @returns {Promise<string>}
 */
async function locationOf(page) {
  let timer;
  const busy = new Promise((resolve) => (timer = setTimeout(resolve, 1000, null)));
  try {
    return (await Promise.race([page.evaluate("location.href"), busy])) ?? page.url();
  } catch {
    return page.url();
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Answers the tab's prompts as Playwright does in Chromium when nobody
 * listens: a "leave this page?" (beforeunload) prompt is accepted, so that
 * `goto` away from a compose with unsaved changes (Roundcube asks) goes
 * ahead; `alert`, `confirm` and `prompt` are dismissed. Puppeteer's BiDi
 * session leaves every prompt open instead ("ignore"), and a navigation
 * behind an open beforeunload prompt never finishes.
 * @param {import("puppeteer-core").Page} page
 */
function answerPrompts(page) {
  page.on("dialog", (dialog) => {
    // Either call fails only when the prompt is already gone (its tab closed).
    (dialog.type() === "beforeunload" ? dialog.accept() : dialog.dismiss()).catch(() => {});
  });
}

/**
 * Answers a tab's requests to routed hosts from their routers and lets the
 * rest through: with interception on, every request waits for one or the
 * other.
 * @param {import("puppeteer-core").Page} page
 * @param {Record<string, import("./session.mjs").Router>} routes
 */
async function routeRequests(page, routes) {
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    const url = new URL(request.url());
    const router = Object.hasOwn(routes, url.hostname) && url.protocol === "https:" ? routes[url.hostname] : null;
    // Either call fails only when the request is gone (its tab closed or
    // navigated away); there is nobody left to answer then.
    if (!router) {
      request.continue().catch(() => {});
      return;
    }
    const { status, headers, body } = fixtureFor(router, url);
    // A Buffer leaves no doubt about how a non-ASCII body is encoded: UTF-8.
    request.respond({ status, headers, body: Buffer.from(body, "utf8") }).catch(() => {});
  });
}

/**
 * @typedef {{send: (method: string, params: object, timeoutMs?: number) => Promise<unknown>}} Bidi
 *   A WebDriver BiDi command sender; without a timeout, the connection's own
 *   (`protocolTimeout`, COMMAND_TIMEOUT_MS) applies.
 */

/**
 * Puppeteer's WebDriver BiDi connection, to send commands it has no method
 * for. `Browser.connection` is internal to Puppeteer's BiDi browser, so a
 * version that drops it fails here, at launch, with a message that says
 * what to look at, rather than in the first `goto`.
 * @param {import("puppeteer-core").Browser} browser
 * @returns {Bidi}
 */
function bidiOf(browser) {
  const connection = /** @type {any} */ (browser).connection;
  if (typeof connection?.send !== "function") {
    throw new Error("puppeteer-core has no Browser.connection for its BiDi session any more; tests/e2e/lib/firefox.mjs navigates through it (see its header).");
  }
  return connection;
}

/**
 * The BiDi browsing-context ID of a tab (Puppeteer's internal
 * `BidiFrame.browsingContext`), checked as `bidiOf` is.
 * @param {import("puppeteer-core").Page} page
 * @returns {string}
 */
function contextOf(page) {
  const id = /** @type {any} */ (page.mainFrame()).browsingContext?.id;
  if (typeof id !== "string") {
    throw new Error("puppeteer-core's frames have no browsingContext.id any more; tests/e2e/lib/firefox.mjs navigates by it (see its header).");
  }
  return id;
}

/**
 * The `Page` interface over one Puppeteer page (a tab).
 * @param {import("puppeteer-core").Page} page
 * @param {Bidi} bidi
 * @returns {import("./session.mjs").Page}
 */
function firefoxPage(page, bidi) {
  const context = contextOf(page);
  const evaluate = async (expression) => {
    // JSON text is the one result shape that both drivers agree on;
    // undefined stays undefined.
    let json;
    try {
      json = await page.evaluate(jsonExpression(expression));
    } catch (error) {
      // Puppeteer's message would show the wrapper, not the expression.
      throw new Error(`Evaluating \`${expression}\` threw: ${error.message}`, { cause: error });
    }
    return json === undefined ? undefined : JSON.parse(json);
  };
  /**
   * Runs `then` (JS statements) on the element an expression evaluates to,
   * in one evaluation, and returns what `then` returns; throws if the
   * expression is not an element. One evaluation, not an element handle:
   * an element of a child frame (the Outlook pop-out's about:blank frame)
   * fails Puppeteer's `instanceof HTMLElement` checks, and Firefox cannot
   * pass its handle back into the top document's realm.
   * @param {string} expression
   * @param {string} then
   */
  const onElement = async (expression, then) => {
    const result = await page.evaluate(`(() => { const el = (\n${expression}\n); if (el?.nodeType !== 1) return { missing: true }; ${then} })()`);
    if (result?.missing) throw new Error(`Not an element: ${expression}`);
    return result;
  };

  return {
    goto: async (url) => {
      // The command's own wait, not events: see NAVIGATION_EVENTS.
      if (!url.startsWith("moz-extension:")) {
        await bidi.send("browsingContext.navigate", { context, url, wait: "complete" }, NAVIGATION_TIMEOUT_MS);
        return;
      }
      // Firefox never reports an extension page's load to BiDi: start the
      // navigation and watch the tab instead.
      bidi.send("browsingContext.navigate", { context, url, wait: "none" }).catch(() => {});
      await poll(
        async (expression) => page.evaluate(expression),
        `location.href === ${JSON.stringify(url)} && document.readyState === "complete"`,
        NAVIGATION_TIMEOUT_MS,
      );
    },
    evaluate,
    waitFor: (expression, timeoutMs = 5000) => poll(evaluate, expression, timeoutMs),
    click: async (expression, { clickCount = 1 } = {}) => {
      // The element's centre in the top viewport, after scrolling it there:
      // one evaluation where Puppeteer's ElementHandle.click() takes four
      // (60 ms more per click here), plus the frames' offsets it also adds.
      const { x, y } = await onElement(
        expression,
        `el.scrollIntoView({ block: "center", inline: "center", behavior: "instant" });
        const box = el.getBoundingClientRect();
        let x = box.left + box.width / 2;
        let y = box.top + box.height / 2;
        for (let view = el.ownerDocument.defaultView; view.frameElement; view = view.parent) {
          const frame = view.frameElement.getBoundingClientRect();
          x += frame.left + view.frameElement.clientLeft;
          y += frame.top + view.frameElement.clientTop;
        }
        return { x, y };`,
      );
      // All presses go in one input sequence, so Firefox counts them as one
      // multi-click.
      await page.mouse.click(x, y, { count: clickCount });
    },
    focus: async (expression) => {
      await onElement(expression, "el.focus();");
    },
    press: async (keys) => {
      const { modifiers, key } = parseChord(keys);
      for (const modifier of modifiers) await page.keyboard.down(modifier);
      try {
        await page.keyboard.press(key);
      } finally {
        for (const modifier of [...modifiers].reverse()) await page.keyboard.up(modifier);
      }
    },
    // A line break is the Enter key, as in Playwright; a tab stays a
    // character (sending the Tab key would move the focus instead).
    type: (text) => page.keyboard.type(text.replace(/[\r\n]/g, MAIN_ENTER)),
    resize: (width, height) => page.setViewport({ width, height }),
    screenshot: async (file) => {
      await mkdir(path.dirname(file), { recursive: true });
      await page.screenshot({ path: file });
    },
    capture: async ({ x, y, width, height }) => {
      // Puppeteer takes a clip in the document's coordinates and, unless
      // told not to, captures the document rather than the viewport.
      const [left, top] = await page.evaluate("[visualViewport.pageLeft, visualViewport.pageTop]");
      return Buffer.from(await page.screenshot({ captureBeyondViewport: false, clip: { x: x + left, y: y + top, width, height } }));
    },
    close: async () => {
      // Closing a tab twice, or after the browser closed, is not an error.
      await page.close().catch(() => {});
    },
  };
}

/**
 * WebDriver's main Enter key (U+E006, `code` "Enter"). Puppeteer maps
 * "Enter" to U+E007, which Firefox reports as the keypad's ("NumpadEnter").
 */
const MAIN_ENTER = "\uE006";

/**
 * Playwright's key names that Puppeteer spells differently or not at all.
 * Playwright's ControlOrMeta is Meta only on macOS; these runs are Linux.
 */
const KEY_NAMES = { Enter: MAIN_ENTER, ControlOrMeta: "Control", Space: " " };

/**
 * Splits a Playwright chord ("Control+Enter", "Shift+Tab", "a", "+",
 * "Shift++") into Puppeteer key names.
 * @param {string} keys
 * @returns {{modifiers: string[], key: string}}
 */
function parseChord(keys) {
  const parts = keys.split("+");
  let name = parts.pop();
  // "+" itself: "Shift++" splits into ["Shift", "", ""], "+" into ["", ""].
  if (name === "" && parts.length && parts[parts.length - 1] === "") {
    parts.pop();
    name = "+";
  }
  const toKey = (part) => KEY_NAMES[part] ?? part;
  return { modifiers: parts.map(toKey), key: toKey(name) };
}

/**
 * @param {number} ms
 * @returns {Promise<void>}
 */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
