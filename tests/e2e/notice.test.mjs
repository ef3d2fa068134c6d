/**
 * @file The live notice in the compose (www/content/notice.js) end to end,
 * on the Gmail and Outlook fixtures in Chromium and Firefox ESR, through its
 * automation contract: it appears while the user writes, names the parties
 * as the engine grouped them, *Move them to Bcc* moves exactly them and sends
 * nothing (the next Send goes out with them in Bcc), *Details* opens the
 * dialog with no send on offer, *Dismiss* lasts until someone new is on
 * show, it hides when the recipients are fixed by hand, and the page can
 * neither drop it for good nor hide it with CSS. Roundcube's notice is tested
 * at the SMTP server in roundcube.test.mjs.
 */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { gmailRouter, gmailUrl } from "./lib/gmail-fixture.mjs";
import { outlookRouter, outlookUrl } from "./lib/outlook-fixture.mjs";
import {
  BROWSERS,
  choose,
  DIALOG,
  lastSent,
  NOTICE,
  noDialog,
  noticeButton,
  noticeOf,
  settledSends,
  waitForDialog,
  waitForNotice,
} from "./lib/guard-steps.mjs";

const BOSS = "boss@corp.example";
const EXTERNALS = ["ann@one.example", "bob@two.example", "cy@three.example"];
const sorted = (list) => [...list].sort();

/** What differs between the two webmails, as page expressions. */
const WEBMAILS = [
  {
    name: "Gmail",
    routes: { "mail.google.com": gmailRouter },
    url: (params) => gmailUrl(params),
    send: `document.querySelector(".IZ .Up div > div[role=button].aoO")`,
    body: `document.querySelector("[g_editable=true]")`,
    toInput: `document.querySelector('div.anm[name="to"] input')`,
    separator: ",",
    removeChip: (address) => `document.querySelector('div.anm [role=option][data-hovercard-id="${address}"] .afX')`,
  },
  {
    name: "Outlook",
    routes: { "outlook.office.com": outlookRouter },
    url: (params) => outlookUrl(params, "outlook.office.com"),
    send: `document.querySelector('button[id$="__primaryActionButton"]')`,
    body: `document.querySelector('[contenteditable=true][aria-multiline=true]')`,
    toInput: `document.querySelector('[role=group][id$="_TO"] [role=textbox]')`,
    separator: ";",
    removeChip: (address) =>
      `[...document.querySelectorAll('[role=group][id$="_TO"] ._EType_RECIPIENT_ENTITY')].find((chip) => (chip.getAttribute("aria-label") ?? "").includes("${address}") || chip.textContent.includes("${address}"))?.querySelector(".removeButton-171")`,
  },
];

let run = 0;

