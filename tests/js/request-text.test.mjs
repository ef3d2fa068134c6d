/**
 * @file `requestText` (www/lib/request-text.js) against the release WASM:
 * a request written with its entries as columns gets, byte for byte, the
 * reply the same request gets written as lists of entries — on generated
 * composes of every shape a host may send, well formed or not.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { PROTOCOL_VERSION } from "../../www/lib/engine-client.js";
import { requestText } from "../../www/lib/request-text.js";
import { releaseEngine } from "./wasm.mjs";

const LAYERS = { managed: { internalDomains: ["corp.example"], minExposedParties: 2 }, user: null };
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A small seeded generator (mulberry32), so that a failure can be replayed. */
function random(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const below = (n) => Math.floor(next() * n);
  const pick = (list) => list[below(list.length)];
  return { next, below, pick };
}

const TEXTS = [
  "a@corp.example",
  "x@gmail.com",
  "p@partner.example",
  "Name <q@other.example>",
  '"B, C" <b@two.example>, c@three.co.jp',
  "長い名前 <n@例え.jp>",
  "",
  " ",
  "not an address",
  'quote " and \\ and \n newline',
  "😀 <e@emoji.example>",
];

/**
 * A member value: text or absent, and in a `wild` request now and then
 * something a host should never send.
 */
function member(rng, wild) {
  const roll = rng.next();
  if (wild && roll < 0.05) return rng.pick([7, true, {}, ["a@x.example"]]);
  if (roll < 0.6) return rng.pick(TEXTS);
  return rng.next() < 0.7 ? undefined : null;
}

function entry(rng, wild) {
  if (wild && rng.next() < 0.03) return rng.pick([null, "a@x.example", ["a@x.example"], 5]);
  const out = {};
  for (const key of ["name", "address", "text"]) {
    const value = member(rng, wild);
    if (value !== undefined || rng.next() < 0.1) out[key] = value;
  }
  if (rng.next() < 0.1) out.extra = "ignored";
  return out;
}

function field(rng, wild) {
  if (wild && rng.next() < 0.05) return rng.pick([null, "a@x.example", {}, 3]);
  return Array.from({ length: rng.below(6) }, () => entry(rng, wild));
}

/** A compose; one in five is `wild`. */
function compose(rng) {
  const wild = rng.next() < 0.2;
  const out = { account: rng.pick(["me@corp.example", null, undefined]), host: rng.pick(["mail.google.com", undefined]) };
  for (const key of ["to", "cc", "bcc"]) if (rng.next() < 0.8) out[key] = field(rng, wild);
  if (rng.next() < 0.2) out.complete = rng.pick([true, false]);
  return out;
}

/** The engine's reply text for `text`. */
function reply(engine, text) {
  return decoder.decode(engine.handle(encoder.encode(text)));
}

test("a request as columns gets the reply it gets as lists of entries", async () => {
  const { Engine } = await releaseEngine();
  const engine = new Engine(JSON.stringify(LAYERS));
  const rng = random(20261207);
  let answered = 0;
  let acted = 0;
  for (let i = 0; i < 2000; i++) {
    const request =
      rng.next() < 0.7
        ? { v: PROTOCOL_VERSION, kind: "evaluate", compose: compose(rng) }
        : { v: PROTOCOL_VERSION, kind: "verify", compose: compose(rng), original: compose(rng) };
    const lists = reply(engine, JSON.stringify(request));
    const columns = reply(engine, requestText(request));
    // A refusal says where in the text it stopped, which moves with the form.
    const where = / at line \d+ column \d+/;
    assert.equal(columns.replace(where, ""), lists.replace(where, ""), `request ${i}: ${JSON.stringify(request)}`);
    const parsed = JSON.parse(lists);
    if (parsed.ok) answered++;
    if (parsed.verdict && parsed.verdict.action !== "none") acted++;
  }
  // Most generated requests must be answered, not refused, for the
  // comparison to be about what the engine read.
  assert.ok(answered > 1000, `only ${answered} of 2,000 requests were answered`);
  assert.ok(acted > 800, `only ${acted} of 2,000 requests had a verdict other than none`);
});

test("entries with nothing in them keep their number, and an empty field stays a list", () => {
  const text = requestText({ v: 1, kind: "evaluate", compose: { to: [{}, { name: null }], cc: [], bcc: [{ text: "a@x.example" }] } });
  assert.deepEqual(JSON.parse(text).compose, { to: { address: [null, null] }, cc: [], bcc: { text: ["a@x.example"] } });
});

test("a field the columns cannot carry exactly goes as it came", () => {
  class Chip {
    constructor(address) {
      this.address = address;
    }
  }
  const fields = [
    [{ address: 7 }],
    [null],
    ["a@x.example"],
    [{ text: ["a@x.example"] }],
    [new Chip("a@x.example")],
    [new Date(0)],
    [{ address: "a@x.example", toJSON: () => ({ text: "b@y.example" }) }],
    Object.assign([{ address: "a@x.example" }], { toJSON: () => [] }),
    new Set([{ address: "a@x.example" }]),
    "a@x.example",
    null,
  ];
  for (const to of fields) {
    const request = { v: 1, kind: "evaluate", compose: { to } };
    assert.equal(requestText(request), JSON.stringify(request));
  }
});

test("members are read as JSON.stringify reads them: own and enumerable only", async () => {
  const { Engine } = await releaseEngine();
  const engine = new Engine(JSON.stringify(LAYERS));
  // An inherited `text` would make every chip a text entry (text wins over
  // the address), and a hidden one must not count either.
  const inherited = Object.assign(Object.create({ text: "x@gmail.com" }), { address: "a@x.example" });
  const hidden = Object.defineProperty({ address: "b@y.example" }, "text", { value: "y@gmail.com", enumerable: false });
  const compose = Object.create({ cc: [{ address: "inherited@z.example" }] });
  compose.to = [{ address: "c@z.example" }, { address: "d@w.example", name: "D" }];
  compose.bcc = [{ address: "e@v.example" }];
  const requests = [
    { v: PROTOCOL_VERSION, kind: "evaluate", compose: { to: [{ address: "p@q.example" }, { address: "r@s.example" }], cc: [hidden] } },
    { v: PROTOCOL_VERSION, kind: "evaluate", compose },
  ];
  for (const request of requests) {
    assert.equal(reply(engine, requestText(request)), reply(engine, JSON.stringify(request)));
  }
  // A member put on Object.prototype would be inherited by every entry:
  // then the whole request goes as JSON.stringify writes it.
  Object.prototype.text = "x@gmail.com";
  try {
    const request = { v: PROTOCOL_VERSION, kind: "evaluate", compose: { to: [{ address: "a@x.example" }] } };
    assert.equal(requestText(request), JSON.stringify(request));
  } finally {
    delete Object.prototype.text;
  }
  // An entry whose prototype is not Object's goes in the list form, as
  // JSON.stringify writes it (its own members only).
  const odd = { v: PROTOCOL_VERSION, kind: "evaluate", compose: { to: [inherited] } };
  assert.equal(requestText(odd), JSON.stringify(odd));
});

test("requests without a compose are written as they are", () => {
  for (const request of [{ v: 1, kind: "policy" }, { v: 1, kind: "validate", settings: { to: [{ address: "x" }] } }, { v: 1, kind: "evaluate", compose: null }]) {
    assert.equal(requestText(request), JSON.stringify(request));
  }
});
