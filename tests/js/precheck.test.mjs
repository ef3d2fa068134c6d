/**
 * @file The precheck (www/content/precheck.js) with the real engine and a
 * stand-in page: when it asks, what it keeps, whom it tells, and what a
 * policy change or a busy compose does to it. The e2e suites see its effect
 * in the real webmails (a harmless send goes through untouched); this is its
 * API, on which the in-compose notice builds.
 */

import assert from "node:assert/strict";
import { afterEach, beforeEach, mock, test } from "node:test";
import { errorReply, PROTOCOL_VERSION } from "../../www/lib/engine-client.js";
import { callEngine } from "../../www/lib/engine-host.js";
import { releaseEngine } from "./wasm.mjs";

// The little of the DOM the precheck touches, standing in for a page.
class FakeElement {}
globalThis.Element ??= /** @type {any} */ (FakeElement);
const observed = [];
globalThis.MutationObserver ??= /** @type {any} */ (
  class {
    constructor(callback) {
      this.callback = callback;
    }
    observe(root) {
      observed.push({ root, callback: this.callback });
    }
    disconnect() {}
  }
);
const { Precheck } = await import("../../www/content/precheck.js");

const { Engine } = await releaseEngine();
const engine = new Engine(JSON.stringify({ managed: null, user: null }));

const HARMLESS = { account: "me@corp.example", host: "mail.google.com", complete: true, to: [{ address: "a@one.example" }], cc: [], bcc: [] };
const EXPOSED = { ...HARMLESS, to: [{ address: "a@one.example" }, { address: "b@two.example" }, { address: "c@three.example" }] };

/**
 * A precheck over one compose whose recipients the test sets.
 * @param {{ask?: (request: object) => Promise<object>, busy?: boolean}} [options]
 */
function setup({ ask, busy = false } = {}) {
  const root = { isConnected: true, recipients: HARMLESS };
  const asked = [];
  const adapter = {
    composeOf: (target) => (target === root ? root : null),
    read: (target) => ({ compose: target.recipients, elements: { to: [], cc: [], bcc: [] } }),
  };
  const precheck = new Precheck({
    adapter: /** @type {any} */ (adapter),
    ask: async (request) => {
      asked.push(request.kind);
      return ask ? ask(request) : callEngine(engine, { v: PROTOCOL_VERSION, ...request });
    },
    busy: () => busy,
  });
  const heard = [];
  precheck.onVerdict((where, reply) => heard.push({ root: where, action: reply.ok ? reply.verdict.action : reply.error.code }));
  return { root, asked, precheck, heard, activity: () => precheck.activity(/** @type {any} */ ({ target: root })) };
}

