/**
 * @file The Firefox implementation of the `Session` interface in
 * `session.mjs`: geckodriver driving Debian's `/usr/bin/firefox-esr` over
 * WebDriver BiDi, with a small client on npm `ws`.
 *
 * Playwright cannot drive Debian's Firefox (it needs its own patched build),
 * so this follows the recipe verified in `shared/research/firefox-e2e.md`:
 *   - geckodriver starts Firefox headless with a fresh temporary profile;
 *   - the unpacked extension is installed as a temporary add-on over BiDi;
 *   - requests to routed hosts are intercepted before they are sent and
 *     answered by the router, so the page keeps its real URL, the manifest's
 *     content-script matches apply and the fixture's CSP header is enforced;
 *   - clicks and key presses go through `input.performActions`, so the page
 *     and the extension see trusted events, as from a real user.
 *
 * Nothing may outlive a test run: every geckodriver this module starts is
 * killed on `close()`, on process exit and on SIGINT/SIGTERM/SIGHUP, and
 * killing geckodriver makes it stop Firefox and delete the profile.
 */

import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { accessSync, constants as fsConstants, existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { STATUS_CODES } from "node:http";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import WebSocket from "ws";
import { jsonExpression, poll } from "./session.mjs";

/** The browser this driver runs; Debian's `firefox-esr` package installs it here. */
export const FIREFOX_BINARY = "/usr/bin/firefox-esr";

/** How long geckodriver may take to answer `/status` after it is spawned. */
const DRIVER_START_TIMEOUT_MS = 10_000;
/** How long Firefox may take to start and create the session. */
const SESSION_START_TIMEOUT_MS = 60_000;
/** The default deadline of one BiDi command, so a lost reply fails the test instead of hanging it. */
const COMMAND_TIMEOUT_MS = 30_000;
/** How long a polite shutdown may take before the processes are killed. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

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
 *   ID in the manifest; without it `extensionUrl` throws. BiDi refuses to
 *   navigate a tab to such a URL, so open it from a page instead (it must be
 *   a `web_accessible_resources` entry) or from the extension itself;
 * - `pids`: `{geckodriver, firefox}`, the process IDs, for leak checks;
 * - `profileDir`: Firefox's temporary profile, which geckodriver deletes.
 *
 * A router may return `undefined` or `null` for a URL it does not serve; the
 * request is then answered with an empty 404, because every intercepted
 * request must get an answer or its load never finishes. A router that
 * throws gets a 500 whose body is the error.
 *
 * Set `GECKODRIVER=/path/to/geckodriver` to choose the driver, and
 * `GECKODRIVER_LOG=1` to copy geckodriver's and Firefox's log to stderr (the
 * last part of it is always included in launch errors).
 *
 * @param {import("./session.mjs").LaunchOptions} options
 * @returns {Promise<import("./session.mjs").Session & {
 *   extensionId: string,
 *   extensionUrl: (path: string) => string,
 *   pids: {geckodriver: number, firefox: number},
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
    "network.http.speculative-parallel-limit": 0,
    ...(geckoId && { "extensions.webextensions.uuids": JSON.stringify({ [geckoId]: extensionUuid }) }),
    ...(locale && { "intl.locale.requested": locale, "intl.accept_languages": locale }),
    ...extraPrefs,
    // Routed hosts resolve to loopback without a DNS query; the requests are
    // intercepted before they are sent anyway. Remote Settings is listed so
    // Firefox stops looking it up on this offline machine. Local domains the
    // caller adds come on top.
    "network.dns.localDomains": [
      ...hosts,
      "firefox.settings.services.mozilla.com",
      ...(extraPrefs["network.dns.localDomains"]?.split(",") ?? []),
    ].join(","),
  };

  const driver = await Geckodriver.start(findGeckodriver());
  let sessionId;
  let bidi;
  let closing;
  const close = () =>
    (closing ??= (async () => {
      bidi?.close();
      if (sessionId) {
        // Ending the session makes geckodriver quit Firefox and delete the
        // profile; failures are ignored because stop() kills what is left.
        await driver.request("DELETE", `/session/${sessionId}`, undefined, SHUTDOWN_TIMEOUT_MS).catch(() => {});
      }
      await driver.stop();
    })());

  try {
    const created = await driver.request(
      "POST",
      "/session",
      {
        capabilities: {
          alwaysMatch: {
            browserName: "firefox",
            webSocketUrl: true,
            "moz:firefoxOptions": { binary: FIREFOX_BINARY, args: ["-headless"], prefs },
          },
        },
      },
      SESSION_START_TIMEOUT_MS,
    );
    sessionId = created.sessionId;
    const { capabilities } = created;
    driver.firefoxPid = capabilities["moz:processID"];

    bidi = await BidiConnection.open(capabilities.webSocketUrl);
    if (hosts.length) {
      bidi.on("network.beforeRequestSent", (event) => answerRequest(bidi, routes, event));
      await bidi.send("session.subscribe", { events: ["network.beforeRequestSent"] });
      await bidi.send("network.addIntercept", {
        phases: ["beforeRequestSent"],
        urlPatterns: hosts.map((hostname) => ({ type: "pattern", protocol: "https", hostname })),
      });
    }
    // Installed after the intercept so that whatever the background fetches
    // from a routed host at start-up is answered by the router too.
    const { extension: extensionId } = extension
      ? await bidi.send("webExtension.install", { extensionData: { type: "path", path: extension } })
      : { extension: null };

    return {
      name: "firefox",
      extensionId,
      extensionUrl: (file) => {
        if (!geckoId) {
          throw new Error(`${manifestPath} has no browser_specific_settings.gecko.id, so the extension's moz-extension:// UUID is unknown.`);
        }
        return `moz-extension://${extensionUuid}/${file.replace(/^\/+/, "")}`;
      },
      pids: { geckodriver: driver.pid, firefox: driver.firefoxPid },
      profileDir: capabilities["moz:profile"],
      newPage: async () => {
        const { context } = await bidi.send("browsingContext.create", { type: "tab" });
        return firefoxPage(bidi, context);
      },
      waitForPage: async (urlPrefix, timeoutMs = 10_000) => {
        // A tab the extension opened (e.g. runtime.openOptionsPage()); BiDi
        // cannot navigate to moz-extension:// itself, but it can drive such a tab.
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const { contexts } = await bidi.send("browsingContext.getTree", { maxDepth: 0 });
          const found = contexts.find((c) => c.url.startsWith(urlPrefix));
          if (found) return firefoxPage(bidi, found.context);
          if (Date.now() > deadline) throw new Error(`no page at ${urlPrefix} within ${timeoutMs} ms`);
          await sleep(50);
        }
      },
      close,
    };
  } catch (error) {
    await close();
    error.message += `\n--- last geckodriver/Firefox log lines ---\n${driver.logTail()}`;
    throw error;
  }
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
 * Where geckodriver is: `$GECKODRIVER`, else the first one on PATH, else
 * cargo's bin directory (where `cargo install` puts it, often not on PATH).
 * @returns {string}
 */
function findGeckodriver() {
  if (process.env.GECKODRIVER) {
    if (isExecutable(process.env.GECKODRIVER)) return process.env.GECKODRIVER;
    throw new Error(`GECKODRIVER=${process.env.GECKODRIVER} is not an executable file; fix or unset it, or install geckodriver with \`cargo install geckodriver --locked\`.`);
  }
  const cargoBin = path.join(process.env.CARGO_HOME ?? path.join(os.homedir(), ".cargo"), "bin");
  const candidates = [...(process.env.PATH ?? "").split(path.delimiter).filter(Boolean), cargoBin].map((dir) =>
    path.join(dir, "geckodriver"),
  );
  const found = candidates.find(isExecutable);
  if (found) return found;
  throw new Error(
    `geckodriver was not found on PATH or in ${cargoBin}; install it with \`cargo install geckodriver --locked\` ` +
      "or point GECKODRIVER at the binary.",
  );
}

/**
 * @param {string} file
 * @returns {boolean}
 */
function isExecutable(file) {
  try {
    accessSync(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Answers one intercepted request from its host's router. It must never
 * throw: it runs as an event handler, and a request left blocked would hang
 * the page load, so every failure still produces a response.
 * @param {BidiConnection} bidi
 * @param {Record<string, import("./session.mjs").Router>} routes
 * @param {{isBlocked: boolean, request: {request: string, url: string}}} event
 */
async function answerRequest(bidi, routes, { isBlocked, request }) {
  if (!isBlocked) return;
  const url = new URL(request.url);
  const router = routes[url.hostname];
  let fixture;
  try {
    fixture = router?.(url) ?? { status: 404, headers: { "content-type": "text/plain" }, body: "" };
  } catch (error) {
    fixture = { status: 500, headers: { "content-type": "text/plain" }, body: `The router for ${url} threw: ${error?.stack ?? error}` };
  }
  const status = fixture.status ?? 200;
  const headers = { "content-type": "text/html; charset=utf-8", ...fixture.headers };
  try {
    await bidi.send("network.provideResponse", {
      request: request.request,
      statusCode: status,
      reasonPhrase: STATUS_CODES[status] ?? "",
      headers: Object.entries(headers).map(([name, value]) => ({ name, value: { type: "string", value: String(value) } })),
      // Base64 leaves no doubt about how a non-ASCII body is encoded: UTF-8.
      body: { type: "base64", value: Buffer.from(fixture.body ?? "", "utf8").toString("base64") },
    });
  } catch {
    // The request went away (its tab closed or navigated, or the session is
    // closing); there is nobody left to answer.
  }
}

/** Every geckodriver still running, so that an exiting process can kill them. */
const runningDrivers = new Set();
const EXIT_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * Kills every running geckodriver at once. Node does not kill its children
 * when it exits, and a geckodriver left running keeps Firefox running too.
 */
function killRunningDrivers() {
  for (const driver of runningDrivers) driver.kill("SIGTERM");
}

/**
 * On a fatal signal, kills the drivers and then lets the signal do what it
 * would have done without this handler (terminate), unless the program has
 * its own handler for it.
 * @param {NodeJS.Signals} signal
 */
function onExitSignal(signal) {
  killRunningDrivers();
  for (const name of EXIT_SIGNALS) process.removeListener(name, onExitSignal);
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/** One geckodriver process and its WebDriver classic HTTP endpoint. */
class Geckodriver {
  /** @type {import("node:child_process").ChildProcess} */
  #child;
  #port;
  #log = [];
  #exited;
  /** @type {number|undefined} Firefox's main process, once the session exists. */
  firefoxPid;

  /**
   * Spawns geckodriver on a free port and waits until it answers. The port
   * is picked just before the spawn, so another process may grab it first;
   * geckodriver then exits, and a new port is tried.
   * @param {string} binary
   * @returns {Promise<Geckodriver>}
   */
  static async start(binary) {
    for (let attempt = 1; ; attempt++) {
      const driver = new Geckodriver(binary, await freePort());
      try {
        await driver.#waitUntilReady();
        return driver;
      } catch (error) {
        await driver.stop();
        if (attempt >= 3) {
          error.message += `\n--- geckodriver log ---\n${driver.logTail()}`;
          throw error;
        }
      }
    }
  }

  /**
   * @param {string} binary
   * @param {number} port
   */
  constructor(binary, port) {
    this.#port = port;
    // `--websocket-port 0` lets the system pick the BiDi port, so parallel
    // runs never fight over the default 9222.
    this.#child = spawn(binary, ["--port", String(port), "--websocket-port", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    // A child that could not be spawned emits "error" and may never emit
    // "exit"; either way it is gone.
    this.#exited = new Promise((resolve) => {
      this.#child.once("exit", resolve);
      this.#child.once("error", resolve);
    });
    for (const stream of [this.#child.stdout, this.#child.stderr]) {
      stream.setEncoding("utf8");
      stream.on("data", (text) => this.#record(text));
      // The pipes must not keep Node alive: if a test hangs, Node's exit is
      // what triggers the kill below.
      stream.unref?.();
    }
    this.#child.unref();
    runningDrivers.add(this);
    if (runningDrivers.size === 1) {
      process.on("exit", killRunningDrivers);
      for (const signal of EXIT_SIGNALS) process.on(signal, onExitSignal);
    }
  }

  /** @returns {number} */
  get pid() {
    return this.#child.pid;
  }

  /**
   * Keeps the last 200 lines of output for error messages.
   * @param {string} text
   */
  #record(text) {
    if (process.env.GECKODRIVER_LOG === "1") process.stderr.write(text);
    this.#log.push(...text.split("\n").filter(Boolean));
    if (this.#log.length > 200) this.#log.splice(0, this.#log.length - 200);
  }

  /** @returns {string} the recent log lines */
  logTail() {
    return this.#log.slice(-40).join("\n");
  }

  /** Polls `/status` until geckodriver accepts connections. */
  async #waitUntilReady() {
    const deadline = Date.now() + DRIVER_START_TIMEOUT_MS;
    let exited = false;
    this.#exited.then(() => (exited = true));
    for (;;) {
      if (exited || this.#child.exitCode !== null) throw new Error(`geckodriver exited while starting on port ${this.#port}.`);
      try {
        await this.request("GET", "/status", undefined, 1000);
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`geckodriver did not answer on port ${this.#port} within ${DRIVER_START_TIMEOUT_MS} ms: ${error.message}`);
      }
      await sleep(50);
    }
  }

  /**
   * Sends a WebDriver classic command and returns its `value`.
   * @param {"GET"|"POST"|"DELETE"} method
   * @param {string} route
   * @param {object} [body]
   * @param {number} [timeoutMs]
   * @returns {Promise<any>}
   */
  async request(method, route, body, timeoutMs = COMMAND_TIMEOUT_MS) {
    const response = await fetch(`http://127.0.0.1:${this.#port}${route}`, {
      method,
      // geckodriver rejects a body without this ("Invalid Content-Type"),
      // and fetch would label a string body text/plain.
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const { value } = await response.json();
    if (value?.error) throw new Error(`geckodriver ${method} ${route}: ${value.error}: ${value.message}`);
    return value;
  }

  /**
   * Sends a signal without waiting; used when the process is exiting.
   * @param {NodeJS.Signals} signal
   */
  kill(signal) {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill(signal);
  }

  /**
   * Stops geckodriver (SIGTERM, which also stops Firefox and deletes its
   * profile), escalating to SIGKILL, and makes sure Firefox is gone too.
   */
  async stop() {
    runningDrivers.delete(this);
    if (runningDrivers.size === 0) {
      process.removeListener("exit", killRunningDrivers);
      for (const signal of EXIT_SIGNALS) process.removeListener(signal, onExitSignal);
    }
    this.kill("SIGTERM");
    if (!(await within(this.#exited, SHUTDOWN_TIMEOUT_MS))) {
      this.kill("SIGKILL");
      await this.#exited;
    }
    // A geckodriver that had to be killed cannot have stopped Firefox.
    if (this.firefoxPid && isAlive(this.firefoxPid)) {
      try {
        process.kill(this.firefoxPid, "SIGKILL");
      } catch {
        // It exited in the meantime.
      }
      for (let i = 0; i < 100 && isAlive(this.firefoxPid); i++) await sleep(20);
    }
  }
}

/**
 * Whether a process exists (a zombie still counts until it is reaped).
 * @param {number} pid
 * @returns {boolean}
 */
function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

/**
 * A TCP port that was free a moment ago.
 * @returns {Promise<number>}
 */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A WebDriver BiDi client: commands with replies, and events. */
class BidiConnection {
  /** @type {WebSocket} */
  #socket;
  #nextId = 0;
  /** @type {Map<number, {resolve: Function, reject: Function, method: string, timer: NodeJS.Timeout}>} */
  #pending = new Map();
  /** @type {Map<string, Function>} */
  #handlers = new Map();
  #closed = false;

  /**
   * Connects, retrying briefly: the BiDi server may open a moment after
   * the session is created.
   * @param {string} url
   * @returns {Promise<BidiConnection>}
   */
  static async open(url) {
    if (!url) throw new Error("geckodriver returned no webSocketUrl; WebDriver BiDi is not available.");
    for (let attempt = 1; ; attempt++) {
      const socket = new WebSocket(url);
      try {
        await new Promise((resolve, reject) => {
          socket.once("open", resolve);
          socket.once("error", reject);
        });
        return new BidiConnection(socket);
      } catch (error) {
        socket.terminate();
        if (attempt >= 20) throw new Error(`Cannot connect to WebDriver BiDi at ${url}: ${error.message}`);
        await sleep(100);
      }
    }
  }

  /** @param {WebSocket} socket */
  constructor(socket) {
    this.#socket = socket;
    socket.on("message", (data) => this.#receive(JSON.parse(String(data))));
    socket.on("error", () => {}); // followed by "close", which rejects what is pending
    socket.on("close", () => {
      this.#closed = true;
      for (const [id, { reject, method, timer }] of this.#pending) {
        clearTimeout(timer);
        reject(new Error(`WebDriver BiDi connection closed while waiting for ${method}.`));
        this.#pending.delete(id);
      }
    });
  }

  /** @param {any} message */
  #receive(message) {
    if (message.type === "event") {
      this.#handlers.get(message.method)?.(message.params);
      return;
    }
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.type === "error") {
      pending.reject(new Error(`${pending.method}: ${message.error}: ${message.message}`));
    } else {
      pending.resolve(message.result);
    }
  }

  /**
   * Sends a command and resolves with its result.
   * @param {string} method
   * @param {object} [params]
   * @param {number} [timeoutMs]
   * @returns {Promise<any>}
   */
  send(method, params = {}, timeoutMs = COMMAND_TIMEOUT_MS) {
    if (this.#closed) return Promise.reject(new Error(`WebDriver BiDi connection is closed; cannot send ${method}.`));
    const id = ++this.#nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${method} got no reply within ${timeoutMs} ms.`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, method, timer });
      this.#socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /**
   * Sets the one handler of an event (the session must subscribe to it).
   * @param {string} event
   * @param {(params: any) => void} handler
   */
  on(event, handler) {
    this.#handlers.set(event, handler);
  }

  close() {
    this.#closed = true;
    this.#socket.close();
  }
}

/**
 * The `Page` interface over one BiDi browsing context (a tab).
 * @param {BidiConnection} bidi
 * @param {string} context
 * @returns {import("./session.mjs").Page}
 */
function firefoxPage(bidi, context) {
  /**
   * Evaluates in the page's main world and returns the raw BiDi remote value.
   * @param {string} expression
   * @param {string} [shownAs] The expression to name in an error message.
   */
  const run = async (expression, shownAs = expression) => {
    const reply = await bidi.send("script.evaluate", {
      expression,
      target: { context },
      awaitPromise: true,
      resultOwnership: "none",
    });
    if (reply.type === "exception") {
      throw new Error(`Evaluating \`${shownAs}\` threw: ${reply.exceptionDetails?.text ?? "an exception"}`);
    }
    return reply.result;
  };
  const evaluate = async (expression) => {
    // JSON text is the one result shape that BiDi's remote values and the
    // Chromium driver agree on; undefined stays undefined.
    const result = await run(jsonExpression(expression), expression);
    return result.type === "string" ? JSON.parse(result.value) : undefined;
  };
  /**
   * The element an expression evaluates to, as a BiDi shared reference
   * usable as an action origin, after running `then` on it (`el`).
   * @param {string} expression
   * @param {string} then JS statements run on the element in the page.
   */
  const element = async (expression, then) => {
    // The expression is evaluated once, in case it has side effects; `then`
    // runs only on an element (nodeType also works across realms).
    const result = await run(`(() => { const el = (\n${expression}\n); if (el?.nodeType === 1) { ${then} } return el; })()`, expression);
    if (result.type !== "node" || result.value?.nodeType !== 1 || !result.sharedId) {
      throw new Error(`Not an element: ${expression} (it evaluated to ${result.type})`);
    }
    return { sharedId: result.sharedId };
  };
  /**
   * Runs one action sequence and releases the input state, so nothing stays
   * pressed and the next click starts a fresh click count.
   * @param {object} source
   */
  const perform = async (source) => {
    try {
      await bidi.send("input.performActions", { context, actions: [source] });
    } finally {
      await bidi.send("input.releaseActions", { context }).catch(() => {});
    }
  };

  return {
    goto: async (url) => {
      await bidi.send("browsingContext.navigate", { context, url, wait: "complete" });
    },
    evaluate,
    waitFor: (expression, timeoutMs = 5000) => poll(evaluate, expression, timeoutMs),
    click: async (expression, { clickCount = 1 } = {}) => {
      // Pointer actions fail on targets outside the viewport.
      const target = await element(expression, 'el.scrollIntoView({ block: "center", inline: "center", behavior: "instant" });');
      const actions = [{ type: "pointerMove", x: 0, y: 0, duration: 0, origin: { type: "element", element: target } }];
      // All presses go in one sequence with no pauses: Firefox counts a
      // press as part of a multi-click only within 640 ms at the same spot.
      for (let i = 0; i < clickCount; i++) {
        actions.push({ type: "pointerDown", button: 0 }, { type: "pointerUp", button: 0 });
      }
      await perform({ type: "pointer", id: "mouse", parameters: { pointerType: "mouse" }, actions });
    },
    focus: async (expression) => {
      await element(expression, "el.focus();");
    },
    press: async (keys) => {
      const { modifiers, key } = parseChord(keys);
      await perform({
        type: "key",
        id: "keyboard",
        actions: [
          ...modifiers.map((value) => ({ type: "keyDown", value })),
          { type: "keyDown", value: key },
          { type: "keyUp", value: key },
          ...[...modifiers].reverse().map((value) => ({ type: "keyUp", value })),
        ],
      });
    },
    type: async (text) => {
      const actions = Array.from(text).flatMap((character) => {
        const value = TYPED_KEYS[character] ?? character;
        return [{ type: "keyDown", value }, { type: "keyUp", value }];
      });
      if (actions.length) await perform({ type: "key", id: "keyboard", actions });
    },
    resize: async (width, height) => {
      await bidi.send("browsingContext.setViewport", { context, viewport: { width, height } });
    },
    screenshot: async (file) => {
      const { data } = await bidi.send("browsingContext.captureScreenshot", { context });
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, Buffer.from(data, "base64"));
    },
    close: async () => {
      // Closing a tab twice, or after the session ended, is not an error.
      await bidi.send("browsingContext.close", { context }).catch(() => {});
    },
  };
}

/**
 * WebDriver's code points for the named keys of Playwright's syntax.
 * "Enter" is the main Enter key (U+E006, code "Enter") as in Playwright;
 * U+E007 would be the keypad's, whose `code` is "NumpadEnter".
 */
const NAMED_KEYS = {
  Control: "\uE009",
  // Playwright's ControlOrMeta is Meta only on macOS; these runs are Linux.
  ControlOrMeta: "\uE009",
  Shift: "\uE008",
  Alt: "\uE00A",
  Meta: "\uE03D",
  Enter: "\uE006",
  NumpadEnter: "\uE007",
  Tab: "\uE004",
  Escape: "\uE00C",
  Backspace: "\uE003",
  Delete: "\uE017",
  Insert: "\uE016",
  Space: " ",
  ArrowLeft: "\uE012",
  ArrowUp: "\uE013",
  ArrowRight: "\uE014",
  ArrowDown: "\uE015",
  Home: "\uE011",
  End: "\uE010",
  PageUp: "\uE00E",
  PageDown: "\uE00F",
  ...Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`F${i + 1}`, String.fromCharCode(0xe031 + i)])),
};

/**
 * Characters that `type` sends as named keys: line breaks become Enter, as
 * in Playwright. A tab stays a character (Playwright inserts it as text too);
 * sending the Tab key would move the focus instead.
 */
const TYPED_KEYS = { "\n": NAMED_KEYS.Enter, "\r": NAMED_KEYS.Enter };

/**
 * Splits a Playwright chord ("Control+Enter", "Shift+Tab", "a", "+",
 * "Shift++") into WebDriver key values.
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
  const toValue = (part) => {
    if (part in NAMED_KEYS) return NAMED_KEYS[part];
    if (Array.from(part).length === 1) return part;
    throw new Error(`Unknown key "${part}" in "${keys}"; known names: ${Object.keys(NAMED_KEYS).join(", ")}, or one character.`);
  };
  return { modifiers: parts.map(toValue), key: toValue(name) };
}

/**
 * @param {number} ms
 * @returns {Promise<void>}
 */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Whether `promise` settles within `ms`.
 * @param {Promise<unknown>} promise
 * @param {number} ms
 * @returns {Promise<boolean>}
 */
async function within(promise, ms) {
  let timer;
  const timeout = new Promise((resolve) => (timer = setTimeout(resolve, ms, false)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
