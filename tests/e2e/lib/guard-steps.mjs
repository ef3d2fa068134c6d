/**
 * @file Steps the webmail end-to-end tests share: finding the guard's dialog
 * through its automation contract, choosing a button, and waiting for the
 * fixture's "native send" counter to settle.
 *
 * The contract (www/lib/dialog.js): the host `[data-bcc-guard="dialog"]`
 * is a child of `document.documentElement` with an open shadow root holding
 * the `role="alertdialog"` element; buttons carry `data-action`; exposed
 * recipients carry `data-address`.
 */

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CHROMIUM_BINARY, launchChromium } from "./chromium.mjs";
import { FIREFOX_BINARY, launchFirefox } from "./firefox.mjs";
import { gmailUrl } from "./gmail-fixture.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** `E2E_BROWSERS=chromium` (or firefox) runs one browser's suites only. */
const ONLY = process.env.E2E_BROWSERS?.split(",").map((name) => name.trim());

/** Both browsers, each with its build of the extension. */
export const BROWSERS = [
  {
    name: "chromium",
    launch: launchChromium,
    extensionDir: path.join(ROOT, "dist", "chrome"),
    skip: !existsSync(CHROMIUM_BINARY) && `${CHROMIUM_BINARY} is missing (apt-get install chromium)`,
  },
  {
    name: "firefox",
    launch: launchFirefox,
    extensionDir: path.join(ROOT, "dist", "firefox"),
    skip: !existsSync(FIREFOX_BINARY) && `${FIREFOX_BINARY} is missing (apt-get install firefox-esr)`,
  },
].map((browser) => ({
  ...browser,
  skip:
    browser.skip ||
    (!existsSync(path.join(browser.extensionDir, "manifest.json")) && `${browser.extensionDir} is missing: run npm run build`) ||
    (ONLY && !ONLY.includes(browser.name) && `E2E_BROWSERS=${process.env.E2E_BROWSERS}`),
}));

/** The dialog host, as a page expression. */
export const HOST = `document.querySelector('[data-bcc-guard="dialog"]')`;

/** The alertdialog element inside the host's shadow root. */
export const DIALOG = `${HOST}?.shadowRoot?.querySelector('[role="alertdialog"]')`;

/**
 * A dialog button, as a page expression.
 * @param {string} action
 */
export const button = (action) => `${HOST}.shadowRoot.querySelector('[data-action="${action}"]')`;

/**
 * Waits for the dialog and returns what it shows.
 * @param {import("./session.mjs").Page} page
 * @returns {Promise<{title: string, actions: string[], addresses: string[], raws: string[], text: string}>}
 */
export async function waitForDialog(page, timeoutMs = 8000) {
  await page.waitFor(`!!${DIALOG}?.querySelector("button")`, timeoutMs);
  return page.evaluate(`(() => {
    const root = ${HOST}.shadowRoot;
    return {
      title: root.querySelector("h2").textContent,
      actions: [...root.querySelectorAll("[data-action]")].map((b) => b.dataset.action),
      addresses: [...root.querySelectorAll("[data-address]")].map((e) => e.dataset.address),
      raws: [...root.querySelectorAll("[data-raw]")].map((e) => e.dataset.raw),
      text: root.querySelector('[role="alertdialog"]').textContent,
      isChildOfRoot: ${HOST}.parentNode === document.documentElement,
      role: root.querySelector('[role="alertdialog"]').getAttribute("role"),
    };
  })()`);
}

/**
 * Clicks a dialog button.
 * @param {import("./session.mjs").Page} page
 * @param {string} action
 */
export async function choose(page, action) {
  await page.click(button(action));
}

/** Whether the dialog is gone. */
export const noDialog = `!${HOST}`;

/**
 * Waits until the fixture has counted `count` native sends, then a little
 * longer to prove no further send follows (exactly once, never twice).
 * @param {import("./session.mjs").Page} page
 * @param {number} count
 * @returns {Promise<number>} The final count.
 */
export async function settledSends(page, count, settleMs = 400) {
  if (count > 0) await page.waitFor(`window.__fixture.sendCount >= ${count}`, 8000);
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  return page.evaluate("window.__fixture.sendCount");
}

/**
 * The last message the fixture "sent".
 * @param {import("./session.mjs").Page} page
 */
export function lastSent(page) {
  return page.evaluate("window.__fixture.sent.at(-1) ?? null");
}

/** Makes each fixture URL distinct, so a navigation always loads afresh. */
let optionsRun = 0;

