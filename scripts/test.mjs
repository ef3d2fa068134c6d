/**
 * @file `npm test`: everything, in order from fastest to slowest, stopping at
 * the first failure.
 *
 *  1. setup      — installs missing tools (wasm target, wasm-bindgen CLI,
 *                  wasm-pack, geckodriver, Chromium, Firefox ESR, Thunderbird,
 *                  Roundcube with PHP and Dovecot, npm packages)
 *  2. build      — `npm run build`: dist/chrome, dist/firefox, dist/thunderbird
 *  3. native     — `cargo test --no-default-features`: the engine without any
 *                  web dependency (which that flag also proves)
 *  4. wasm       — `wasm-pack test --headless --chrome` and `--firefox`: the
 *                  exported API in real browsers, in a page and a service worker
 *  5. fuzz       — a short run of every cargo-fuzz target (scripts/fuzz.mjs):
 *                  no crash in any
 *  6. lint       — `web-ext lint` on dist/firefox: zero errors; `cargo fmt
 *                  --check`; clippy with every warning an error, natively
 *                  and for the WASM target; TypeScript's check of www/'s
 *                  JSDoc (tsconfig.json)
 *  7. js         — Node's test runner on tests/js (real WASM in Node)
 *  8. e2e        — Node's test runner on tests/e2e: the built extension in
 *                  Chromium and Firefox ESR against webmail fixtures and a
 *                  real Roundcube, and in Thunderbird, against a real SMTP
 *                  server
 *
 * `npm test -- native js` runs only the named stages (after setup and build).
 */

import { ensureBuildTools, ensureLintTools, ensureTestTools } from "./setup.mjs";
import { build } from "./build.mjs";
import { smoke } from "./fuzz.mjs";
import { lintFirefox } from "./lib/lint.mjs";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { ENV, ROOT, run, step } from "./lib/run.mjs";

/**
 * The lint stage's Rust half. Cargo.toml denies `unwrap`, `expect` and
 * `panic` for the WASM (a panic traps the background's engine), and
 * `-D warnings` makes every other warning an error too. Clippy runs twice:
 * natively with the default features (the engine, the WASM boundary in
 * src/wasm.rs, the native tests and the benchmark), and for
 * wasm32-unknown-unknown with `fault-injection`, which reaches what only the
 * WASM build compiles (target-specific code, the browser tests in tests/web.rs
 * and tests/service_worker.rs, the fault-injection export). The C-ABI crate
 * (c-abi/, the Outlook add-in's engine entry) is linted for the target it is
 * built for.
 */
function lintRust() {
  run("cargo", ["fmt", "--check", "--all"]);
  run("cargo", ["fmt", "--check", "--manifest-path", "fuzz/Cargo.toml"]);
  run("cargo", ["clippy", "--locked", "--all-targets", "--", "-D", "warnings"]);
  run("cargo", ["clippy", "--locked", "--all-targets", "--target", "wasm32-unknown-unknown", "--features", "fault-injection", "--", "-D", "warnings"]);
  run("cargo", ["clippy", "--locked", "-p", "bcc-guard-c-abi", "--target", "wasm32-unknown-unknown", "--", "-D", "warnings"]);
}

/**
 * The type check of www/ (tsconfig.json): TypeScript reads the JSDoc and
 * checks the code against it, the three webmail adapters against the
 * `Adapter` typedef among it. The WASM glue's declarations are written for
 * it by the pinned wasm-bindgen CLI into build/types (the build leaves them
 * out of dist/).
 */
function typeCheck() {
  const wasm = "target/wasm32-unknown-unknown/release/bcc_guard.wasm";
  run("wasm-bindgen", ["--target", "web", "--out-dir", "build/types/pkg", wasm]);
  run("tsc", ["--project", "tsconfig.json"]);
}

/**
 * Runs Node's test runner on `dir` with the spec reporter on the terminal
 * and the skip reporter into a file, and returns the skipped tests' lines
 * (file, name, reason), which the summary repeats.
 * @param {string} stage
 * @param {string} dir
 * @param {string[]} [options] More flags for the runner.
 * @returns {string[]}
 */
function nodeTests(stage, dir, options = []) {
  const list = path.join(ROOT, "build", `skipped-${stage}.txt`);
  mkdirSync(path.dirname(list), { recursive: true });
  rmSync(list, { force: true });
  run("node", [
    "--test", ...options,
    "--test-reporter=spec", "--test-reporter-destination=stdout",
    "--test-reporter=./scripts/lib/skip-reporter.mjs", `--test-reporter-destination=${list}`,
    dir,
  ]);
  return existsSync(list) ? readFileSync(list, "utf8").split("\n").filter(Boolean) : [];
}

/** Every test skipped so far, with its reason, for the summary. */
const skipped = [];

const STAGES = {
  native() {
    run("cargo", ["test", "--locked", "--no-default-features"]);
  },
  wasm() {
    // The runner gets a longer timeout than its default 20 s: a cold headless
    // browser on a loaded two-core machine can take that long to start.
    const env = { WASM_BINDGEN_TEST_TIMEOUT: "120" };
    for (const browser of ["--chrome", "--firefox"]) {
      run("wasm-pack", ["test", "--headless", browser, "--mode", "no-install", "--", "--locked"], { env: { ...ENV, ...env } });
    }
  },
  fuzz() {
    smoke();
  },
  lint() {
    lintFirefox("dist/firefox");
    lintRust();
    typeCheck();
  },
  js() {
    skipped.push(...nodeTests("js", "tests/js/"));
  },
  e2e() {
    // One browser at a time: the machines CI runs on have two cores.
    skipped.push(...nodeTests("e2e", "tests/e2e/", ["--test-concurrency=1"]));
  },
};

function main() {
  const started = Date.now();
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !(name in STAGES));
  if (unknown.length) throw new Error(`unknown stage(s): ${unknown.join(", ")}; stages: ${Object.keys(STAGES).join(", ")}`);
  ensureBuildTools();
  ensureTestTools();
  ensureLintTools();
  build();
  const timings = [];
  for (const [name, stage] of Object.entries(STAGES)) {
    if (wanted.length && !wanted.includes(name)) continue;
    step(`Test stage: ${name}`);
    const t = Date.now();
    stage();
    timings.push(`${name} ${((Date.now() - t) / 1000).toFixed(0)} s`);
  }
  console.log(`\nAll tests passed in ${((Date.now() - started) / 1000).toFixed(0)} s (${timings.join(", ")}).`);
  if (skipped.length) {
    console.log(`\n${skipped.length} skipped (not run, so not passed):\n${skipped.map((line) => `  ${line}`).join("\n")}`);
  }
}

try {
  main();
} catch (error) {
  console.error(`\nTests failed: ${error.message}`);
  process.exit(1);
}
