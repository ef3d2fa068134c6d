/**
 * @file Nothing on the page can bend a choice, end to end in Chromium and
 * Firefox ESR: a page script that rewrites the dialog's buttons, page CSS
 * and scripts that hide, shrink, cover, relabel or remove the dialog (the
 * host's own pseudo-elements and direction too), a page script that moves
 * the focus, the page's own popovers and modal dialogs over the dialog,
 * and its highlights, animations and view transitions, a blocking
 * policy while the engine fails, a subject that names a partner, and a
 * content script that asks for what only extension pages may know.
 *
 * Where a real SMTP server runs — Roundcube's suite — the assertions are on
 * what reaches it; the same scenarios run on the Gmail fixture (its "native
 * send" records) so that they are covered where Roundcube cannot run. A page
 * script here is `page.evaluate`, which runs in the page's own world, as the
 * webmail's scripts (or a script injected into it) do.
 */

import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { PNG } from "pngjs";
import { gmailRouter, gmailUrl } from "./lib/gmail-fixture.mjs";
import { BROWSERS, button, choose, HOST, lastSent, noDialog, openOptions, settledSends, waitForDialog } from "./lib/guard-steps.mjs";
import { outlookRouter, outlookUrl } from "./lib/outlook-fixture.mjs";
import { installPolicy } from "./lib/policy-files.mjs";
import { roundcubeMissing, startRoundcube } from "./lib/roundcube-server.mjs";
import { extensionGranting, hostOptions, login, openCompose, outsiders, SEND_BUTTON, typeRecipients, USER_HOST, waitForSentPage, writeMessage } from "./lib/roundcube-steps.mjs";

const EXTENSION_ID = "paldapobjjgoepiejgigblhhidmhagng";
const GECKO_ID = "bcc-guard@bccguard.org";
const BOSS = "boss@corp.example";
const EXTERNALS = ["ann@one.example", "bob@two.example", "cy@three.example"];
const GMAIL_SEND = `document.querySelector(".IZ .Up div > div[role=button].aoO")`;
const OUTLOOK_SEND = `document.querySelector('button[id$="__primaryActionButton"]')`;
/** How long to wait to be sure that nothing (more) is sent. */
const QUIET_MS = 1500;

const sorted = (list) => [...list].sort();
const isRoot = process.getuid?.() === 0;

/** A dialog button found by what it says, not by its `data-action`, which the page may have rewritten. */
const buttonLabelled = (label) => `[...${HOST}.shadowRoot.querySelectorAll("button")].find((b) => b.textContent === ${JSON.stringify(label)})`;

/** Rewrites every dialog button's `data-action` to `send-anyway`, once. */
const REWRITE_ACTIONS = `(() => {
  const buttons = ${HOST}.shadowRoot.querySelectorAll("[data-action]");
  for (const b of buttons) b.setAttribute("data-action", "send-anyway");
  return buttons.length;
})()`;

/**
 * Keeps rewriting the dialog, from the page's own observer, whenever it is
 * drawn: every button chooses "send-anyway" by its attribute and the first
 * one reads "Move to BCC and send".
 */
const KEEP_REWRITING = `(() => {
  const bend = () => {
    const root = ${HOST}?.shadowRoot;
    if (!root) return;
    const buttons = [...root.querySelectorAll("button[data-action]")];
    if (buttons.every((b) => b.dataset.action === "send-anyway")) return;
    for (const b of buttons) b.setAttribute("data-action", "send-anyway");
    const anyway = buttons.find((b) => b.textContent === "Send anyway");
    if (anyway) anyway.textContent = "Move to BCC and send";
  };
  new MutationObserver(bend).observe(document.documentElement, { childList: true, subtree: true, attributes: true });
  const root = ${HOST}?.shadowRoot;
  if (root) new MutationObserver(bend).observe(root, { childList: true, subtree: true, attributes: true, characterData: true });
  bend();
  // The dialog drawn again gets a new shadow content: watch it too.
  setInterval(bend, 10);
  return true;
})()`;

/**
 * Sets custom properties on `<html>` (no change to the dialog or its host)
 * that place an element of the page's exactly over the *Send anyway* button.
 */
const OVER_SEND_ANYWAY = `(() => {
  const b = ${HOST}.shadowRoot.querySelector('[data-action="send-anyway"]').getBoundingClientRect();
  const root = document.documentElement.style;
  root.setProperty("--x", b.left + "px");
  root.setProperty("--y", b.top + "px");
  root.setProperty("--w", b.width + "px");
  root.setProperty("--h", b.height + "px");
  return true;
})()`;

