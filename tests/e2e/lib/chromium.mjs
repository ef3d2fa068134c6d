/**
 * @file The Chromium implementation of the `Session` interface in
 * `session.mjs`: playwright-core driving Debian's `/usr/bin/chromium` with
 * the unpacked extension side-loaded.
 *
 * Extensions only load into a persistent context, and only unbranded
 * Chromium still honours `--load-extension`, so the context is launched with
 * an empty user-data directory (Playwright makes a temporary one) and the
 * extension flags. Requests to the routed hosts are fulfilled by Playwright's
 * router, so they never reach the network and the page keeps its real URL.
 */

import { existsSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { chromium } from "playwright-core";
import { fixtureFor, jsonExpression, poll } from "./session.mjs";

/** The browser this driver runs; Debian's package installs it here. */
export const CHROMIUM_BINARY = "/usr/bin/chromium";

/** How long to wait for the extension's service worker to start. */
const SERVICE_WORKER_TIMEOUT_MS = 15_000;

/**
 * Launches Chromium with the extension loaded and the routes installed.
 * With `extensionDir: null` it runs without the extension (a baseline), and
 * `args` adds command-line switches (e.g. `--host-resolver-rules`), and a
 * `userDataDir` keeps the profile for a later launch (a browser restart).
 *
 * Beyond `Session`, the returned object carries two Chromium-only extras:
 * `extensionId` (the ID Chromium derived from the extension's path) and
 * `extensionUrl(path)`, which gives `chrome-extension://<id>/<path>` so a
 * test can open an extension page with `goto`.
 *
 * A router's answer goes through `fixtureFor` (session.mjs): nothing is a
 * 404, a throw a 500, as in Firefox.
 *
 * @param {import("./session.mjs").LaunchOptions} options
 * @returns {Promise<import("./session.mjs").Session & {
 *   extensionId: string,
 *   extensionUrl: (path: string) => string,
 * }>}
 */
export async function launchChromium(options) {
  const { extensionDir, routes = {}, locale, args = [], userDataDir = "" } = options;
  if (!existsSync(CHROMIUM_BINARY)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM_BINARY}; install it with \`apt-get install chromium\`.`);
  }
  const extension = extensionDir === null ? null : path.resolve(extensionDir);
  if (extension) checkExtension(extension);
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_BINARY,
    headless: true,
    locale,
    args: [
      ...(extension ? [`--disable-extensions-except=${extension}`, `--load-extension=${extension}`] : []),
      // The machine is offline: without these Chromium keeps trying to reach
      // Google's update, sync and metrics servers, which only adds noise.
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      ...(locale ? [`--lang=${locale}`] : []),
      ...args,
    ],
  });

  try {
    for (const [host, router] of Object.entries(routes)) {
      await context.route(`https://${host}/**`, (route) =>
        // Fulfilling fails only when the request is gone (its page closed
        // or navigated away); there is nobody left to answer then.
        route.fulfill(fixtureFor(router, new URL(route.request().url()))).catch(() => {}),
      );
    }
    const extensionId = extension ? await waitForExtensionId(context) : null;
    return chromiumSession(context, extensionId);
  } catch (error) {
    await context.close().catch(() => {});
    throw error;
  }
}

/**
 * Fails early, with what to do, when the extension directory cannot load.
 * @param {string} extension
 */
function checkExtension(extension) {
  const manifestPath = path.join(extension, "manifest.json");
  if (!existsSync(manifestPath)) {
    throw new Error(`No manifest.json in the extension directory ${extension}; build it first (\`npm run build\`).`);
  }
  // The extension ID is learnt from the service worker's URL, so there
  // must be one; say so now rather than after a timeout.
  if (!JSON.parse(readFileSync(manifestPath, "utf8")).background?.service_worker) {
    throw new Error(`${manifestPath} declares no background.service_worker, which launchChromium needs to find the extension's ID.`);
  }
}

/**
 * Waits for the extension's MV3 service worker, whose URL carries the
 * extension ID. Waiting also means the background is ready to answer the
 * content script's messages before the first page loads.
 * @param {import("playwright-core").BrowserContext} context
 * @returns {Promise<string>}
 */