/**
 * Opens the options page the way a user can in both browsers: the dialog's
 * "Settings" link, which the extension opens in a tab of its own. The
 * session must route mail.google.com to the
 * Gmail fixture. Leaves the Gmail tab with its dialog cancelled.
 * @param {import("./session.mjs").Session} session
 * @param {import("./session.mjs").Page} page
 * @returns {Promise<import("./session.mjs").Page>}
 */
export async function openOptions(session, page) {
  await page.goto(gmailUrl({ to: ["ann@one.example", "bob@two.example", "cy@three.example"], run: `options-${++optionsRun}` }));
  await page.waitFor("document.documentElement.dataset.fixtureReady === '1'");
  await page.click(`document.querySelector(".IZ .Up div > div[role=button].aoO")`);
  await waitForDialog(page);
  await page.click(`${HOST}.shadowRoot.querySelector('[data-link="settings"]')`);
  const options = await session.waitForPage(session.extensionUrl("options/options.html"));
  await options.waitFor("document.documentElement.dataset.ready === '1'");
  await choose(page, "cancel");
  return options;
}

/**
 * The audience rule end to end, the same on every webmail fixture: one
 * outsider in To and 30 gmail.com parents in Bcc is an exposure of the
 * outsider (the 30 would see it); *Move to BCC and send* sends once with
 * To = the sender and all 31 in Bcc.
 * @param {import("./session.mjs").Page} page
 * @param {(params: {to: string[], bcc: string[]}) => Promise<void>} open Loads the fixture.
 * @param {string} send The Send button's expression.
 */
export async function oneInToThirtyInBcc(page, open, send) {
  const parents = Array.from({ length: 30 }, (_, i) => `parent${i}@gmail.com`);
  await open({ to: ["client@client-corp.example"], bcc: parents });
  await page.click(send);
  const dialog = await waitForDialog(page);
  assert.deepEqual(dialog.addresses, ["client@client-corp.example"]);
  assert.match(dialog.text, /seen by 30 more unrelated/);
  await choose(page, "move-and-send");
  assert.equal(await settledSends(page, 1), 1);
  const sent = await lastSent(page);
  assert.deepEqual(sent.to, ["me@corp.example"], "the sender stands in for To");
  assert.deepEqual(sent.cc, []);
  assert.deepEqual([...sent.bcc].sort(), [...parents, "client@client-corp.example"].sort());
}

/** The compose notice's host (www/content/notice.js), as a page expression; `doc` for a frame's document. */
export const NOTICE = (doc = "document") => `${doc}.querySelector('[data-bcc-guard="notice"]')`;

/**
 * A notice button, as a page expression.
 * @param {string} action "move" | "details" | "dismiss"
 * @param {string} [doc]
 */
export const noticeButton = (action, doc = "document") => `${NOTICE(doc)}.shadowRoot.querySelector('[data-action="${action}"]')`;

/**
 * What the compose notice shows now, through its automation contract: its
 * state (`absent` when there is no host), its parties, buttons and text, and
 * where it sits (never in an editor; shown means laid out).
 * @param {import("./session.mjs").Page} page
 * @param {string} [doc]
 */
export function noticeOf(page, doc = "document") {
  return page.evaluate(`(() => {
    const host = ${NOTICE(doc)};
    if (!host) return { state: "absent" };
    const root = host.shadowRoot;
    const status = root?.querySelector('[role="status"]');
    return {
      state: host.dataset.state,
      hidden: host.hidden,
      shown: host.getBoundingClientRect().height > 0 && getComputedStyle(host).display !== "none",
      parties: [...(root?.querySelectorAll("[data-party]") ?? [])].map((e) => ({ party: e.dataset.party, parties: Number(e.dataset.parties), text: e.textContent })),
      actions: [...(root?.querySelectorAll("button[data-action]") ?? [])].map((b) => b.dataset.action),
      text: status?.textContent ?? "",
      role: status?.getAttribute("role") ?? null,
      inEditor: Boolean(host.parentElement?.isContentEditable || host.closest("[contenteditable=true]")),
      count: ${doc}.querySelectorAll('[data-bcc-guard="notice"]').length,
    };
  })()`);
}

/**
 * Waits until the notice is in a state (and, shown, laid out).
 * @param {import("./session.mjs").Page} page
 * @param {"exposure"|"blind"|"hidden"} state
 * @param {string} [doc]
 */
export async function waitForNotice(page, state, doc = "document", timeoutMs = 8000) {
  const host = NOTICE(doc);
  const test = state === "hidden" ? `(!${host} || ${host}.dataset.state === "hidden")` : `${host}?.dataset.state === "${state}" && ${host}.getBoundingClientRect().height > 0`;
  await page.waitFor(test, timeoutMs);
  return noticeOf(page, doc);
}
