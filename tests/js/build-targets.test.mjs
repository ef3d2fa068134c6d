/**
 * @file What each built extension carries (scripts/build.mjs): every module
 * its background and pages import is there, and no module that nothing
 * loads. The shared modules live in www/lib/ and the build copies a target
 * only the ones it uses, so Thunderbird gets the dialog and the move
 * transaction as modules while the webmail builds have them only inside
 * content.js. Runs on the build `npm test` made.
 */

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { parse } from "acorn";
import { TARGETS } from "../../scripts/build.mjs";
import { ROOT } from "../../scripts/lib/run.mjs";

/**
 * The static and literal dynamic imports of an ES module.
 * @param {string} source
 * @returns {string[]}
 */
function importsOf(source) {
  const found = [];
  const visit = (node) => {
    if (!node || typeof node.type !== "string") return;
    if ((node.type === "ImportDeclaration" || node.type === "ExportNamedDeclaration" || node.type === "ExportAllDeclaration") && node.source) {
      found.push(node.source.value);
    }
    if (node.type === "ImportExpression" && node.source.type === "Literal") found.push(node.source.value);
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value === "object") visit(value);
    }
  };
  visit(parse(source, { ecmaVersion: "latest", sourceType: "module" }));
  return found;
}

/**
 * Every module a target loads, from its background and its pages' module
 * scripts, and the imports that found no file.
 * @param {string} dir
 */
function reach(dir) {
  const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8"));
  const pages = readdirSync(dir, { recursive: true }).filter((file) => String(file).endsWith(".html")).map(String);
  const entries = [manifest.background.service_worker ?? manifest.background.scripts[0]];
  for (const page of pages) {
    for (const [, src] of readFileSync(path.join(dir, page), "utf8").matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) {
      entries.push(path.posix.join(path.posix.dirname(page), src));
    }
  }
  const reached = new Set();
  const missing = [];
  const queue = [...entries];
  while (queue.length) {
    const file = queue.pop();
    if (reached.has(file)) continue;
    if (!existsSync(path.join(dir, file))) {
      missing.push(file);
      continue;
    }
    reached.add(file);
    for (const specifier of importsOf(readFileSync(path.join(dir, file), "utf8"))) {
      queue.push(path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)));
    }
  }
  return { reached, missing, scripts: (manifest.content_scripts ?? []).flatMap((script) => script.js) };
}

for (const browser of TARGETS) {
  const dir = path.join(ROOT, "dist", browser);
  test(`dist/${browser} has every module it imports and none it does not`, () => {
    // `npm test` builds before this stage: a missing build fails rather than skips.
    assert.ok(existsSync(dir), `${dir} is missing: run npm run build first`);
    const { reached, missing, scripts } = reach(dir);
    assert.deepEqual(missing, []);
    const modules = readdirSync(dir, { recursive: true })
      .map(String)
      .filter((file) => file.endsWith(".js"))
      .map((file) => file.split(path.sep).join("/"));
    const unused = modules.filter((file) => !reached.has(file) && !scripts.includes(file));
    assert.deepEqual(unused, []);
    if (browser === "thunderbird") {
      // The dialog window and the send hook load the shared modules as they are.
      for (const file of ["lib/dialog.js", "lib/dialog-style.js", "lib/moves.js", "lib/move-transaction.js", "lib/account.js", "thunderbird/send-check.js"]) {
        assert.ok(reached.has(file), file);
      }
      assert.ok(!modules.includes("content.js"));
    } else {
      assert.ok(scripts.length > 0 && scripts.every((file) => file === "content.js"), "the webmails run the bundle");
      assert.ok(modules.includes("content.js"));
      assert.ok(!modules.some((file) => file.startsWith("content/") || file.startsWith("thunderbird/")));
      assert.ok(!modules.includes("lib/dialog.js"), "the dialog is inside content.js");
    }
    // No page imports the background's own modules.
    for (const file of reached) {
      if (file.startsWith("background") || file.startsWith("thunderbird/background") || file.startsWith("pkg/")) continue;
      for (const specifier of importsOf(readFileSync(path.join(dir, file), "utf8"))) {
        assert.ok(!/(^|\/)background(\/|\.js$)/.test(specifier), `${file} imports ${specifier}`);
      }
    }
  });
}
