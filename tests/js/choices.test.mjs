/**
 * @file The choices a dialog offers (www/lib/choices.js), which the dialog
 * draws and the hosts check before acting: "Send anyway" only where the
 * engine's verdict offers it, never under a block and never while the policy
 * is unknown, and a move only where the plan can move someone.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { unverifiedChoices, verdictChoices } from "../../www/lib/choices.js";

const plan = (over = {}) => ({ remove: [0, 1], placeholder: null, unmovable: [], ...over });

test("an exposure's choices follow the verdict and the plan", () => {
  const warn = { action: "warn", sendAnyway: true };
  assert.deepEqual(verdictChoices({ verdict: warn, plan: plan() }), ["move-and-send", "move", "send-anyway", "cancel"]);
  assert.deepEqual(verdictChoices({ verdict: { ...warn, sendAnyway: false }, plan: plan() }), ["move-and-send", "move", "cancel"]);
  // Someone would stay on show: move, but no move-and-send.
  assert.deepEqual(verdictChoices({ verdict: warn, plan: plan({ unmovable: [2] }) }), ["move", "send-anyway", "cancel"]);
  // Nobody can be moved (every exposed recipient unreadable), or no plan (an incomplete read).
  assert.deepEqual(verdictChoices({ verdict: warn, plan: plan({ remove: [], unmovable: [0] }) }), ["send-anyway", "cancel"]);
  assert.deepEqual(verdictChoices({ verdict: warn, plan: null }), ["send-anyway", "cancel"]);
  // Only the placeholder to add still counts as a move.
  assert.deepEqual(verdictChoices({ verdict: warn, plan: plan({ remove: [], placeholder: "me@corp.example" }) }), ["move-and-send", "move", "send-anyway", "cancel"]);
});

test("a block never offers Send anyway, whatever the reply claims", () => {
  assert.deepEqual(verdictChoices({ verdict: { action: "block", sendAnyway: true }, plan: plan() }), ["move-and-send", "move", "cancel"]);
  assert.deepEqual(verdictChoices({ verdict: { action: "block", sendAnyway: false }, plan: null }), ["cancel"]);
  // Anything but a literal true is not an offer.
  assert.deepEqual(verdictChoices({ verdict: { action: "warn", sendAnyway: "yes" }, plan: null }), ["cancel"]);
});

test("a failed check offers Try again and Send anyway only where the policy is known to allow it", () => {
  assert.deepEqual(unverifiedChoices("timeout", true), ["retry", "cancel", "send-anyway"]);
  assert.deepEqual(unverifiedChoices("timeout", false), ["retry", "cancel"]);
  assert.deepEqual(unverifiedChoices("unavailable", null), ["retry", "cancel"], "unknown is not allowed");
  assert.deepEqual(unverifiedChoices("readFailed", null), ["retry", "cancel"]);
  // An orphaned content script cannot check again: the page must be reloaded.
  assert.deepEqual(unverifiedChoices("extensionUpdated", true), ["cancel", "send-anyway"]);
  assert.deepEqual(unverifiedChoices("extensionUpdated", null), ["cancel"]);
  assert.deepEqual(unverifiedChoices("noSendButton", true), ["cancel"]);
});