for (const browser of BROWSERS) {
  for (const webmail of WEBMAILS) {
    describe(`The compose notice on ${webmail.name} in ${browser.name}`, { skip: browser.skip }, () => {
      let session;
      let page;
      before(async () => {
        session = await browser.launch({ extensionDir: browser.extensionDir, routes: webmail.routes, locale: "en-US" });
        page = await session.newPage();
      });
      after(async () => {
        await session?.close();
      });

      /** Loads the fixture and puts the caret in the body, as a user starting to write. */
      async function open(params) {
        await page.goto(webmail.url({ ...params, run: ++run }));
        await page.waitFor("document.documentElement.dataset.fixtureReady === '1'");
        await page.click(webmail.body);
      }

      /** Types one more recipient into To, committed as the webmail does. */
      async function addRecipient(address) {
        await page.click(webmail.toInput);
        await page.type(`${address}${webmail.separator}`);
        await page.waitFor(`window.__fixture.chips("to").includes(${JSON.stringify(address)})`);
      }

      test("appears while writing, names the parties, and takes neither the focus nor a place in the editor", async () => {
        await open({ to: [BOSS, ...EXTERNALS] });
        const notice = await waitForNotice(page, "exposure");
        assert.equal(notice.count, 1);
        assert.equal(notice.role, "status");
        assert.equal(notice.inEditor, false);
        assert.deepEqual(sorted(notice.parties.map((p) => p.party)), ["one.example", "three.example", "two.example"]);
        assert.deepEqual(notice.parties.map((p) => p.parties), [1, 1, 1]);
        assert.match(notice.text, /3 outside parties would see each other's addresses/);
        assert.deepEqual(notice.actions, ["move", "details", "dismiss"]);
        assert.equal(await page.evaluate(`${webmail.body} === document.activeElement`), true, "the caret stays where the user writes");
        // Above the body, inside the compose.
        assert.equal(await page.evaluate(`Boolean(${NOTICE()}.compareDocumentPosition(${webmail.body}) & Node.DOCUMENT_POSITION_FOLLOWING)`), true);
        // Its buttons are real buttons, in the Tab order.
        assert.equal(await page.evaluate(`${noticeButton("move")}.tabIndex >= 0 && ${noticeButton("move")}.tagName`), "BUTTON");
        assert.equal(await settledSends(page, 0, 0), 0);
      });

      test("Move them to Bcc moves exactly the outsiders and sends nothing; the next Send sends them in Bcc", async () => {
        await open({ to: [BOSS, ...EXTERNALS] });
        await waitForNotice(page, "exposure");
        await page.click(noticeButton("move"));
        await page.waitFor(`window.__fixture.chips("bcc").length === 3`);
        await waitForNotice(page, "hidden");
        assert.equal(await settledSends(page, 0), 0, "the move sends nothing");
        assert.equal(await page.evaluate(noDialog), true);
        assert.deepEqual(await page.evaluate(`window.__fixture.chips("to")`), [BOSS]);
        await page.click(webmail.send);
        assert.equal(await settledSends(page, 1), 1);
        assert.equal(await page.evaluate(noDialog), true, "nothing left to warn about");
        const sent = await lastSent(page);
        assert.deepEqual(sent.to, [BOSS]);
        assert.deepEqual(sorted(sent.bcc), sorted(EXTERNALS));
      });

      test("Details opens the dialog offering the move and no send; Cancel sends nothing and the notice stays", async () => {
        await open({ to: EXTERNALS });
        await waitForNotice(page, "exposure");
        await page.click(noticeButton("details"));
        const dialog = await waitForDialog(page);
        assert.deepEqual(dialog.actions, ["move", "cancel"]);
        assert.deepEqual(sorted(dialog.addresses), sorted(EXTERNALS));
        await choose(page, "cancel");
        await page.waitFor(noDialog);
        assert.equal(await settledSends(page, 0), 0);
        assert.equal((await noticeOf(page)).state, "exposure");
        // The dialog's move is the notice's move: nothing sent.
        await page.click(noticeButton("details"));
        await waitForDialog(page);
        await choose(page, "move");
        await page.waitFor(noDialog);
        await waitForNotice(page, "hidden");
        assert.equal(await settledSends(page, 0), 0);
        assert.deepEqual(sorted(await page.evaluate(`window.__fixture.chips("bcc")`)), sorted(EXTERNALS));
      });

      test("Dismiss lasts until someone new is on show; fixed by hand, the notice hides and Send goes through", async () => {
        await open({ to: EXTERNALS });
        await waitForNotice(page, "exposure");
        await page.click(noticeButton("dismiss"));
        await waitForNotice(page, "hidden");
        // A colleague is no one new on show.
        await addRecipient(BOSS);
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.equal((await noticeOf(page)).state, "hidden", "a colleague does not bring it back");
        // A fourth outsider does.
        await addRecipient("dee@four.example");
        const back = await waitForNotice(page, "exposure");
        assert.match(back.text, /4 outside parties/);
        assert.ok(back.parties.some((p) => p.party === "four.example"));
        // Fixed by hand: two outsiders are not an exposure.
        for (const address of ["cy@three.example", "dee@four.example"]) {
          await page.click(webmail.removeChip(address));
          await page.waitFor(`!window.__fixture.chips("to").includes("${address}")`);
        }
        await waitForNotice(page, "hidden");
        await page.click(webmail.send);
        assert.equal(await settledSends(page, 1), 1);
        assert.equal(await page.evaluate(noDialog), true);
      });

      test("the page can neither drop it for good nor hide it with CSS", async () => {
        await open({ to: EXTERNALS });
        await waitForNotice(page, "exposure");
        // A re-render that drops it: it is back in its slot.
        await page.evaluate(`(${NOTICE()}.remove(), true)`);
        await waitForNotice(page, "exposure");
        // Page CSS about the host, and an inline style a page script sets.
        await page.evaluate(`(() => { const style = document.createElement("style"); style.textContent = "[data-bcc-guard] { display: none !important; }"; document.head.append(style); return true; })()`);
        assert.equal((await noticeOf(page)).shown, true);
        await page.evaluate(`(${NOTICE()}.style.setProperty("display", "none", "important"), true)`);
        await waitForNotice(page, "exposure");
        // A script's click on a button is not the user's: nothing moves.
        await page.evaluate(`(${noticeButton("move")}.click(), true)`);
        await new Promise((resolve) => setTimeout(resolve, 400));
        assert.deepEqual(await page.evaluate(`window.__fixture.chips("bcc")`), []);
        assert.equal(await page.evaluate(`!!${DIALOG}`), false);
      });
    });
  }
}
