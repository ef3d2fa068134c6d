/**
 * @file The Outlook add-in's part of `npm run build` (www/office/ →
 * dist/office/) and of `npm run package` (a folder to host, with its URLs
 * filled in).
 *
 *  1. The engine's C-ABI build (c-abi/): cargo for MVP wasm32 (no
 *     reference types, no bulk memory) at opt-level "z", which halves the
 *     JavaScript wasm2js writes; binaryen's `wasm-opt` lowers the
 *     bulk-memory, float-to-int and sign-extension instructions that the
 *     precompiled standard library still carries, and `wasm2js -O2` turns
 *     the module into JavaScript. Its trailing exports become one
 *     `instantiate()` function, so that a caller can start a fresh instance
 *     after a trap. Skipped when the WASM it comes from and binaryen's
 *     version are unchanged.
 *  2. esbuild bundles the browser runtime's pages (commands.js,
 *     taskpane.js, with the catalogues) as ES modules, and the
 *     classic-Windows handler (launchevent.js) as one ES2016 script with the
 *     wasm2js engine inside; its conditionals are lowered and the result is
 *     checked (scripts/lib/es2016.mjs). A file that does not pass fails the
 *     build.
 *  3. build/office/site gets the pages, the bundles, the wasm-bindgen engine
 *     (`pkg/`, the extension's very files), the wasm2js engine for browsers
 *     without WebAssembly, the icons, and the manifest, filled in for
 *     https://localhost:3000 (Microsoft's usual sideloading address).
 */

import { createHash } from "node:crypto";
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { es2016Problems, lowerConditionals } from "./es2016.mjs";
import { ROOT, run } from "./run.mjs";

const BUILD = path.join(ROOT, "build", "office");
const SOURCE = path.join(ROOT, "www", "office");

/**
 * What dist/office is filled in with: Microsoft's sideloading address and
 * the defaults. `Block` is the default send mode: event-based add-ins start
 * only when an admin deploys them, which is where Block is allowed, and it
 * is the one mode in which an add-in that fails to load stops the send
 * instead of letting it go unchecked (docs/ADMIN.md, "Send modes").
 * `policy` is the path of the admin's policy.json to package, or null.
 */
export const OFFICE_DEFAULTS = Object.freeze({
  base: "https://localhost:3000",
  sendMode: "Block",
  permissions: "ReadWriteMailbox",
  policy: null,
});

/**
 * @typedef {object} OfficeOptions
 * @property {string} base The HTTPS URL the add-in's files are served from.
 * @property {string} sendMode One of `SEND_MODES`.
 * @property {string} permissions One of `PERMISSIONS`.
 * @property {string|null} [policy] The admin's policy.json to package: the
 *   add-in then expects it, and its absence is a policy that could not be
 *   read (www/office/layers.js).
 */

/** The manifest's `SendMode` values (docs/ADMIN.md, "Send modes"). */
export const SEND_MODES = Object.freeze(["PromptUser", "SoftBlock", "Block"]);
/** The permissions the add-in can work with: sendAsync needs the first. */
export const PERMISSIONS = Object.freeze(["ReadWriteMailbox", "ReadWriteItem"]);

/** The files of dist/office that hold `{{…}}` fields to fill in (the bundles' from www/office/package-fields.js). */
const TEMPLATES = Object.freeze(["manifest.xml", "launchevent.js", "commands.js", "taskpane.js"]);

/**
 * The C-ABI engine as wasm (`engine-cabi.wasm`) and as an ES module of
 * JavaScript (`engine-wasm2js.js`) in build/office.
 * @returns {{wasm: string, js: string}} Their paths.
 */
