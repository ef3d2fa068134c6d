/**
 * @file `npm run build`: sets up what is missing, builds the release WASM,
 * bundles the content script, and writes the unpacked extensions
 * `dist/chrome/`, `dist/firefox/` and `dist/thunderbird/` plus their zips,
 * and the Outlook add-in `dist/office/` (scripts/lib/office-build.mjs).
 *
 * One source manifest (`manifest.json`) carries every host's keys but the
 * content scripts, which are written from the one list of built-in webmails
 * (data/webmail-hosts.json, scripts/lib/webmail-hosts.mjs); this script
 * removes what each host does not use:
 *   Chrome  — `background.scripts` (it warns about it) and the Gecko settings;
 *   Firefox — `background.service_worker` (ignored, and linted),
 *             `storage.managed_schema` (Firefox reads policies.json instead)
 *             and `key` (Firefox uses the Gecko ID);
 *   Thunderbird — as Firefox, and its "hands" differ: no content scripts
 *             (there is no webmail page), a background that adds the
 *             `compose.onBeforeSend` listener (www/thunderbird/), and the
 *             permissions that listener needs (`THUNDERBIRD`).
 *
 * `key` is the public half of the project's development key: it fixes the
 * unpacked and self-hosted extension ID at paldapobjjgoepiejgigblhhidmhagng,
 * so that admins' policies keep applying. The private key is never committed.
 */

import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { ensureBuildTools } from "./setup.mjs";
import { ROOT, run, step } from "./lib/run.mjs";
import { zipDirectory } from "./lib/zip.mjs";
import { buildOfficeAddin } from "./lib/office-build.mjs";
import { contentScripts, readWebmails, writeHostLists } from "./lib/webmail-hosts.mjs";

const CRATE = "bcc_guard";
const BUILD = path.join(ROOT, "build");
const DIST = path.join(ROOT, "dist");

/** Every build target, in the order they are written. */
export const TARGETS = Object.freeze(["chrome", "firefox", "thunderbird"]);

/**
 * What the Thunderbird build changes in the source manifest.
 * - `compose`: read the recipients at send time, hold the send, write the move;
 * - `addressBooks`: expand address-book mailing lists into their members,
 *   which is what Thunderbird sends them as;
 * - without `scripting` and the optional host permissions: they register the
 *   content script on a self-hosted webmail, a browser feature (Thunderbird
 *   has no webmail pages), so Thunderbird asks only for what it uses.
 * 128 is the first ESR with Manifest V3 (`background.type: "module"`,
 * `action`); the suite runs on Debian's Thunderbird (153 ESR when written).
 */
const THUNDERBIRD = Object.freeze({
  permissions: ["compose", "addressBooks"],
  withoutPermissions: ["scripting"],
  background: "thunderbird/background.js",
  strictMinVersion: "128.0",
  // The compose window's own button, which shows the live state
  // (www/thunderbird/compose-state.js).
  composeAction: { default_title: "__MSG_extName__", default_icon: { 16: "icons/icon-16.png", 32: "icons/icon-32.png" } },
});

/**
 * Builds the WASM and its JS glue into `outDir`.
 * @param {object} options
 * @param {string} options.outDir Where the glue and the `.wasm` go.
 * @param {string[]} [options.features] Extra cargo features (tests only).
 * @param {boolean} [options.optimize] Run wasm-opt (release builds).
 * @param {boolean} [options.release] Optimise (slow to build); test-only
 *   builds skip it.
 */
