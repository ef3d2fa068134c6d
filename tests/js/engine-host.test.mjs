/**
 * @file The background's engine host, driven with the real WASM engine in
 * Node: answers, policy changes, load failures and a real panic inside the
 * engine all end in a reply, and the host recovers.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { EngineHost } from "../../www/lib/engine-host.js";
import { askEngine, completeRecipients, PROTOCOL_VERSION } from "../../www/lib/engine-client.js";
import { faultInjectionEngine, releaseEngine } from "./wasm.mjs";

const exposed = {
  v: PROTOCOL_VERSION,
  kind: "evaluate",
  compose: {
    account: "me@corp.example",
    to: [{ address: "a@one.example" }, { address: "b@two.example" }],
  },
};

test("the protocol version matches the engine's", async () => {
  const engine = await releaseEngine();
  assert.equal(engine.protocolVersion(), PROTOCOL_VERSION);
});

test("answers with the current policy and follows policy changes", async () => {
  const engine = await releaseEngine();
  let layers = { managed: null, user: null };
  const host = new EngineHost({ instantiate: async () => engine, readLayers: async () => layers });

  const first = await host.handle(exposed);
  assert.equal(first.ok, true);
  assert.equal(first.verdict.action, "none", "two parties are below the default threshold of three");

  layers = { managed: { minExposedParties: 2 }, user: null };
  assert.equal((await host.handle(exposed)).verdict.action, "none", "cached until invalidated");
  host.invalidate();
  const second = await host.handle(exposed);
  assert.equal(second.verdict.action, "warn");
  assert.equal(second.plan.placeholder, "me@corp.example", "To would be empty: the sender goes there");
  assert.deepEqual(second.plan.add.bcc, [0, 1]);

  const policy = await host.policy();
  assert.deepEqual(policy.policy.locked, ["minExposedParties"]);
});

test("replies are plain JSON data, never Maps", async () => {
  const engine = await releaseEngine();
  const host = new EngineHost({ instantiate: async () => engine, readLayers: async () => ({ managed: null, user: { minExposedParties: 2 } }) });
  const reply = await host.handle(exposed);
  assert.deepEqual(JSON.parse(JSON.stringify(reply)), reply);
  assert.equal(structuredClone(reply).recipients.field.length, 2, "one letter per recipient");
});

test("a harmless compose gets a short reply", async () => {
  const engine = await releaseEngine();
  const host = new EngineHost({ instantiate: async () => engine, readLayers: async () => ({ managed: null, user: null }) });
  const reply = await host.handle(exposed);
  assert.equal(reply.verdict.action, "none");
  assert.equal(reply.recipients, undefined, "no per-recipient detail when nothing is stopped");
  assert.equal(reply.plan, null);
});

test("completeRecipients restores what the reply leaves out", async () => {
  const engine = await releaseEngine();
  const host = new EngineHost({ instantiate: async () => engine, readLayers: async () => ({ managed: null, user: { minExposedParties: 2 } }) });
  const compose = { account: "me@corp.example", to: [{ name: "Ann", address: "ann@one.example" }, { name: "Bob", address: "Bob@Two.Example" }, { text: "Carl <carl@three.example>" }] };
  const reply = completeRecipients(await host.handle({ v: PROTOCOL_VERSION, kind: "evaluate", compose }), compose);
  assert.deepEqual(
    reply.recipients.map((r) => [r.address, r.name]),
    [["ann@one.example", "Ann"], ["bob@two.example", "Bob"], ["carl@three.example", "Carl"]],
  );
});

test("completeRecipients turns every column back into the recipient objects the hosts use", async () => {
  const engine = await releaseEngine();
  const host = new EngineHost({ instantiate: async () => engine, readLayers: async () => ({ managed: null, user: null }) });
  const compose = {
    account: "me@corp.example",
    to: [{ name: "Ann", address: "ann@one.example" }, { text: '"ceo@corp.example" <c@three.example>, x@gmail.com' }],
    cc: [{ address: "A@ONE.EXAMPLE" }, { name: "Offline person" }],
    bcc: [{ address: "bo@bücher.example" }],
  };
  const reply = await host.handle({ v: PROTOCOL_VERSION, kind: "evaluate", compose });
  assert.equal(typeof reply.recipients.field, "string", "the engine answers in columns");
  assert.deepEqual(completeRecipients(reply, compose).recipients, [
    { field: "to", entry: 0, class: "external", address: "ann@one.example", name: "Ann" },
    { field: "to", entry: 1, class: "external", address: "c@three.example", name: "ceo@corp.example", deceptive: true },
    { field: "to", entry: 1, class: "external", address: "x@gmail.com" },
    { field: "cc", entry: 0, class: "external", address: "a@one.example", spec: "A@one.example" },
    { field: "cc", entry: 1, class: "unreadable", name: "Offline person", raw: "Offline person" },
    { field: "bcc", entry: 0, class: "external", address: "bo@xn--bcher-kva.example", spec: "bo@bücher.example" },
  ]);
});

test("a failure to load becomes a reply, and the next request retries", async () => {
  const engine = await releaseEngine();
  let attempts = 0;
  const host = new EngineHost({
    instantiate: async () => {
      attempts += 1;
      if (attempts === 1) throw new Error("fetch failed");
      return engine;
    },
    readLayers: async () => ({ managed: null, user: null }),
  });
  const failed = await host.handle(exposed);
  assert.equal(failed.ok, false);
  assert.equal(failed.error.code, "unavailable");
  assert.match(failed.error.message, /fetch failed/);
  const recovered = await host.handle(exposed);
  assert.equal(recovered.ok, true);
});

test("malformed requests get error replies", async () => {
  const engine = await releaseEngine();
  const host = new EngineHost({ instantiate: async () => engine, readLayers: async () => ({ managed: "junk", user: 42 }) });
  const reply = await host.handle({ v: PROTOCOL_VERSION, kind: "evaluate", compose: { to: "not a list" } });
  assert.equal(reply.ok, false);
  assert.equal(reply.error.code, "malformed");
  const policy = await host.policy();
  assert.equal(policy.ok, true, "bad layers never stop the engine");
  assert.equal(policy.policy.problems.length, 2);
});

test("a panic in the engine becomes an error reply and the host recovers", async () => {
  const engine = await faultInjectionEngine();
  const host = new EngineHost({ instantiate: async () => engine, readLayers: async () => ({ managed: null, user: { minExposedParties: 2 } }) });
  assert.equal((await host.handle(exposed)).verdict.action, "warn");

  const crashed = await host.handle({ v: PROTOCOL_VERSION, kind: "injectPanic" });
  assert.equal(crashed.ok, false);
  assert.equal(crashed.error.code, "internal");
  assert.match(crashed.error.message, /panicked.*injected fault/s);

  // The WASM instance is replaced and a fresh engine answers.
  for (let i = 0; i < 3; i++) {
    const after = await host.handle(exposed);
    assert.equal(after.ok, true, JSON.stringify(after));
    assert.equal(after.verdict.action, "warn");
  }
});

test("askEngine bounds the wait and never rejects", async () => {
  const hung = await askEngine({ kind: "evaluate" }, { timeoutMs: 50, send: () => new Promise(() => {}) });
  assert.equal(hung.ok, false);
  assert.equal(hung.error.code, "timeout");

  const broken = await askEngine({ kind: "evaluate" }, { send: async () => { throw new Error("Receiving end does not exist."); } });
  assert.equal(broken.error.code, "unreachable");
  assert.match(broken.error.message, /Receiving end/);

  const silent = await askEngine({ kind: "evaluate" }, { send: async () => undefined });
  assert.equal(silent.error.code, "unreachable");

  let sent;
  const ok = await askEngine({ kind: "policy" }, { send: async (m) => { sent = m; return { ok: true, v: 1 }; } });
  assert.equal(ok.ok, true);
  assert.equal(sent.v, PROTOCOL_VERSION, "the version is added to every request");
});
