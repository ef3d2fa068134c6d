/**
 * @file The browser-independent interface the end-to-end tests are written
 * against, and what both drivers share: the fixture's CSP and nonces, and
 * evaluating and polling page expressions.
 *
 * `chromium.mjs` implements it with playwright-core and `/usr/bin/chromium`;
 * `firefox.mjs` with puppeteer-core over WebDriver BiDi on
 * `/usr/bin/firefox-esr` (Playwright cannot drive Debian's Firefox). A test receives a `Session` and
 * never touches either library directly, so every scenario runs in both.
 *
 * @typedef {object} Fixture What a routed request is answered with.
 * @property {number} [status] HTTP status, 200 by default.
 * @property {Record<string, string>} [headers] Response headers (CSP included).
 * @property {string} body The body (HTML).
 *
 * @typedef {(url: URL) => Fixture} Router Answers every request to a routed host.
 *
 * @typedef {object} LaunchOptions
 * @property {string|null} extensionDir The unpacked extension (`dist/chrome` or
 *   `dist/firefox`), or null for a browser without it (a baseline).
 * @property {Record<string, Router>} routes Host name → router; requests to
 *   these hosts never reach the network and are answered by the router, so a
 *   fixture is served at the real URL (https://mail.google.com/…) and the
 *   manifest's content-script matches apply.
 * @property {string} [locale] UI language of the browser, e.g. "en-US" or "ja".
 * @property {string[]} [args] Chromium only: extra command-line switches.
 * @property {string} [userDataDir] Chromium only: the profile directory, kept
 *   after close so that a second launch is a restart (default: a temporary one).
 * @property {Record<string, unknown>} [prefs] Firefox only: extra preferences.
 *
 * @typedef {object} Page One tab.
 * @property {(url: string) => Promise<void>} goto Navigates and waits for load;
 *   a "leave this page?" prompt on the way is accepted, other prompts
 *   (alerts) are dismissed, as Playwright does when nobody listens.
 * @property {(expression: string) => Promise<any>} evaluate Evaluates a JS
 *   expression in the page's main world and returns its JSON-serialisable
 *   value (promises are awaited).
 * @property {(expression: string, timeoutMs?: number) => Promise<any>} waitFor
 *   Polls `expression` until it is truthy; returns that value; throws with
 *   the expression in the message on timeout (default 5000 ms).
 * @property {(elementExpression: string, options?: {clickCount?: number, force?: boolean}) => Promise<void>} click
 *   A trusted mouse click at the centre of the element the expression
 *   evaluates to (it may reach into open shadow roots). With `force`, the
 *   click goes there even when something covers the element or it moves
 *   (Chromium's driver otherwise waits until it can be clicked).
 * @property {(elementExpression: string) => Promise<void>} focus Focuses the element.
 * @property {(keys: string) => Promise<void>} press Trusted key presses on the
 *   focused element, Playwright syntax: "Enter", "Control+Enter",
 *   "Meta+Enter", "Escape", "Tab", "Shift+Tab", " " (space).
 * @property {(text: string) => Promise<void>} type Trusted typing of text.
 * @property {(width: number, height: number) => Promise<void>} resize Sets the
 *   viewport size (e.g. a phone's, for a responsive layout).
 * @property {(path: string) => Promise<void>} screenshot A PNG of the viewport.
 * @property {(area: {x: number, y: number, width: number, height: number}) => Promise<Buffer>} capture
 *   A PNG of an area of the viewport (CSS pixels), as bytes: two captures of
 *   the same pixels are the same bytes, so a test can tell whether what the
 *   user sees there has changed.
 * @property {() => Promise<void>} close
 *
 * @typedef {object} Session One browser with the extension installed.
 * @property {string} name "chromium" or "firefox".
 * @property {() => Promise<Page>} newPage
 * @property {(urlPrefix: string, timeoutMs?: number) => Promise<Page>} waitForPage
 *   The tab whose URL starts with `urlPrefix`, waiting for it to appear —
 *   for pages the extension opens itself (its options page).
 * @property {(path: string) => string} extensionUrl The URL of an extension page.
 * @property {() => Promise<void>} [stopBackground] Chromium only: stops the
 *   extension's service worker, as the browser does when it is idle.
 * @property {() => Promise<void>} close Closes the browser; leaves no process behind.
 */

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * A fresh CSP nonce per response, as the real sites do.
 * @returns {string}
 */
export function nonce() {
  return randomBytes(12).toString("base64url");
}

