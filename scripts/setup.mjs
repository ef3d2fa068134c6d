/**
 * @file Installs what building and testing need, when it is missing. A fresh
 * machine has none of it: no wasm target, no wasm-bindgen CLI, no browsers.
 *
 * Everything comes from the package registries this project may use:
 * rustup's targets, crates (`cargo install`), npm and Debian's packages.
 * Browsers and their drivers need root for `apt-get`; without root the script
 * says exactly what to install and stops.
 *
 * Run directly (`node scripts/setup.mjs [build|test]`) or through
 * `npm run build` and `npm test`, which call it first.
 */

import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { capture, has, ROOT, run, step } from "./lib/run.mjs";

/**
 * The wasm-bindgen version pinned in Cargo.lock. The CLI that writes the JS
 * glue must be exactly this version.
 * @returns {string}
 */
export function wasmBindgenVersion() {
  const lock = readFileSync(path.join(ROOT, "Cargo.lock"), "utf8");
  const match = lock.match(/name = "wasm-bindgen"\nversion = "([^"]+)"/);
  if (!match) throw new Error("Cargo.lock does not pin wasm-bindgen");
  return match[1];
}

/**
 * Installs a crate's binaries with `cargo install`. `--locked` is tried
 * first for a reproducible build; if the registry lacks one of the locked
 * dependency versions, the newest compatible versions are used instead.
 * @param {string} crate
 * @param {string[]} [extra] Further arguments, such as `--version`.
 */
export function cargoInstall(crate, extra = []) {
  try {
    run("cargo", ["install", crate, ...extra, "--locked"]);
  } catch {
    console.log(`(--locked failed for ${crate}; retrying with the registry's compatible versions)`);
    run("cargo", ["install", crate, ...extra]);
  }
}

/** What `npm run build` needs. */
export function ensureBuildTools() {
  step("Checking build tools");
  for (const tool of ["cargo", "rustup", "node", "npm"]) {
    if (!has(tool)) throw new Error(`${tool} is required but not on PATH. Install the Rust toolchain (rustup) and Node.js 20.`);
  }
  const targets = capture("rustup", ["target", "list", "--installed"]) ?? "";
  if (!targets.split("\n").includes("wasm32-unknown-unknown")) {
    run("rustup", ["target", "add", "wasm32-unknown-unknown"]);
  }
  const wanted = wasmBindgenVersion();
  const installed = capture("wasm-bindgen", ["--version"]);
  if (installed !== `wasm-bindgen ${wanted}`) {
    cargoInstall("wasm-bindgen-cli", ["--version", wanted]);
  }
  const lock = path.join(ROOT, "package-lock.json");
  const modules = path.join(ROOT, "node_modules", ".package-lock.json");
  if (!existsSync(modules) || statSync(modules).mtimeMs < statSync(lock).mtimeMs) {
    run("npm", ["ci", "--no-audit", "--no-fund"]);
  }
  console.log(`wasm32 target, wasm-bindgen ${wanted}, npm packages: ready`);
}

/** The Debian packages the browser tests need, and the binaries they provide. */
const BROWSER_PACKAGES = [
  ["chromium", "/usr/bin/chromium"],
  ["chromium-driver", "/usr/bin/chromedriver"],
  ["firefox-esr", "/usr/bin/firefox-esr"],
  // The Japanese tests need Firefox's Japanese language pack: without it,
  // Firefox (and so the extension's i18n) stays in English.
  ["firefox-esr-l10n-ja", "/usr/lib/firefox-esr/browser/extensions/langpack-ja@firefox-esr.mozilla.org.xpi"],
  // The Thunderbird suite runs the real mail client (headless, no display needed).
  ["thunderbird", "/usr/lib/thunderbird/thunderbird"],
  ["thunderbird-l10n-ja", "/usr/lib/thunderbird/extensions/langpack-ja@thunderbird.mozilla.org.xpi"],
];

/** What `npm test` needs on top of the build tools. */
export function ensureTestTools() {
  step("Checking test tools");
  if (!has("wasm-pack")) cargoInstall("wasm-pack");
  if (!has("geckodriver")) cargoInstall("geckodriver");
  const missing = BROWSER_PACKAGES.filter(([, binary]) => !existsSync(binary)).map(([name]) => name);
  if (missing.length > 0) {
    if (process.getuid?.() !== 0) {
      throw new Error(
        `The browser tests need Debian packages that are missing: ${missing.join(" ")}.\n` +
          `Install them as root: apt-get update && apt-get install -y ${missing.join(" ")}`,
      );
    }
    run("apt-get", ["update"]);
    run("apt-get", ["install", "-y", "--no-install-recommends", ...missing]);
  }
  console.log("wasm-pack, geckodriver, chromium, chromedriver, firefox-esr (+ ja), thunderbird (+ ja): ready");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureBuildTools();
  if (process.argv[2] !== "build") ensureTestTools();
}