/** Lets the asynchronous work the timers started finish. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

beforeEach(() => mock.timers.enable({ apis: ["setTimeout", "setInterval"] }));
afterEach(() => mock.timers.reset());

test("activity in a compose checks it once, shortly after, and the verdict is there at send time", async () => {
  const { root, asked, precheck, activity } = setup();
  activity();
  mock.timers.tick(100);
  activity(); // Typing on: the check waits for a pause.
  mock.timers.tick(119);
  assert.deepEqual(asked, []);
  mock.timers.tick(1);
  await settle();
  assert.deepEqual(asked, ["evaluate"]);
  const { reply } = precheck.lookup(root, HARMLESS);
  assert.equal(reply.verdict.action, "none");
  // The same recipients again: nothing more to ask.
  activity();
  mock.timers.tick(120);
  await settle();
  assert.deepEqual(asked, ["evaluate"]);
  assert.equal(observed.at(-1).root, root, "its recipients are watched");
});

test("listeners hear each new verdict for the compose's current recipients", async () => {
  const { root, precheck, heard, activity } = setup();
  activity();
  mock.timers.tick(120);
  await settle();
  root.recipients = EXPOSED;
  activity();
  mock.timers.tick(120);
  await settle();
  assert.deepEqual(heard, [
    { root, action: "none" },
    { root, action: "warn" },
  ]);
  // The guard's own send-time reply is a verdict too.
  const { key } = precheck.lookup(root, HARMLESS);
  precheck.learn(root, key, callEngine(engine, { v: PROTOCOL_VERSION, kind: "evaluate", compose: HARMLESS }));
  assert.deepEqual(heard.at(-1), { root, action: "none" });
});

test("a reply for recipients the compose no longer holds is kept but not told", async () => {
  let answer;
  const { root, precheck, heard, activity } = setup({ ask: (request) => new Promise((resolve) => (answer = () => resolve(callEngine(engine, { v: PROTOCOL_VERSION, ...request })))) });
  activity();
  mock.timers.tick(120);
  await settle();
  // Meanwhile the guard read other recipients (a send).
  precheck.lookup(root, EXPOSED);
  answer();
  await settle();
  assert.deepEqual(heard, []);
  assert.equal(precheck.lookup(root, HARMLESS).reply.verdict.action, "none");
});

test("a policy change forgets every verdict, and a reply asked for before it is dropped", async () => {
  let answer;
  const { root, precheck, heard, activity } = setup({ ask: (request) => new Promise((resolve) => (answer = () => resolve(callEngine(engine, { v: PROTOCOL_VERSION, ...request })))) });
  activity();
  mock.timers.tick(120);
  await settle();
  precheck.forget();
  answer();
  await settle();
  assert.equal(precheck.lookup(root, HARMLESS).reply, undefined);
  assert.equal(precheck.sendAnywayAllowed, null);
  assert.deepEqual(heard, []);
});

test("what the policy says about Send anyway comes from the last reply, error replies included", async () => {
  const { root, precheck } = setup();
  const { key } = precheck.lookup(root, EXPOSED);
  assert.equal(precheck.sendAnywayAllowed, null, "unknown before any reply");
  precheck.learn(root, key, callEngine(engine, { v: PROTOCOL_VERSION, kind: "evaluate", compose: EXPOSED }));
  assert.equal(precheck.sendAnywayAllowed, true);
  precheck.learn(root, key, { ...errorReply("internal", "panicked"), policyAllowsSendAnyway: false });
  assert.equal(precheck.sendAnywayAllowed, false);
  assert.equal(precheck.lookup(root, EXPOSED).reply, undefined, "a failed check keeps no verdict");
});

test("a compose the guard is busy with is not prechecked", async () => {
  const { asked, activity } = setup({ busy: true });
  activity();
  mock.timers.tick(120);
  await settle();
  assert.deepEqual(asked, []);
});

test("an open compose keeps the background warm, and the pings stop once it closes", async () => {
  const { root, asked, precheck } = setup({ busy: true });
  precheck.track(root, false);
  mock.timers.tick(20_000);
  mock.timers.tick(20_000);
  assert.deepEqual(asked, ["ping", "ping"]);
  root.isConnected = false;
  mock.timers.tick(20_000);
  mock.timers.tick(20_000);
  assert.deepEqual(asked, ["ping", "ping"]);
  assert.equal(precheck.warmTimer, null);
});

test("a listener that throws does not keep the others from hearing", async () => {
  const { root, precheck, heard } = setup();
  const unsubscribe = precheck.onVerdict(() => {
    throw new Error("a broken notice");
  });
  const error = mock.method(console, "error", () => {});
  const { key } = precheck.lookup(root, HARMLESS);
  precheck.learn(root, key, callEngine(engine, { v: PROTOCOL_VERSION, kind: "evaluate", compose: HARMLESS }));
  assert.equal(heard.length, 1);
  assert.equal(error.mock.callCount(), 1);
  unsubscribe();
  error.mock.restore();
});

test("listeners get the compose a verdict is about, and a policy change checks the open composes again", async () => {
  const { root, asked, precheck, activity } = setup();
  const told = [];
  precheck.onVerdict((_root, reply, compose) => told.push({ action: reply.verdict.action, compose }));
  root.recipients = EXPOSED;
  activity();
  mock.timers.tick(120);
  await settle();
  // The compose comes with the reply: the reply leaves out what the sender has.
  assert.deepEqual(told, [{ action: "warn", compose: EXPOSED }]);
  // A new policy (say, the notice turned off): what was told may not hold,
  // so the open compose is asked about again without any activity.
  precheck.forget();
  mock.timers.tick(120);
  await settle();
  assert.deepEqual(asked, ["evaluate", "evaluate"]);
  assert.equal(told.length, 2);
  // A closed compose is not.
  root.isConnected = false;
  precheck.forget();
  mock.timers.tick(120);
  await settle();
  assert.deepEqual(asked, ["evaluate", "evaluate"]);
});
