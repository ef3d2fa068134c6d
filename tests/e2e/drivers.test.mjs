/**
 * @file Self-test of the two browser drivers (`lib/chromium.mjs`,
 * `lib/firefox.mjs`): everything the end-to-end tests rely on is exercised in
 * both browsers with a throwaway probe extension, so that a failing
 * end-to-end test points at the extension and not at the harness.
 *
 * Checked per browser: the extension loads and its content script runs at
 * document_start on the real URL; the fixture's CSP is enforced (the nonce'd
 * inline script runs, the other does not); clicks, double clicks and key
 * chords are trusted events, also inside an open shadow root the content
 * script made; the content script can talk to the background; an extension
 * page the extension opens is found, one can be opened directly, and both
 * have the extension's API; screenshots are PNGs; unrouted paths get a 404;
 * and closing leaves no process behind.
 *
 * Run: `node --test tests/e2e/drivers.test.mjs`
 */

import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { CHROMIUM_BINARY, launchChromium } from "./lib/chromium.mjs";
import { FIREFOX_BINARY, launchFirefox } from "./lib/firefox.mjs";
import { nonce, strictCsp } from "./lib/session.mjs";

const INBOX_URL = "https://mail.google.com/mail/u/0/";
const HEADING = "Inbox ✉ naïve"; // non-ASCII, to check the body's encoding

const workDir = mkdtempSync(path.join(tmpdir(), "bcc-guard-drivers-"));
const extensionDir = writeProbeExtension(path.join(workDir, "probe"));
after(() => rmSync(workDir, { recursive: true, force: true }));

/**
 * Writes the probe extension: one MV3 manifest that both browsers accept
 * (Chromium uses `service_worker`, Firefox `scripts`), a background that
 * answers messages, and a content script that leaves evidence of what it saw
 * in `data-*` attributes, which the page's main world can read.
 * @param {string} dir
 * @returns {string} dir
 */
function writeProbeExtension(dir) {
  mkdirSync(dir, { recursive: true });
  const manifest = {
    manifest_version: 3,
    name: "BCC Guard driver probe",
    version: "0.0.1",
    background: { service_worker: "background.js", scripts: ["background.js"], type: "module" },
    content_scripts: [{ matches: ["https://mail.google.com/*"], js: ["content.js"], run_at: "document_start" }],
    browser_specific_settings: { gecko: { id: "probe@bcc-guard.test", strict_min_version: "128.0" } },
  };
  writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(manifest, null, 2));
  writeFileSync(
    path.join(dir, "background.js"),
    `const api = globalThis.browser ?? globalThis.chrome;
api.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (message.open) api.tabs.create({ url: api.runtime.getURL(message.open) });
  sendResponse({ pong: message.hello, tab: sender.tab?.url });
});
`,
  );
  writeFileSync(
    path.join(dir, "content.js"),
    `const api = globalThis.browser ?? globalThis.chrome;
const root = document.documentElement;

// (a) A shadow host like the extension's own UI, with an open root.
const host = document.createElement("div");
host.dataset.probe = "";
host.style.cssText = "position: fixed; right: 8px; bottom: 8px; z-index: 2147483647";
const ok = document.createElement("button");
ok.dataset.action = "ok";
ok.textContent = "OK";
ok.addEventListener("click", (event) => {
  host.dataset.okClicks = String(Number(host.dataset.okClicks ?? 0) + 1);
  host.dataset.okTrusted = String(event.isTrusted);
});
host.attachShadow({ mode: "open" }).append(ok);
root.append(host);

// (b) The send shortcut, seen first, as the extension must see it.
window.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    root.dataset.chord = (event.ctrlKey ? "ctrl" : "meta") + "+Enter";
    root.dataset.chordTrusted = String(event.isTrusted);
    root.dataset.chordCode = event.code;
  }
}, true);

// (c) The page asks, the extension opens one of its pages in a new tab.
document.addEventListener("probe-open", () => api.runtime.sendMessage({ open: "page.html" }));

// (d) A round trip to the background.
api.runtime.sendMessage({ hello: 1 }).then(
  (reply) => { root.dataset.bg = JSON.stringify(reply); },
  (error) => { root.dataset.bgError = String(error); },
);
`,
  );
  // An extension page: it marks itself ready from its own (extension) script.
  writeFileSync(path.join(dir, "page.html"), `<!doctype html><meta charset="utf-8"><title>Probe page</title><script src="page.js"></script>\n`);
  writeFileSync(path.join(dir, "page.js"), `document.documentElement.dataset.ready = "1";\n`);
  return dir;
}

/**
 * The fake inbox, under a strict CSP with a fresh nonce per response.
 * @type {import("./lib/session.mjs").Router}
 */
