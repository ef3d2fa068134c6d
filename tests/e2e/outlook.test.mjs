/**
 * @file The Outlook on the web guard end to end, in Chromium and Firefox ESR:
 * the built extension on the OWA fixture served at the real Outlook hosts
 * with a strict CSP. Each strategy of the adapter has a fixture variant, so
 * that a selector that changes in one place fails here first: compose roots
 * without `data-app-section` (found by structure); chips whose
 * address is in aria-label, in `Name <addr>`, in a title, or nowhere
 * (presence text and a name only); typed text; chips without a remove control;
 * the docked, full-page, inline (collapsed header) and pop-out (about:blank
 * frame) forms; Japanese labels. Every scenario asserts the native-send count.
 */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { outlookRouter, outlookUrl } from "./lib/outlook-fixture.mjs";
import { BROWSERS, choose, lastSent, noDialog, settledSends, waitForDialog, oneInToThirtyInBcc } from "./lib/guard-steps.mjs";
import { scheduleOpens, scheduleScenarios } from "./lib/schedule-steps.mjs";

const HOSTS = ["outlook.office.com", "outlook.office365.com", "outlook.live.com", "outlook.cloud.microsoft"];
const EXTERNALS = ["ann@one.example", "bob@two.example", "cy@three.example"];
const SEND = `document.querySelector('button[id$="__primaryActionButton"]')`;
/** The Send button found by what survives every strip below. */
const SEND_BY_LABEL = `document.querySelector('.splitButton > button[aria-label="Send"]')`;
/** In the pop-out variant the compose lives in an about:blank frame. */
const FRAME = `document.querySelector("iframe").contentDocument`;
const BODY = `document.querySelector('[contenteditable=true][aria-multiline=true]')`;
/** Send options: the menu half of the Send split button, its item, a suggested time of the schedule dialog. */
const MENU = `document.querySelector('button[id$="__menuButton"]')`;
const SCHEDULE = `document.querySelector('[data-portal-node] [role=menuitem]')`;
const PRESET = `document.querySelector('[data-portal-node] [data-preset="tomorrow-morning"]')`;

let run = 0;
async function open(page, params, host) {
  await page.goto(outlookUrl({ ...params, run: ++run }, host));
  await page.waitFor("document.documentElement.dataset.fixtureReady === '1'");
}

const sorted = (list) => [...list].sort();

