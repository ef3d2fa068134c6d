/**
 * @file The Gmail guard end to end, in Chromium and in Firefox ESR: the built
 * extension (dist/chrome, dist/firefox) on the Gmail fixture served at
 * https://mail.google.com/mail/u/0/ with a strict CSP, driven by trusted
 * input. Every scenario asserts the fixture's count of native sends:
 * exactly one after a confirmation, none after a cancel, never two.
 */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { gmailRouter, gmailUrl } from "./lib/gmail-fixture.mjs";
import { BROWSERS, DIALOG, HOST, button, choose, lastSent, noDialog, settledSends, waitForDialog, oneInToThirtyInBcc } from "./lib/guard-steps.mjs";
import { scheduleOpens, scheduleScenarios } from "./lib/schedule-steps.mjs";

const EXTERNALS = ["ann@one.example", "bob@two.example", "cy@three.example"];
const SEND = `document.querySelector(".IZ .Up div > div[role=button].aoO")`;
const BODY = `document.querySelector("[g_editable=true]")`;
/** Send options: the arrow beside Send, its "Schedule send" item, a preset time of Gmail's schedule dialog. */
const MORE = `document.querySelector(".IZ .Up .hG")`;
const SCHEDULE = `document.querySelector('[selector="scheduledSend"]')`;
const PRESET = `document.querySelector('.ZkmAeb [data-preset="tomorrow-morning"]')`;

let run = 0;
/** A fresh load of the fixture (the run counter defeats same-URL hash jumps). */
async function open(page, params) {
  await page.goto(gmailUrl({ ...params, run: ++run }));
  await page.waitFor("document.documentElement.dataset.fixtureReady === '1'");
}

