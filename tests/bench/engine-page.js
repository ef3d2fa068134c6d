/**
 * @file The in-browser engine benchmark, run by scripts/bench.mjs in headless
 * Chromium. It loads the release WASM through its real wasm-bindgen glue and
 * times a protocol call exactly as the background makes it (`callEngine`):
 * a plain JS request object in, a plain JS reply out, the crossing included.
 *
 * The composes match benches/engine.rs: 10 % colleagues, 20 % consumer
 * mailboxes, 70 % contacts at 97 outside organisations, so every call finds
 * an exposure and plans the move; and the raw-text mix, every recipient
 * typed as text.
 *
 * With `?peer=1` the page also imports FlexConfirmMail-TB's classifier from
 * `./peer/` (scripts/bench.mjs serves it there from the directory named by
 * `BENCH_PEER_FCM_TB`; none of its code is in this repository) and times it
 * side by side with our full call on the same typed strings, alternating
 * the two round by round.
 */

import { callEngine } from "./lib/engine-host.js";
import { completeRecipients } from "./lib/engine-client.js";
import { requestText } from "./lib/request-text.js";

const t0 = performance.now();
const glue = await import("./pkg/bcc_guard.js");
const t1 = performance.now();
await glue.default({ module_or_path: new URL("./pkg/bcc_guard_bg.wasm", import.meta.url) });
const t2 = performance.now();
const engine = new glue.Engine(JSON.stringify({ managed: null, user: null }));
const t3 = performance.now();

function request(n) {
  const to = [];
  for (let i = 0; i < n; i++) {
    const address =
      i % 10 === 0 ? `colleague${i}@corp.example` : i % 10 <= 2 ? `person${i}@gmail.com` : `contact${i}@org${i % 97}.example`;
    to.push({ name: `Recipient ${i}`, address });
  }
  return { v: 1, kind: "evaluate", compose: { account: "me@corp.example", host: "mail.google.com", to, cc: [], bcc: [] } };
}

/**
 * The raw-text mix: every recipient typed as text, as old-style inputs and
 * pasted lists give them, repeating four shapes; internal is corp.example.
 */
function rawTextRequest(n) {
  const shapes = [
    (i) => `"User ${i}" <user${i}@gmail.com>`,
    (i) => `staff${i}@corp.example`,
    (i) => `Partner ${i} <p${i}@dept${i}.partner${i}.co.jp>`,
    (i) => `x${i}@mail.corp.example`,
  ];
  const to = Array.from({ length: n }, (_, i) => ({ text: shapes[i % 4](i) }));
  return { v: 1, kind: "evaluate", compose: { account: "me@corp.example", host: "mail.google.com", to, cc: [], bcc: [] } };
}

/**
 * Median milliseconds of one call, over batches long enough for the coarse timer.
 * @param {() => void} call
 * @param {number} n Recipients, to size the batches.
 */
function time(call, n) {
  for (let i = 0; i < 5; i++) call();
  const batch = Math.max(2, Math.round(20000 / n));
  const rounds = [];
  for (let round = 0; round < 15; round++) {
    const start = performance.now();
    for (let i = 0; i < batch; i++) call();
    rounds.push((performance.now() - start) / batch);
  }
  rounds.sort((a, b) => a - b);
  return { median_ms: rounds[Math.floor(rounds.length / 2)], min_ms: rounds[0], iterations: batch * rounds.length };
}

const first = callEngine(engine, request(10));
const t4 = performance.now();
if (!first.ok || !first.plan) throw new Error(`unexpected reply ${JSON.stringify(first).slice(0, 200)}`);

/** Throws unless `req` is answered: a refused request would time as a fast one. */
function answered(req) {
  const reply = callEngine(engine, req);
  if (!reply.ok) throw new Error(`the engine refused the benchmark's request: ${JSON.stringify(reply).slice(0, 200)}`);
  return req;
}

const results = [];
for (const n of [10, 100, 1000, 10000]) {
  const req = answered(request(n));
  const full = time(() => callEngine(engine, req), n);
  // The same call without the JSON work on the JS side, to show where the
  // time goes: the request's text as `callEngine` writes it, entries as columns.
  const bytes = new TextEncoder().encode(requestText(req));
  const inside = time(() => engine.handle(bytes), n);
  results.push({ recipients: n, ...full, engine_only_ms: inside.median_ms });
}

const rawText = [];
for (const n of [1000]) {
  const req = answered(rawTextRequest(n));
  const full = time(() => callEngine(engine, req), n);
  const bytes = new TextEncoder().encode(requestText(req));
  rawText.push({ recipients: n, ...full, engine_only_ms: time(() => engine.handle(bytes), n).median_ms });
}

/**
 * The typed mix side by side with FlexConfirmMail-TB's classifier: our full
 * call as the guard makes it (request, `handle`, reply, `completeRecipients`)
 * against `new RecipientClassifier({internalDomains}).classify(strings)` on
 * the same 1,000 strings, in alternating rounds so that both see the same
 * moments of a noisy machine. The classifier is built once, as our engine is.
 * Both sides' internal counts are returned so that the report can show that
 * each classified every string, and the same ones as internal.
 * @param {number} n
 */
async function sideBySide(n) {
  const { RecipientClassifier } = await import("./peer/recipient-classifier.js");
  const req = rawTextRequest(n);
  const strings = req.compose.to.map((entry) => entry.text);
  // Ours counts corp.example and its subdomains as internal; the peer's
  // patterns must say both to sort the same strings the same way.
  const classifier = new RecipientClassifier({ internalDomains: ["corp.example", "*.corp.example"] });
  const ours = () => completeRecipients(callEngine(engine, req), req.compose);
  const peer = () => classifier.classify(strings);
  const batch = Math.max(2, Math.round(20000 / n));
  for (let i = 0; i < 5; i++) ours(), peer();
  const oursRounds = [];
  const peerRounds = [];
  const round = (call, into) => {
    const start = performance.now();
    for (let i = 0; i < batch; i++) call();
    into.push((performance.now() - start) / batch);
  };
  for (let r = 0; r < 21; r++) {
    if (r % 2) round(ours, oursRounds), round(peer, peerRounds);
    else round(peer, peerRounds), round(ours, oursRounds);
  }
  const mid = (rounds) => [...rounds].sort((a, b) => a - b)[Math.floor(rounds.length / 2)];
  const reply = ours();
  const peerResult = peer();
  return {
    recipients: n,
    ours_ms: mid(oursRounds),
    peer_ms: mid(peerRounds),
    iterations: batch * oursRounds.length,
    ours: { recipients: reply.recipients.length, internal: reply.recipients.filter((r) => r.class === "internal").length },
    peer: { recipients: peerResult.internals.length + peerResult.externals.length, internal: peerResult.internals.length },
  };
}

const peer = new URL(location.href).searchParams.get("peer") === "1" ? await sideBySide(1000) : null;

globalThis.benchResult = {
  peer,
  cold: { import_ms: t1 - t0, instantiate_ms: t2 - t1, engine_ms: t3 - t2, first_evaluate_ms: t4 - t3, total_ms: t4 - t0 },
  warm: results,
  rawText,
  userAgent: navigator.userAgent,
};