export function buildCAbiEngine() {
  const targetDir = path.join(ROOT, "target", "c-abi");
  run("cargo", [
    "build", "--release", "--locked", "-p", "bcc-guard-c-abi", "--target", "wasm32-unknown-unknown",
    "--target-dir", targetDir,
    // MVP wasm: what wasm2js translates (the default target enables
    // reference types and bulk memory).
    "--config", 'target.wasm32-unknown-unknown.rustflags=["-Ctarget-cpu=mvp"]',
    // For size: the JavaScript is parsed on every send in classic Outlook.
    "--config", 'profile.release.opt-level="z"',
  ]);
  const built = path.join(targetDir, "wasm32-unknown-unknown", "release", "bcc_guard_c_abi.wasm");
  mkdirSync(BUILD, { recursive: true });
  const wasm = path.join(BUILD, "engine-cabi.wasm");
  const js = path.join(BUILD, "engine-wasm2js.js");
  const stamp = path.join(BUILD, "engine-cabi.sha256");
  // The input WASM and the binaryen that lowers and translates it.
  const binaryen = JSON.parse(readFileSync(path.join(ROOT, "node_modules", "binaryen", "package.json"), "utf8")).version;
  const hash = createHash("sha256").update(readFileSync(built)).update(`binaryen ${binaryen}`).digest("hex");
  if (existsSync(wasm) && existsSync(js) && existsSync(stamp) && readFileSync(stamp, "utf8") === hash) {
    console.log("C-ABI engine unchanged: build/office/engine-cabi.wasm and engine-wasm2js.js kept");
    writeDeclaration();
    return { wasm, js };
  }
  run("wasm-opt", [
    "--llvm-memory-copy-fill-lowering", "--llvm-nontrapping-fptoint-lowering", "--signext-lowering",
    "-O3", "--strip-debug", "--strip-producers", built, "-o", wasm,
  ]);
  const raw = path.join(BUILD, "engine-wasm2js.raw.js");
  run("wasm2js", ["-O2", wasm, "-o", raw]);
  writeFileSync(js, instantiable(readFileSync(raw, "utf8")));
  rmSync(raw);
  writeFileSync(stamp, hash);
  writeDeclaration();
  return { wasm, js };
}

/**
 * Writes the declaration of the wasm2js module beside it, so that the type
 * check of www/ (tsconfig.json) reads the engine's one export from there
 * instead of checking 1 MB of machine-written asm.js, which is untyped by
 * nature (booleans and numbers mixed as the WebAssembly it came from).
 */
function writeDeclaration() {
  writeFileSync(
    path.join(BUILD, "engine-wasm2js.d.ts"),
    "/** A fresh instance of the engine's C-ABI build. */\n" +
      'export function instantiate(): import("../../www/office/engine-cabi.js").CAbiInstance;\n',
  );
}

/**
 * Replaces wasm2js's trailing block — one instance made when the module is
 * evaluated, its exports as `export var`s — with an `instantiate()` that
 * makes a fresh instance each call.
 * @param {string} source
 */
function instantiable(source) {
  const tail = /\nvar retasmFunc = asmFunc\(\{\s*\}\);\n(?:export var [\w$]+ = retasmFunc\.[\w$]+;\n)+\s*$/;
  if (!tail.test(source)) throw new Error("wasm2js's output does not end as expected (an instance and its exports)");
  return `${source.replace(tail, "\n")}\n/** A fresh instance of the engine's C-ABI build. */\nexport function instantiate() {\n  return asmFunc({});\n}\n`;
}

/**
 * Bundles the add-in's scripts into build/office/bundle.
 * @returns {string} The bundle directory.
 */
function bundleOffice() {
  const out = path.join(BUILD, "bundle");
  rmSync(out, { recursive: true, force: true });
  // The browser runtime (web, new Outlook, Mac; function commands and task
  // panes everywhere): ES modules, like the extension's pages.
  run("esbuild", [
    "www/office/commands.js", "www/office/taskpane.js", "--bundle", "--format=esm", "--target=es2020",
    "--minify", "--legal-comments=none", `--outdir=${out}`,
  ]);
  // Classic Outlook for Windows: one script, ES2016, nothing to import.
  const raw = path.join(out, "launchevent.raw.js");
  run("esbuild", [
    "www/office/launchevent.js", "--bundle", "--format=iife", "--target=es2016", "--minify",
    "--legal-comments=none", `--outfile=${raw}`,
  ]);
  // The wasm2js engine for browser runtimes without WebAssembly, minified.
  run("esbuild", [path.join(BUILD, "engine-wasm2js.js"), "--format=esm", "--minify", `--outfile=${path.join(out, "engine-wasm2js.js")}`]);
  const lowered = lowerConditionals(readFileSync(raw, "utf8"));
  const problems = es2016Problems(lowered);
  if (problems.length) {
    throw new Error(`launchevent.js would not load in classic Outlook for Windows:\n  ${problems.slice(0, 10).join("\n  ")}`);
  }
  writeFileSync(path.join(out, "launchevent.js"), lowered);
  rmSync(raw);
  return out;
}