function inboxRouter(url) {
  if (url.pathname !== "/mail/u/0/") return undefined; // the driver answers 404
  const scriptNonce = nonce();
  return {
    headers: { "content-security-policy": strictCsp(scriptNonce) },
    body: `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Inbox</title>
<script nonce="${scriptNonce}">
  document.documentElement.dataset.inlineRan = "1";
  // Only trusted clicks count: a synthetic one would be a driver bug.
  window.__clicks = 0;
  window.__dblclicks = 0;
  document.addEventListener("click", (event) => { if (event.target.id === "send" && event.isTrusted) window.__clicks++; });
  document.addEventListener("dblclick", (event) => { if (event.target.id === "send" && event.isTrusted) window.__dblclicks++; });
</script>
<script>document.documentElement.dataset.unnoncedRan = "1";</script>
</head><body>
<h1>${HEADING}</h1>
<button id="send">Send</button>
<textarea id="body"></textarea>
</body></html>`,
  };
}

/**
 * The live processes, from /proc (zombies excluded: they are already dead).
 * @returns {{pid: number, ppid: number, argv: string[]}[]}
 */
function processTable() {
  const table = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name is in parentheses and may itself contain them.
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (state === "Z") continue;
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      table.push({ pid: Number(entry), ppid: Number(ppid), argv });
    } catch {
      // The process exited while being read.
    }
  }
  return table;
}

/**
 * The browser and driver processes of a session that are still running.
 *
 * They are found from their roots: the browsers and drivers this test
 * process spawned, the session's recorded process IDs, and the Firefox
 * helpers that detach from their parent (the crash helper, and anything
 * orphaned that names Firefox's PID or profile), plus all their descendants.
 * Other browsers on the machine, such as a parallel test file's, are not
 * counted.
 * @param {{pids?: Record<string, number>, profileDir?: string}} session
 * @returns {string[]} a description of each leftover
 */
function leftoverProcesses(session) {
  const table = processTable();
  const recorded = new Set(Object.values(session.pids ?? {}));
  const firefoxPid = String(session.pids?.firefox ?? "none");
  const isRoot = ({ pid, ppid, argv }) =>
    (ppid === process.pid && /geckodriver|firefox|chrom/.test(path.basename(argv[0]))) ||
    recorded.has(pid) ||
    (path.basename(argv[0]) === "crashhelper" && argv[1] === firefoxPid) ||
    argv.some((arg, i) => arg === "-parentPid" && argv[i + 1] === firefoxPid) ||
    (session.profileDir !== undefined && argv.includes(session.profileDir));
  const found = new Set(table.filter(isRoot).map(({ pid }) => pid));
  // Parents do not always precede their children in /proc order, so the
  // set grows until it stops changing.
  for (let grew = true; grew; ) {
    grew = false;
    for (const { pid, ppid } of table) {
      if (found.has(ppid) && !found.has(pid)) {
        found.add(pid);
        grew = true;
      }
    }
  }
  return table.filter(({ pid }) => found.has(pid)).map(({ pid, argv }) => `${pid} ${argv.join(" ").slice(0, 120)}`);
}

/**
 * Polls a synchronous check for up to `timeoutMs`, because child processes
 * of a closed browser take a moment to notice and exit.
 * @param {() => string[]} check returns the problems found
 * @param {number} timeoutMs
 * @returns {Promise<string[]>} the problems left at the end
 */
async function settle(check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let problems = check();
  while (problems.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    problems = check();
  }
  return problems;
}

/**
 * The same checks for each driver.
 * @param {string} name
 * @param {(options: import("./lib/session.mjs").LaunchOptions) => Promise<import("./lib/session.mjs").Session>} launch
 * @param {string} binary
 * @param {string} installHint
 */
