/**
 * @file The live notice in the compose (www/content/notice.js) end to end,
 * on the Gmail and Outlook fixtures in Chromium and Firefox ESR, through its
 * automation contract: it appears while the user writes, names the parties
 * as the engine grouped them, *Move them to Bcc* moves exactly them and sends
 * nothing (the next Send goes out with them in Bcc), *Details* opens the
 * dialog with no send on offer, *Dismiss* lasts until someone new is on
 * show, it hides when the recipients are fixed by hand, and the page can
 * neither drop it for good nor hide it with CSS. Roundcube's notice is tested
 * at the SMTP server in roundcube.test.mjs. Last, the notice on its own in a
 * page of its own: the "not protected" state, called directly.
 */

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { PROTOCOL_VERSION } from "../../www/lib/engine-client.js";
import { callEngine } from "../../www/lib/engine-host.js";
import { releaseEngine } from "../js/wasm.mjs";
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

/**
 * The notice's height is a whole number of pixels: what it pushes aside
 * moves by its height, and a fractional move costs Chromium a repaint of
 * every element moved (a 1,000-recipient Gmail compose: 10–18 ms; notice.js).
 * @param {number} height
 */
function assertWholePixels(height) {
  assert.ok(height > 0 && Number.isInteger(height), `the notice is ${height} px high`);
}

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
        assertWholePixels(await page.evaluate(`${NOTICE()}.getBoundingClientRect().height`));
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

/*
 * The notice on its own, in a page of its own: notice.js loaded as a module
 * (no extension), `chrome.i18n` standing in with the real English
 * catalogue, and replies from the real engine (the release WASM in Node).
 * What the detector will call (`showBlind`, `clearBlind`) is called here
 * directly, since no detector is wired to it yet.
 */
const WWW = fileURLToPath(new URL("../../www/", import.meta.url));
const CATALOGUES = `{ en: ${readFileSync(path.join(WWW, "_locales", "en", "messages.json"), "utf8")}, ja: ${readFileSync(path.join(WWW, "_locales", "ja", "messages.json"), "utf8")} }`;
const COMPONENT_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>notice</title></head><body>
<div id="compose"><div id="headers">To: …</div><div id="editor"><div contenteditable="true" id="body">Hello</div></div></div>
<script>
  // ?lang=ja: the Japanese catalogue, as the browser would pick it.
  const catalogue = (${CATALOGUES})[new URLSearchParams(location.search).get("lang") ?? "en"];
  // chrome.i18n.getMessage as Chromium does it: $NAME$ placeholders, then $1…
  globalThis.chrome = { runtime: { id: "test" }, i18n: { getMessage(key, subs = []) {
    const entry = catalogue[key];
    if (!entry) return "";
    return entry.message.replace(/\\$([A-Za-z0-9_]+)\\$/g, (_, name) => entry.placeholders?.[name.toLowerCase()]?.content ?? "")
      .replace(/\\$(\\d)/g, (_, n) => subs[n - 1] ?? "");
  } } };
</script>
<script type="module">
  import { Notice } from "/content/notice.js";
  window.Notice = Notice;
  document.documentElement.dataset.ready = "1";
