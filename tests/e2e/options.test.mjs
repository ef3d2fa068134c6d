/**
 * @file The options page in Chromium and Firefox: reached from the warning
 * dialog's "Settings" link, as a user reaches it; live validation by the
 * Rust validator, persistence, the guard applying saved settings, and Japanese.
 */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { gmailRouter, gmailUrl } from "./lib/gmail-fixture.mjs";
import { BROWSERS, HOST, choose, openOptions, settledSends, waitForDialog } from "./lib/guard-steps.mjs";

const SEND = `document.querySelector(".IZ .Up div > div[role=button].aoO")`;
let run = 0;

async function openGmail(page, params) {
  await page.goto(gmailUrl({ ...params, run: ++run }));
  await page.waitFor("document.documentElement.dataset.fixtureReady === '1'");
}

/** Sets a field's value as typing would, so that validation runs. */
function setField(page, id, value) {
  return page.evaluate(`(() => {
    const field = document.getElementById(${JSON.stringify(id)});
    field.value = ${JSON.stringify(value)};
    field.dispatchEvent(new Event("input", { bubbles: true }));
  })()`);
}

const errorsOf = (key) => `[...document.querySelectorAll('.field[data-key="${key}"] .error')].map((e) => e.textContent)`;

for (const browser of BROWSERS) {
  describe(`Options page in ${browser.name}`, { skip: browser.skip }, () => {
    let session;
    let page;
    before(async () => {
      session = await browser.launch({ extensionDir: browser.extensionDir, routes: { "mail.google.com": gmailRouter }, locale: "en-US" });
      page = await session.newPage();
    });
    after(async () => {
      await session?.close();
    });

    test("validates live, saves, and the guard applies the saved settings", async () => {
      const options = await openOptions(session, page);
      // Loaded: the form is no longer inert, and the loading note is gone.
      // (The page ships inert, so nothing can be saved before this point.)
      assert.deepEqual(await options.evaluate("[document.getElementById('settings').inert, document.getElementById('status').textContent]"), [false, ""]);
      assert.equal(await options.evaluate("document.getElementById('minExposedParties').value"), "3");

      await setField(options, "internalDomains", "corp.example\nco.jp\ngmail.com");
      const errors = await options.evaluate(errorsOf("internalDomains"));
      assert.equal(errors.length, 2);
      assert.match(errors[0], /Line 2: .*co\.jp.*public suffix/);
      assert.match(errors[1], /Line 3: .*gmail\.com.*consumer mail/);
      await setField(options, "minExposedParties", "1");
      assert.match((await options.evaluate(errorsOf("minExposedParties")))[0], /from 2 to 50/);

      // Saving with errors saves nothing.
      await options.click("document.getElementById('save')");
      assert.match(await options.evaluate("document.getElementById('status').textContent"), /Not saved/);

      await setField(options, "internalDomains", "Corp.Example.\npartner-corp.example");
      await setField(options, "minExposedParties", "2");
      assert.deepEqual(await options.evaluate("[...document.querySelectorAll('.error')].length"), 0);
      await options.click("document.getElementById('save')");
      await options.waitFor("document.getElementById('status').textContent === 'Saved.'");

      // Persisted, normalised, and shown again after a reload.
      // Mark the old document, so that waiting cannot mistake it for the new one.
      await options.evaluate("(document.documentElement.dataset.ready = 'reloading', location.reload())");
      await options.waitFor("document.documentElement.dataset.ready === '1'");
      assert.equal(await options.evaluate("document.getElementById('internalDomains').value"), "corp.example\npartner-corp.example");
      assert.equal(await options.evaluate("document.getElementById('minExposedParties').value"), "2");

      // The guard uses them: two outside parties now stop the send, and the
      // newly internal domain is not among the exposed.
      await openGmail(page, { to: ["ann@one.example", "bob@two.example", "pat@partner-corp.example"] });
      await page.click(SEND);
      const dialog = await waitForDialog(page);
      assert.deepEqual(dialog.addresses.sort(), ["ann@one.example", "bob@two.example"]);
      await choose(page, "cancel");
      assert.equal(await settledSends(page, 0), 0);
    });
  });

  describe(`Options page in ${browser.name}, in Japanese`, { skip: browser.skip }, () => {
    let session;
    before(async () => {
      session = await browser.launch({ extensionDir: browser.extensionDir, routes: { "mail.google.com": gmailRouter }, locale: "ja" });
    });
    after(async () => {
      await session?.close();
    });

    test("the warning dialog is in Japanese", async () => {
      const page = await session.newPage();
      await openGmail(page, { lang: "ja", to: ["ann@one.example", "bob@two.example", "cy@three.example"] });
      await page.click(SEND);
      const dialog = await waitForDialog(page);
      assert.equal(dialog.title, "宛先が互いに見えてしまいます");
      assert.match(dialog.text, /社外の宛先 3 件（3 つの組織・個人）/);
      const labels = await page.evaluate(`[...${HOST}.shadowRoot.querySelectorAll("[data-action]")].map((b) => b.textContent)`);
      assert.deepEqual(labels, ["BCCに移動して送信", "BCCに移動", "このまま送信", "キャンセル"]);
      await choose(page, "move-and-send");
      assert.equal(await settledSends(page, 1), 1);
      await page.close();
    });

    test("the page and its errors are in Japanese", async () => {
      const page = await session.newPage();
      const options = await openOptions(session, page);
      assert.equal(await options.evaluate("document.querySelector('h1').textContent"), "BCC Guard の設定");
      assert.equal(await options.evaluate("document.documentElement.lang"), "ja");
      await setField(options, "trustedDomains", "com");
      assert.match((await options.evaluate(errorsOf("trustedDomains")))[0], /1 行目：「com」は .com や .co.jp のような公開サフィックス/);
    });
  });
}
