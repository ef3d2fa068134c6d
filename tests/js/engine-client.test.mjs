/**
 * @file `completeRecipients` (www/lib/engine-client.js) on real replies of
 * the release WASM: what it fills in from the request is exactly what the
 * engine left out because the request already held it.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { callEngine } from "../../www/lib/engine-host.js";
import { completeRecipients, PROTOCOL_VERSION } from "../../www/lib/engine-client.js";
import { releaseEngine } from "./wasm.mjs";

const LAYERS = { managed: { internalDomains: ["corp.example"], minExposedParties: 2 }, user: null };

/**
 * Evaluates `compose` and completes the reply as the hosts receive it.
 * @param {object} compose
 */
async function evaluate(compose) {
  const { Engine } = await releaseEngine();
  const engine = new Engine(JSON.stringify(LAYERS));
  return completeRecipients(callEngine(engine, { v: PROTOCOL_VERSION, kind: "evaluate", compose }), compose);
}

test("a chip address with spaces around it reaches the hosts trimmed", async () => {
  const compose = {
    account: "me@corp.example",
    to: [{ address: " eve@org2.com " }, { address: "a@x.example", name: "A" }, { address: "\tb@y.example" }],
  };
  const reply = await evaluate(compose);
  assert.equal(reply.verdict.action, "warn");
  assert.deepEqual(
    reply.recipients.map((r) => r.address),
    ["eve@org2.com", "a@x.example", "b@y.example"],
  );
  assert.equal(reply.recipients[1].name, "A");
});

test("an exact chip address is left out of the reply and filled in from the request", async () => {
  const compose = { account: "me@corp.example", to: [{ address: "a@x.example" }, { address: "B@Y.example" }] };
  const { Engine } = await releaseEngine();
  const engine = new Engine(JSON.stringify(LAYERS));
  const raw = callEngine(engine, { v: PROTOCOL_VERSION, kind: "evaluate", compose });
  assert.deepEqual(raw.recipients.address, [null, "b@y.example"]);
  const reply = completeRecipients(raw, compose);
  assert.deepEqual(reply.recipients.map((r) => r.address), ["a@x.example", "b@y.example"]);
});