/**
 * A Content-Security-Policy as strict as the webmail sites': scripts only by
 * nonce, no eval and no WASM compilation, no plugins, Trusted Types
 * required. Under it Chrome refuses to compile WASM in a content script,
 * which is why the engine runs in the background.
 * @param {string} scriptNonce
 * @returns {string}
 */
export function strictCsp(scriptNonce) {
  return [
    `script-src 'nonce-${scriptNonce}' 'report-sample'`,
    "object-src 'none'",
    "base-uri 'self'",
    "require-trusted-types-for 'script'",
  ].join("; ");
}

/**
 * Serves a webmail fixture: `compose.html` from `fixtureDir` with
 * `behaviour.js` inlined into its one nonce'd `<script>`, under
 * `strictCsp()` with a fresh nonce per response, as the real sites do. The
 * files are read on every response, so edits apply without a restart.
 * @param {URL} fixtureDir
 * @returns {() => Fixture}
 */
export function fixturePage(fixtureDir) {
  const template = fileURLToPath(new URL("compose.html", fixtureDir));
  const behaviourFile = fileURLToPath(new URL("behaviour.js", fixtureDir));
  return () => {
    const scriptNonce = nonce();
    // A literal "</script" would end the inline script early.
    const behaviour = readFileSync(behaviourFile, "utf8").replace(/<\/(script)/gi, "<\\/$1");
    const body = readFileSync(template, "utf8")
      .replaceAll("{{NONCE}}", scriptNonce)
      .replace("{{BEHAVIOUR}}", () => behaviour);
    return {
      status: 200,
      headers: {
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": strictCsp(scriptNonce),
        "cache-control": "no-store",
      },
      body,
    };
  };
}

/**
 * The small 404 a fixture host gives for anything but its page.
 * @param {string} fixture e.g. "Gmail fixture"
 * @returns {Fixture}
 */
export function notFound(fixture) {
  return { status: 404, headers: { "content-type": "text/plain; charset=utf-8" }, body: `404 Not Found (${fixture})\n` };
}

/**
 * Asks a router for the response to one request, turning "not served" and
 * router bugs into HTTP errors, so that every routed request gets an
 * answer (a request left unanswered would hang its page's load). A router
 * that returns nothing gives an empty 404; one that throws, a 500 whose
 * body is the error, so the failure shows in the page.
 * @param {Router} router
 * @param {URL} url
 * @returns {{status: number, headers: Record<string, string>, body: string}}
 */
export function fixtureFor(router, url) {
  let fixture;
  try {
    fixture = router(url);
  } catch (error) {
    return { status: 500, headers: { "content-type": "text/plain" }, body: `The router for ${url} threw: ${error?.stack ?? error}` };
  }
  if (!fixture) return { status: 404, headers: { "content-type": "text/plain" }, body: "" };
  return {
    status: fixture.status ?? 200,
    headers: { "content-type": "text/html; charset=utf-8", ...fixture.headers },
    body: fixture.body ?? "",
  };
}

/**
 * A fixture's query string, "?…" or "": arrays are joined with ",", `true`
 * becomes "1", and `undefined`, `null` and `false` are left out.
 * @param {Record<string, unknown>} params
 * @returns {string}
 */
export function fixtureQuery(params) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === false) continue;
    q.set(key, value === true ? "1" : Array.isArray(value) ? value.join(",") : String(value));
  }
  const query = q.toString();
  return query ? `?${query}` : "";
}

/**
 * An expression that evaluates `expression`, awaits it, and yields its JSON
 * text (or `undefined` for values JSON cannot express). The line breaks keep
 * a trailing `//` comment in `expression` from swallowing the wrapper.
 * @param {string} expression
 * @returns {string}
 */
export function jsonExpression(expression) {
  return `(async () => JSON.stringify(await (\n${expression}\n)))()`;
}

/**
 * Polls `expression` until it is truthy. An evaluation that throws counts as
 * "not yet", because the expression typically reaches for an element that
 * the page has not created yet; the last error is reported on timeout.
 * @param {(expression: string) => Promise<any>} evaluate
 * @param {string} expression
 * @param {number} timeoutMs
 * @returns {Promise<any>}
 */
export async function poll(evaluate, expression, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const value = await evaluate(expression);
      if (value) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError ? ` (last error: ${lastError.message})` : "";
      throw new Error(`Timed out after ${timeoutMs} ms waiting for: ${expression}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