/** The assembled add-in before its fields are filled in (what `npm run package` copies). */
export const OFFICE_SITE = path.join(BUILD, "site");

/**
 * Assembles the add-in in `OFFICE_SITE` and writes dist/office, filled in
 * with `OFFICE_DEFAULTS` (see the file's header).
 * @param {string} dist The dist directory.
 * @returns {string} dist/office.
 */
export function buildOfficeAddin(dist) {
  buildCAbiEngine();
  const bundle = bundleOffice();
  const site = OFFICE_SITE;
  rmSync(site, { recursive: true, force: true });
  mkdirSync(path.join(site, "icons"), { recursive: true });
  for (const file of ["commands.html", "taskpane.html", "taskpane.css", "manifest.xml"]) {
    copyFileSync(path.join(SOURCE, file), path.join(site, file));
  }
  for (const file of ["commands.js", "taskpane.js", "launchevent.js", "engine-wasm2js.js"]) {
    copyFileSync(path.join(bundle, file), path.join(site, file));
  }
  cpSync(path.join(ROOT, "build", "pkg"), path.join(site, "pkg"), { recursive: true });
  for (const size of [16, 32, 128]) {
    copyFileSync(path.join(ROOT, "www", "icons", `icon-${size}.png`), path.join(site, "icons", `icon-${size}.png`));
  }
  for (const size of [64, 80]) {
    copyFileSync(path.join(SOURCE, "icons", `icon-${size}.png`), path.join(site, "icons", `icon-${size}.png`));
  }
  return writeOfficeSite(path.join(dist, "office"), OFFICE_DEFAULTS);
}

/**
 * Writes the add-in into `out` as the files of its origin: `out` stands for
 * the server's root, so the add-in goes where the base URL's path says
 * (`https://host/bcc-guard` → `out/bcc-guard/`), and the well-known file
 * classic Outlook needs goes to `out/.well-known/`, at the origin's root,
 * where Office looks for it whatever the add-in's path.
 * @param {string} out
 * @param {OfficeOptions} options
 * @returns {string} The add-in's folder (`out` for a base URL without a path).
 */
export function writeOfficeSite(out, options) {
  const url = checkOptions(options);
  rmSync(out, { recursive: true, force: true });
  const site = path.join(out, ...decodeURIComponent(url.pathname).split("/").filter(Boolean));
  cpSync(OFFICE_SITE, site, { recursive: true });
  fillOfficeAddin(site, options);
  if (options.policy) copyFileSync(options.policy, path.join(site, "policy.json"));
  // Classic Outlook's JavaScript-only runtime reads policy.json with a
  // cross-origin request, which Office allows only for script files listed
  // at the origin's well-known URI (docs/ADMIN.md, "Hosting").
  mkdirSync(path.join(out, ".well-known"), { recursive: true });
  writeFileSync(
    path.join(out, ".well-known", "microsoft-officeaddins-allowed.json"),
    `${JSON.stringify({ allowed: [`${url.href.replace(/\/+$/, "")}/launchevent.js`] }, null, 2)}\n`,
  );
  return site;
}

/**
 * Fills in the `{{…}}` fields of a copy of the assembled add-in: the base
 * URL the files are served from (HTTPS, no trailing slash), the send mode,
 * the permission, whether a policy is expected, the version, and the
 * manifest's strings from the catalogue.
 * @param {string} dir A copy of the add-in whose templates are unfilled.
 * @param {OfficeOptions} options
 */
