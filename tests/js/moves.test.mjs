/**
 * @file The translation of a real engine plan into page operations.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { additions, changedEntries } from "../../www/lib/moves.js";
import { callEngine } from "../../www/lib/engine-host.js";
import { completeRecipients, PROTOCOL_VERSION } from "../../www/lib/engine-client.js";
import { releaseEngine } from "./wasm.mjs";

test("additions come Bcc first and typed text keeps what stays", async () => {
  const { Engine } = await releaseEngine();
  const engine = new Engine(JSON.stringify({ managed: null, user: null }));
  const compose = {
    account: "me@corp.example",
    to: [{ address: "ann@one.example" }, { text: "Boss <boss@corp.example>, Bob@Two.Example" }, { address: "cy@three.example" }],
    cc: [{ address: "ann@one.example" }],
  };
  const reply = completeRecipients(callEngine(engine, { v: PROTOCOL_VERSION, kind: "evaluate", compose }), compose);
  assert.equal(reply.verdict.action, "warn");
  assert.deepEqual(additions(reply.plan, reply.recipients), [["bcc", ["ann@one.example", "Bob@two.example", "cy@three.example"]]]);
  assert.deepEqual(changedEntries(reply.plan, reply.recipients), [
    { field: "to", entry: 0, staying: [] },
    { field: "to", entry: 1, staying: ["boss@corp.example"] },
    { field: "to", entry: 2, staying: [] },
    { field: "cc", entry: 0, staying: [] },
  ]);
});