/** A button's look, for a page element that poses as one. */
const BUTTON_LOOK = "display: flex; align-items: center; justify-content: center; box-sizing: border-box; border-radius: 18px; background: #1a73e8; color: #fff; font: 500 14px sans-serif;";

/**
 * What a page may do to hide, shrink, cover or relabel the dialog, one
 * after another while it is open: CSS about the host (and about the page
 * around it, and the host's own pseudo-elements, which its inline style does
 * not reach), a covering element, and scripts that change, hide or remove
 * the host.
 */
const ATTACKS = {
  "a ::after on the host relabelling Send anyway as Move to BCC and send, clicks passing through it": `(${OVER_SEND_ANYWAY}, ${css(`[data-bcc-guard]::after {
    content: "Move to BCC and send"; position: fixed; left: var(--x); top: var(--y); width: var(--w); height: var(--h);
    ${BUTTON_LOOK} z-index: 2147483647; pointer-events: none; }`)})`,
  "::before and ::after on the host covering the dialog": css(`[data-bcc-guard]::before, [data-bcc-guard]::after {
    content: "" !important; position: fixed !important; inset: 0 !important; z-index: 2147483647 !important; background: #fff !important; display: block !important; }`),
  "direction: rtl on the host (the buttons change places)": css("[data-bcc-guard] { direction: rtl !important; unicode-bidi: bidi-override !important; }"),
  "CSS display:none !important": css("[data-bcc-guard] { display: none !important; }"),
  "CSS visibility and opacity": css("[data-bcc-guard] { visibility: hidden !important; opacity: 0 !important; }"),
  "CSS shrinking to nothing": css("[data-bcc-guard] { width: 1px !important; height: 1px !important; overflow: hidden !important; transform: scale(0) !important; clip-path: inset(50%) !important; }"),
  "CSS pointer-events and invisible text": css("[data-bcc-guard] { pointer-events: none !important; font-size: 0 !important; color: transparent !important; }"),
  "CSS on the page around it": css("html { opacity: 0 !important; filter: blur(20px) !important; }"),
  "a covering pseudo-element at the highest z-index": css("html::after { content: ''; position: fixed; inset: 0; z-index: 2147483647; background: #fff; }"),
  "a covering element added after the host": `(() => {
    const cover = document.createElement("div");
    cover.style.cssText = "position: fixed; inset: 0; z-index: 2147483647; background: #fff";
    document.documentElement.append(cover);
    return true;
  })()`,
  "an inline style on the host": `(${HOST}.style.setProperty("display", "none", "important"), true)`,
  "the host made inert and hidden": `(${HOST}.inert = true, ${HOST}.hidden = true, true)`,
  "its popover closed": `(${HOST}.hidePopover(), true)`,
  "the host removed": `(${HOST}.remove(), true)`,
};

/**
 * A page expression adding a style sheet.
 * @param {string} text
 */
function css(text) {
  return `(() => { const style = document.createElement("style"); style.textContent = ${JSON.stringify(text)}; document.head.append(style); return true; })()`;
}

/**
 * Whether the dialog can be seen and used: the host is shown, the dialog
 * has its size inside the viewport, nothing covers its primary button —
 * the topmost element at the button's centre is the host, and inside it the
 * button (so a trusted click there lands on it) — the host has no
 * pseudo-element (which would hit-test as the host), the dialog runs left
 * to right, and it is on top of the page's own elements in the top layer
 * (popovers, modal dialogs, fullscreen: made to hit-test for a moment,
 * none is the topmost element at the button's centre). What this cannot
 * see (say, a layer in a closed shadow root that clicks pass through), the
 * pictures can (`looksAsBefore`).
 */