function fillOfficeAddin(dir, options) {
  const { sendMode, permissions } = options;
  const url = checkOptions(options);
  const version = JSON.parse(readFileSync(path.join(ROOT, "manifest.json"), "utf8")).version;
  const catalogues = Object.fromEntries(
    ["en", "ja"].map((lang) => [lang, JSON.parse(readFileSync(path.join(ROOT, "www", "_locales", lang, "messages.json"), "utf8"))]),
  );
  const fields = {
    ADDIN_BASE: url.href.replace(/\/+$/, ""),
    SEND_MODE: sendMode,
    PERMISSIONS: permissions,
    POLICY: options.policy ? "expected" : "optional",
    // Office wants four numbers.
    VERSION: `${version}.0`.split(".").slice(0, 4).join("."),
  };
  for (const file of TEMPLATES) {
    const target = path.join(dir, file);
    const text = readFileSync(target, "utf8").replace(/\{\{(?:(en|ja):)?([A-Za-z0-9_]+)\}\}/g, (whole, lang, key) => {
      if (lang) {
        const entry = catalogues[lang][key] ?? catalogues.en[key];
        if (!entry) throw new Error(`${file}: the catalogue has no message ${key}`);
        return escapeXml(entry.message);
      }
      if (!(key in fields)) throw new Error(`${file}: unknown field ${whole}`);
      // In a script the value lands inside a string literal.
      return file.endsWith(".xml") ? escapeXml(fields[key]) : JSON.stringify(fields[key]).slice(1, -1);
    });
    writeFileSync(target, text);
  }
}

/**
 * Refuses what Outlook would refuse: a base URL that is not HTTPS (Office
 * loads add-ins only over HTTPS), a query or fragment, an unknown send mode
 * or permission; and a policy file that is not a JSON object, which the
 * add-in could only read as a policy it cannot read.
 * @param {OfficeOptions} options
 * @returns {URL} The base URL.
 */
export function checkOptions({ base, sendMode, permissions, policy }) {
  const url = new URL(base);
  if (url.protocol !== "https:") throw new Error(`the add-in must be served over HTTPS, not ${base}`);
  if (url.search || url.hash) throw new Error(`the add-in's base URL takes no query or fragment: ${base}`);
  if (!SEND_MODES.includes(sendMode)) throw new Error(`send mode ${sendMode} is not one of ${SEND_MODES.join(", ")}`);
  if (!PERMISSIONS.includes(permissions)) throw new Error(`permission ${permissions} is not one of ${PERMISSIONS.join(", ")}`);
  if (policy) {
    let value;
    try {
      value = JSON.parse(readFileSync(policy, "utf8"));
    } catch (error) {
      throw new Error(`the policy ${policy} cannot be used: ${error.message}`);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new Error(`the policy ${policy} is not a JSON object of settings`);
    }
  }
  return url;
}

/**
 * What the engine finds wrong with a policy file the admin packages: the
 * same validation the add-in applies when it reads the file, run now so
 * that a mistake is seen before the package is deployed (through the
 * wasm2js build in build/office, which `npm run build` has made).
 * @param {string} file
 * @returns {Promise<{key: string, index: number|null, message: string}[]>}
 */
export async function policyProblems(file) {
  const { instantiate } = await import(pathToFileURL(path.join(BUILD, "engine-wasm2js.js")).href);
  const { cabiExports, callEngineSync } = await import(pathToFileURL(path.join(SOURCE, "engine-cabi.js")).href);
  const managed = JSON.parse(readFileSync(file, "utf8"));
  const engine = new (cabiExports(instantiate).Engine)(JSON.stringify({ managed, user: null }));
  try {
    const reply = callEngineSync(engine, { v: 1, kind: "policy" });
    if (!reply.ok) throw new Error(`the engine did not check the policy: ${reply.error?.message}`);
    return reply.policy.problems;
  } finally {
    engine.free();
  }
}

/** @param {string} text */
function escapeXml(text) {
  return String(text).replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]);
}
