/**
 * @file Loads the engine's real WASM in Node for the JS unit tests: the
 * release build from `build/pkg` (made by `npm run build`), or a
 * fault-injection build made on demand into `build/test-pkg`.
 */

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../../scripts/lib/run.mjs";
import { buildWasm } from "../../scripts/build.mjs";

/**
 * Imports a wasm-bindgen `--target web` package and instantiates it.
 * @param {string} dir
 * @returns {Promise<object>} The module's exports.
 */
async function load(dir) {
  const glue = await import(path.join(dir, "bcc_guard.js"));
  await glue.default({ module_or_path: readFileSync(path.join(dir, "bcc_guard_bg.wasm")) });
  return glue;
}

/** The release engine, as shipped in dist/. */
export async function releaseEngine() {
  const dir = path.join(ROOT, "build", "pkg");
  if (!existsSync(path.join(dir, "bcc_guard_bg.wasm"))) {
    throw new Error("build/pkg is missing: run `npm run build` first");
  }
  return load(dir);
}

/** An engine built with the `fault-injection` feature (kind "injectPanic" panics). */
export async function faultInjectionEngine() {
  const dir = path.join(ROOT, "build", "test-pkg");
  // A debug build: this engine only has to panic on cue, not be fast.
  buildWasm({ outDir: dir, features: ["fault-injection"], optimize: false, release: false });
  return load(dir);
}