const USABLE = `(() => {
  const host = ${HOST};
  if (!host) return "no host";
  const dialog = host.shadowRoot.querySelector('[role="alertdialog"]');
  const primary = host.shadowRoot.querySelector("button.primary");
  if (!dialog || !primary) return "no dialog";
  const d = dialog.getBoundingClientRect();
  const b = primary.getBoundingClientRect();
  const x = b.left + b.width / 2;
  const y = b.top + b.height / 2;
  const style = getComputedStyle(host);
  const layer = [...document.querySelectorAll(":popover-open, :modal, :fullscreen")].filter((e) => e !== host);
  const kept = layer.map((e) => e.style.cssText);
  layer.forEach((e) => e.style.setProperty("pointer-events", "auto", "important"));
  const onTop = document.elementFromPoint(x, y) === host;
  layer.forEach((e, i) => (e.style.cssText = kept[i]));
  const checks = {
    shown: style.display !== "none" && style.visibility === "visible" && style.opacity === "1" && !host.inert,
    sized: d.width > 300 && d.height > 150 && d.left >= 0 && d.top >= 0 && d.right <= innerWidth && d.bottom <= innerHeight,
    uncovered: document.elementFromPoint(x, y) === host && primary.contains(host.shadowRoot.elementFromPoint(x, y)),
    "no pseudo-elements": ["::before", "::after"].every((p) => ["none", "normal"].includes(getComputedStyle(host, p).content)),
    "left to right": getComputedStyle(dialog).direction === "ltr",
    "on top of the page's top layer": onTop,
  };
  const failed = Object.keys(checks).filter((k) => !checks[k]);
  return failed.length ? failed.join(", ") : "usable";
})()`;

/**
 * The dialog's box in the viewport, in whole pixels, less its rounded
 * corners (where the page behind shows through the backdrop): what
 * `looksAsBefore` compares.
 */
const DIALOG_AREA = `(() => {
  const d = ${HOST}.shadowRoot.querySelector('[role="alertdialog"]').getBoundingClientRect();
  const inset = 12;
  const x = Math.ceil(d.left) + inset;
  const y = Math.ceil(d.top) + inset;
  return { x, y, width: Math.floor(d.right) - inset - x, height: Math.floor(d.bottom) - inset - y };
})()`;

/**
 * How many pixels of two pictures of the same area differ by more than
 * rasterisation noise: a channel off by more than `NOISE`. Chromium draws
 * the same text and hairlines a few levels apart once the top layer's
 * compositing changes (seen: at most 5 of 255), while a page's text, cover
 * or reordered buttons change thousands of pixels by far more.
 * @param {Buffer} a PNG
 * @param {Buffer} b PNG
 */
function differingPixels(a, b) {
  const [x, y] = [PNG.sync.read(a), PNG.sync.read(b)];
  if (x.width !== y.width || x.height !== y.height) return Infinity;
  let count = 0;
  for (let i = 0; i < x.data.length; i += 4) {
    for (let k = 0; k < 4; k++) {
      if (Math.abs(x.data[i + k] - y.data[i + k]) > NOISE) {
        count += 1;
        break;
      }
    }
  }
  return count;
}

/** A channel difference below this is rasterisation noise (see `differingPixels`). */
const NOISE = 48;

/** How many pixels may differ by more than noise (antialiased edges) and the dialog still look as before. */
const SAME_LOOK_PIXELS = 24;

/**
 * Waits until the dialog's area looks as in `before` (no pixel differs by
 * more than noise, `differingPixels`), and fails with both pictures saved
 * when it does not within `timeoutMs`: what the user sees there is the
 * dialog as drawn, with nothing of the page's over it or in it, whatever
 * the DOM says.
 * @param {import("./lib/session.mjs").Page} page
 * @param {{area: {x: number, y: number, width: number, height: number}, png: Buffer}} before
 * @param {string} what
 */
