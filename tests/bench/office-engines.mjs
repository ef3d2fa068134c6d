/**
 * @file Times the Outlook add-in's engine builds in Node (run by
 * scripts/bench.mjs, also under `--jitless` to stand for a JavaScript engine
 * that interprets only, as classic Outlook's runtime may): one `evaluate` of
 * N recipients in To (the bench's usual mix: 10 % colleagues, 20 % consumer
 * mailboxes, 70 % contacts at 97 organisations) through each build, and the
 * classic-Windows file as Outlook would run it per send — a fresh context
 * that parses the file, builds the engine and answers one OnMessageSend.
 * Prints one JSON object.
 */

import { readFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { ROOT } from "../../scripts/lib/run.mjs";
import { cabiExports } from "../../www/office/engine-cabi.js";
import { releaseEngine } from "../js/wasm.mjs";
import { OFFICE_DIST, surface, wasm2jsModule } from "../js/office.mjs";

const encoder = new TextEncoder();

function compose(n) {
  const to = Array.from({ length: n }, (_, i) => {
    if (i % 10 === 0) return { address: `staff${i}@corp.example` };
    if (i % 10 < 3) return { name: `User ${i}`, address: `user${i}@gmail.com` };
    return { name: `Partner ${i}`, address: `p${i}@dept.org${i % 97}.co.jp` };
  });
  return { account: "me@corp.example", to, cc: [], bcc: [] };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timeBuild(name, exports, repeats) {
  let started = performance.now();
  const engine = new exports.Engine("null");
  engine.handle(encoder.encode(JSON.stringify({ v: 1, kind: "evaluate", compose: compose(10) })));
  const first = performance.now() - started;
  const sizes = {};
  for (const n of [10, 100, 1000]) {
    const request = encoder.encode(JSON.stringify({ v: 1, kind: "evaluate", compose: compose(n) }));
    for (let i = 0; i < 3; i++) engine.handle(request);
    const times = [];
    for (let i = 0; i < repeats; i++) {
      started = performance.now();
      engine.handle(request);
      times.push(performance.now() - started);
    }
    sizes[n] = median(times);
  }
  engine.free();
  return { name, first_ms: first, evaluate_ms: sizes };
}

/** The classic file per send: a fresh context, parse, engine, one answer. */
async function classicSend(recipients) {
  const office = surface({
    to: Array.from({ length: recipients }, (_, i) => ({ displayName: `P ${i}`, emailAddress: `p${i}@org${i % 97}.example` })),
    platform: "PC",
    mailbox: "1.16",
  });
  const source = readFileSync(path.join(OFFICE_DIST, "launchevent.js"), "utf8");
  const started = performance.now();
  const context = vm.createContext({ Office: office.Office, fetch: async () => ({ status: 404, ok: false }), setTimeout, clearTimeout, console });
  vm.runInContext("delete globalThis.WebAssembly;", context);
  vm.runInContext(source, context);
  const parsed = performance.now() - started;
  await office.pressSend();
  return { parse_ms: parsed, total_ms: performance.now() - started };
}

async function main() {
  const repeats = process.execArgv.includes("--jitless") ? 5 : 21;
  const results = [];
  // `--jitless` switches WebAssembly off: then only the JavaScript build runs.
  if (typeof WebAssembly === "object") {
    const module = new WebAssembly.Module(readFileSync(path.join(ROOT, "build", "office", "engine-cabi.wasm")));
    results.push(await timeBuild("wasm-bindgen", await releaseEngine(), repeats));
    results.push(await timeBuild("c-abi wasm", cabiExports(() => new WebAssembly.Instance(module, {}).exports), repeats));
  }
  results.push(await timeBuild("wasm2js", cabiExports((await wasm2jsModule()).instantiate), repeats));
  const classic = { 10: [], 1000: [] };
  for (let i = 0; i < (repeats > 5 ? 5 : 3); i++) {
    for (const n of [10, 1000]) classic[n].push(await classicSend(n));
  }
  const summary = Object.fromEntries(
    Object.entries(classic).map(([n, runs]) => [n, { parse_ms: median(runs.map((r) => r.parse_ms)), total_ms: median(runs.map((r) => r.total_ms)) }]),
  );
  console.log(JSON.stringify({ builds: results, classic: summary }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
