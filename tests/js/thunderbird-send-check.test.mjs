/**
 * @file Thunderbird's send check (www/thunderbird/send-check.js) refuses a
 * choice its dialog window did not offer: with the real engine, the real
 * window protocol (www/thunderbird/dialog-window.js) over a stand-in port,
 * and a window that answers whatever the test says. The window's own page
 * refuses such a choice too (www/lib/dialog.js), so the Thunderbird e2e
 * suite never reaches the send check's own test of it: here a window that
 * answers "Send anyway" where it was not offered gets the send cancelled. A
 * control offers it and lets the send go, so the tests would notice a check
 * that cancels everything.
 */

import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { unverifiedChoices, verdictChoices } from "../../www/lib/choices.js";
import { EngineHost } from "../../www/lib/engine-host.js";
import { releaseEngine } from "./wasm.mjs";

/** What the stand-in window answers to every view, and what it was shown. */
const windowSide = { answer: "cancel", shown: /** @type {any[]} */ ([]) };

/** The little of Thunderbird's WebExtension API the send check touches. */
const listeners = [];
const stored = {};
globalThis.browser = /** @type {any} */ ({
  runtime: {
    id: "bcc-guard@bccguard.org",
    getURL: (file) => `moz-extension://bcc-guard/${file}`,
    onConnect: { addListener: (listener) => listeners.push(listener) },
  },
  windows: {
    // The window's page connects with the session id it finds in its URL,
    // and answers each view it is shown.
    create: async ({ url }) => {
      const id = new URL(url).hash.slice(1);
      const onMessage = [];
      const port = {
        name: `bcc-guard-dialog:${id}`,
        sender: { id: "bcc-guard@bccguard.org" },
        onMessage: { addListener: (listener) => onMessage.push(listener) },
        onDisconnect: { addListener() {} },
        postMessage(message) {
          if (!message.show) return;
          windowSide.shown.push(message.show);
          setImmediate(() => onMessage.forEach((listener) => listener({ choice: windowSide.answer })));
        },
        disconnect() {},
      };
      setImmediate(() => listeners.forEach((listener) => listener(port)));
      return { id: 1 };
    },
    remove: async () => {},
  },
  storage: {
    local: {
      get: async (key) => ({ [key]: stored[key] }),
      set: async (items) => Object.assign(stored, items),
    },
  },
  addressBooks: { list: async () => [], mailingLists: { list: async () => [] } },
  compose: {
    getComposeDetails: async () => {
      throw new Error("no move in this test");
    },
    setComposeDetails: async () => {
      throw new Error("no move in this test");
    },
  },
});

const { checkSend } = await import("../../www/thunderbird/send-check.js");
const { listenForDialogs } = await import("../../www/thunderbird/dialog-window.js");
listenForDialogs();

const engine = await releaseEngine();

/** Three outsiders in To: an exposure under the defaults. */
const DETAILS = {
  from: "Me <me@corp.example>",
  to: ["ann@one.example", "bob@two.example", "cy@three.example"],
  cc: [],
  bcc: [],
};

const SEND = {};
const CANCEL = { cancel: true };

/** @param {object} policy The admin's policy. */
const hostFor = (policy) => new EngineHost({ instantiate: async () => engine, readLayers: async () => ({ managed: policy, user: null }) });

/**
 * A background whose engine cannot answer: what the check sees when the
 * engine failed, knowing (or not) what the policy says about Send anyway.
 * @param {boolean|null} sendAnyway
 */
const brokenHost = (sendAnyway) =>
  /** @type {any} */ ({
    sendAnyway,
    handle: async () => ({ ok: false, error: { code: "internal", message: "the engine is broken" }, ...(sendAnyway === null ? {} : { policyAllowsSendAnyway: sendAnyway }) }),
  });

beforeEach(() => {
  windowSide.answer = "send-anyway";
  windowSide.shown = [];
});

test("a window that answers Send anyway where the verdict did not offer it: the send is cancelled", async () => {
  const outcome = await checkSend({ id: 7 }, DETAILS, hostFor({ allowSendAnyway: false }));
  assert.equal(windowSide.shown.length, 1);
  assert.equal(windowSide.shown[0].view, "verdict");
  assert.ok(!verdictChoices(windowSide.shown[0].reply).includes("send-anyway"), "the verdict offered no Send anyway");
  assert.deepEqual(outcome, CANCEL);
});

test("under a blocking policy, the same: a forged Send anyway is cancelled", async () => {
  const outcome = await checkSend({ id: 7 }, DETAILS, hostFor({ action: "block" }));
  assert.equal(windowSide.shown[0].view, "verdict");
  assert.ok(!verdictChoices(windowSide.shown[0].reply).includes("send-anyway"));
  assert.deepEqual(outcome, CANCEL);
});

test("control: where the verdict offers Send anyway, the same answer lets the send go", async () => {
  const outcome = await checkSend({ id: 7 }, DETAILS, hostFor({}));
  assert.ok(verdictChoices(windowSide.shown[0].reply).includes("send-anyway"));
  assert.deepEqual(outcome, SEND);
});

for (const sendAnyway of [null, false]) {
  test(`a check that failed, Send anyway ${sendAnyway === null ? "unknown" : "forbidden"}: a window answering it gets the send cancelled`, async () => {
    const outcome = await checkSend({ id: 7 }, DETAILS, brokenHost(sendAnyway));
    assert.equal(windowSide.shown[0].view, "unverified");
    assert.ok(!unverifiedChoices(windowSide.shown[0].code, windowSide.shown[0].sendAnyway).includes("send-anyway"));
    assert.deepEqual(outcome, CANCEL);
  });
}

test("control: a check that failed where the policy allows Send anyway lets the send go on that answer", async () => {
  const outcome = await checkSend({ id: 7 }, DETAILS, brokenHost(true));
  assert.ok(unverifiedChoices(windowSide.shown[0].code, windowSide.shown[0].sendAnyway).includes("send-anyway"));
  assert.deepEqual(outcome, SEND);
});