for (const browser of BROWSERS) {
  describe(`Outlook in ${browser.name}`, { skip: browser.skip }, () => {
    let session;
    let page;
    before(async () => {
      const routes = Object.fromEntries(HOSTS.map((host) => [host, outlookRouter]));
      session = await browser.launch({ extensionDir: browser.extensionDir, routes, locale: "en-US" });
      page = await session.newPage();
    });
    after(async () => {
      await session?.close();
    });

    for (const host of HOSTS) {
      test(`${host}: exposure stops the send; Move to BCC and send sends once`, async () => {
        await open(page, { to: ["boss@corp.example", ...EXTERNALS] }, host);
        await page.click(SEND);
        const dialog = await waitForDialog(page);
        assert.deepEqual(sorted(dialog.addresses), sorted(EXTERNALS));
        assert.equal(await settledSends(page, 0), 0);
        await choose(page, "move-and-send");
        assert.equal(await settledSends(page, 1), 1);
        const sent = await lastSent(page);
        assert.deepEqual(sent.to, ["boss@corp.example"]);
        assert.deepEqual(sorted(sent.bcc), sorted(EXTERNALS));
      });
    }

    test("a mail without exposure is sent untouched", async () => {
      await open(page, { to: ["boss@corp.example", "ann@one.example"] });
      await page.click(SEND);
      assert.equal(await settledSends(page, 1), 1);
      assert.equal(await page.evaluate(noDialog), true);
    });

    test("Ctrl+Enter, ⌘+Enter, Enter and Space on Send are caught", async () => {
      for (const [target, key] of [[BODY, "Control+Enter"], [BODY, "Meta+Enter"], [SEND, "Enter"], [SEND, " "]]) {
        await open(page, { to: EXTERNALS });
        await page.focus(target);
        await page.press(key);
        await waitForDialog(page);
        await choose(page, "cancel");
        assert.equal(await settledSends(page, 0), 0, key);
      }
    });

    test("a double click sends once; the page's own capture listener comes after ours", async () => {
      await open(page, { to: EXTERNALS, pagecapture: 1 });
      await page.click(SEND, { clickCount: 2 });
      await waitForDialog(page);
      await choose(page, "send-anyway");
      assert.equal(await settledSends(page, 1), 1);
    });

    for (const chip of ["address", "named", "title"]) {
      test(`chips with the address in ${chip === "address" ? "aria-label" : chip === "named" ? "Name <addr>" : "a title"} are read and moved`, async () => {
        await open(page, { chip, to: EXTERNALS });
        await page.click(SEND);
        const dialog = await waitForDialog(page);
        assert.deepEqual(sorted(dialog.addresses), sorted(EXTERNALS));
        await choose(page, "move-and-send");
        assert.equal(await settledSends(page, 1), 1);
        assert.deepEqual(sorted((await lastSent(page)).bcc), sorted(EXTERNALS));
      });
    }

    test("a chip that shows no address is unreadable: shown, counted, and left for the user", async () => {
      // Named chips: with presence text and a name, no address is anywhere in the page.
      await open(page, { chip: "presence", to: ["Ann Lee <ann@one.example>", "Bob Ito <bob@two.example>", "Cy Park <cy@three.example>"] });
      await page.click(SEND);
      const dialog = await waitForDialog(page);
      assert.equal(dialog.raws.length, 3, JSON.stringify(dialog));
      assert.match(dialog.text, /could not be read/);
      // Nobody can be moved automatically, so no move is offered.
      assert.deepEqual(dialog.actions, ["send-anyway", "cancel"]);
      await choose(page, "cancel");
      assert.equal(await settledSends(page, 0), 0);
    });

    test("a chip that shows no address in To or Cc (a contact list looks so) hides who the mail reaches: warned even beside one colleague", async () => {
      for (const field of ["to", "cc"]) {
        const fields = field === "to" ? { to: ["boss@corp.example", "ann@one.example"] } : { to: ["boss@corp.example"], cc: ["ann@one.example"] };
        await open(page, fields);
        // As a personal contact list shows: a name, no address anywhere.
        await page.evaluate(`(() => {
          const chip = document.querySelector('[aria-label="ann@one.example"]');
          chip.setAttribute("aria-label", "Sales Team");
          chip.querySelector('[class*="textContainer"]').textContent = "Sales Team";
        })()`);
        await page.click(SEND);
        const dialog = await waitForDialog(page);
        assert.match(dialog.text, /cannot see who this message reaches/, field);
        assert.deepEqual(dialog.raws, ["Sales Team"]);
        // Nothing is planned for a read that is not complete: the user fixes it.
        assert.deepEqual(dialog.actions, ["send-anyway", "cancel"]);
        await choose(page, "cancel");
        assert.equal(await settledSends(page, 0), 0);
      }
    });

    // A chip whose places name two addresses (unreadable, not guessed) and two
    // outsiders: moving the two would leave the unreadable one in To, seen by
    // both in Bcc. So no "Move to BCC and send": "Move to BCC" moves what it
    // can and names who must be fixed by hand. (A chip with no address at all
    // makes the read incomplete instead, and nothing is planned: see above.)
    const CONFUSE_ANNS_ADDRESS = `(() => {
      const chip = document.querySelector('._EType_RECIPIENT_ENTITY');
      chip.querySelector('[class*="textContainer"]').textContent = "ann@elsewhere.example";
    })()`;
    test("an unreadable chip and two outsiders: no move-and-send; Move to BCC moves the two and sends nothing", async () => {
      await open(page, { to: EXTERNALS });
      await page.evaluate(CONFUSE_ANNS_ADDRESS);
      await page.click(SEND);
      const dialog = await waitForDialog(page);
      assert.deepEqual(dialog.actions, ["move", "send-anyway", "cancel"]);
      assert.ok(dialog.raws.includes("ann@elsewhere.example"), JSON.stringify(dialog));
      assert.match(dialog.text, /cannot be moved for you/);
      await choose(page, "move");
      const result = await waitForDialog(page);
      assert.match(result.title, /some recipients need you/);
      assert.deepEqual(result.raws, ["ann@elsewhere.example"]);
      assert.deepEqual(result.actions, ["cancel"]);
      await choose(page, "cancel");
      await page.waitFor(noDialog);
      assert.equal(await settledSends(page, 0), 0, "nothing is sent");
      assert.deepEqual(await page.evaluate("window.__fixture.chipLabels('to')"), ["ann@one.example"], "the unreadable chip is still in To");
      assert.deepEqual(sorted(await page.evaluate("window.__fixture.chipLabels('bcc')")), ["bob@two.example", "cy@three.example"]);
      // The next Send goes through the guard again, and still warns.
      await page.click(SEND);
      await waitForDialog(page);
      await choose(page, "cancel");
      assert.equal(await settledSends(page, 0), 0);
    });

    test("an unreadable chip and two outsiders: Cancel leaves the compose as it was", async () => {
      await open(page, { to: EXTERNALS });
      await page.evaluate(CONFUSE_ANNS_ADDRESS);
      await page.click(SEND);
      await waitForDialog(page);
      await choose(page, "cancel");
      await page.waitFor(noDialog);
      assert.equal(await settledSends(page, 0), 0);
      assert.deepEqual(await page.evaluate("window.__fixture.chipLabels('to')"), EXTERNALS);
      assert.deepEqual(await page.evaluate("window.__fixture.chipLabels('bcc')"), []);
    });

    test("one outsider in To and 30 in Bcc: the Bcc recipients would see it; Move to BCC and send", () =>
      oneInToThirtyInBcc(page, (params) => open(page, params), SEND));

    test("an apostrophe in an address is read; a name that looks like another address makes the chip unreadable", async () => {
      await open(page, { to: ["o'brien@one.example", "bob@two.example", "cy@three.example"] });
      // A chip whose shown name is one address and whose label is another:
      // which one Outlook would send to is not knowable, so neither is guessed.
      await page.evaluate(`(() => {
        const chip = document.querySelector('[aria-label="cy@three.example"]');
        chip.querySelector('[class*="textContainer"]').textContent = "ceo@corp.example";
      })()`);
      await page.click(SEND);
      const dialog = await waitForDialog(page);
      assert.deepEqual(sorted(dialog.addresses), ["bob@two.example", "o'brien@one.example"]);
      assert.deepEqual(dialog.raws, ["ceo@corp.example"]);
      await choose(page, "cancel");
      assert.equal(await settledSends(page, 0), 0);
    });

    test("Ctrl+Enter outside the compose (the search box) is not a send", async () => {
      await open(page, { to: EXTERNALS });
      await page.focus("document.getElementById('topSearchInput')");
      await page.press("Control+Enter");
      assert.equal(await settledSends(page, 0), 0);
      assert.equal(await page.evaluate(noDialog), true);
    });

    test("compose roots without data-app-section are found by structure; the search box still is not a compose", async () => {
      await open(page, { to: EXTERNALS });
      // As if OWA renamed the attribute: only the structural strategy is left.
      await page.evaluate(`document.querySelectorAll("[data-app-section]").forEach((e) => e.removeAttribute("data-app-section"))`);
      await page.focus("document.getElementById('topSearchInput')");
      await page.press("Control+Enter");
      assert.equal(await settledSends(page, 0), 0);
      assert.equal(await page.evaluate(noDialog), true);
      await page.click(SEND);
      const dialog = await waitForDialog(page);
      assert.deepEqual(sorted(dialog.addresses), sorted(EXTERNALS));
      await choose(page, "move-and-send");
      assert.equal(await settledSends(page, 1), 1);
      assert.deepEqual(sorted((await lastSent(page)).bcc), sorted(EXTERNALS));
    });

    // Each strip leaves the adapter only the later strategies of a step, as
    // if OWA had renamed what the first ones rely on.
    const STRIPS = {
      "Send by its title": `document.querySelectorAll('button[id$="__primaryActionButton"]').forEach((b) => { b.id = "renamed"; })`,
      "Send by its label, wells by label, the Bcc toggle by position": `(() => {
        document.querySelectorAll('button[id$="__primaryActionButton"]').forEach((b) => { b.id = "renamed"; b.removeAttribute("title"); });
        document.querySelectorAll("[role=group][id]").forEach((g) => { g.id = "renamed-" + g.id.slice(-2).toLowerCase(); });
        document.querySelectorAll(".fui-Input button").forEach((b) => { b.removeAttribute("aria-label"); b.textContent = "+"; });
      })()`,
    };
    for (const [strategies, strip] of Object.entries(STRIPS)) {
      test(`fallback strategies: ${strategies}`, async () => {
        await open(page, { to: EXTERNALS });
        await page.evaluate(strip);
        await page.click(SEND_BY_LABEL);
        const dialog = await waitForDialog(page);
        assert.deepEqual(sorted(dialog.addresses), sorted(EXTERNALS));
        await choose(page, "move-and-send");
        assert.equal(await settledSends(page, 1), 1);
        const sent = await lastSent(page);
        assert.deepEqual(sent.to, ["me@corp.example"]);
        assert.deepEqual(sorted(sent.bcc), sorted(EXTERNALS));
      });
    }

    test("typed text not yet resolved is a recipient", async () => {
      await open(page, { to: ["ann@one.example", "bob@two.example"], typed: "zed@typed.example" });
      await page.click(SEND);
      const dialog = await waitForDialog(page);
      assert.ok(dialog.addresses.includes("zed@typed.example"), JSON.stringify(dialog.addresses));
      await choose(page, "move-and-send");
      assert.equal(await settledSends(page, 1), 1);
      const sent = await lastSent(page);
      assert.deepEqual(sorted(sent.bcc), ["ann@one.example", "bob@two.example", "zed@typed.example"]);
      assert.equal(sent.typed.to.trim(), "");
    });

    test("chips without a remove control are removed through the editor", async () => {
      await open(page, { to: EXTERNALS, noremove: 1 });
      await page.click(SEND);
      await waitForDialog(page);
      await choose(page, "move-and-send");
      assert.equal(await settledSends(page, 1), 1);
      assert.deepEqual(sorted((await lastSent(page)).bcc), sorted(EXTERNALS));
    });

    for (const variant of ["fullpage", "inline"]) {
      test(`the ${variant} compose`, async () => {
        await open(page, { variant, to: EXTERNALS });
        await page.click(SEND);
        await waitForDialog(page);
        await choose(page, "move-and-send");
        assert.equal(await settledSends(page, 1), 1);
        assert.deepEqual(sorted((await lastSent(page)).bcc), sorted(EXTERNALS));
      });
    }

    test("the pop-out compose in an about:blank frame", async () => {
      await open(page, { variant: "popout", to: EXTERNALS });
      // Neither driver can aim a trusted click into the frame; keys go to
      // whatever has the focus, frame or not.
      const frameBody = `${FRAME}.querySelector('[contenteditable=true][aria-multiline=true]')`;
      await page.focus(frameBody);
      await page.press("Control+Enter");
      await page.waitFor(`!!${FRAME}.querySelector('[data-bcc-guard="dialog"]')?.shadowRoot?.querySelector("button")`, 8000);
      const addresses = await page.evaluate(`[...${FRAME}.querySelector('[data-bcc-guard="dialog"]').shadowRoot.querySelectorAll("[data-address]")].map((e) => e.dataset.address)`);
      assert.deepEqual(sorted(addresses), sorted(EXTERNALS));
      await new Promise((resolve) => setTimeout(resolve, 450)); // past the dialog's arming delay
      await page.press("Enter"); // the focused default: Move to BCC and send
      assert.equal(await settledSends(page, 1), 1);
      const sent = await lastSent(page);
      assert.deepEqual(sorted(sent.bcc), sorted(EXTERNALS));
      assert.deepEqual(sent.to, ["me@corp.example"], "the account comes from the parent page");
    });

    test("two composes at once", async () => {
      await open(page, { variant: "two", to: EXTERNALS });
      const sendOf = (id) => `document.querySelector('input[name=composeId][value="${id}"]').closest("[data-app-section]").querySelector('button[id$="__primaryActionButton"]')`;
      await page.click(sendOf("c2"));
      await waitForDialog(page);
      await choose(page, "move-and-send");
      assert.equal(await settledSends(page, 1), 1);
      await page.click(sendOf("c1"));
      await waitForDialog(page);
      await choose(page, "move-and-send");
      assert.equal(await settledSends(page, 2), 2);
    });

    scheduleScenarios({ name: "Outlook", page: () => page, open, menu: MENU, item: SCHEDULE, preset: PRESET, variants: ["fullpage", "inline"] });

    test("'Send later' chosen from the keyboard is caught", async () => {
      await open(page, { to: EXTERNALS, sendmenu: "sendlater" });
      await page.focus(MENU);
      await page.press("Enter"); // opens the menu, focus on its item
      await page.waitFor(`document.activeElement === ${SCHEDULE}`);
      await page.press("Enter");
      await waitForDialog(page);
      assert.equal(await page.evaluate(scheduleOpens), 0);
      await choose(page, "cancel");
      assert.equal(await settledSends(page, 0), 0);
    });

    test("a send menu that closed under our dialog is opened again to continue scheduling", async () => {
      await open(page, { to: EXTERNALS, menuclose: 1 });
      await page.click(MENU);
      await page.click(SCHEDULE);
      await waitForDialog(page);
      assert.equal(await page.evaluate(`!${SCHEDULE}`), true, "the menu closed when the focus went to our dialog");
      await choose(page, "move-and-send");
      await page.waitFor(`${scheduleOpens} === 1`);
      await page.click(PRESET);
      assert.equal(await settledSends(page, 1), 1);
      assert.deepEqual(sorted((await lastSent(page)).bcc), sorted(EXTERNALS));
    });

    test("Schedule send in the pop-out compose (an about:blank frame), from the keyboard", async () => {
      await open(page, { variant: "popout", to: EXTERNALS });
      const frameDialog = `${FRAME}.querySelector('[data-bcc-guard="dialog"]')`;
      await page.focus(`${FRAME}.querySelector('button[id$="__menuButton"]')`);
      await page.press("Enter"); // opens the frame's send menu, focus on its item
      await page.waitFor(`${FRAME}.activeElement?.getAttribute("role") === "menuitem"`);
      await page.press("Enter");
      await page.waitFor(`!!${frameDialog}?.shadowRoot?.querySelector("button")`, 8000);
      assert.equal(await page.evaluate(scheduleOpens), 0, "our dialog comes first");
      await new Promise((resolve) => setTimeout(resolve, 450)); // past the dialog's arming delay
      await page.press("Enter"); // the focused default: Move to BCC and send
      await page.waitFor(`${scheduleOpens} === 1`);
      await page.waitFor(`${FRAME}.activeElement?.dataset.preset === "tomorrow-morning"`);
      await page.press("Enter");
      assert.equal(await settledSends(page, 1), 1);
      const sent = await lastSent(page);
      assert.equal(sent.via, "schedule:tomorrow-morning");
      assert.deepEqual(sorted(sent.bcc), sorted(EXTERNALS));
    });

    test("Alt+S, where it sends, is checked like Send; where it does not, it still does nothing", async () => {
      await open(page, { to: EXTERNALS, accesskey: 1 });
      await page.focus(BODY);
      await page.press("Alt+s");
      await waitForDialog(page);
      assert.equal(await settledSends(page, 0), 0);
      await choose(page, "move-and-send");
      assert.equal(await settledSends(page, 1), 1);
      assert.deepEqual(sorted((await lastSent(page)).bcc), sorted(EXTERNALS));

      await open(page, { to: ["boss@corp.example"], accesskey: 1 });
      await page.focus(BODY);
      await page.press("Alt+s");
      assert.equal(await settledSends(page, 1), 1, "a harmless Alt+S sends once");
      assert.equal((await lastSent(page)).via, "alt-s");

      await open(page, { to: ["boss@corp.example"] });
      await page.focus(BODY);
      await page.press("Alt+s");
      assert.equal(await settledSends(page, 0), 0, "a layout without the access key sends nothing");
      assert.equal(await page.evaluate(noDialog), true);
    });

    test("Japanese labels", async () => {
      await open(page, { lang: "ja", to: EXTERNALS });
      await page.click(SEND);
      await waitForDialog(page);
      await choose(page, "move-and-send");
      assert.equal(await settledSends(page, 1), 1);
      assert.deepEqual(sorted((await lastSent(page)).bcc), sorted(EXTERNALS));
    });
  });
}