</script></body></html>`;

/** Serves the component page and www/ as it is, at https://notice.test/. */
function componentRouter(url) {
  if (url.pathname === "/") return { headers: { "content-type": "text/html; charset=utf-8" }, body: COMPONENT_PAGE };
  const file = path.join(WWW, path.normalize(url.pathname));
  if (!file.startsWith(WWW) || !existsSync(file)) return { status: 404, headers: { "content-type": "text/plain" }, body: "not found" };
  return { headers: { "content-type": "text/javascript; charset=utf-8" }, body: readFileSync(file, "utf8") };
}

const { Engine } = await releaseEngine().catch(() => ({ Engine: null }));
const engine = Engine && new Engine(JSON.stringify({ managed: null, user: null }));
/** The real engine's reply about a compose's To, as the precheck would hear it. */
const evaluate = (to) => {
  const compose = { account: "me@corp.example", host: "mail.google.com", complete: true, to: to.map((address) => ({ address })), cc: [], bcc: [] };
  return { reply: callEngine(engine, { v: PROTOCOL_VERSION, kind: "evaluate", compose }), compose };
};

for (const browser of BROWSERS) {
  describe(`The notice on its own in ${browser.name}`, { skip: browser.skip || (!engine && "build/pkg is missing: run npm run build") }, () => {
    let session;
    let page;
    before(async () => {
      session = await browser.launch({ extensionDir: null, routes: { "notice.test": componentRouter }, locale: "en-US" });
      page = await session.newPage();
      await page.goto("https://notice.test/");
      await page.waitFor("document.documentElement.dataset.ready === '1'");
    });
    after(async () => {
      await session?.close();
    });

    test("showBlind says 'Not protected' above the editor, over any exposure, until cleared", async () => {
      const exposure = evaluate(["a1@a.example", "a2@a.example", "b@b.example", "p@gmail.com", "q@gmail.com"]);
      const setup = `(() => {
        const root = document.getElementById("compose");
        const adapter = { noticeSlot: (r) => ({ parent: r, before: r.querySelector("#editor") }) };
        window.notice = new Notice(root, adapter, { move() {}, details() {}, focus() {} });
        return true;
      })()`;
      await page.evaluate(setup);
      assert.equal(await page.evaluate(`!!${NOTICE()}`), false, "nothing to show: no host");
      await page.evaluate(`(notice.showBlind(), true)`);
      const blind = await waitForNotice(page, "blind");
      assert.equal(blind.text.includes("Not protected: BCC Guard cannot read this message. Check the recipients yourself."), true, blind.text);
      assert.deepEqual(blind.actions, ["dismiss"]);
      assert.equal(blind.role, "status");
      assert.equal(blind.inEditor, false);
      assert.equal(await page.evaluate(`${NOTICE()}.nextElementSibling?.id`), "editor", "right above the editor");
      // An exposure meanwhile does not hide that the compose cannot be read.
      await page.evaluate(`(notice.verdict(${JSON.stringify(exposure.reply)}, ${JSON.stringify(exposure.compose)}), true)`);
      assert.equal((await noticeOf(page)).state, "blind");
      // Readable again: the exposure, in the engine's groups.
      await page.evaluate(`(notice.clearBlind(), true)`);
      const shown = await waitForNotice(page, "exposure");
      assert.match(shown.text, /BCC Guard: 4 outside parties would see each other's addresses: a\.example \(2\), 2 people at gmail\.com, b\.example/);
      assert.deepEqual(shown.parties.map((p) => [p.party, p.parties]), [["a.example", 1], ["gmail.com", 2], ["b.example", 1]]);
      assert.equal(shown.parties.reduce((sum, p) => sum + p.parties, 0), exposure.reply.verdict.exposedParties);
      // Blind again, dismissed: hidden until it is blind anew.
      await page.evaluate(`(notice.showBlind(), true)`);
      await waitForNotice(page, "blind");
      await page.evaluate(`(notice.dismiss(), true)`);
      assert.equal((await noticeOf(page)).state, "exposure", "dismissing 'not protected' leaves the exposure");
    });

    test("in Japanese: the blind text and the parties in the catalogue's words", async () => {
      const exposure = evaluate(["a1@a.example", "a2@a.example", "p@gmail.com", "q@gmail.com"]);
      await page.goto("https://notice.test/?lang=ja");
      await page.waitFor("document.documentElement.dataset.ready === '1'");
      await page.evaluate(`(() => {
        const root = document.getElementById("compose");
        window.ja = new Notice(root, { noticeSlot: (r) => ({ parent: r, before: r.querySelector("#editor") }) }, { move() {}, details() {}, focus() {} });
        ja.showBlind();
        return true;
      })()`);
      const blind = await waitForNotice(page, "blind");
      assert.match(blind.text, /保護されていません: BCC Guard はこのメッセージを読み取れません。宛先をご自身で確認してください。/);
      assert.equal(await page.evaluate(`${NOTICE()}.lang`), "ja");
      await page.evaluate(`(ja.clearBlind(), ja.verdict(${JSON.stringify(exposure.reply)}, ${JSON.stringify(exposure.compose)}), true)`);
      const shown = await waitForNotice(page, "exposure");
      assert.match(shown.text, /外部の 3 者に互いのアドレスが見えてしまいます: a\.example（2）、gmail\.com の個人 2 人/);
      assert.deepEqual(shown.actions, ["move", "details", "dismiss"]);
      // Japanese text in another font on the same lines: still whole pixels.
      assertWholePixels(await page.evaluate(`${NOTICE()}.getBoundingClientRect().height`));
      await page.evaluate(`(ja.dismiss(), true)`);
      await page.goto("https://notice.test/");
      await page.waitFor("document.documentElement.dataset.ready === '1'");
    });

    test("a slot inside an editor is refused: the notice goes to the top of the compose", async () => {
      const exposure = evaluate(["x@x.example", "y@y.example", "z@z.example"]);
      await page.evaluate(`(() => {
        const root = document.getElementById("compose");
        const adapter = { noticeSlot: (r) => ({ parent: r.querySelector("#body"), before: null }) };
        window.inEditor = new Notice(root, adapter, { move() {}, details() {}, focus() {} });
        inEditor.verdict(${JSON.stringify(exposure.reply)}, ${JSON.stringify(exposure.compose)});
        return true;
      })()`);
      assert.equal(await page.evaluate(`inEditor.host.parentElement.id`), "compose");
      assert.equal(await page.evaluate(`inEditor.host.closest("[contenteditable]")`), null);
      // Nothing would be stopped any more: hidden, and the contract says so.
      const harmless = evaluate(["x@x.example"]);
      await page.evaluate(`(inEditor.verdict(${JSON.stringify(harmless.reply)}, ${JSON.stringify(harmless.compose)}), true)`);
      assert.deepEqual(await page.evaluate(`[inEditor.host.dataset.state, inEditor.host.hidden]`), ["hidden", true]);
    });
  });
}
