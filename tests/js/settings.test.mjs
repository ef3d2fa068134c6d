/**
 * @file The extension's policy layers (www/lib/settings.js) when
 * `storage.managed` fails: only the "no policy" answers — Firefox's and
 * Thunderbird's "Managed storage manifest not found", or no managed area at
 * all — mean no policy. Any other failure reaches the real engine as a
 * policy that could not be read, which then blocks two outside parties
 * with no Send anyway instead of falling back to the defaults.
 */

import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { readManagedPolicy, readPolicyLayers } from "../../www/lib/settings.js";
import { PROTOCOL_VERSION } from "../../www/lib/engine-client.js";
import { releaseEngine } from "./wasm.mjs";

/** A `chrome` namespace whose managed area answers with `get`. */
function install(managedGet) {
  const area = { get: async () => ({}) };
  globalThis.chrome = {
    runtime: { id: "test" },
    storage: {
      managed: managedGet === undefined ? undefined : { get: managedGet },
      sync: area,
      local: area,
    },
  };
}

afterEach(() => {
  delete globalThis.chrome;
});

const twoOutsiders = {
  v: PROTOCOL_VERSION,
  kind: "evaluate",
  compose: { account: "me@corp.example", to: [{ address: "a@one.example" }, { address: "b@two.example" }] },
};

async function verdictFor(layers) {
  const { Engine } = await releaseEngine();
  const engine = new Engine(JSON.stringify(layers));
  try {
    const reply = JSON.parse(new TextDecoder().decode(engine.handle(new TextEncoder().encode(JSON.stringify(twoOutsiders)))));
    const policy = JSON.parse(new TextDecoder().decode(engine.handle(new TextEncoder().encode(JSON.stringify({ v: PROTOCOL_VERSION, kind: "policy" })))));
    return { verdict: reply.verdict, policy: policy.policy };
  } finally {
    engine.free();
  }
}

test("Firefox's \"no managed storage manifest\" and no managed area mean no policy", async () => {
  install(async () => Promise.reject({ message: "Managed storage manifest not found" }));
  assert.equal(await readManagedPolicy(), null);
  const { verdict, policy } = await verdictFor(await readPolicyLayers());
  assert.equal(verdict.action, "none", "two parties pass the default threshold of three");
  assert.equal(policy.managedUnreadable, false);
  install(undefined);
  assert.equal(await readManagedPolicy(), null);
  install(async () => ({}));
  assert.deepEqual(await readManagedPolicy(), {});
});

test("any other storage.managed failure keeps the admin's policy from being dropped: the strictest settings apply", async () => {
  for (const failure of [new Error("An unexpected error occurred"), { message: "Managed storage is corrupt" }, "boom"]) {
    install(async () => Promise.reject(failure));
    const managed = await readManagedPolicy();
    assert.equal(typeof managed, "string", `a reason, not "no policy": ${JSON.stringify(failure)}`);
    const { verdict, policy } = await verdictFor(await readPolicyLayers());
    assert.equal(verdict.action, "block");
    assert.equal(verdict.sendAnyway, false);
    assert.ok(verdict.reasons.some((reason) => reason.code === "policyUnreadable"));
    assert.equal(policy.managedUnreadable, true);
    assert.equal(policy.problems[0].code, "unreadable");
    assert.match(policy.problems[0].value, /storage\.managed could not be read/);
  }
});
