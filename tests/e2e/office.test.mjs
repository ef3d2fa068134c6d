/**
 * @file The Outlook add-in's browser runtime in headless Chromium: the
 * built pages (commands.html, taskpane.html) and bundles as `npm run
 * package` writes them for an HTTPS origin, served at that origin by
 * Playwright's router, with the scripted Office surface
 * (tests/fixtures/office/surface.js) in place of office.js at Microsoft's
 * CDN URL. There is no Outlook here: what is tested is everything the
 * add-in does once Outlook has loaded its page — the send handler, the Move
 * to BCC function command and the task pane, with the real engine in both
 * builds (WebAssembly, and wasm2js with WebAssembly removed) — and that the
 * page requests nothing beyond its own origin (and office.js).
 */

import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { chromium } from "playwright-core";
import { ROOT } from "../../scripts/lib/run.mjs";
import { OFFICE_DEFAULTS, writeOfficeSite } from "../../scripts/lib/office-build.mjs";
import { CHROMIUM_BINARY } from "./lib/chromium.mjs";

const ORIGIN = "https://addin.example";
const BASE = `${ORIGIN}/bcc-guard`;
const OFFICE_JS = "https://appsforoffice.microsoft.com/lib/1/hosted/office.js";
const SURFACE = readFileSync(path.join(ROOT, "tests", "fixtures", "office", "surface.js"), "utf8");
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".png": "image/png", ".json": "application/json" };
const messages = (lang) => JSON.parse(readFileSync(path.join(ROOT, "www", "_locales", lang, "messages.json"), "utf8"));

const outsiders = (n) => Array.from({ length: n }, (_, i) => ({ displayName: `Person ${i}`, emailAddress: `p${i}@org${i}.example` }));

let browser;
/** The origin's files as `npm run package` lays them out (the add-in under /bcc-guard/). */
let site;

before(async () => {
  site = mkdtempSync(path.join(os.tmpdir(), "bcc-guard-office-e2e-"));
  assert.equal(writeOfficeSite(site, { ...OFFICE_DEFAULTS, base: BASE }), path.join(site, "bcc-guard"));
  browser = await chromium.launch({ executablePath: CHROMIUM_BINARY, headless: true, args: ["--disable-background-networking", "--disable-component-update", "--no-first-run"] });
});

after(async () => {
  await browser?.close();
  if (site) rmSync(site, { recursive: true, force: true });
});

/**
 * Opens one of the add-in's pages with the surface playing an Outlook.
 * @param {string} page "commands.html" or "taskpane.html"
 * @param {object} surface The surface's options.
 * @param {{webAssembly?: boolean, root?: string, policyStatus?: number}} [options]
 *   `root`: another package's origin files; `policyStatus`: answer
 *   policy.json with this HTTP status instead of the file.
 */
async function open(page, surface, { webAssembly = true, root = site, policyStatus } = {}) {
  const context = await browser.newContext();
  const requests = [];
  context.on("request", (request) => requests.push(request.url()));
  await context.route("**/*", async (route) => {
    const url = new URL(route.request().url());
    if (url.href === OFFICE_JS) return route.fulfill({ status: 200, contentType: "text/javascript", body: SURFACE });
    if (url.origin === ORIGIN) {
      if (policyStatus && url.pathname.endsWith("/policy.json")) return route.fulfill({ status: policyStatus, body: "" });
      const file = path.join(root, decodeURIComponent(url.pathname));
      try {
        return await route.fulfill({ status: 200, contentType: TYPES[path.extname(file)] ?? "application/octet-stream", body: readFileSync(file) });
      } catch {
        return route.fulfill({ status: 404, body: "" });
      }
    }
    return route.fulfill({ status: 404, body: "" });
  });
  await context.addInitScript(
    ({ options, removeWasm }) => {
      globalThis.__officeSurfaceOptions = options;
      if (removeWasm) delete globalThis.WebAssembly;
    },
    { options: surface, removeWasm: !webAssembly },
  );
  const tab = await context.newPage();
  const errors = [];
  tab.on("pageerror", (error) => errors.push(String(error)));
  await tab.goto(`${BASE}/${page}`);
  return { context, tab, requests, errors };
}

