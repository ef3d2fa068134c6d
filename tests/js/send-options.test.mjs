/**
 * @file The send-options gate (www/content/send-options.js) over a stand-in
 * guard: which composes must go through their check before a choice such as
 * "Schedule send" is made again. The gate only sequences the guard's checks;
 * the e2e suites (gmail, outlook) run the real menus and dialogs.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { SendOptionsGate } from "../../www/content/send-options.js";

/**
 * A guard whose checks all let their compose go, recording what happened.
 * @param {object[]} roots
 */
function setup(roots) {
  const states = new Map(roots.map((root) => [root, { state: "idle", bypass: false, via: "send", gate: null }]));
  const log = { checked: [], replayed: 0, dialogs: 0 };
  const guard = {
    stateOf: (root) => states.get(root),
    precheck: { lookup: () => ({ reply: undefined }) }, // Nothing known ahead: every compose is checked.
    adapter: {
      read: (root) => ({ compose: { to: [], cc: [], bcc: [] }, root }),
      replayChoice: () => {
        log.replayed += 1;
        return true;
      },
      focus: () => {},
    },
    dialog: {
      close: () => {},
      showUnverified: async () => {
        log.dialogs += 1;
        return "cancel";
      },
    },
    checkAgain: (root, entry) => {
      log.checked.push(root);
      // The check found nothing exposed: the guard would replay, and the gate ends it instead.
      queueMicrotask(() => gate.end(root, entry, true));
    },
    settle: () => {},
  };
  const gate = new SendOptionsGate(/** @type {any} */ (guard));
  return { gate, states, log };
}

const event = () => ({ type: "click", preventDefault() {}, stopImmediatePropagation() {}, stopPropagation() {} });
const settled = () => new Promise((resolve) => setImmediate(resolve));

test("a choice is made again once every compose it may send has been checked", async () => {
  const roots = [{ isConnected: true }, { isConnected: true }];
  const { gate, states, log } = setup(roots);
  gate.handle(/** @type {any} */ (event()), roots, "schedule");
  await settled();
  assert.deepEqual(log.checked, roots);
  assert.equal(log.replayed, 1);
  for (const root of roots) assert.equal(states.get(root).state, "idle");
});

test("a compose that left the page is not counted as one that may go: the choice is not made", async () => {
  // The page re-rendered the second compose: its old root is gone, and the
  // recipients it holds now were never checked.
  const roots = [{ isConnected: true }, { isConnected: false }, { isConnected: true }];
  const { gate, states, log } = setup(roots);
  gate.handle(/** @type {any} */ (event()), roots, "schedule");
  await settled();
  assert.equal(log.replayed, 0);
  assert.deepEqual(log.checked, [roots[0]]);
  for (const root of roots) assert.equal(states.get(root).state, "idle", "no compose stays busy");
});