function driverSuite(name, launch, binary, installHint) {
  const skip = existsSync(binary) ? false : `${binary} is not installed (${installHint}); skipping the ${name} driver`;
  describe(`${name} driver`, { skip, timeout: 45_000 }, () => {
    /** @type {import("./lib/session.mjs").Session & {pids?: Record<string, number>, profileDir?: string}} */
    let session;
    /** @type {import("./lib/session.mjs").Page} */
    let page;
    const dataset = (key) => page.evaluate(`document.documentElement.dataset.${key}`);

    before(async () => {
      session = await launch({ extensionDir, routes: { "mail.google.com": inboxRouter } });
      page = await session.newPage();
      await page.goto(INBOX_URL);
    }, { timeout: 30_000 });
    // A safety net for a failing test: close() is idempotent.
    after(() => session?.close());

    test("serves the fixture at the real URL under its CSP", async () => {
      assert.equal(session.name, name);
      assert.equal(await page.evaluate("location.href"), INBOX_URL);
      assert.equal(await page.evaluate("document.querySelector('h1').textContent"), HEADING);
      assert.equal(await dataset("inlineRan"), "1", "the nonce'd inline script must run");
      assert.equal(await dataset("unnoncedRan"), undefined, "the un-nonced inline script must be blocked");
      assert.equal(await page.evaluate("fetch('/not-routed').then((r) => r.status)"), 404);
    });

    test("evaluate returns JSON values and awaits promises", async () => {
      assert.deepEqual(await page.evaluate("({ a: [1, 'x', null], b: true })"), { a: [1, "x", null], b: true });
      assert.equal(await page.evaluate("new Promise((r) => setTimeout(() => r(42), 10))"), 42);
      assert.equal(await page.evaluate("undefined // a trailing comment"), undefined);
      await assert.rejects(page.evaluate("null.x"), /Evaluating `null\.x` threw: .*null/);
    });

    test("the content script ran at document_start", async () => {
      assert.equal(await page.evaluate("!!document.querySelector('[data-probe]')?.shadowRoot"), true);
    });

    test("clicks are trusted, and a double click is one", async () => {
      await page.click("document.getElementById('send')");
      assert.equal(await page.evaluate("window.__clicks"), 1);
      assert.equal(await page.evaluate("window.__dblclicks"), 0);
      await page.click("document.getElementById('send')", { clickCount: 2 });
      assert.equal(await page.evaluate("window.__clicks"), 3);
      assert.equal(await page.evaluate("window.__dblclicks"), 1);
    });

    test("typing and Control+Enter are trusted key events", async () => {
      await page.focus("document.getElementById('body')");
      assert.equal(await page.evaluate("document.activeElement.id"), "body");
      await page.type("Hi Bob");
      assert.equal(await page.evaluate("document.getElementById('body').value"), "Hi Bob");
      await page.press("Control+Enter");
      assert.equal(await page.waitFor("document.documentElement.dataset.chord"), "ctrl+Enter");
      assert.equal(await dataset("chordTrusted"), "true");
      assert.equal(await dataset("chordCode"), "Enter", "the main Enter key, not the keypad's");
    });

    test("clicks reach into the content script's open shadow root", async () => {
      await page.click("document.querySelector('[data-probe]').shadowRoot.querySelector('[data-action=ok]')");
      assert.equal(await page.evaluate("document.querySelector('[data-probe]').dataset.okClicks"), "1");
      assert.equal(await page.evaluate("document.querySelector('[data-probe]').dataset.okTrusted"), "true");
    });

    test("the content script reaches the background", async () => {
      const reply = JSON.parse(await page.waitFor("document.documentElement.dataset.bg || document.documentElement.dataset.bgError"));
      assert.deepEqual(reply, { pong: 1, tab: INBOX_URL });
    });

    test("a tab the extension opens is found by its URL and drives like any page", async () => {
      await page.evaluate("document.dispatchEvent(new Event('probe-open'))");
      const opened = await session.waitForPage(session.extensionUrl("page.html"));
      assert.equal(await opened.waitFor("document.documentElement.dataset.ready"), "1");
      assert.equal(await opened.evaluate("typeof (globalThis.browser ?? globalThis.chrome).runtime.sendMessage"), "function");
      await opened.close();
    });

    test("goto returns once the page has loaded, also from a page that asks to stay", async () => {
      const tab = await session.newPage();
      try {
        await tab.goto(INBOX_URL);
        // A "leave this page?" prompt needs the user to have used the page.
        await tab.evaluate("addEventListener('beforeunload', (event) => { event.preventDefault(); event.returnValue = ''; }), true");
        await tab.click("document.getElementById('send')");
        await tab.goto(`${INBOX_URL}?again`);
        assert.equal(await tab.evaluate("location.search"), "?again");
        assert.equal(await tab.evaluate("document.readyState"), "complete");
        assert.equal(await tab.evaluate("document.querySelector('h1').textContent"), HEADING);
      } finally {
        await tab.close();
      }
    });

    test("goto opens an extension page, which has the extension's API", async () => {
      const tab = await session.newPage();
      await tab.goto(session.extensionUrl("page.html"));
      assert.equal(await tab.evaluate("location.href"), session.extensionUrl("page.html"));
      assert.equal(await tab.evaluate("document.documentElement.dataset.ready"), "1");
      assert.equal(await tab.evaluate("typeof (globalThis.browser ?? globalThis.chrome).runtime.sendMessage"), "function");
      await tab.close();
    });

    test("waitFor times out with the expression in the message", async () => {
      await assert.rejects(page.waitFor("window.__never", 100), /window\.__never/);
    });

    test("screenshots are PNGs", async () => {
      const file = path.join(workDir, `${name}.png`);
      await page.screenshot(file);
      const signature = readFileSync(file).subarray(0, 8);
      assert.deepEqual([...signature], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    });

    test("close leaves no browser or driver process behind", async () => {
      await page.close();
      await session.close();
      await session.close(); // a second close, as from a `finally`, is harmless
      const leftovers = await settle(() => leftoverProcesses(session), 5000);
      assert.deepEqual(leftovers, []);
      if (session.profileDir) assert.equal(existsSync(session.profileDir), false, "the temporary profile is deleted");
    });
  });
}

driverSuite("chromium", launchChromium, CHROMIUM_BINARY, "apt-get install chromium");
driverSuite("firefox", launchFirefox, FIREFOX_BINARY, "apt-get install firefox-esr");
