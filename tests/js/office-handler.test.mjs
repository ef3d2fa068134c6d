/**
 * @file The Outlook add-in's send handler (OnMessageSend, Smart Alerts) on a
 * scripted Outlook, with the real engine in each runtime the add-in has:
 * the browser runtime with the WASM build and with the wasm2js build (as
 * when WebAssembly is off), and classic Outlook for Windows' file
 * (dist/office/launchevent.js) in a bare `vm` context. Every case checks
 * what Outlook is told (`event.completed`'s options, called exactly once)
 * and whether the mail went.
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { browserRuntime, CATALOGUES, classicRuntime, colleagues, outsiders, policyFetch, surface } from "./office.mjs";
import { MAX_MESSAGE } from "../../www/office/message.js";

const RUNTIMES = {
  "browser runtime, WASM": (office, options) => browserRuntime(office, { ...options, build: "wasm" }),
  "browser runtime, wasm2js": (office, options) => browserRuntime(office, { ...options, build: "wasm2js" }),
  "classic Windows file": (office, options) => classicRuntime(office, options),
};

const en = (key) => CATALOGUES.en[key].message;
const ja = (key) => CATALOGUES.ja[key].message;

/** Presses Send once and checks what every send must satisfy. */
async function send(office) {
  // Plain data (the classic file's objects come from another realm).
  const options = JSON.parse(JSON.stringify(await office.pressSend()));
  assert.deepEqual(office.faults, []);
  assert.equal(office.completions.length, office.calls.filter((c) => c.method === "event.completed").length);
  if (!options.allowEvent) {
    assert.ok(options.errorMessage.length <= MAX_MESSAGE, `errorMessage has ${options.errorMessage.length} characters`);
    if (options.errorMessageMarkdown) assert.ok(options.errorMessageMarkdown.length <= MAX_MESSAGE);
    if (options.cancelLabel) assert.ok(options.cancelLabel.length <= 20);
  }
  return options;
}

