/**
 * @file The toolbar badge's reading of a content script's report
 * (www/background/badge.js): only states from the list and small whole
 * numbers get through, so a page cannot put text into the badge; and what
 * the badge shows for a tab's composes.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { badgeFor, readReport } from "../../www/background/badge.js";

test("a report is read as data of a fixed shape, or dropped", () => {
  assert.deepEqual(readReport([{ state: "ok", parties: 3, focused: true }]), [{ state: "ok", parties: 3, focused: true }]);
  assert.deepEqual(readReport([{ state: "degraded", parties: "9<b>", focused: "yes" }]), [{ state: "degraded", parties: 0, focused: false }]);
  assert.equal(readReport([{ state: "<img src=x>", parties: 1 }]), null);
  assert.equal(readReport("!"), null);
  assert.equal(readReport(null), null);
  assert.equal(readReport(Array.from({ length: 51 }, () => ({ state: "ok", parties: 0 }))), null);
  assert.deepEqual(readReport([{ state: "ok", parties: 1e9 }]), [{ state: "ok", parties: 0, focused: false }]);
});

test("the badge: ! for any blind compose, else the focused compose's parties, else nothing", () => {
  assert.equal(badgeFor([]).text, "");
  assert.equal(badgeFor([{ state: "ok", parties: 0, focused: true }]).text, "");
  assert.equal(badgeFor([{ state: "ok", parties: 4, focused: true }]).text, "4");
  assert.equal(badgeFor([{ state: "ok", parties: 4, focused: false }, { state: "ok", parties: 2, focused: true }]).text, "2");
  assert.equal(badgeFor([{ state: "ok", parties: 4, focused: true }, { state: "blind", parties: 0, focused: false }]).text, "!");
  assert.equal(badgeFor([{ state: "degraded", parties: 0, focused: true }]).text, "");
  // The title says it in words (the catalogue's keys where no browser gives the text).
  assert.equal(badgeFor([{ state: "blind", parties: 0, focused: true }]).title, "badge_blind");
});

test("Thunderbird's compose button speaks the webmail badge's language: a number on amber, never the blind '!'", async () => {
  const { composeBadgeFor } = await import("../../www/thunderbird/compose-state.js");
  const verdict = (fields) => ({ ok: true, verdict: { action: "warn", composeNotice: true, exposedParties: 3, reasons: [], groups: [], ...fields } });
  const exposed = composeBadgeFor(verdict({}));
  assert.equal(exposed.text, "3");
  assert.equal(exposed.color, badgeFor([{ state: "ok", parties: 3, focused: true }]).color, "the same colour as the webmail badge's number");
  // Stopped with no party on show, or a failed check: "?", not "!" (which says "not protected").
  assert.equal(composeBadgeFor(verdict({ exposedParties: 0 })).text, "?");
  assert.equal(composeBadgeFor({ ok: false, error: { code: "timeout" } }).text, "?");
  assert.notEqual(badgeFor([{ state: "blind", parties: 0, focused: true }]).color, exposed.color);
  // Nothing would be stopped, or the notice is off: no badge.
  assert.equal(composeBadgeFor(verdict({ action: "none" })), null);
  assert.equal(composeBadgeFor(verdict({ composeNotice: false })), null);
});