/** Waits until commands.js has associated both of its functions. */
async function ready(tab) {
  await tab.waitForFunction(() => {
    const calls = globalThis.__officeSurface?.calls ?? [];
    return ["onMessageSendHandler", "bccGuardMove"].every((name) => calls.some((c) => c.method === "actions.associate" && c.name === name));
  });
}

const pressSend = (tab) => tab.evaluate(async () => JSON.parse(JSON.stringify(await globalThis.__officeSurface.pressSend())));

function onlyOwnOrigin(requests) {
  const foreign = requests.filter((url) => new URL(url).origin !== ORIGIN && url !== OFFICE_JS);
  assert.deepEqual(foreign, [], "no request beyond the add-in's origin (and office.js)");
}

for (const webAssembly of [true, false]) {
  describe(`Outlook add-in in Chromium, ${webAssembly ? "WebAssembly" : "no WebAssembly (wasm2js)"}`, () => {
    test("a harmless send goes on; an exposure is stopped with the parties and the button", async () => {
      const { context, tab, requests, errors } = await open("commands.html", { to: outsiders(2) }, { webAssembly });
      try {
        await ready(tab);
        assert.deepEqual(await pressSend(tab), { allowEvent: true });
        await tab.evaluate(() => {
          globalThis.__officeSurface.state.to.push({ displayName: "Third", emailAddress: "c@third.example" });
        });
        const blocked = await pressSend(tab);
        assert.equal(blocked.allowEvent, false);
        assert.ok(blocked.errorMessage.includes("org0.example") && blocked.errorMessage.includes("third.example"));
        assert.equal(blocked.cancelLabel, messages("en").dialog_moveAndSend.message);
        assert.equal(blocked.commandId, "BccGuard.Move");
        const engineFiles = requests.filter((url) => /bcc_guard_bg\.wasm|engine-wasm2js\.js/.test(url)).map((url) => path.basename(url));
        assert.deepEqual(engineFiles, webAssembly ? ["bcc_guard_bg.wasm"] : ["engine-wasm2js.js"], "the build chosen by feature detection");
        assert.ok(requests.some((url) => url === `${BASE}/policy.json`), "policy.json is asked for at the add-in's origin");
        onlyOwnOrigin(requests);
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    });

    test("Move to BCC and send: moved, read back, verified, sent once", async () => {
      const { context, tab, requests, errors } = await open("commands.html", { to: outsiders(4), language: "ja-JP" }, { webAssembly });
      try {
        await ready(tab);
        const blocked = await pressSend(tab);
        assert.equal(blocked.cancelLabel, messages("ja").dialog_moveAndSend.message);
        const outcome = await tab.evaluate(async (contextData) => {
          const surface = globalThis.__officeSurface;
          await surface.runFunction("bccGuardMove", contextData);
          await new Promise((resolve) => setTimeout(resolve, 100));
          return { sent: surface.sent, sendAsync: surface.calls.filter((c) => c.method === "sendAsync").length, faults: surface.faults, writes: surface.calls.filter((c) => /^(set|add)Async$/.test(c.method)).map((c) => c.field) };
        }, blocked.contextData);
        assert.deepEqual(outcome.faults, []);
        assert.equal(outcome.sendAsync, 1);
        assert.equal(outcome.sent.length, 1);
        assert.deepEqual(outcome.sent[0], { to: ["me@corp.example"], cc: [], bcc: outsiders(4).map((d) => d.emailAddress) });
        assert.equal(outcome.writes[0], "bcc", "Bcc first");
        onlyOwnOrigin(requests);
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    });
  });
}

test("the task pane (Mailbox 1.14) moves when the dialog opened it and asks for Send again", async () => {
  const contextData = JSON.stringify({ bccGuard: 1, send: false });
  const { context, tab, requests, errors } = await open("taskpane.html", { to: outsiders(3), platform: "Mac", mailbox: "1.14", contextData });
  try {
    const expected = messages("en").office_moved.message.replace("$COUNT$", "3");
    await tab.waitForFunction((text) => document.getElementById("status")?.textContent === text, expected);
    const state = await tab.evaluate(() => ({ ...globalThis.__officeSurface.addresses(), sent: globalThis.__officeSurface.sent.length }));
    assert.deepEqual(state, { to: ["me@corp.example"], cc: [], bcc: outsiders(3).map((d) => d.emailAddress), sent: 0 });
    onlyOwnOrigin(requests);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("the task pane from the ribbon shows the verdict and moves on a click", async () => {
  const { context, tab, requests, errors } = await open("taskpane.html", { to: outsiders(3), language: "ja-JP" });
  try {
    const ja = messages("ja");
    await tab.waitForFunction((text) => document.getElementById("status")?.textContent === text, ja.dialog_titleExposure.message);
    const details = await tab.textContent("#details");
    assert.ok(details.includes("org0.example") && details.includes("org2.example"), details);
    assert.equal(await tab.textContent("#move"), ja.dialog_move.message);
    await tab.click("#move");
    await tab.waitForFunction((text) => document.getElementById("status")?.textContent === text, ja.office_moved.message.replace("$COUNT$", "3"));
    assert.equal(await tab.isHidden("#move"), true);
    const state = await tab.evaluate(() => globalThis.__officeSurface.addresses());
    assert.equal(state.bcc.length, 3);
    onlyOwnOrigin(requests);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("a package that expects policy.json, with the file missing: blocked by the strictest settings until it is there", async () => {
  // Packaged with --office-policy and ReadWriteItem: the fields the package
  // writes into the bundles are what this page runs on.
  const root = mkdtempSync(path.join(os.tmpdir(), "bcc-guard-office-e2e-policy-"));
  const policy = path.join(ROOT, "tests", "fixtures", "office", "policy.json");
  const dir = writeOfficeSite(root, { ...OFFICE_DEFAULTS, base: BASE, permissions: "ReadWriteItem", policy });
  rmSync(path.join(dir, "policy.json"));
  const { context, tab, requests, errors } = await open("commands.html", { to: outsiders(2), permissions: "ReadWriteItem" }, { root });
  try {
    const en = messages("en");
    await ready(tab);
    const missing = await pressSend(tab);
    assert.equal(missing.allowEvent, false, "two parties are stopped while the expected policy is missing");
    assert.equal(missing.sendModeOverride, undefined, "no Send Anyway");
    assert.ok(missing.errorMessage.includes(en.reason_policyUnreadable.message.slice(0, 40)), missing.errorMessage);
    assert.equal(missing.cancelLabel, en.dialog_move.message, "ReadWriteItem: Move to BCC, not “and send”");
    cpSync(policy, path.join(dir, "policy.json"));
    const served = await pressSend(tab);
    assert.ok(served.errorMessage.includes(en.reason_blocked.message), "the next send reads the policy again");
    assert.equal(requests.filter((url) => url === `${BASE}/policy.json`).length, 2);
    onlyOwnOrigin(requests);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test("the task pane shows that the organisation's policy could not be read", async () => {
  const { context, tab, errors } = await open("taskpane.html", { to: outsiders(1) }, { policyStatus: 500 });
  try {
    const en = messages("en");
    await tab.waitForSelector("#policy-problems:not([hidden])");
    assert.equal(await tab.textContent("#policy-problems h2"), en.options_policyProblems.message);
    const item = await tab.textContent("#policy-problems li");
    assert.ok(item.includes(en.settingError_unreadable.message.split("(")[0].trim()) && item.includes("HTTP 500"), item);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