for (const [runtime, start] of Object.entries(RUNTIMES)) {
  describe(`send handler: ${runtime}`, () => {
    test("nothing exposed: the send goes on at once", async () => {
      const office = surface({ to: [...colleagues(3), ...outsiders(2)], bcc: outsiders(0) });
      start(office);
      const options = await send(office);
      assert.deepEqual(options, { allowEvent: true });
      assert.equal(office.sent.length, 1);
    });

    test("an exposure on Mailbox 1.15 is stopped with the parties named and Move to BCC and send", async () => {
      const office = surface({ to: outsiders(5), cc: colleagues(1), mailbox: "1.15" });
      start(office);
      const options = await send(office);
      assert.equal(options.allowEvent, false);
      assert.equal(office.sent.length, 0);
      for (let i = 0; i < 5; i++) {
        assert.ok(options.errorMessage.includes(`org${i}.example`), `org${i}.example is named in the text`);
        assert.ok(options.errorMessageMarkdown.includes(`org${i}.example`), `org${i}.example is named in the Markdown`);
      }
      assert.ok(options.errorMessage.startsWith(en("dialog_titleExposure")));
      assert.ok(options.errorMessageMarkdown.startsWith(`**${en("dialog_titleExposure")}**`));
      assert.ok(options.errorMessage.includes(en("office_hintMoveAndSend")));
      assert.equal(options.cancelLabel, en("dialog_moveAndSend"));
      assert.equal(options.commandId, "BccGuard.Move");
      assert.deepEqual(JSON.parse(options.contextData), { bccGuard: 1, send: true });
      assert.equal(options.sendModeOverride, "promptUser", "the default policy lets the user send anyway");
    });

    test("in Japanese, from the same catalogue", async () => {
      const office = surface({ to: outsiders(4), language: "ja-JP" });
      start(office);
      const options = await send(office);
      assert.ok(options.errorMessage.startsWith(ja("dialog_titleExposure")));
      assert.ok(options.errorMessage.includes("4 件"), options.errorMessage);
      assert.equal(options.cancelLabel, ja("dialog_moveAndSend"));
    });

    test("Mailbox 1.14 (Outlook on Mac): the button opens the task pane, no Markdown", async () => {
      const office = surface({ to: outsiders(3), platform: "Mac", mailbox: "1.14" });
      start(office);
      const options = await send(office);
      assert.equal(options.commandId, "BccGuard.Pane");
      assert.equal(options.cancelLabel, en("dialog_move"));
      assert.equal(options.errorMessageMarkdown, undefined);
      assert.ok(options.errorMessage.includes(en("office_hintMove")));
      assert.deepEqual(JSON.parse(options.contextData), { bccGuard: 1, send: false });
    });

    test("Mailbox 1.13 (classic Windows before 2404): no button, the message says what to do", async () => {
      const office = surface({ to: outsiders(3), platform: "PC", mailbox: "1.13" });
      start(office);
      const options = await send(office);
      assert.equal(options.allowEvent, false);
      for (const key of ["cancelLabel", "commandId", "contextData", "sendModeOverride", "errorMessageMarkdown"]) {
        assert.equal(options[key], undefined, `${key} is 1.14 or later`);
      }
      assert.ok(options.errorMessage.includes(en("office_hintByHand")));
    });

    test("the organisation's policy.json: block means no Send Anyway, and it is read once", async () => {
      const { fetch, requests } = policyFetch({ action: "block", minExposedParties: 2 });
      const office = surface({ to: outsiders(2) });
      start(office, { fetch });
      const first = await send(office);
      assert.equal(first.allowEvent, false, "two parties are an exposure under this policy");
      assert.equal(first.sendModeOverride, undefined);
      assert.ok(first.errorMessage.includes(en("reason_blocked")));
      await send(office);
      assert.equal(requests.length, 1, "policy.json is read once per runtime");
      assert.match(requests[0], /^https:\/\/[^/]+\/(bcc-guard\/)?policy\.json$/);
    });

    test("a policy.json that is not JSON keeps protection on", async () => {
      const { fetch } = policyFetch("{ this is not json");
      const office = surface({ to: outsiders(3) });
      start(office, { fetch });
      assert.equal((await send(office)).allowEvent, false);
      const unreachable = surface({ to: outsiders(3) });
      start(unreachable, { fetch: async () => Promise.reject(new Error("offline")) });
      assert.equal((await send(unreachable)).allowEvent, false);
    });

    test("the user's settings from roamingSettings apply", async () => {
      const office = surface({ to: outsiders(2), roaming: { settings: { minExposedParties: 2 } } });
      start(office);
      assert.equal((await send(office)).allowEvent, false);
    });

    test("recipients that cannot be read stop the send (fail closed)", async () => {
      const office = surface({ to: outsiders(1), fail: (method, field) => (method === "getAsync" && field === "cc" ? "GenericResponseError" : null) });
      start(office);
      const options = await send(office);
      assert.equal(options.allowEvent, false);
      assert.ok(options.errorMessage.startsWith(en("dialog_titleUnverified")));
      assert.ok(options.errorMessage.includes("readFailed"));
      assert.equal(options.sendModeOverride, undefined, "an unchecked send offers no Send Anyway");
      assert.equal(office.sent.length, 0);
    });

    test("more recipients than this Outlook reads in one field: a warning, never a pass", async () => {
      // Classic Windows up to Mailbox 1.15 returns at most 500 per field.
      const office = surface({ to: [...colleagues(10), ...outsiders(600)].slice(0, 610), platform: "PC", mailbox: "1.15" });
      start(office);
      const options = await send(office);
      assert.equal(options.allowEvent, false);
      assert.ok(options.errorMessage.includes(en("reason_incompleteRead").slice(0, 40)), options.errorMessage);
      assert.equal(options.commandId, undefined, "nothing is moved from a list not read whole");
    });
  });
}

describe("send handler: engine failures (browser runtime)", () => {
  test("an engine that cannot load stops the send with a message", async () => {
    const office = surface({ to: colleagues(1) });
    const { officeEngineHost } = await import("../../www/office/engine-loader.js");
    const host = officeEngineHost({
      office: office.Office,
      base: "https://addin.example/",
      fetch: policyFetch().fetch,
      loaders: { wasm: async () => Promise.reject(new Error("no wasm")), wasm2js: async () => Promise.reject(new Error("no file")) },
    });
    browserRuntime(office, { ask: (request) => host.handle(request) });
    const options = await send(office);
    assert.equal(options.allowEvent, false);
    assert.ok(options.errorMessage.includes("unavailable"), options.errorMessage);
    assert.equal(office.sent.length, 0);
  });

  test("an engine that does not answer in time: stopped at the deadline, completed once", async () => {
    const office = surface({ to: colleagues(1) });
    browserRuntime(office, { ask: () => new Promise(() => {}), deadlineMs: 150 });
    const started = Date.now();
    const options = await send(office);
    assert.ok(Date.now() - started < 2000);
    assert.equal(options.allowEvent, false);
    assert.ok(options.errorMessage.includes("timeout"));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(office.faults, []);
  });

  test("an engine error reply stops the send", async () => {
    const office = surface({ to: colleagues(1), language: "ja-JP" });
    browserRuntime(office, { ask: async () => ({ v: 1, ok: false, kind: "error", error: { code: "internal", message: "boom" } }) });
    const options = await send(office);
    assert.equal(options.allowEvent, false);
    assert.ok(options.errorMessage.startsWith(ja("dialog_titleUnverified")));
    assert.ok(options.errorMessage.includes("internal: boom"));
  });
});