async function waitForExtensionId(context) {
  const isExtensionWorker = (worker) => worker.url().startsWith("chrome-extension://");
  let worker = context.serviceWorkers().find(isExtensionWorker);
  if (!worker) {
    try {
      worker = await context.waitForEvent("serviceworker", {
        predicate: isExtensionWorker,
        timeout: SERVICE_WORKER_TIMEOUT_MS,
      });
    } catch {
      throw new Error(
        `The extension's service worker did not start within ${SERVICE_WORKER_TIMEOUT_MS} ms; ` +
          "check that the worker script exists and loads without errors.",
      );
    }
  }
  return new URL(worker.url()).host;
}

/**
 * Wraps a Playwright context in the `Session` interface.
 * @param {import("playwright-core").BrowserContext} context
 * @param {string} extensionId
 */
function chromiumSession(context, extensionId) {
  let closing;
  return {
    name: "chromium",
    extensionId,
    extensionUrl: (file) => `chrome-extension://${extensionId}/${file.replace(/^\/+/, "")}`,
    newPage: async () => chromiumPage(await context.newPage()),
    // Stops the extension's service worker, as Chrome does after 30 s idle,
    // so that a test can send while the background is asleep.
    stopBackground: async () => {
      const page = context.pages()[0] ?? (await context.newPage());
      const cdp = await context.newCDPSession(page);
      await cdp.send("ServiceWorker.enable");
      await cdp.send("ServiceWorker.stopAllWorkers");
      await cdp.detach();
    },
    waitForPage: async (urlPrefix, timeoutMs = 10_000) => {
      const matches = (page) => page.url().startsWith(urlPrefix);
      const page = context.pages().find(matches) ?? (await context.waitForEvent("page", { predicate: matches, timeout: timeoutMs }).catch(async () => {
        // The page may open on about:blank and navigate afterwards.
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const found = context.pages().find(matches);
          if (found) return found;
          if (Date.now() > deadline) throw new Error(`no page at ${urlPrefix} within ${timeoutMs} ms`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }));
      await page.waitForLoadState();
      return chromiumPage(page);
    },
    // Closing twice (a test's own close and then its `finally`) must be
    // harmless, so the first call's promise is shared.
    close: () => (closing ??= context.close().catch(() => {})),
  };
}

/**
 * Wraps a Playwright page in the `Page` interface.
 * @param {import("playwright-core").Page} page
 * @returns {import("./session.mjs").Page}
 */
function chromiumPage(page) {
  const evaluate = async (expression) => {
    // Round-tripping through JSON gives the same values as the Firefox
    // driver (Playwright would otherwise hand back Dates, Maps, NaN …).
    let json;
    try {
      json = await page.evaluate(jsonExpression(expression));
    } catch (error) {
      // Playwright's message would show the wrapper, not the expression.
      throw new Error(`Evaluating \`${expression}\` threw: ${error.message.replace(/^page\.evaluate: /, "")}`, { cause: error });
    }
    return json === undefined ? undefined : JSON.parse(json);
  };
  const element = async (expression) => {
    const handle = await page.evaluateHandle(expression);
    const found = handle.asElement();
    if (!found) {
      await handle.dispose();
      throw new Error(`Not an element: ${expression}`);
    }
    return found;
  };

  return {
    goto: async (url) => {
      await page.goto(url, { waitUntil: "load" });
    },
    evaluate,
    waitFor: (expression, timeoutMs = 5000) => poll(evaluate, expression, timeoutMs),
    click: async (expression, { clickCount = 1, force = false } = {}) => {
      // A page that replaces the element while Playwright waits for it to be
      // stable (the Gmail fixture's `rerender` does every 300 ms) detaches
      // the handle before any click is dispatched: find it again, as a user
      // would click the button now under the pointer.
      for (let attempt = 1; ; attempt++) {
        const target = await element(expression);
        try {
          await target.click({ clickCount, force });
          return;
        } catch (error) {
          if (attempt >= 3 || !/not attached to the DOM/.test(String(error?.message))) throw error;
        } finally {
          await target.dispose();
        }
      }
    },
    focus: async (expression) => {
      const target = await element(expression);
      try {
        await target.focus();
      } finally {
        await target.dispose();
      }
    },
    press: (keys) => page.keyboard.press(keys),
    type: (text) => page.keyboard.type(text),
    resize: (width, height) => page.setViewportSize({ width, height }),
    screenshot: async (file) => {
      await mkdir(path.dirname(file), { recursive: true });
      await page.screenshot({ path: file });
    },
    capture: async ({ x, y, width, height }) => page.screenshot({ clip: { x, y, width, height } }),
    close: async () => {
      if (!page.isClosed()) await page.close();
    },
  };
}