async function looksAsBefore(page, before, what, timeoutMs = 2000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await page.capture(before.area);
    const differing = differingPixels(before.png, now);
    if (differing <= SAME_LOOK_PIXELS) return;
    if (Date.now() > deadline) {
      const dir = mkdtempSync(path.join(os.tmpdir(), "bcc-guard-looks-"));
      writeFileSync(path.join(dir, "before.png"), before.png);
      writeFileSync(path.join(dir, "after.png"), now);
      assert.fail(`${what}: the dialog does not look as it did, ${differing} pixels differ (pictures in ${dir})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A picture of the dialog's area as it is now, for `looksAsBefore`: once
 * two pictures 100 ms apart agree (Firefox may show a dialog just drawn
 * before it has painted all of it).
 * @param {import("./lib/session.mjs").Page} page
 */
async function picture(page) {
  const area = await page.evaluate(DIALOG_AREA);
  let png = await page.capture(area);
  for (let tries = 0; tries < 20; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const next = await page.capture(area);
    if (differingPixels(png, next) <= SAME_LOOK_PIXELS) return { area, png: next };
    png = next;
  }
  assert.fail("the dialog's picture does not settle");
}

/** The redrawn dialog's notice, as a page expression. */
const REDRAWN = `/This page changed the dialog/.test(${HOST}?.shadowRoot?.querySelector('[role="alertdialog"]')?.textContent ?? "")`;

/** Waits past the dialog's arming delay (400 ms after it is drawn), after which Enter and Space act. */
const pastArming = () => new Promise((resolve) => setTimeout(resolve, 500));

/**
 * The page's own popover over the whole viewport, white and letting clicks
 * through, shown after the dialog; in a closed shadow root when `closed`.
 * The page keeps it at `window.__cover`.
 * @param {{closed?: boolean}} [options]
 */
const PAGE_POPOVER = ({ closed = false } = {}) => `(() => {
  const cover = document.createElement("div");
  cover.popover = "manual";
  cover.style.cssText = "position: fixed; inset: 0; margin: 0; border: 0; width: 100vw; height: 100vh; background: #fff; pointer-events: none";
  cover.textContent = "The page's own layer";
  const holder = document.createElement("div");
  ${closed ? `holder.attachShadow({ mode: "closed" }).append(cover);` : "holder.append(cover);"}
  document.body.append(holder);
  cover.showPopover();
  window.__cover = cover;
  return true;
})()`;

/**
 * The scenarios, written once for a webmail: `open()` fills a compose with
 * three outsiders (and a colleague) and presses Send; `nothingSent()` checks
 * that nothing left; `movedSent()` that exactly one message left, with the
 * outsiders only in Bcc.
 * @typedef {object} Webmail
 * @property {() => import("./lib/session.mjs").Page} page
 * @property {(tag: string) => Promise<void>} open
 * @property {() => Promise<void>} nothingSent
 * @property {() => Promise<void>} movedSent
 * @property {() => Promise<void>} [done] After a test: back to a state the next can start from.
 */

/** @param {Webmail} mail */
function bendingScenarios(mail) {
  test("a page script rewrites every button's data-action to send-anyway: Move to BCC and send chooses nothing, the dialog is drawn again, and moving sends nothing exposed", async () => {
    const page = mail.page();
    await mail.open("rewrite");
    await waitForDialog(page);
    assert.ok((await page.evaluate(REWRITE_ACTIONS)) >= 3);
    await page.click(buttonLabelled("Move to BCC and send"));
    await mail.nothingSent();
    // Drawn again as it should be, saying why; the user chooses again.
    const redrawn = await waitForDialog(page);
    assert.deepEqual(redrawn.actions, ["move-and-send", "move", "send-anyway", "cancel"]);
    assert.match(redrawn.text, /This page changed the dialog/);
    await choose(page, "move-and-send");
    await mail.movedSent();
    await mail.done?.();
  });

  test("a page that keeps rewriting the dialog never gets a send out of it; Escape still cancels", async () => {
    const page = mail.page();
    await mail.open("keep-rewriting");
    await waitForDialog(page);
    await page.evaluate(KEEP_REWRITING);
    for (let i = 0; i < 3; i++) {
      await page.waitFor(`${buttonLabelled("Move to BCC and send")}?.dataset.action === "send-anyway"`);
      await page.click(buttonLabelled("Move to BCC and send"));
      await mail.nothingSent();
    }
    // The page is still responsive, and the user can leave: the focus is
    // on the dialog drawn again, and Escape cancels it.
    await page.press("Escape");
    await page.waitFor(noDialog);
    await mail.nothingSent();
    await mail.done?.();
  });

  test("page CSS and scripts that hide, shrink, cover or remove the dialog: it stays visible and usable, the send stays held, and the move sends", async () => {
    const page = mail.page();
    await mail.open("hidden");
    await waitForDialog(page);
    assert.equal(await page.evaluate(USABLE), "usable", "before any attack");
    const before = await picture(page);
    for (const [attack, script] of Object.entries(ATTACKS)) {
      await page.evaluate(script);
      await page.waitFor(`${USABLE} === "usable"`, 3000).catch(async () => {
        assert.fail(`after ${attack}: ${await page.evaluate(USABLE)}`);
      });
      await looksAsBefore(page, before, `after ${attack}`);
    }
    await mail.nothingSent();
    assert.equal(await page.evaluate(`document.querySelectorAll('[data-bcc-guard="dialog"]').length`), 1, "one dialog");
    // A trusted click where the button is: nothing covers it.
    await choose(page, "move-and-send");
    await mail.movedSent();
    await mail.done?.();
  });

  test("a page script moves the focus to Send anyway: Enter chooses nothing, the dialog is drawn again with the focus on the move, and Enter then moves", async () => {
    const page = mail.page();
    await mail.open("focus");
    await waitForDialog(page);
    // focus() changes nothing in the DOM: no observer sees it.
    await page.evaluate(`(${button("send-anyway")}.focus(), true)`);
    await pastArming();
    await page.press("Enter");
    await mail.nothingSent();
    await page.waitFor(REDRAWN);
    assert.equal(await page.evaluate(`${HOST}.shadowRoot.activeElement?.dataset.action`), "move-and-send", "the focus is back on the safe choice");
    await pastArming();
    await page.press("Enter");
    await mail.movedSent();
    await mail.done?.();
  });

  test("a page popover and a page modal dialog shown over the dialog: it is put back on top, a click meanwhile chooses nothing, and the move sends", async () => {
    const page = mail.page();
    await mail.open("top-layer");
    await waitForDialog(page);
    const before = await picture(page);
    // A popover shown after the dialog is drawn above it: the page's text
    // over the dialog, clicks passing through to its buttons.
    await page.evaluate(PAGE_POPOVER());
    await page.waitFor(`${USABLE} === "usable"`, 3000).catch(async () => {
      assert.fail(`after the page's popover: ${await page.evaluate(USABLE)}`);
    });
    await looksAsBefore(page, before, "after the page's popover");
    assert.equal(await page.evaluate(`${HOST}.matches(":popover-open")`), true);
    // The user may have seen the page's layer and not the dialog: the click
    // chooses nothing, and the dialog is drawn again.
    await choose(page, "move-and-send");
    await mail.nothingSent();
    await page.waitFor(REDRAWN);
    await page.evaluate("(window.__cover.hidePopover(), true)");

    // A modal dialog of the page's makes everything else inert, the dialog
    // too: nothing reaches it while the page's dialog is open.
    await page.evaluate(`(() => {
      const modal = document.createElement("dialog");
      modal.textContent = "The page's own dialog";
      document.body.append(modal);
      modal.showModal();
      window.__modal = modal;
      return true;
    })()`);
    // The user's click where the button is, though the page's dialog takes it.
    await page.click(button("move-and-send"), { force: true });
    await mail.nothingSent();
    await page.evaluate("(window.__modal.close(), true)");
    // Once it is closed the dialog is on top; the first click, about what
    // the user saw while the page's dialog was up, chooses nothing.
    await choose(page, "move-and-send");
    await mail.nothingSent();
    await page.waitFor(REDRAWN);
    await choose(page, "move-and-send");
    await mail.movedSent();
    await mail.done?.();
  });

  test("a page popover in a closed shadow root, shown over the dialog (no event tells the document): the click chooses nothing and the dialog comes back on top", async () => {
    const page = mail.page();
    await mail.open("closed-root");
    await waitForDialog(page);
    await page.evaluate(PAGE_POPOVER({ closed: true }));
    await choose(page, "move-and-send");
    await mail.nothingSent();
    await page.waitFor(REDRAWN);
    // On top again: it looks the same with the page's popover as without it.
    const withCover = await picture(page);
    await page.evaluate("(window.__cover.hidePopover(), true)");
    await looksAsBefore(page, withCover, "with the page's popover in a closed shadow root", 0);
    await choose(page, "move-and-send");
    await mail.movedSent();
    await mail.done?.();
  });

  test("page styles for selected text, a highlight, an animation and a view transition over the dialog: they change nothing it shows, or its choice is refused", async () => {
    const page = mail.page();
    await mail.open("paint");
    await waitForDialog(page);
    // Selected text keeps the dialog's own look: the page's ::selection
    // style (a text-shadow drawing each label 150 px to the right) does not
    // reach it.
    await page.evaluate(`(() => {
      const root = ${HOST}.shadowRoot;
      getSelection().setBaseAndExtent(root.querySelector("h2"), 0, root.querySelector(".actions"), root.querySelector(".actions").childNodes.length);
      return true;
    })()`);
    const selected = await picture(page);
    await page.evaluate(css("::selection, html::selection, [data-bcc-guard]::selection { color: transparent !important; background: #fff !important; text-shadow: 150px 0 #1a73e8 !important; }"));
    await looksAsBefore(page, selected, "with the page's ::selection style", 0);
    await page.evaluate("(getSelection().removeAllRanges(), true)");

    // A highlight of the page's over the buttons, in a style the page
    // chose: Chromium paints it. Any highlight over the dialog's text
    // refuses the click; drawn again, the dialog has new text the
    // highlight does not cover.
    await page.evaluate(`(() => {
      const range = new Range();
      range.selectNodeContents(${HOST}.shadowRoot.querySelector(".actions"));
      CSS.highlights.set("page", new Highlight(range));
      return ${css("::highlight(page), [data-bcc-guard]::highlight(page) { color: transparent; text-shadow: 150px 0 #1a73e8; }")};
    })()`);
    await choose(page, "move-and-send");
    await mail.nothingSent();
    await page.waitFor(REDRAWN);

    // An animation the page runs on the dialog's own buttons (no DOM
    // change): Send anyway (or, where the verdict offers none, Move to BCC)
    // moved over Move to BCC and send, which fades out.
    const decoy = `(${button("send-anyway")} ?? ${button("move")})`;
    await page.evaluate(`(() => {
      const move = ${button("move-and-send")};
      const anyway = ${decoy};
      const a = move.getBoundingClientRect();
      const b = anyway.getBoundingClientRect();
      move.animate([{ opacity: 0 }], { duration: 600000, fill: "forwards" });
      anyway.animate([{ transform: \`translate(\${a.left - b.left}px, \${a.top - b.top}px)\` }], { duration: 600000, fill: "forwards" });
      return true;
    })()`);
    // The user clicks what looks like the move (where the decoy now is).
    await page.click(decoy, { force: true });
    await mail.nothingSent();
    await page.waitFor(`${REDRAWN} && ${HOST}.shadowRoot.getAnimations().length === 0`);

    // A view transition shows the page's pictures in place of the page for
    // as long as the page likes: a key chooses nothing meanwhile, and ends it.
    await page.evaluate(`(() => {
      ${css("::view-transition-group(*), ::view-transition-old(*), ::view-transition-new(*) { animation-duration: 600s !important; }")};
      document.startViewTransition(() => {});
      return true;
    })()`);
    await page.waitFor("!!document.activeViewTransition");
    await pastArming();
    await page.press("Enter");
    await mail.nothingSent();
    await page.waitFor(`${REDRAWN} && !document.activeViewTransition`);
    await choose(page, "move-and-send");
    await mail.movedSent();
    await mail.done?.();
  });
}

