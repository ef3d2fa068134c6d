/**
 * @file Enterprise policy end to end, with real policy files: Chromium reads
 * /etc/chromium/policies/managed/*.json and Firefox
 * /etc/firefox/policies/policies.json at start-up, and hand the extension's
 * part to `storage.managed`. The tests show that the options page displays
 * the locked values read-only, that neither the page nor a direct storage
 * write can change them, that the guard applies them, and (Firefox, which
 * does not check types) that a malformed value is reported and protection
 * continues. Writing under /etc needs root; otherwise the suite is skipped.
 * The files are removed afterwards (and a pre-existing Firefox policies.json
 * is restored).
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { gmailRouter, gmailUrl } from "./lib/gmail-fixture.mjs";
import { BROWSERS, HOST, choose, noticeOf, settledSends, waitForDialog } from "./lib/guard-steps.mjs";
import { installPolicy } from "./lib/policy-files.mjs";

const EXTENSION_ID = "paldapobjjgoepiejgigblhhidmhagng";
const GECKO_ID = "bcc-guard@bccguard.org";
const SEND = `document.querySelector(".IZ .Up div > div[role=button].aoO")`;

/** What the admin sets: block at two parties, a trusted partner, no notice in the compose. */
const POLICY = { minExposedParties: 2, action: "block", trustedDomains: ["partner.example"], composeNotice: false };

const isRoot = process.getuid?.() === 0;
const notRoot = !isRoot && "writing policy files under /etc needs root; run npm test as root to include these tests";

const POLICY_FILES = {
  chromium: {
    file: "/etc/chromium/policies/managed/bcc-guard-e2e.json",
    content: { "3rdparty": { extensions: { [EXTENSION_ID]: POLICY } } },
  },
  firefox: {
    file: "/etc/firefox/policies/policies.json",
    // Firefox passes values through unchecked: a wrong type reaches the engine.
    content: { policies: { "3rdparty": { Extensions: { [GECKO_ID]: { ...POLICY, toPlaceholder: 7 } } } } },
  },
};

for (const browser of BROWSERS) {
  describe(`Managed policy in ${browser.name}`, { skip: browser.skip || notRoot }, () => {
    let session;
    let page;
    let removePolicy = () => {};
    let run = 0;
    const openGmail = async (params) => {
      await page.goto(gmailUrl({ ...params, run: ++run }));
      await page.waitFor("document.documentElement.dataset.fixtureReady === '1'");
    };

    before(async () => {
      const { file, content } = POLICY_FILES[browser.name];
      removePolicy = installPolicy(file, content);
      session = await browser.launch({ extensionDir: browser.extensionDir, routes: { "mail.google.com": gmailRouter }, locale: "en-US" });
      page = await session.newPage();
    });
    after(async () => {
      await session?.close();
      removePolicy();
    });

    test("the guard applies the policy: two parties block, no Send anyway, partners exempt", async () => {
      await openGmail({ to: ["ann@one.example", "bob@two.example", "pat@partner.example"] });
      await page.click(SEND);
      const dialog = await waitForDialog(page);
      assert.deepEqual(dialog.actions, ["move-and-send", "move", "cancel"], "block: no Send anyway");
      assert.deepEqual(dialog.addresses.sort(), ["ann@one.example", "bob@two.example"]);
      assert.match(dialog.text, /organisation does not allow sending/);
      await choose(page, "cancel");
      assert.equal(await settledSends(page, 0), 0);
    });

    test("composeNotice off: no notice while writing, and Send is still stopped", async () => {
      await openGmail({ to: ["ann@one.example", "bob@two.example"] });
      await page.click(`document.querySelector("[g_editable=true]")`);
      // Long after the precheck's verdict (120 ms after the focus).
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.equal((await noticeOf(page)).state, "absent");
      await page.click(SEND);
      const dialog = await waitForDialog(page);
      assert.deepEqual(dialog.addresses.sort(), ["ann@one.example", "bob@two.example"]);
      await choose(page, "cancel");
      assert.equal(await settledSends(page, 0), 0);
    });

    test("the options page shows the locked values read-only, and storage writes cannot change them", async () => {
      await openGmail({ to: ["ann@one.example", "bob@two.example"] });
      await page.click(SEND);
      await waitForDialog(page);
      await page.click(`${HOST}.shadowRoot.querySelector('[data-link="settings"]')`);
      const options = await session.waitForPage(session.extensionUrl("options/options.html"));
      await options.waitFor("document.documentElement.dataset.ready === '1'");
      await choose(page, "cancel");

      const field = (key) =>
        options.evaluate(`(() => {
          const field = document.querySelector('.field[data-key="${key}"]');
          return { disabled: [...field.querySelectorAll("input, select, textarea")].every((c) => c.disabled),
                   note: field.querySelector(".locked")?.textContent ?? null };
        })()`);
      for (const key of Object.keys(POLICY)) {
        assert.deepEqual(await field(key), { disabled: true, note: "Set by your organisation" }, key);
      }
      assert.deepEqual(await field("internalDomains"), { disabled: false, note: null });
      assert.equal(await options.evaluate("document.getElementById('minExposedParties').value"), "2");
      assert.equal(await options.evaluate("document.getElementById('action').value"), "block");

      // A user (or a script) writing storage directly gets nowhere for locked keys.
      await options.evaluate(`(globalThis.browser ?? chrome).storage.sync.set({ settings: { minExposedParties: 9, action: "warn", internalDomains: ["one.example"] } })`);
      await options.waitFor("document.getElementById('internalDomains').value === 'one.example'");
      assert.equal(await options.evaluate("document.getElementById('minExposedParties').value"), "2");
      assert.equal(await options.evaluate("document.getElementById('action').value"), "block");

      // The guard agrees: one.example is now internal (an unlocked user
      // setting), but two other parties still block.
      await openGmail({ to: ["ann@one.example", "bob@two.example", "cy@three.example"] });
      await page.click(SEND);
      const dialog = await waitForDialog(page);
      assert.deepEqual(dialog.addresses.sort(), ["bob@two.example", "cy@three.example"]);
      assert.ok(!dialog.actions.includes("send-anyway"));
      await choose(page, "cancel");
      await options.evaluate(`(globalThis.browser ?? chrome).storage.sync.remove("settings")`);

      if (browser.name === "firefox") {
        // The malformed value was reported, not silently used or dropped.
        const problems = await options.evaluate(`[...document.querySelectorAll("#policy-problems li")].map((li) => li.textContent)`);
        assert.equal(problems.length, 1, JSON.stringify(problems));
        assert.match(problems[0], /^toPlaceholder: /);
        assert.equal(await options.evaluate("document.getElementById('policy-problems').hidden"), false);
      }
    });
  });
}

test("the policy files used here are valid for the schema's types", () => {
  // A cheap guard against the test itself drifting from managed_schema.json.
  const schema = JSON.parse(readFileSync(new URL("../../managed_schema.json", import.meta.url), "utf8"));
  for (const key of Object.keys(POLICY)) assert.ok(schema.properties[key], key);
});
