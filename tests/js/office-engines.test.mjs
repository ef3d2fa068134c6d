/**
 * @file The engine's two builds answer the same protocol: the extension's
 * wasm-bindgen WASM (build/pkg, also shipped in dist/office/pkg), the C-ABI
 * build as WebAssembly (build/office/engine-cabi.wasm) and the same turned
 * into JavaScript by wasm2js as the add-in ships it
 * (dist/office/engine-wasm2js.js) get the same requests — every kind, bad
 * input, Japanese and IDN text, 1,000 recipients, a hundred generated
 * composes — under several policies, and must give byte-for-byte the same
 * replies. Also: the JavaScript side of the C-ABI recovers from a trap.
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { ROOT } from "../../scripts/lib/run.mjs";
import { releaseEngine } from "./wasm.mjs";
import { wasm2jsModule } from "./office.mjs";
import { cabiExports, decodeUtf8, encodeUtf8 } from "../../www/office/engine-cabi.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Each build as wasm-bindgen-shaped exports. */
async function builds() {
  const wasm = readFileSync(path.join(ROOT, "build", "office", "engine-cabi.wasm"));
  const module = new WebAssembly.Module(wasm);
  const wasm2js = await wasm2jsModule();
  return {
    "wasm-bindgen": await releaseEngine(),
    "c-abi wasm": cabiExports(() => new WebAssembly.Instance(module, {}).exports),
    wasm2js: cabiExports(wasm2js.instantiate),
  };
}

