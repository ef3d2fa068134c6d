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
import { capture, ENV, has, ROOT, run, step } from "./lib/run.mjs";

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

/**
 * The oldest Node.js of each release line that can build: the package
 * writer (scripts/lib/zip.mjs) needs `zlib.crc32`, which nodejs/node#52692
 * added in 22.2.0 and 20.15.0 (21 never had it). `engines` in package.json
 * says the same.
 */
export const NODE_MINIMUM = "^20.15.0 || >=22.2.0";

/**
 * Whether a Node.js version satisfies NODE_MINIMUM.
 * @param {string} version e.g. "20.20.2"
 * @returns {boolean}
 */
export function nodeIsSupported(version) {
  const [major, minor] = version.split(".").map(Number);
  return (major === 20 && minor >= 15) || (major === 22 && minor >= 2) || major > 22;
}

/** What `npm run build` needs. */
export function ensureBuildTools() {
  step("Checking build tools");
  if (!nodeIsSupported(process.versions.node)) {
    throw new Error(`Node.js ${process.versions.node} is too old: building needs ${NODE_MINIMUM} (zlib.crc32, for the packages).`);
  }
  for (const tool of ["cargo", "rustup", "node", "npm"]) {
    if (!has(tool)) throw new Error(`${tool} is required but not on PATH. Install the Rust toolchain (rustup) and Node.js ${NODE_MINIMUM}.`);
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

/**
 * The Debian packages of the Roundcube end-to-end tests (a real webmail
 * under `php -S`, Dovecot for its login; tests/e2e/lib/roundcube-server.mjs),
 * and a file each installs. php8.2-cgi satisfies Roundcube's dependency on a
 * PHP server module without pulling in Apache; the SQLite database is made
 * with PHP's own driver, so no sqlite3 tool is needed.
 */
const ROUNDCUBE_PACKAGES = [
  ["roundcube-core", "/var/lib/roundcube/public_html/index.php"],
  ["roundcube-sqlite3", "/usr/share/doc/roundcube-sqlite3"],
  ["php8.2-cgi", "/usr/bin/php-cgi8.2"],
  ["dovecot-imapd", "/usr/lib/dovecot/imap"],
];

/**
 * Stops roundcube-core's installer from creating a database of its own
 * (dbconfig-common would ask, or set up one the tests do not use).
 */
const ROUNDCUBE_PRESEED = "roundcube-core roundcube/dbconfig-install boolean false\n";

/** What `npm test` needs on top of the build tools. */
export function ensureTestTools() {
  step("Checking test tools");
  if (!has("wasm-pack")) cargoInstall("wasm-pack");
  // Only `wasm-pack test --firefox` needs geckodriver: its runner
  // (wasm-bindgen-test-runner) drives a browser through a WebDriver
  // binary. The Firefox end-to-end tests use none (puppeteer-core).
  if (!has("geckodriver")) cargoInstall("geckodriver");
  const missing = [...BROWSER_PACKAGES, ...ROUNDCUBE_PACKAGES].filter(([, file]) => !existsSync(file)).map(([name]) => name);
  if (missing.length > 0) {
    const preseed = missing.includes("roundcube-core");
    if (process.getuid?.() !== 0) {
      const debconf = preseed ? `echo "${ROUNDCUBE_PRESEED.trim()}" | debconf-set-selections && ` : "";
      throw new Error(
        `The browser and Roundcube tests need Debian packages that are missing: ${missing.join(" ")}.\n` +
          `Install them as root: apt-get update && ${debconf}` +
          `DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing.join(" ")}`,
      );
    }
    if (preseed) run("debconf-set-selections", [], { input: ROUNDCUBE_PRESEED, stdio: ["pipe", "inherit", "inherit"] });
    run("apt-get", ["update"]);
    run("apt-get", ["install", "-y", "--no-install-recommends", ...missing], { env: { ...ENV, DEBIAN_FRONTEND: "noninteractive" } });
  }
  console.log("wasm-pack, geckodriver, chromium, chromedriver, firefox-esr (+ ja), thunderbird (+ ja), roundcube, php, dovecot: ready");
}

/**
 * The Rust toolchain's lint tools, which `npm test`'s lint stage runs
 * (clippy and rustfmt). A minimal rustup profile leaves them out.
 */
export function ensureLintTools() {
  const installed = (capture("rustup", ["component", "list", "--installed"]) ?? "").split("\n");
  const missing = ["clippy", "rustfmt"].filter((name) => !installed.some((line) => line.startsWith(`${name}-`)));
  if (missing.length > 0) run("rustup", ["component", "add", ...missing]);
  console.log("clippy, rustfmt: ready");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureBuildTools();
  if (process.argv[2] !== "build") {
    ensureTestTools();
    ensureLintTools();
  }
}
