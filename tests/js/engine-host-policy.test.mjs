/**
 * @file What the background knows about "Send anyway" when the engine fails
 * (www/lib/engine-host.js): the engine built for the current policy
 * says it, an error reply carries it, and nothing is claimed before the
 * engine has said it or after the policy changed. Driven with the real WASM.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { EngineHost } from "../../www/lib/engine-host.js";
import { PROTOCOL_VERSION } from "../../www/lib/engine-client.js";
import { faultInjectionEngine, releaseEngine } from "./wasm.mjs";

const panic = { v: PROTOCOL_VERSION, kind: "injectPanic" };

for (const [policy, allowed] of [
  [{ action: "block" }, false],
  [{ action: "warn", allowSendAnyway: false }, false],
  [{ action: "warn" }, true],
]) {
  test(`a panic's error reply says what the policy ${JSON.stringify(policy)} allows: ${allowed}`, async () => {
    const engine = await faultInjectionEngine();
    const host = new EngineHost({ instantiate: async () => engine, readLayers: async () => ({ managed: policy, user: null }) });
    // The very first request panics: only what the engine said when it was built is known.
    const crashed = await host.handle(panic);
    assert.equal(crashed.ok, false);
    assert.equal(crashed.error.code, "internal");
    assert.equal(crashed.policyAllowsSendAnyway, allowed);
    assert.equal(host.sendAnyway, allowed);
  });
}

test("an engine that never loaded claims nothing about the policy", async () => {
  const host = new EngineHost({
    instantiate: async () => {
      throw new Error("bcc_guard_bg.wasm: not found");
    },
    readLayers: async () => ({ managed: { action: "warn" }, user: null }),
  });
  const failed = await host.handle({ v: PROTOCOL_VERSION, kind: "evaluate", compose: { to: [] } });
  assert.equal(failed.error.code, "unavailable");
  assert.equal("policyAllowsSendAnyway" in failed, false);
  assert.equal(host.sendAnyway, null);
});

test("a policy change forgets what the old policy allowed until the engine says it again", async () => {
  const engine = await releaseEngine();
  let layers = { managed: null, user: null };
  let unreadable = false;
  const host = new EngineHost({
    instantiate: async () => engine,
    readLayers: async () => {
      if (unreadable) throw new Error("storage is gone");
      return layers;
    },
  });
  await host.handle({ v: PROTOCOL_VERSION, kind: "policy" });
  assert.equal(host.sendAnyway, true, "the default policy warns and allows it");

  // The admin switches to block, and the new layers cannot be read.
  layers = { managed: { action: "block" }, user: null };
  host.invalidate();
  unreadable = true;
  const failed = await host.handle({ v: PROTOCOL_VERSION, kind: "policy" });
  assert.equal(failed.ok, false);
  assert.equal("policyAllowsSendAnyway" in failed, false, "the old policy's answer is not the new one's");

  unreadable = false;
  await host.handle({ v: PROTOCOL_VERSION, kind: "policy" });
  assert.equal(host.sendAnyway, false);
});