/** A small deterministic generator, so that a failure can be replayed. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function generated(count) {
  const next = random(20);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const domains = ["corp.example", "mail.corp.example", "gmail.com", "yahoo.co.jp", "docomo.ne.jp", "partner.co.jp", "a.kawasaki.jp", "例え.jp", "xn--r8jz45g.jp", "notcorp.example", "corp.example.evil.org"];
  const names = ["", "Ann", "山田 太郎", "\"Quoted, Name\"", "evil@other.example", "Ünïcödé"];
  const entry = () => {
    const address = `${pick(["a", "b", "c", "info", "山田"])}${Math.floor(next() * 50)}@${pick(domains)}`;
    const kind = next();
    if (kind < 0.6) return { name: pick(names) || undefined, address };
    if (kind < 0.9) return { text: `${pick(names)} <${address}>, ${pick(["x@y", "@@", "z@" + pick(domains), ""])}` };
    return { name: pick(names), address: pick(["", "not an address", address.toUpperCase()]) };
  };
  const list = (n) => Array.from({ length: Math.floor(next() * n) }, entry);
  return Array.from({ length: count }, () => ({
    v: 1,
    kind: "evaluate",
    compose: { account: pick(["me@corp.example", null, "me@gmail.com"]), to: list(8), cc: list(4), bcc: list(6), complete: next() > 0.1 },
  }));
}

function requests() {
  const chips = (n, domain = (i) => `org${i % 97}.example`) => Array.from({ length: n }, (_, i) => ({ name: `P ${i}`, address: `p${i}@${domain(i)}` }));
  const exposed = { account: "me@corp.example", to: chips(5), cc: [], bcc: [] };
  const moved = { account: "me@corp.example", to: [{ address: "me@corp.example" }], cc: [], bcc: chips(5) };
  return [
    { v: 1, kind: "evaluate", compose: { account: "me@corp.example", to: chips(2), cc: [], bcc: [] } },
    { v: 1, kind: "evaluate", compose: exposed },
    { v: 1, kind: "evaluate", compose: { account: "me@corp.example", to: chips(1), cc: [], bcc: chips(30, () => "gmail.com") } },
    { v: 1, kind: "evaluate", compose: { account: "山田@会社.jp", to: [{ text: "山田 太郎 <taro@例え.jp>, \"B, C\" <b@c.example>; d@e.example，f＠g.example" }], cc: [{ name: "x@evil.example", address: "y@good.example" }], bcc: [{ text: "garbage, more garbage" }] } },
    { v: 1, kind: "evaluate", compose: { ...exposed, complete: false } },
    { v: 1, kind: "evaluate", compose: { account: "me@corp.example", to: chips(1000), cc: [], bcc: [] } },
    { v: 1, kind: "evaluate", compose: { account: "me@corp.example", to: [{ text: chips(1000).map((c) => `"${c.name}" <${c.address}>`).join(", ") }], cc: [], bcc: [] } },
    { v: 1, kind: "verify", original: exposed, compose: moved },
    { v: 1, kind: "verify", original: exposed, compose: { ...moved, bcc: chips(4) } },
    { v: 1, kind: "verify", original: { account: "me@corp.example", to: chips(2), cc: [], bcc: [] }, compose: moved },
    { v: 1, kind: "policy" },
    { v: 1, kind: "validate", settings: { minExposedParties: 2, internalDomains: ["corp.example", "com", "not a domain"], action: "block" } },
    { v: 1, kind: "validate", settings: "not an object" },
    { v: 2, kind: "policy" },
    { v: 1, kind: "teleport" },
    { v: 1, kind: "evaluate" },
    ...generated(100),
  ];
}

const LAYERS = [
  "null",
  JSON.stringify({ managed: null, user: null }),
  JSON.stringify({ managed: { minExposedParties: 2, action: "block", internalDomains: ["corp.example"] }, user: { trustedDomains: ["partner.co.jp"] } }),
  JSON.stringify({ managed: "policy.json is not JSON: Unexpected token", user: { minExposedParties: 99 } }),
  "not json at all",
];

test("both builds give byte-for-byte the same replies to the same requests", async () => {
  const all = await builds();
  const texts = requests().map((request) => encoder.encode(JSON.stringify(request)));
  // Raw bytes that are not a request at all, as the fuzz targets send.
  texts.push(encoder.encode("{\"v\":1,\"kind\":"), new Uint8Array([0xff, 0xfe, 0x00]), encoder.encode("[]"), new Uint8Array(0));
  let compared = 0;
  for (const layers of LAYERS) {
    const engines = Object.fromEntries(Object.entries(all).map(([name, build]) => [name, new build.Engine(layers)]));
    for (const request of texts) {
      const replies = Object.entries(engines).map(([name, engine]) => [name, decoder.decode(engine.handle(request))]);
      const [, expected] = replies[0];
      JSON.parse(expected);
      for (const [name, reply] of replies.slice(1)) {
        assert.equal(reply, expected, `${name} differs from wasm-bindgen with layers ${layers} on ${decoder.decode(request).slice(0, 200)}`);
      }
      compared++;
    }
    Object.values(engines).forEach((engine) => engine.free());
  }
  assert.ok(compared > 500, `only ${compared} requests compared`);
  for (const build of Object.values(all)) assert.equal(build.protocolVersion(), 1);
});

test("the C-ABI side starts a fresh instance after a trap and says so", async () => {
  const { instantiate } = await wasm2jsModule();
  let instances = 0;
  let trapNext = false;
  const exports = cabiExports(() => {
    instances++;
    const real = instantiate();
    return {
      ...real,
      memory: real.memory,
      bcc_handle(...args) {
        if (trapNext) {
          trapNext = false;
          throw new WebAssembly.RuntimeError("unreachable");
        }
        return real.bcc_handle(...args);
      },
    };
  });
  const request = encoder.encode(JSON.stringify({ v: 1, kind: "policy" }));
  const engine = new exports.Engine("null");
  assert.equal(JSON.parse(decoder.decode(engine.handle(request))).ok, true);
  trapNext = true;
  assert.throws(() => engine.handle(request), /unreachable/);
  assert.throws(() => engine.handle(request), /reset after a failure/, "the old engine is gone with its instance");
  const fresh = new exports.Engine("null");
  assert.equal(JSON.parse(decoder.decode(fresh.handle(request))).ok, true);
  assert.equal(instances, 2);
});

test("the hand-written UTF-8 codec agrees with TextEncoder and TextDecoder", () => {
  const { TextEncoder: Encoder, TextDecoder: Decoder } = globalThis;
  const samples = ["", "plain", "山田 太郎 <taro@例え.jp>", "emoji 📮 and \u{1F600}", "lone \ud800 surrogate", "null \u0000 byte", "Ünïcödé ＠，；", "x".repeat(20000)];
  try {
    // Without the runtime's codecs, as in the JavaScript-only runtime.
    delete globalThis.TextEncoder;
    delete globalThis.TextDecoder;
    for (const text of samples) {
      const bytes = encodeUtf8(text);
      assert.deepEqual([...bytes], [...new Encoder().encode(text)], text.slice(0, 40));
      assert.equal(decodeUtf8(bytes), new Decoder().decode(bytes));
    }
  } finally {
    globalThis.TextEncoder = Encoder;
    globalThis.TextDecoder = Decoder;
  }
});