for (const browser of BROWSERS) {
  describe(`Gmail in ${browser.name}`, { skip: browser.skip }, () => {
    let session;
    let page;
    before(async () => {
      session = await browser.launch({ extensionDir: browser.extensionDir, routes: { "mail.google.com": gmailRouter }, locale: "en-US" });
      page = await session.newPage();
    });
    after(async () => {
      await session?.close();
    });

    test("a mail without exposure is sent as before, with no dialog", async () => {
      await open(page, { to: ["boss@corp.example", "ann@one.example"] });
      await page.click(SEND);
      assert.equal(await settledSends(page, 1), 1);
      assert.equal(await page.evaluate(noDialog), true);
      assert.deepEqual((await lastSent(page)).to, ["boss@corp.example", "ann@one.example"]);
    });

    test("Send with exposure stops, explains, and 'Move to BCC and send' sends once", async () => {
      await open(page, { to: ["boss@corp.example", ...EXTERNALS] });
      await page.click(SEND);
      const dialog = await waitForDialog(page);
      assert.equal(dialog.role, "alertdialog");
      assert.equal(dialog.isChildOfRoot, true);
      assert.deepEqual(dialog.actions, ["move-and-send", "move", "send-anyway", "cancel"]);
      assert.deepEqual(dialog.addresses.sort(), [...EXTERNALS].sort());
      assert.match(dialog.text, /3 external recipients from 3 unrelated/);
      assert.equal(await settledSends(page, 0), 0, "nothing is sent while the dialog is open");

      await choose(page, "move-and-send");
      assert.equal(await settledSends(page, 1), 1);
      const sent = await lastSent(page);
      assert.deepEqual(sent.to, ["boss@corp.example"], "the colleague stays visible");
      assert.deepEqual(sent.cc, []);
      assert.deepEqual([...sent.bcc].sort(), [...EXTERNALS].sort());
    });

    test("one outsider in To and 30 in Bcc: the Bcc recipients would see it; Move to BCC and send", () =>
      oneInToThirtyInBcc(page, (params) => open(page, params), SEND));

    test("Ctrl+Enter in the body is caught; Escape cancels and returns the focus", async () => {
      await open(page, { to: EXTERNALS });
      await page.focus(BODY);
      await page.press("Control+Enter");
      await waitForDialog(page);
      await page.press("Escape");
      await page.waitFor(noDialog);
      assert.equal(await settledSends(page, 0), 0);
      assert.equal(await page.evaluate(`${BODY} === document.activeElement`), true, "focus is back in the compose");
      // Cancel leaves everything as it was; a second try asks again.
      assert.deepEqual(await page.evaluate("window.__fixture.chips('to')"), EXTERNALS);
      await page.press("Control+Enter");
      await waitForDialog(page);
      await choose(page, "send-anyway");
      assert.equal(await settledSends(page, 1), 1);
      assert.deepEqual((await lastSent(page)).to, EXTERNALS, "sent anyway, unchanged");
    });

    test("⌘+Enter is caught", async () => {
      await open(page, { to: EXTERNALS });
      await page.focus(BODY);
      await page.press("Meta+Enter");
      await waitForDialog(page);
      await choose(page, "cancel");
      assert.equal(await settledSends(page, 0), 0);
    });

    test("Enter and Space on the focused Send button are caught", async () => {
      for (const key of ["Enter", " "]) {
        await open(page, { to: EXTERNALS });
        await page.focus(SEND);
        await page.press(key);
        await waitForDialog(page);
        await choose(page, "move-and-send");
        assert.equal(await settledSends(page, 1), 1, `key ${JSON.stringify(key)}`);
        assert.equal((await lastSent(page)).bcc.length, 3);
      }
    });

    test("a double click and repeated shortcuts open one dialog and send once", async () => {
      await open(page, { to: EXTERNALS });
      await page.click(SEND, { clickCount: 2 });
      await waitForDialog(page);
      assert.equal(await page.evaluate(`document.querySelectorAll('[data-bcc-guard="dialog"]').length`), 1);
      await choose(page, "move-and-send");
      assert.equal(await settledSends(page, 1), 1);

      await open(page, { to: EXTERNALS });
      await page.focus(BODY);
      await page.press("Control+Enter");
      await page.press("Control+Enter");
      await page.press("Control+Enter");
      await waitForDialog(page);
      // However the presses fell before and after the dialog opened, none of
      // them chose anything for the user.
      assert.equal(await settledSends(page, 0), 0);
      assert.equal(await page.evaluate(`!!${DIALOG}`), true);
      // Clicking the button twice quickly cannot send twice either.
      await page.click(button("send-anyway"), { clickCount: 2 });
      assert.equal(await settledSends(page, 1, 600), 1);
    });

    test("'Move to BCC' keeps the compose open; the next Send goes through untouched", async () => {
      await open(page, { to: ["boss@corp.example", ...EXTERNALS] });
      await page.click(SEND);
      await waitForDialog(page);
      await choose(page, "move");
      await page.waitFor(noDialog);
      assert.equal(await settledSends(page, 0), 0);
      assert.deepEqual(await page.evaluate("window.__fixture.chips('to')"), ["boss@corp.example"]);
      assert.deepEqual((await page.evaluate("window.__fixture.chips('bcc')")).sort(), [...EXTERNALS].sort());
      await page.click(SEND);
      assert.equal(await settledSends(page, 1), 1);
      assert.equal(await page.evaluate(noDialog), true);
    });

    test("To emptied by the move gets the sender; duplicates in To and Cc become one Bcc entry", async () => {
      await open(page, { to: EXTERNALS, cc: ["ann@one.example", "dee@four.example"] });
      await page.click(SEND);
      const dialog = await waitForDialog(page);
      assert.deepEqual(dialog.addresses.sort(), [...EXTERNALS, "dee@four.example"].sort());
      await choose(page, "move-and-send");
      assert.equal(await settledSends(page, 1), 1);
      const sent = await lastSent(page);
      assert.deepEqual(sent.to, ["me@corp.example"]);
      assert.deepEqual(sent.cc, []);
      assert.deepEqual([...sent.bcc].sort(), [...EXTERNALS, "dee@four.example"].sort());
    });

    test("thirty gmail.com customers are thirty parties", async () => {
      const customers = Array.from({ length: 30 }, (_, i) => `customer${i}@gmail.com`);
      await open(page, { to: customers });
      await page.click(SEND);
      const dialog = await waitForDialog(page);
      assert.equal(dialog.addresses.length, 30);
      assert.match(dialog.text, /Individual addresses at gmail\.com \(30\)/);
      await choose(page, "cancel");
      assert.equal(await settledSends(page, 0), 0);
    });

    test("typed text counts; suggestion chips do not; a group chip is unreadable and shown", async () => {
      await open(page, { to: ["ann@one.example", "bob@two.example"], typed: "zed@typed.example" });
      await page.click(SEND);
      let dialog = await waitForDialog(page);
      assert.ok(dialog.addresses.includes("zed@typed.example"), "text not yet turned into a chip is a recipient");
      await choose(page, "move-and-send");
      assert.equal(await settledSends(page, 1), 1);
      const sent = await lastSent(page);
      assert.deepEqual([...sent.bcc].sort(), ["ann@one.example", "bob@two.example", "zed@typed.example"]);
      assert.equal(sent.typed.to, "", "nothing is left typed in To");

      await open(page, { to: ["ann@one.example", "bob@two.example"], suggest: 1 });
      await page.click(SEND);
      assert.equal(await settledSends(page, 1), 1, "two parties: the suggested chip is not a third");
      assert.equal(await page.evaluate(noDialog), true);

      await open(page, { to: ["ann@one.example", "bob@two.example", "@group:Sales Team"] });
      await page.click(SEND);
      dialog = await waitForDialog(page);
      assert.deepEqual(dialog.raws, ["Sales Team"]);
      assert.match(dialog.text, /could not be read/);
      await choose(page, "cancel");
    });

    test("a contact group in To or Cc hides who the mail reaches: warned even beside one colleague, not in Bcc", async () => {
      for (const variant of ["mole", "classic"]) {
        for (const field of ["to", "cc"]) {
          const fields = field === "to" ? { to: ["@group:Sales Team", "boss@corp.example"] } : { to: ["boss@corp.example"], cc: ["@group:Sales Team"] };
          await open(page, { variant, ...fields });
          await page.click(SEND);
          const dialog = await waitForDialog(page);
          assert.match(dialog.text, /cannot see who this message reaches/, `${variant} ${field}`);
          assert.deepEqual(dialog.raws, ["Sales Team"]);
          await choose(page, "cancel");
          assert.equal(await settledSends(page, 0), 0);
        }
      }
      // In Bcc its members see To and Cc, but nobody sees them.
      await open(page, { to: ["boss@corp.example"], bcc: ["@group:Sales Team"] });
      await page.click(SEND);
      assert.equal(await settledSends(page, 1), 1);
      assert.equal(await page.evaluate(noDialog), true);
    });

    test("a hostile display name is shown as text", async () => {
      await open(page, { to: EXTERNALS });
      await page.evaluate(`document.querySelector('[data-hovercard-id="ann@one.example"]').setAttribute("data-name", "<img src=x onerror=alert(1)>")`);
      await page.click(SEND);
      const dialog = await waitForDialog(page);
      assert.match(dialog.text, /<img src=x onerror=alert\(1\)>/);
      assert.equal(await page.evaluate(`${HOST}.shadowRoot.querySelectorAll("img").length`), 0);
      await choose(page, "cancel");
    });

    test("an address in the subject part of the title does not make its owner a colleague", async () => {
      // The pop-out window has no account button, so the title names the
      // account: "<subject> - <account> - Gmail". Only that part counts.
      await open(page, { variant: "popout", to: EXTERNALS });
      await page.evaluate(`document.title = "Fwd: from cy@three.example - me@corp.example - Gmail"`);
      await page.focus(BODY);
      await page.press("Control+Enter");
      const dialog = await waitForDialog(page);
      assert.deepEqual(dialog.addresses.sort(), [...EXTERNALS].sort(), "all three are strangers to each other");
      await choose(page, "cancel");
      assert.equal(await settledSends(page, 0), 0);
    });

    test("a page script clicking a dialog button chooses nothing", async () => {
      await open(page, { to: EXTERNALS });
      await page.click(SEND);
      await waitForDialog(page);
      await new Promise((resolve) => setTimeout(resolve, 450)); // past the arming delay
      for (const action of ["send-anyway", "move-and-send"]) await page.evaluate(`${button(action)}.click()`);
      assert.equal(await settledSends(page, 0), 0);
      assert.equal(await page.evaluate(`!!${DIALOG}`), true, "the dialog is still waiting for the user");
      await choose(page, "cancel");
      assert.equal(await page.evaluate(noDialog), true);
    });

    test("page CSS does not reach the dialog", async () => {
      await open(page, { to: EXTERNALS });
      await page.click(SEND);
      await waitForDialog(page);
      // Hostile page styles, as a webmail theme or another extension might add.
      await page.evaluate(`(() => {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync("* { color: rgb(255, 0, 0) !important; font-size: 40px !important; display: inline !important } [data-bcc-guard] { color: rgb(255, 0, 0) !important; font-size: 40px !important; }");
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
      })()`);
      const style = await page.evaluate(`(() => {
        const root = ${HOST}.shadowRoot;
        const title = getComputedStyle(root.querySelector("h2"));
        const dialog = getComputedStyle(root.querySelector('[role="alertdialog"]'));
        return { color: title.color, size: title.fontSize, display: dialog.display, position: dialog.position };
      })()`);
      assert.deepEqual(style, { color: "rgb(32, 33, 36)", size: "18px", display: "flex", position: "fixed" });
      await choose(page, "cancel");
    });

    test("keys in the dialog stay in the dialog: no Gmail shortcuts, focus trapped", async () => {
      await open(page, { to: EXTERNALS });
      await page.click(SEND);
      await waitForDialog(page);
      const before = await page.evaluate("window.__fixture.shortcuts");
      await page.press("c");
      await page.press("x");
      assert.equal(await page.evaluate("window.__fixture.shortcuts"), before);
      const focused = [];
      for (let i = 0; i < 6; i++) {
        focused.push(await page.evaluate(`(e => e?.dataset.action ?? e?.dataset.link ?? null)(${HOST}.shadowRoot.activeElement)`));
        await page.press("Tab");
      }
      assert.deepEqual(focused, ["move-and-send", "move", "send-anyway", "cancel", "settings", "move-and-send"]);
      // Focus is now on "move"; backwards wraps from the first to the last.
      await page.press("Shift+Tab");
      await page.press("Shift+Tab");
      await page.press("Shift+Tab");
      assert.equal(await page.evaluate(`${HOST}.shadowRoot.activeElement?.dataset.action`), "cancel");
      // Enter right after the dialog opens is ignored (it may be the send
      // key pressed twice); a deliberate Enter a moment later chooses.
      await new Promise((resolve) => setTimeout(resolve, 450));
      await page.press("Enter");
      await page.waitFor(noDialog);
      assert.equal(await settledSends(page, 0), 0);
    });

    test("a Send button re-rendered between attempts", async () => {
      await open(page, { to: EXTERNALS, rerender: 1 });
      await page.click(SEND);
      await waitForDialog(page);
      await new Promise((resolve) => setTimeout(resolve, 700)); // Gmail re-renders meanwhile.
      await choose(page, "move-and-send");
      assert.equal(await settledSends(page, 1), 1);
    });

    test("Gmail's own refusal returns the guard to idle", async () => {
      await open(page, { to: EXTERNALS, alert: 1 });
      await page.click(SEND);
      await waitForDialog(page);
      await choose(page, "send-anyway");
      await page.waitFor(`!!document.querySelector('body > [role=alertdialog]')`);
      assert.equal(await settledSends(page, 0), 0);
      await page.click(`document.querySelector('body > [role=alertdialog] [role=button], body > [role=alertdialog] button')`);
      // The guard is idle again: the next attempt is checked and can send.
      await page.click(SEND);
      await waitForDialog(page);
      await choose(page, "send-anyway");
      assert.equal(await settledSends(page, 1), 1);
    });

    test("Gmail resetting a fresh compose does not defeat the move", async () => {
      await open(page, { to: EXTERNALS, reset: 1 });
      await page.click(SEND);
      await waitForDialog(page);
      await choose(page, "move-and-send");
      assert.equal(await settledSends(page, 1), 1);
      assert.deepEqual([...(await lastSent(page)).bcc].sort(), [...EXTERNALS].sort());
    });

    for (const variant of ["fullscreen", "inline", "popout", "classic"]) {
      test(`the ${variant} compose`, async () => {
        await open(page, { variant, to: EXTERNALS });
        await page.click(SEND);
        const dialog = await waitForDialog(page);
        assert.deepEqual(dialog.addresses.sort(), [...EXTERNALS].sort());
        await choose(page, "move-and-send");
        assert.equal(await settledSends(page, 1), 1);
        const sent = await lastSent(page);
        assert.deepEqual([...sent.bcc].sort(), [...EXTERNALS].sort(), JSON.stringify(sent));
        assert.deepEqual(sent.to, ["me@corp.example"]);
      });
    }

    test("two composes at once are guarded separately", async () => {
      await open(page, { variant: "two", to: EXTERNALS, to2: ["boss@corp.example"] });
      const sendOf = (id) => `document.querySelector('input[name=composeid][value="${id}"]').closest("[role=dialog]").querySelector(".aoO")`;
      await page.click(sendOf("c2"));
      assert.equal(await settledSends(page, 1), 1, "the harmless one goes");
      await page.click(sendOf("c1"));
      await waitForDialog(page);
      await choose(page, "move-and-send");
      assert.equal(await settledSends(page, 2), 2);
      const sent = await page.evaluate("window.__fixture.sent.map((s) => [s.composeId, s.bcc.length])");
      assert.deepEqual(sent, [["c2", 0], ["c1", 3]]);
    });

    test("a send while the background is asleep is still checked", { skip: browser.name === "firefox" && "Firefox offers no way to suspend an event page on demand" }, async () => {
      await open(page, { to: EXTERNALS });
      await session.stopBackground();
      await page.click(SEND);
      const dialog = await waitForDialog(page);
      assert.deepEqual(dialog.addresses.sort(), [...EXTERNALS].sort());
      await choose(page, "move-and-send");
      assert.equal(await settledSends(page, 1), 1);
      assert.equal((await lastSent(page)).bcc.length, 3);
    });

    test("an IME composition keydown is not a send", async () => {
      await open(page, { to: EXTERNALS });
      // Only a trusted IME can produce isComposing; the page dispatches one the
      // guard must ignore (Gmail decides what it means).
      await page.evaluate(`${BODY}.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", ctrlKey: true, isComposing: true, bubbles: true, cancelable: true }))`);
      assert.equal(await page.evaluate(noDialog), true);
    });

    scheduleScenarios({ name: "Gmail", page: () => page, open, menu: MORE, item: SCHEDULE, preset: PRESET, variants: ["fullscreen", "inline", "popout"] });

    test("Schedule send from the keyboard (Enter on the open send-options menu) is caught", async () => {
      await open(page, { to: EXTERNALS });
      await page.focus(MORE);
      await page.press("Enter"); // opens the menu
      await page.press("Enter"); // chooses "Schedule send"
      await waitForDialog(page);
      assert.equal(await page.evaluate(scheduleOpens), 0);
      await choose(page, "cancel");
      assert.equal(await settledSends(page, 0), 0);
    });

    test("1,000 recipients: the dialog lists every one and the move succeeds", async () => {
      await open(page, { n: 1000 });
      await page.click(SEND);
      const dialog = await waitForDialog(page, 15000);
      assert.equal(dialog.addresses.length, 1000);
      await choose(page, "move-and-send");
      assert.equal(await settledSends(page, 1), 1);
      assert.equal((await lastSent(page)).bcc.length, 1000);
    });
  });
}
