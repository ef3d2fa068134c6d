/**
 * @file The file classic Outlook for Windows loads (dist/office/launchevent.js)
 * fits its JavaScript-only runtime as Microsoft documents it: one ECMAScript
 * 2016 script (acorn, `ecmaVersion: 2016`), no `import`/`export`, no
 * conditional operator (which "will prevent your add-in from loading" before
 * Version 2403), no async functions or generators; it needs nothing of a
 * browser (run in a bare `vm` context it reaches for no `window`,
 * `document`, `localStorage`, `TextEncoder` or `WebAssembly`); it registers
 * its handler with `Office.actions.associate`, and reads policy.json only at
 * the add-in's own absolute URL. The lowering that gets it there keeps the
 * engine's behaviour, which office-handler.test.mjs checks on this very file.
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import vm from "node:vm";
import { parse } from "acorn";
import { es2016Problems, lowerConditionals } from "../../scripts/lib/es2016.mjs";
import { CATALOGUES, classicRuntime, OFFICE_DIST, outsiders, policyFetch, surface } from "./office.mjs";

const source = () => readFileSync(path.join(OFFICE_DIST, "launchevent.js"), "utf8");

test("launchevent.js is one ES2016 script with nothing that runtime refuses", () => {
  const text = source();
  // As a script, acorn refuses `import` and `export` outright.
  assert.deepEqual(es2016Problems(text), []);
  const ast = parse(text, { ecmaVersion: 2016, sourceType: "script" });
  assert.equal(ast.body.length >= 1, true);
  assert.ok(!/\{\{ADDIN_BASE\}\}/.test(text), "the base URL is filled in");
});

test("the checker finds what the runtime refuses", () => {
  assert.match(es2016Problems("var a = b ? 1 : 2;")[0], /conditional/);
  assert.match(es2016Problems("async function f() {}")[0], /not an ECMAScript 2016 script/);
  assert.match(es2016Problems("function* g() {}")[0], /generator/);
  assert.match(es2016Problems("let x = a?.b;")[0], /not an ECMAScript 2016 script/);
  assert.match(es2016Problems("export var x = 1;")[0], /not an ECMAScript 2016 script/);
  assert.deepEqual(es2016Problems("var x = 2 ** 3; [1].includes(1);"), [], "ES2016's own syntax is fine");
});

test("lowering removes every conditional and keeps its meaning", () => {
  const programs = [
    // Assignment statements, nested conditionals, both forms of branch.
    "var HEAP32 = new Int32Array([5, 6]); var a = 0, b = 1, r, s; r = a ? HEAP32[0] : b ? HEAP32[1] : -1; s = (a > 0 ? a : b) + (b ? 10 : 20); [r, s];",
    // Branches with effects run only when chosen, as with the operator.
    "var n = 0; function bump() { n++; return n; } var x = (n ? bump() : 7) + (true ? 1 : bump()); [x, n];",
    // In returns, arguments, arrays and objects.
    "function f(v) { return v ? [v, v ? 'y' : 'n'] : { none: v === 0 ? 'zero' : String(v) }; } JSON.stringify([f(0), f(2), f(null)]);",
  ];
  for (const program of programs) {
    const lowered = lowerConditionals(program);
    assert.deepEqual(es2016Problems(lowered), [], lowered);
    assert.equal(JSON.stringify(vm.runInNewContext(lowered)), JSON.stringify(vm.runInNewContext(program)), program);
  }
});

test("it runs in a bare context, with no browser globals, and asks only its own origin", async () => {
  const office = surface({ to: outsiders(3) });
  const { fetch, requests } = policyFetch();
  const context = classicRuntime(office, { fetch });
  for (const name of ["window", "document", "localStorage", "TextEncoder", "TextDecoder", "WebAssembly", "navigator", "require", "process"]) {
    assert.equal(vm.runInContext(`typeof ${name}`, context), "undefined", `${name} is not there`);
  }
  assert.ok(office.calls.some((c) => c.method === "actions.associate" && c.name === "onMessageSendHandler"));
  const options = await office.pressSend();
  assert.equal(options.allowEvent, false);
  assert.deepEqual(requests, ["https://localhost:3000/policy.json"], "an absolute URL at the add-in's origin, nothing else");
});

test("an engine that throws in the classic file stops the send with a message, once", async () => {
  const office = surface({ to: outsiders(1) });
  const context = classicRuntime(office);
  // Every engine reply now fails to decode, as a trapped instance would.
  vm.runInContext(`(() => { const parse = JSON.parse; JSON.parse = (text) => { if (String(text).startsWith('{"v"')) throw new Error("engine broke"); return parse(text); }; })();`, context);
  const options = JSON.parse(JSON.stringify(await office.pressSend()));
  assert.equal(options.allowEvent, false);
  assert.match(options.errorMessage, /internal: engine broke/);
  assert.equal(options.sendModeOverride, undefined);
  assert.deepEqual(office.faults, []);
  assert.equal(office.completions.length, 1);
});

test("a runtime without fetch cannot read policy.json: the strictest settings stand in for it", async () => {
  // Two outside parties pass the defaults; a policy that cannot be read must
  // not fall back to them. The result is what {action: "block",
  // minExposedParties: 2} would give: blocked, no Send Anyway, the move offered.
  const office = surface({ to: outsiders(2) });
  const context = vm.createContext({ Office: office.Office, setTimeout, clearTimeout, console });
  vm.runInContext("delete globalThis.WebAssembly;", context);
  vm.runInContext(source(), context);
  const options = JSON.parse(JSON.stringify(await office.pressSend()));
  assert.equal(options.allowEvent, false);
  assert.equal(options.sendModeOverride, undefined);
  assert.equal(options.commandId, "BccGuard.Move");
  assert.ok(options.errorMessage.includes(CATALOGUES.en.reason_policyUnreadable.message.slice(0, 40)), options.errorMessage);
  assert.equal(office.sent.length, 0);
});
