/**
 * @file The Schedule send scenarios both webmail suites run: the same user
 * steps and assertions on each fixture, given where its send-options menu,
 * its "Schedule send" item and a suggested time are (docs/send-paths.md).
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { choose, lastSent, noDialog, settledSends, waitForDialog } from "./guard-steps.mjs";

/** Thirty customers at one consumer domain: thirty parties. */
const CUSTOMERS = Array.from({ length: 30 }, (_, i) => `customer${i}@gmail.com`);
const EXTERNALS = ["ann@one.example", "bob@two.example", "cy@three.example"];
/** How many times the fixture's schedule dialog opened. */
export const scheduleOpens = "window.__fixture.scheduleOpens.length";
const sorted = (list) => [...list].sort();

/**
 * Registers the scenarios in the current `describe`.
 * @param {object} webmail
 * @param {string} webmail.name "Gmail" or "Outlook", for messages.
 * @param {() => import("./session.mjs").Page} webmail.page The suite's page.
 * @param {(page: import("./session.mjs").Page, params: object) => Promise<void>} webmail.open Loads the fixture.
 * @param {string} webmail.menu The control that opens the send-options menu.
 * @param {string} webmail.item Its "Schedule send" item.
 * @param {string} webmail.preset The schedule dialog's "Tomorrow morning".
 * @param {string[]} webmail.variants The fixture's other compose forms, each scheduled once.
 */
export function scheduleScenarios({ name, page: current, open, menu, item, preset, variants }) {
  test("Schedule send with 30 outsiders: our dialog comes first; Cancel leaves all as it was", async () => {
    const page = current();
    await open(page, { to: CUSTOMERS });
    await page.click(menu);
    await page.click(item);
    const dialog = await waitForDialog(page);
    assert.equal(dialog.addresses.length, 30);
    assert.equal(await page.evaluate(scheduleOpens), 0, `${name}'s schedule dialog did not open`);
    await choose(page, "cancel");
    await page.waitFor(noDialog);
    assert.equal(await settledSends(page, 0), 0, "nothing is scheduled");
    assert.equal(await page.evaluate(scheduleOpens), 0);
    assert.deepEqual(await page.evaluate("window.__fixture.chips('to')"), CUSTOMERS, "the compose is intact");
    assert.deepEqual(await page.evaluate("window.__fixture.chips('bcc')"), []);
  });

  test("Schedule send, Move to BCC: one dialog for a double click, then the scheduled mail has the 30 in Bcc", async () => {
    const page = current();
    await open(page, { to: CUSTOMERS });
    await page.click(menu);
    await page.click(item, { clickCount: 2 });
    await waitForDialog(page);
    assert.equal(await page.evaluate(`document.querySelectorAll('[data-bcc-guard="dialog"]').length`), 1);
    await choose(page, "move-and-send");
    await page.waitFor(`${scheduleOpens} === 1`);
    assert.equal(await settledSends(page, 0), 0, "choosing a time is still the user's");
    await page.click(preset);
    assert.equal(await settledSends(page, 1), 1);
    const sent = await lastSent(page);
    assert.equal(sent.via, "schedule:tomorrow-morning");
    assert.deepEqual(sent.to, ["me@corp.example"]);
    assert.deepEqual(sorted(sent.bcc), sorted(CUSTOMERS));
    assert.equal(await page.evaluate(scheduleOpens), 1);
  });

  test("a harmless schedule goes through untouched, once, even with a double click on the time", async () => {
    const page = current();
    await open(page, { to: ["boss@corp.example", "ann@one.example"] });
    await page.click(menu);
    await page.click(item);
    await page.waitFor(`${scheduleOpens} === 1`);
    assert.equal(await page.evaluate(noDialog), true);
    await page.click(preset, { clickCount: 2 });
    assert.equal(await settledSends(page, 1, 600), 1);
    const sent = await lastSent(page);
    assert.equal(sent.via, "schedule:tomorrow-morning");
    assert.equal(sent.trusted, true, "the user's own click scheduled it");
    assert.deepEqual(sent.to, ["boss@corp.example", "ann@one.example"]);
  });

  test("a time chosen in a schedule dialog the guard did not see open is checked against every compose", async () => {
    const page = current();
    await open(page, { variant: "two", to: EXTERNALS, to2: ["boss@corp.example"] });
    // As if the webmail had opened its dialog by a path nobody intercepted.
    await page.evaluate("window.__fixture.openSchedule('c2')");
    await page.click(preset);
    const dialog = await waitForDialog(page);
    assert.deepEqual(sorted(dialog.addresses), sorted(EXTERNALS), "the other, exposed compose is checked too");
    assert.equal(await settledSends(page, 0), 0);
    await choose(page, "move-and-send");
    assert.equal(await settledSends(page, 1), 1);
    const sent = await lastSent(page);
    assert.deepEqual([sent.composeId, sent.via], ["c2", "schedule:tomorrow-morning"]);
    assert.deepEqual(await page.evaluate("window.__fixture.chips('c1', 'to')"), ["me@corp.example"]);
  });

  for (const variant of variants) {
    test(`Schedule send in the ${variant} compose: checked first, then scheduled with the move`, async () => {
      const page = current();
      await open(page, { variant, to: EXTERNALS });
      await page.click(menu);
      await page.click(item);
      await waitForDialog(page);
      assert.equal(await page.evaluate(scheduleOpens), 0);
      await choose(page, "move-and-send");
      await page.waitFor(`${scheduleOpens} === 1`);
      await page.click(preset);
      assert.equal(await settledSends(page, 1), 1);
      const sent = await lastSent(page);
      assert.equal(sent.via, "schedule:tomorrow-morning");
      assert.deepEqual(sorted(sent.bcc), sorted(EXTERNALS));
    });
  }
}