/**
 * A copy of a built extension, for the tests that need another build:
 * `withoutWasm` leaves the engine out (a damaged install: it cannot load
 * until `restoreWasm()`), `hosts` grants host permissions at install
 * (Chromium runs `scripting.executeScript` only where the manifest grants a
 * host). The manifest `key` and the Gecko ID keep the extension's ID, so an
 * admin's policy for it applies.
 * @param {string} extensionDir
 * @param {{withoutWasm?: boolean, hosts?: string[]}} options
 */
function extensionCopy(extensionDir, { withoutWasm = false, hosts = [] }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bcc-guard-hostile-"));
  cpSync(extensionDir, dir, { recursive: true });
  const manifestPath = path.join(dir, "manifest.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  if (hosts.length) manifest.host_permissions = [...(manifest.host_permissions ?? []), ...hosts];
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  const wasm = path.join(dir, "pkg", "bcc_guard_bg.wasm");
  const aside = path.join(dir, "engine.wasm.aside");
  if (withoutWasm) renameSync(wasm, aside);
  return {
    dir,
    restoreWasm: () => renameSync(aside, wasm),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

for (const browser of BROWSERS) {
  describe(`A hostile page on Roundcube, at the SMTP server, in ${browser.name}`, { skip: browser.skip || roundcubeMissing() || false, timeout: 240_000 }, () => {
    let rc;
    let session;
    let page;
    let build;
    let base;
    let count = 0;
    before(async () => {
      rc = await startRoundcube();
      // As in roundcube.test.mjs: Chromium cannot answer its permission
      // prompt in a test, so this build grants the host at install.
      build = browser.name === "chromium" ? extensionGranting(browser.extensionDir, [USER_HOST]) : null;
      session = await browser.launch({
        extensionDir: build?.dir ?? browser.extensionDir,
        routes: { "mail.google.com": gmailRouter },
        locale: "en-US",
        ...hostOptions(browser.name),
      });
      page = await session.newPage();
      base = `http://${USER_HOST}:${rc.httpPort}/`;
      await login(page, base);
      // The user protects the webmail from the options page.
      const options = await openOptions(session, page);
      await options.evaluate(`document.getElementById('webmailOrigin').value = ${JSON.stringify(base)}`);
      await options.click("document.getElementById('protectWebmail')");
      await options.waitFor(`document.querySelector('#webmailOrigins li[data-origin="http://${USER_HOST}"]')?.dataset.state === 'protected'`, 10_000);
      await options.close();
    });
    after(async () => {
      await session?.close();
      build?.remove();
      await rc?.stop();
    });

    let to = [];
    bendingScenarios({
      page: () => page,
      async open(tag) {
        await openCompose(page, base);
        to = [...outsiders(3, tag), BOSS];
        await typeRecipients(page, "to", to);
        await writeMessage(page, tag);
        count = rc.sink.messages.length;
        await page.click(SEND_BUTTON);
      },
      async nothingSent() {
        assert.equal(await rc.sink.settle(QUIET_MS), count, "nothing may reach the SMTP server");
      },
      async movedSent() {
        await rc.sink.waitFor(count + 1);
        assert.equal(await rc.sink.settle(QUIET_MS), count + 1, "exactly one message");
        const message = rc.sink.messages[count];
        assert.deepEqual(message.to, [BOSS], "only the colleague is on show");
        assert.deepEqual(message.cc, []);
        assert.equal(message.hasBccHeader, false);
        assert.deepEqual(sorted(message.rcptTo), sorted(to));
        await waitForSentPage(page);
      },
    });
  });

  describe(`A hostile page on the Gmail fixture in ${browser.name}`, { skip: browser.skip, timeout: 180_000 }, () => {
    let session;
    let page;
    let run = 0;
    let count = 0;
    before(async () => {
      session = await browser.launch({ extensionDir: browser.extensionDir, routes: { "mail.google.com": gmailRouter }, locale: "en-US" });
      page = await session.newPage();
    });
    after(async () => {
      await session?.close();
    });

    bendingScenarios({
      page: () => page,
      async open(tag) {
        await page.goto(gmailUrl({ to: [BOSS, ...EXTERNALS], run: `${tag}-${++run}` }));
        await page.waitFor("document.documentElement.dataset.fixtureReady === '1'");
        count = await page.evaluate("window.__fixture.sendCount");
        await page.click(GMAIL_SEND);
      },
      async nothingSent() {
        assert.equal(await settledSends(page, 0, QUIET_MS), count, "nothing may be sent");
      },
      async movedSent() {
        assert.equal(await settledSends(page, count + 1), count + 1, "exactly one send");
        const sent = await lastSent(page);
        assert.deepEqual(sent.to, [BOSS], "only the colleague is on show");
        assert.deepEqual(sorted(sent.bcc), sorted(EXTERNALS));
      },
    });
  });

  describe(`Who may ask what, and the account, in ${browser.name}`, { skip: browser.skip, timeout: 120_000 }, () => {
    let session;
    let page;
    let build;
    let run = 0;
    before(async () => {
      build = extensionCopy(browser.extensionDir, { hosts: ["https://mail.google.com/*"] });
      const routes = { "mail.google.com": gmailRouter, "outlook.office.com": outlookRouter };
      session = await browser.launch({ extensionDir: build.dir, routes, locale: "en-US" });
      page = await session.newPage();
    });
    after(async () => {
      await session?.close();
      build?.remove();
    });

    test("a content script asking for the policy or the validator is refused; what the guard asks is answered", async () => {
      const options = await openOptions(session, page);
      // The options page runs a function in the Gmail tab's content-script
      // world: to the background, a content script of this extension.
      const ask = (request) =>
        options.evaluate(`(async () => {
          const api = globalThis.browser ?? chrome;
          const [tab] = await api.tabs.query({ url: "https://mail.google.com/*" });
          const [injection] = await api.scripting.executeScript({
            target: { tabId: tab.id },
            func: (request) => (globalThis.browser ?? chrome).runtime.sendMessage(request),
            args: [${JSON.stringify(request)}],
          });
          return injection.result;
        })()`);
      for (const kind of ["policy", "validate"]) {
        const reply = await ask({ v: 1, kind, settings: {} });
        assert.equal(reply?.ok, false, `${kind}: ${JSON.stringify(reply)}`);
        assert.equal(reply.error.code, "forbidden");
        assert.equal(reply.policy, undefined);
      }
      const evaluated = await ask({ v: 1, kind: "evaluate", compose: { account: "me@corp.example", to: [{ address: "ann@one.example" }] } });
      assert.equal(evaluated?.ok, true, JSON.stringify(evaluated));
      // The extension's own page still gets the policy.
      const policy = await options.evaluate(`(globalThis.browser ?? chrome).runtime.sendMessage({ v: 1, kind: "policy" })`);
      assert.equal(policy.ok, true, JSON.stringify(policy));
      assert.ok(Array.isArray(policy.policy.locked));
      await options.close();
    });

    test("Outlook: a partner's address in a pop-out's title does not make the partner a colleague", async () => {
      await page.goto(outlookUrl({ to: EXTERNALS, run: `title-${++run}` }));
      await page.waitFor("document.documentElement.dataset.fixtureReady === '1'");
      // A pop-out window: no account control, a From button that shows a
      // name only, and the subject — naming a partner — as the title.
      await page.evaluate(`(() => {
        document.getElementById("mectrl_currentAccount_secondary")?.remove();
        for (const from of document.querySelectorAll('button[aria-label^="From"]')) from.textContent = "Me";
        document.title = "RE: Offer for ann@one.example - Outlook";
        return true;
      })()`);
      await page.click(OUTLOOK_SEND);
      const dialog = await waitForDialog(page);
      assert.deepEqual(sorted(dialog.addresses), sorted(EXTERNALS), "ann is exposed like the others");
      assert.match(dialog.text, /organisation.s domain is not known/);
      await choose(page, "cancel");
      assert.equal(await settledSends(page, 0), 0);
    });
  });

  describe(`A blocking policy while the engine fails, in ${browser.name}`, { skip: browser.skip || (!isRoot && "writing the policy file under /etc needs root"), timeout: 120_000 }, () => {
    const POLICY = { action: "block" };
    const POLICY_FILES = {
      chromium: ["/etc/chromium/policies/managed/bcc-guard-hostile-e2e.json", { "3rdparty": { extensions: { [EXTENSION_ID]: POLICY } } }],
      firefox: ["/etc/firefox/policies/policies.json", { policies: { "3rdparty": { Extensions: { [GECKO_ID]: POLICY } } } }],
    };
    let session;
    let page;
    let build;
    let removePolicy = () => {};
    before(async () => {
      removePolicy = installPolicy(...POLICY_FILES[browser.name]);
      build = extensionCopy(browser.extensionDir, { withoutWasm: true });
      session = await browser.launch({ extensionDir: build.dir, routes: { "mail.google.com": gmailRouter }, locale: "en-US" });
      page = await session.newPage();
    });
    after(async () => {
      await session?.close();
      build?.remove();
      removePolicy();
    });

    test("the first send finds the engine failing: no Send anyway; Try again once it is back: the block, and the move", async () => {
      await page.goto(gmailUrl({ to: [BOSS, ...EXTERNALS], run: "block-broken" }));
      await page.waitFor("document.documentElement.dataset.fixtureReady === '1'");
      await page.click(GMAIL_SEND);
      const failed = await waitForDialog(page);
      assert.equal(failed.title, "BCC Guard could not check the recipients");
      assert.deepEqual(failed.actions, ["retry", "cancel"], "a policy not yet known offers no Send anyway");
      assert.match(failed.text, /organisation's settings/);
      assert.equal(await settledSends(page, 0), 0);

      // Still failing: the same answer, however often the user tries.
      await choose(page, "retry");
      const again = await waitForDialog(page);
      assert.deepEqual(again.actions, ["retry", "cancel"]);

      // The engine comes back (here: its file); Try again checks for real.
      build.restoreWasm();
      await choose(page, "retry");
      await page.waitFor(`${HOST}?.shadowRoot?.querySelector("h2")?.textContent === "Recipients would see each other's addresses"`, 10_000);
      const blocked = await waitForDialog(page);
      assert.deepEqual(blocked.actions, ["move-and-send", "move", "cancel"], "block: no Send anyway");
      assert.match(blocked.text, /organisation does not allow sending/);
      await choose(page, "move-and-send");
      assert.equal(await settledSends(page, 1), 1);
      const sent = await lastSent(page);
      assert.deepEqual(sent.to, [BOSS]);
      assert.deepEqual(sorted(sent.bcc), sorted(EXTERNALS));
    });
  });
}