export function buildWasm({ outDir, features = [], optimize = true, release = true }) {
  const featureArgs = features.length ? ["--features", features.join(",")] : [];
  const targetDir = features.length ? path.join(ROOT, "target", "features") : path.join(ROOT, "target");
  run("cargo", [
    "build", ...(release ? ["--release"] : []), "--locked", "--lib", "--target", "wasm32-unknown-unknown",
    "--target-dir", targetDir, ...featureArgs,
  ]);
  const wasm = path.join(targetDir, "wasm32-unknown-unknown", release ? "release" : "debug", `${CRATE}.wasm`);
  rmSync(outDir, { recursive: true, force: true });
  // --target web: an ES module with an async init(), loadable by the module
  // service worker, the Firefox event page, extension pages and Node.
  run("wasm-bindgen", ["--target", "web", "--no-typescript", "--out-dir", outDir, wasm]);
  if (optimize) {
    const output = path.join(outDir, `${CRATE}_bg.wasm`);
    // npm's binaryen: Debian's wasm-opt is too old for current rustc output.
    // -O3, not -Oz: the engine's speed on large lists matters more than the
    // few kilobytes -Oz saves (BENCHMARKS.md has both figures).
    run("wasm-opt", ["-O3", "--strip-debug", "--strip-producers", output, "-o", output]);
  }
}

/**
 * The per-browser manifest.
 * @param {"chrome"|"firefox"|"thunderbird"} browser
 * @returns {object}
 */
export function manifestFor(browser) {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, "manifest.json"), "utf8"));
  // In the key's place in the source manifest, which names where they come from.
  manifest.content_scripts = contentScripts(readWebmails());
  if (browser === "chrome") {
    delete manifest.background.scripts;
    delete manifest.browser_specific_settings;
  } else {
    delete manifest.background.service_worker;
    delete manifest.storage;
    // Firefox identifies the add-on by its Gecko ID and ignores `key`.
    delete manifest.key;
  }
  if (browser === "thunderbird") {
    delete manifest.content_scripts;
    manifest.background.scripts = [THUNDERBIRD.background];
    manifest.permissions = [
      ...manifest.permissions.filter((permission) => !THUNDERBIRD.withoutPermissions.includes(permission)),
      ...THUNDERBIRD.permissions,
    ];
    delete manifest.optional_host_permissions;
    const gecko = manifest.browser_specific_settings;
    delete gecko.gecko_android;
    gecko.gecko.strict_min_version = THUNDERBIRD.strictMinVersion;
    manifest.compose_action = THUNDERBIRD.composeAction;
  }
  return manifest;
}

/** Bundles each content script (ES modules) into one classic script. */
export function bundleContentScripts(outDir) {
  run("esbuild", [
    // Minified: the content script is parsed on every webmail page load.
    "www/content/main.js", "--bundle", "--format=iife", "--target=es2022",
    "--minify", "--legal-comments=none", `--outfile=${path.join(outDir, "content.js")}`,
  ]);
}

/**
 * The modules a target loads as they are, found by following the imports of
 * its background and of the module scripts of its pages: a module nothing
 * imports is left out, so a target never carries code it does not run (the
 * webmail builds get the dialog only inside content.js, Thunderbird no
 * Outlook code). An import that does not resolve fails the build.
 * @param {"chrome"|"firefox"|"thunderbird"} browser
 * @returns {Set<string>} Absolute paths under `www/`.
 */
function loadedModules(browser) {
  const www = path.join(ROOT, "www");
  const manifest = manifestFor(browser);
  const entries = [manifest.background.service_worker ?? manifest.background.scripts[0]];
  for (const page of listFiles(www).filter((file) => file.endsWith(".html") && pageBelongsTo(browser, file))) {
    const html = readFileSync(path.join(www, page), "utf8");
    for (const [, src] of html.matchAll(/<script\b[^>]*\btype="module"[^>]*\bsrc="([^"]+)"/g)) {
      entries.push(path.posix.join(path.posix.dirname(page), src));
    }
  }
  // esbuild is installed by ensureBuildTools, which runs before this.
  const esbuild = createRequire(import.meta.url)("esbuild");
  const { metafile } = esbuild.buildSync({
    entryPoints: entries.map((entry) => path.join(www, entry)),
    bundle: true,
    write: false,
    metafile: true,
    format: "esm",
    outdir: path.join(BUILD, "graph"),
    absWorkingDir: ROOT,
    // The WASM glue is the build's (build/pkg), copied beside the modules.
    external: ["*/pkg/bcc_guard.js"],
    logLevel: "silent",
  });
  return new Set(Object.keys(metafile.inputs).map((input) => path.join(ROOT, input)));
}

