/**
 * @file What the Roundcube end-to-end tests do in the webmail: log in, open
 * a compose, fill it as a user does, press Send, and wait for Roundcube to
 * finish — plus the test builds of the extension and the browser options
 * that make the test host names resolve to the loopback Roundcube.
 *
 * The waits follow the pitfalls in shared/research/roundcube-e2e.md §11: a
 * compose opened while the mailbox is still loading loses its compose ID,
 * and the next compose must wait for the redirect that follows a send.
 */

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PASSWORD, USER } from "./roundcube-server.mjs";

/** The host name the user grants in the options page. */
export const USER_HOST = "webmail.corp.example";
/** The host name the admin lists in the policy. */
export const POLICY_HOST = "policy.corp.example";
/** A host the admin lists that nobody has granted yet. */
export const PENDING_HOST = "pending.corp.example";

/**
 * Browser options that resolve the test host names to loopback, so the
 * pages keep their real origins (and the extension's match patterns apply)
 * while the requests reach the local Roundcube.
 * @param {string} browser "chromium" | "firefox"
 */
export function hostOptions(browser) {
  const hosts = [USER_HOST, POLICY_HOST, PENDING_HOST];
  if (browser === "chromium") {
    return { args: [`--host-resolver-rules=${hosts.map((h) => `MAP ${h} 127.0.0.1`).join(", ")}`] };
  }
  return {
    prefs: {
      "network.dns.localDomains": hosts.join(","),
      // Firefox grants an optional permission without its prompt, so the
      // options page's one-click grant runs for real (the prompt is the
      // browser's own and is not under test).
      "extensions.webextOptionalPermissionPrompts": false,
    },
  };
}

/**
 * A copy of a built extension whose manifest also grants `hosts` at
 * install: Chromium cannot answer its permission prompt in a test
 * (research §9), and a host already granted makes `permissions.request`
 * resolve at once, so the options page's click still runs unchanged. The
 * manifest `key` keeps the extension ID.
 * @param {string} extensionDir
 * @param {string[]} hosts
 * @returns {{dir: string, remove: () => void}}
 */
export function extensionGranting(extensionDir, hosts) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bcc-guard-ext-"));
  cpSync(extensionDir, dir, { recursive: true });
  const manifestPath = path.join(dir, "manifest.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  manifest.host_permissions = [...(manifest.host_permissions ?? []), ...hosts.map((h) => `http://${h}/*`)];
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Roundcube is idle: no request running, nothing busy. */
const IDLE = "window.rcmail && rcmail.busy === false";

/**
 * Logs in as alice and waits until the mailbox has finished loading.
 * @param {import("./session.mjs").Page} page
 * @param {string} base e.g. http://webmail.corp.example:41234/
 */
export async function login(page, base) {
  await page.goto(base);
  await page.waitFor("!!document.querySelector('#rcmloginuser')", 15_000);
  await page.click("document.querySelector('#rcmloginuser')");
  await page.type(USER);
  await page.click("document.querySelector('#rcmloginpwd')");
  await page.type(PASSWORD);
  await page.click("document.querySelector('#rcmloginsubmit')");
  await page.waitFor(`location.search.includes('_task=mail') && ${IDLE} && !!document.querySelector('#messagelist')`, 15_000);
  await settleRequests(page);
}

/**
 * Waits until Roundcube has had no request in flight for a moment.
 * @param {import("./session.mjs").Page} page
 */
async function settleRequests(page) {
  for (let quiet = 0; quiet < 3; ) {
    quiet = (await page.evaluate(IDLE)) ? quiet + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Opens a fresh compose and waits for the recipient widgets.
 * @param {import("./session.mjs").Page} page
 * @param {string} base
 */
export async function openCompose(page, base) {
  await page.goto(`${base}?_task=mail&_action=compose`);
  await page.waitFor(`${IDLE} && !!document.querySelector('#_to + ul.recipient-input') && location.search.includes('_id=')`, 15_000);
  await settleRequests(page);
}

/** The chip input of a field, as a page expression. */
export const chipInput = (field) => `document.querySelector('#compose_${field} ul.recipient-input li.input input')`;

/**
 * Types addresses into a field as a user does: each followed by a comma,
 * which makes Roundcube turn it into a chip. Cc and Bcc rows are opened
 * with the "+" (add header) menu first.
 * @param {import("./session.mjs").Page} page
 * @param {"to"|"cc"|"bcc"} field
 * @param {string[]} addresses
 */
export async function typeRecipients(page, field, addresses) {
  if (field !== "to") await openRow(page, field);
  await page.click(chipInput(field));
  for (const address of addresses) await page.type(`${address},`);
  await page.waitFor(`document.querySelectorAll('#compose_${field} li.recipient').length >= ${addresses.length}`);
}

/**
 * Puts many addresses into a field at once, through Roundcube's own input
 * path for a whole value (what its "Use Bcc" and address book do: the text
 * area's value and a change event), which is far quicker than typing 30.
 * @param {import("./session.mjs").Page} page
 * @param {"to"|"cc"|"bcc"} field
 * @param {string[]} addresses
 */
export async function setRecipients(page, field, addresses) {
  const value = JSON.stringify(`${addresses.join(", ")}, `);
  await page.evaluate(`(() => { const t = document.getElementById('_${field}'); t.value = ${value}; $(t).change(); return true; })()`);
  await page.waitFor(`document.querySelectorAll('#compose_${field} li.recipient').length >= ${addresses.length}`);
}

/**
 * Opens a hidden Cc or Bcc row through the "+" menu.
 * @param {import("./session.mjs").Page} page
 * @param {"cc"|"bcc"} field
 */
async function openRow(page, field) {
  if (await page.evaluate(`!document.getElementById('compose_${field}').classList.contains('hidden')`)) return;
  await page.click("document.querySelector('#compose_to a[data-popup=headers-menu]')");
  await page.waitFor(`!!document.querySelector('#headers-menu a[data-target=${field}]')?.offsetParent`);
  await page.click(`document.querySelector('#headers-menu a[data-target=${field}]')`);
  await page.waitFor(`!document.getElementById('compose_${field}').classList.contains('hidden')`);
}

/**
 * Types a subject and a body.
 * @param {import("./session.mjs").Page} page
 * @param {string} subject
 */
export async function writeMessage(page, subject) {
  if (subject) {
    await page.click("document.querySelector('#compose-subject')");
    await page.type(subject);
  }
  await page.click("document.querySelector('#composebody')");
  await page.type("Hello from the end-to-end test.");
}

/** The compose's Send button and the phone layout's footer clone. */
export const SEND_BUTTON = "document.querySelector('.formbuttons button.send')";
export const FOOTER_SEND = "document.querySelector('.content-frame-navigation a.send')";

/** A button of one of Roundcube's own dialogs, by class. */
export const roundcubeDialogButton = (css) => `document.querySelector('.ui-dialog ${css}')`;

/**
 * Waits until Roundcube has sent and left the compose (it loads the
 * mailbox), so the next compose can open.
 * @param {import("./session.mjs").Page} page
 */
export async function waitForSentPage(page) {
  await page.waitFor(`!location.search.includes('_action=compose') && ${IDLE}`, 15_000);
  await settleRequests(page);
}

/**
 * What a field of the compose holds (the posted text area).
 * @param {import("./session.mjs").Page} page
 * @param {"to"|"cc"|"bcc"} field
 */
export function fieldValue(page, field) {
  return page.evaluate(`document.getElementById('_${field}').value`);
}

/** n distinct consumer-mail addresses: n parties. */
export const outsiders = (n, prefix = "p") => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}@gmail.com`);
