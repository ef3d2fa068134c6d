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

    // Two outside parties pass the defaults (three), so each of these fails
    // if the policy, or what stands in for one that could not be read, is lost.
    const POLICY = { action: "block", minExposedParties: 2 };
    const unreadable = {
      "not JSON": () => ({ status: 200, ok: true, text: async () => "{ this is not json" }),
      "not an object": () => ({ status: 200, ok: true, text: async () => "[]" }),
      "HTTP 500": () => ({ status: 500, ok: false, text: async () => "" }),
      "fetch rejects (offline, CORS)": () => Promise.reject(new TypeError("Failed to fetch")),
    };
    for (const [name, failure] of Object.entries(unreadable)) {
      test(`a policy.json that cannot be read (${name}): the strictest settings block, no Send Anyway, read again next send`, async () => {
        const requests = [];
        const fetch = async (url) => {
          requests.push(url);
          // The first read fails; from the second on, the policy arrives.
          return requests.length === 1 ? failure() : policyFetch(POLICY).fetch(url);
        };
        const office = surface({ to: outsiders(2), mailbox: "1.15" });
        start(office, { fetch });
        const first = await send(office);
        assert.equal(first.allowEvent, false, "two parties are stopped while the policy is unknown");
        assert.equal(first.sendModeOverride, undefined, "no Send Anyway");
        assert.ok(first.errorMessage.includes(en("reason_policyUnreadable").slice(0, 40)), first.errorMessage);
        assert.equal(first.commandId, "BccGuard.Move", "the move is still offered");
        assert.equal(office.sent.length, 0);
        const second = await send(office);
        assert.equal(requests.length, 2, "the engine built without the policy was not kept");
        assert.equal(second.allowEvent, false);
        assert.ok(second.errorMessage.includes(en("reason_blocked")), "now the admin's own block");
        await send(office);
        assert.equal(requests.length, 2, "a policy that was read is kept");
      });
    }

    test("a policy.json later than 1.5 s: the strictest settings block, then it is read again", async () => {
      let calls = 0;
      const fetch = async (url) => {
        calls += 1;
        if (calls === 1) await new Promise((resolve) => setTimeout(resolve, 2000));
        return policyFetch(POLICY).fetch(url);
      };
      const office = surface({ to: outsiders(3), mailbox: "1.15" });
      start(office, { fetch });
      const first = await send(office);
      assert.equal(first.allowEvent, false);
      assert.equal(first.sendModeOverride, undefined, "three parties under a late policy: still no Send Anyway");
      assert.ok(first.errorMessage.includes(en("reason_policyUnreadable").slice(0, 40)), first.errorMessage);
      await send(office);
      assert.equal(calls, 2);
    });

    test("a 404: no policy when none was packaged, a policy that could not be read when one was", async () => {
      const optional = surface({ to: outsiders(2) });
      start(optional, { fetch: policyFetch().fetch });
      assert.deepEqual(await send(optional), { allowEvent: true }, "no policy: the defaults let two parties go");
      const expected = surface({ to: outsiders(2) });
      start(expected, { fetch: policyFetch().fetch, policyExpected: true });
      const options = await send(expected);
      assert.equal(options.allowEvent, false, "packaged with --office-policy: a missing file is not “no policy”");
      assert.equal(options.sendModeOverride, undefined);
      assert.ok(options.errorMessage.includes(en("reason_policyUnreadable").slice(0, 40)), options.errorMessage);
      // Once the file is there, the package's policy applies.
      const served = surface({ to: outsiders(2) });
      start(served, { fetch: policyFetch(POLICY).fetch, policyExpected: true });
      assert.ok((await send(served)).errorMessage.includes(en("reason_blocked")));
    });

    test("a contact group or distribution list in To or Cc: warned that BCC Guard cannot see who it reaches", async () => {
      const groups = [
        { displayName: "All customers", emailAddress: "", recipientType: "distributionList" },
        { displayName: "Staff", emailAddress: "staff@corp.example", recipientType: "distributionList" },
        { displayName: "My contact group" },
      ];
      for (const group of groups) {
        for (const field of ["to", "cc"]) {
          const office = surface({ to: colleagues(1), [field]: field === "to" ? [...colleagues(1), group] : [group] });
          start(office);
          const options = await send(office);
          assert.equal(options.allowEvent, false, `${JSON.stringify(group)} in ${field} is never sent unchecked`);
          assert.ok(options.errorMessage.includes(en("reason_incompleteRead").slice(0, 50)), options.errorMessage);
          assert.equal(options.commandId, undefined, "nothing is moved from a compose not seen whole");
          assert.equal(office.sent.length, 0);
        }
      }
      // In Bcc a group sees To and Cc only: colleagues there are no exposure.
      const bcc = surface({ to: colleagues(2), bcc: [groups[0]] });
      start(bcc);
      assert.deepEqual(await send(bcc), { allowEvent: true });
    });

    test("a getAsync that succeeds with something other than a list: warned, never judged as empty", async () => {
      const office = surface({ to: outsiders(1), readValue: (field, list) => (field === "cc" ? null : list) });
      start(office);
      const options = await send(office);
      assert.equal(options.allowEvent, false);
      assert.ok(options.errorMessage.includes(en("reason_incompleteRead").slice(0, 50)), options.errorMessage);
      assert.equal(office.sent.length, 0);
    });

    test("packaged with ReadWriteItem on Mailbox 1.15: Move to BCC, never “and send”", async () => {
      const office = surface({ to: outsiders(3), mailbox: "1.15", permissions: "ReadWriteItem" });
      start(office);
      const options = await send(office);
      assert.equal(options.commandId, "BccGuard.Move");
      assert.equal(options.cancelLabel, en("dialog_move"));
      assert.deepEqual(JSON.parse(options.contextData), { bccGuard: 1, send: false });
      assert.ok(options.errorMessage.includes(en("office_hintMove")), options.errorMessage);
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