/**
 * Every file below `dir`, relative to it, with `/` separators.
 * @param {string} dir
 * @returns {string[]}
 */
function listFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"));
}

/**
 * Whether a file of `www/` other than a module belongs in a target's folder
 * (pages, styles, icons, catalogues), by the folder it is in.
 * @param {string} browser
 * @param {string} relative The path under `www/`, with `/` separators.
 */
function pageBelongsTo(browser, relative) {
  const folder = relative.split("/")[0];
  if (folder === "thunderbird") return browser === "thunderbird";
  // The Outlook add-in is a site of its own (dist/office), not part of an
  // extension; the webmail content script is bundled into content.js.
  return folder !== "office" && folder !== "content";
}

function assemble(browser) {
  const out = path.join(DIST, browser);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  // Extension pages and the background are loaded as ES modules as they are;
  // only the content script (which cannot be a module) is bundled.
  const www = path.join(ROOT, "www");
  const modules = loadedModules(browser);
  cpSync(www, out, {
    recursive: true,
    filter: (source) => {
      if (statSync(source).isDirectory()) return pageBelongsTo(browser, `${path.relative(www, source)}/`);
      return source.endsWith(".js") ? modules.has(source) : pageBelongsTo(browser, path.relative(www, source).split(path.sep).join("/"));
    },
  });
  cpSync(path.join(BUILD, "pkg"), path.join(out, "pkg"), { recursive: true });
  if (browser !== "thunderbird") cpSync(path.join(BUILD, "content.js"), path.join(out, "content.js"));
  if (browser === "chrome") cpSync(path.join(ROOT, "managed_schema.json"), path.join(out, "managed_schema.json"));
  writeFileSync(path.join(out, "manifest.json"), `${JSON.stringify(manifestFor(browser), null, 2)}\n`);
  return out;
}

/** The whole build, as `npm run build` runs it. */
export function build() {
  const started = Date.now();
  ensureBuildTools();
  const rewritten = writeHostLists();
  if (rewritten.length) {
    step(`data/webmail-hosts.json changed: rewrote ${rewritten.join(" and ")} from it (commit them)`);
  }
  step("Building the engine (release WASM)");
  buildWasm({ outDir: path.join(BUILD, "pkg") });
  step("Bundling the content script");
  bundleContentScripts(BUILD);
  step("Assembling dist/chrome, dist/firefox and dist/thunderbird");
  const version = JSON.parse(readFileSync(path.join(ROOT, "manifest.json"), "utf8")).version;
  for (const browser of TARGETS) {
    const dir = assemble(browser);
    const zip = path.join(DIST, `bcc-guard-${version}-${browser}.zip`);
    const size = zipDirectory(dir, zip);
    console.log(`${path.relative(ROOT, dir)}/  and  ${path.relative(ROOT, zip)} (${(size / 1024).toFixed(1)} KB)`);
  }
  step("Building the Outlook add-in (dist/office: the engine's C-ABI build as wasm2js, the bundles)");
  console.log(`${path.relative(ROOT, buildOfficeAddin(DIST))}/  (host it over HTTPS: docs/ADMIN.md, "Outlook")`);
  const wasmSize = statSync(path.join(BUILD, "pkg", `${CRATE}_bg.wasm`)).size;
  console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s. WASM: ${(wasmSize / 1024).toFixed(1)} KB.`);
  console.log("Load dist/chrome (chrome://extensions, Developer mode, Load unpacked), dist/firefox (about:debugging)");
  console.log("or the Thunderbird zip (Add-ons Manager, gear menu, Install Add-on From File).");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    build();
  } catch (error) {
    console.error(`\nBuild failed: ${error.message}`);
    process.exit(1);
  }
}
