/**
 * @file The webmail guard's own refusal of a choice its dialog did not offer
 * (www/content/guard.js, `decide` and `fail`), with the real engine and a
 * dialog that answers whatever the test says. The dialog refuses such a
 * choice too (www/lib/dialog.js), so the e2e suites never reach the guard's
 * check: here a dialog broken by a bug, or bent by the page, answers "Send
 * anyway" where it was not offered, and nothing may be sent. A control in
 * each case offers it and sends, so the tests would notice a guard that
 * never sends at all.
 */

import assert from "node:assert/strict";
import { after, test } from "node:test";
import { verdictChoices, unverifiedChoices } from "../../www/lib/choices.js";
import { callEngine } from "../../www/lib/engine-host.js";
import { PROTOCOL_VERSION } from "../../www/lib/engine-client.js";
import { releaseEngine } from "./wasm.mjs";

// Node has no DOM. The guard's notice and health watch test nodes with
// `instanceof Element`, and the precheck watches a compose with a
// MutationObserver once a send settles; the stand-in compose below is no
// element and never changes, so a bare class and an observer that never
// reports stand in for the browser's.
globalThis.Element ??= /** @type {any} */ (class Element {});
globalThis.MutationObserver ??= /** @type {any} */ (
  class MutationObserver {
    observe() {}
    disconnect() {}
    takeRecords() {
      return [];
    }
  }
);

// The dialog registers its window listeners when the guard makes it; in
// Node there is no window, and the test's dialog stands in for it anyway.
globalThis.window ??= /** @type {any} */ ({ addEventListener() {} });
// A live extension: a failed check is "could not check", not "updated".
globalThis.chrome ??= /** @type {any} */ ({ runtime: { id: "bcc-guard-test" } });
const { Guard } = await import("../../www/content/guard.js");

const { Engine } = await releaseEngine();

/** Every guard made here: the precheck keeps a settled compose warm with a timer, stopped after the tests. */
const guards = [];
after(() => {
  for (const guard of guards) clearInterval(guard.precheck.warmTimer);
});

/** Three outsiders in To: an exposure under the defaults. */
const EXPOSED = {
  account: "me@corp.example",
  host: "mail.google.com",
  complete: true,
  to: [{ address: "a@one.example" }, { address: "b@two.example" }, { address: "c@three.example" }],
  cc: [],
  bcc: [],
};

/**
 * A guard over one compose, with the real engine under `policy` (or an
 * engine that fails, `broken`), whose dialog answers `answer` to whatever
 * it shows.
 * @param {{policy?: object, broken?: {policyAllowsSendAnyway?: boolean}, answer: string}} options
 */
function setup({ policy = {}, broken, answer }) {
  const engine = new Engine(JSON.stringify({ managed: policy, user: null }));
  const root = { isConnected: true };
  const sent = [];
  const shown = [];
  const adapter = {
    sendTarget: (event) => (event.target === root ? { root, via: "send" } : null),
    read: () => ({ compose: structuredClone(EXPOSED), elements: { to: [], cc: [], bcc: [] } }),
    replaySend: (where, via, confirmed) => {
      sent.push({ where, via, confirmed });
      return true;
    },
    commitTyped: async () => {},
    applyPlan: () => {
      throw new Error("no move in this test");
    },
    focus: () => {},
    composeOf: (target) => (target === root ? root : null),
  };
  let settled;
  const idle = new Promise((resolve) => {
    settled = resolve;
  });
  const dialog = {
    open: false,
    contains: () => false,
    isOpen() {
      return this.open;
    },
    showVerdict(owner, reply) {
      shown.push({ view: "verdict", offered: verdictChoices(reply) });
      this.open = true;
      return Promise.resolve(answer);
    },
    showUnverified(owner, code, detail, sendAnyway) {
      shown.push({ view: "unverified", offered: unverifiedChoices(code, sendAnyway) });
      this.open = true;
      return Promise.resolve(answer);
    },
    showBusy() {},
    showMoveFailed: async () => "cancel",
    close() {
      this.open = false;
      settled();
    },
  };
  const ask = async (request) => {
    if (broken) return { ok: false, error: { code: "internal", message: "the engine is broken" }, ...broken };
    return callEngine(engine, { v: PROTOCOL_VERSION, ...request });
  };
  const guard = new Guard(/** @type {any} */ (adapter), { ask });
  guard.dialog = /** @type {any} */ (dialog);
  guards.push(guard);
  /** The user presses Send in the compose. */
  const send = () => {
    guard.onEvent(/** @type {any} */ ({ type: "click", target: root, isTrusted: true, composedPath: () => [root], preventDefault() {}, stopPropagation() {}, stopImmediatePropagation() {} }));
    return idle;
  };
  return { guard, root, sent, shown, send };
}

test("a dialog that answers Send anyway where the verdict did not offer it: the guard cancels and sends nothing", async () => {
  const { guard, root, sent, shown, send } = setup({ policy: { allowSendAnyway: false }, answer: "send-anyway" });
  await send();
  assert.equal(shown.length, 1);
  assert.equal(shown[0].view, "verdict");
  assert.ok(!shown[0].offered.includes("send-anyway"), "the verdict offered no Send anyway");
  assert.deepEqual(sent, [], "nothing sent");
  assert.equal(guard.stateOf(/** @type {any} */ (root)).state, "idle", "back to idle: the next Send is checked again");
});

test("under a blocking policy, the same: a forged Send anyway sends nothing", async () => {
  const { sent, shown, send } = setup({ policy: { action: "block" }, answer: "send-anyway" });
  await send();
  assert.deepEqual(shown.map((s) => s.view), ["verdict"]);
  assert.ok(!shown[0].offered.includes("send-anyway"));
  assert.deepEqual(sent, []);
});

test("control: where the verdict offers Send anyway, the same answer sends once", async () => {
  const { sent, shown, send } = setup({ answer: "send-anyway" });
  await send();
  assert.ok(shown[0].offered.includes("send-anyway"));
  assert.equal(sent.length, 1);
  assert.equal(sent[0].confirmed, true);
});

test("a check that failed with the policy unknown offers no Send anyway, and a dialog answering it sends nothing", async () => {
  const { sent, shown, send } = setup({ broken: {}, answer: "send-anyway" });
  await send();
  assert.deepEqual(shown.map((s) => s.view), ["unverified"]);
  assert.ok(!shown[0].offered.includes("send-anyway"));
  assert.deepEqual(sent, []);
});

test("a check that failed under a policy that forbids Send anyway: a forged Send anyway sends nothing", async () => {
  const { sent, shown, send } = setup({ broken: { policyAllowsSendAnyway: false }, answer: "send-anyway" });
  await send();
  assert.ok(!shown[0].offered.includes("send-anyway"));
  assert.deepEqual(sent, []);
});

test("control: a check that failed where the policy allows Send anyway sends on that answer", async () => {
  const { sent, shown, send } = setup({ broken: { policyAllowsSendAnyway: true }, answer: "send-anyway" });
  await send();
  assert.ok(shown[0].offered.includes("send-anyway"));
  assert.equal(sent.length, 1);
});
