/**
 * @file What the Outlook add-in's Node tests share: both builds of the real
 * engine as `npm run build` ships them in dist/office, the scripted Office
 * surface (tests/fixtures/office/surface.js), and the add-in wired to it the
 * way each runtime wires it:
 *
 *  - `browserRuntime`: the modules commands.js bundles — the send handler and
 *    the Move to BCC function command over the engine host — with either
 *    build (commands.js itself runs in the Chromium suite);
 *  - `classicRuntime`: dist/office/launchevent.js, the file classic Outlook
 *    for Windows loads, run in a bare `vm` context (no DOM, no modules, no
 *    TextEncoder), as that JavaScript-only runtime would.
 */

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import vm from "node:vm";
import { ROOT } from "../../scripts/lib/run.mjs";
import { OFFICE_DEFAULTS, writeOfficeSite } from "../../scripts/lib/office-build.mjs";
import { releaseEngine } from "./wasm.mjs";
import { officeEngineHost } from "../../www/office/engine-loader.js";
import { clientOf } from "../../www/office/office-api.js";
import { translator } from "../../www/office/locale.js";
import { moveCommand } from "../../www/office/move-action.js";
import { handleSend, MOVE_FUNCTION, SEND_HANDLER } from "../../www/office/send-handler.js";
import "../fixtures/office/surface.js";

export const OFFICE_DIST = path.join(ROOT, "dist", "office");

/** The message catalogues, as the bundles carry them. */
export const CATALOGUES = Object.freeze({
  en: JSON.parse(readFileSync(path.join(ROOT, "www", "_locales", "en", "messages.json"), "utf8")),
  ja: JSON.parse(readFileSync(path.join(ROOT, "www", "_locales", "ja", "messages.json"), "utf8")),
});

function requireDist(file) {
  const full = path.join(OFFICE_DIST, file);
  if (!existsSync(full)) throw new Error(`${path.relative(ROOT, full)} is missing: run \`npm run build\` first`);
  return full;
}

/** The wasm2js build as shipped for browsers without WebAssembly (an ES module). */
export async function wasm2jsModule() {
  return import(pathToFileURL(requireDist("engine-wasm2js.js")).href);
}

/** The loaders the add-in's engine host uses, over dist/office's files. */
export const NODE_LOADERS = Object.freeze({ wasm: releaseEngine, wasm2js: wasm2jsModule });

/**
 * A scripted Outlook.
 * @param {object} options See tests/fixtures/office/surface.js.
 */
export function surface(options) {
  return globalThis.createOfficeSurface(options);
}

/**
 * A `fetch` for policy.json: 404 unless a policy is given; records requests.
 * @param {unknown} [policy] An object (served as JSON), a string (served as
 *   is), or a number (that HTTP status).
 */
export function policyFetch(policy) {
  const requests = [];
  const fetch = async (url) => {
    requests.push(String(url));
    if (policy === undefined) return { status: 404, ok: false, text: async () => "" };
    if (typeof policy === "number") return { status: policy, ok: policy < 400, text: async () => "" };
    const body = typeof policy === "string" ? policy : JSON.stringify(policy);
    return { status: 200, ok: true, text: async () => body };
  };
  return { fetch, requests };
}

/**
 * The browser runtime's wiring (as commands.js does it) on a surface.
 * @param {ReturnType<typeof surface>} office
 * @param {object} [options]
 * @param {"wasm"|"wasm2js"} [options.build]
 * @param {Function} [options.fetch]
 * @param {(request: object) => Promise<object>} [options.ask] Replaces the engine (fault tests).
 * @param {number} [options.deadlineMs]
 * @param {boolean} [options.policyExpected] As a package with `--office-policy` says.
 *
 * The permission is the one the surface plays (`permissions`), as the
 * package would have written it into the bundle.
 */
export function browserRuntime(office, { build = "wasm", fetch = policyFetch().fetch, ask, deadlineMs, policyExpected = false } = {}) {
  const host = officeEngineHost({
    office: office.Office,
    base: "https://addin.example/bcc-guard/",
    fetch,
    policyExpected,
    loaders: NODE_LOADERS,
    webAssembly: build === "wasm",
  });
  const engine = ask ?? ((request) => host.handle(request));
  const Office = office.Office;
  const permissions = office.permissions;
  Office.actions.associate(SEND_HANDLER, (event) => handleSend(event, { office: Office, ask: engine, catalogues: CATALOGUES, deadlineMs, permissions }));
  Office.actions.associate(MOVE_FUNCTION, (event) => {
    const client = clientOf(Office, permissions);
    return moveCommand(event, { office: Office, ask: engine, client, t: translator(CATALOGUES, client.language) });
  });
  return host;
}

/** launchevent.js as `npm run package` writes it, per set of options. */
const packaged = new Map();

/**
 * The classic-Windows file of a package made with these options (beside
 * `OFFICE_DEFAULTS`), written by the real packaging step into a scratch
 * directory; dist/office's file is the one for `OFFICE_DEFAULTS`.
 * @param {Partial<import("../../scripts/lib/office-build.mjs").OfficeOptions>} options
 * @returns {string}
 */
export function packagedLaunchEvent(options) {
  const key = JSON.stringify(options);
  if (!packaged.has(key)) {
    const dir = mkdtempSync(path.join(os.tmpdir(), "bcc-guard-office-package-"));
    try {
      const site = writeOfficeSite(dir, { ...OFFICE_DEFAULTS, ...options });
      packaged.set(key, readFileSync(path.join(site, "launchevent.js"), "utf8"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return packaged.get(key);
}

/**
 * dist/office/launchevent.js in a bare context, as classic Outlook for
 * Windows runs it: only the globals that runtime documents (the Office API,
 * fetch, timers, console), none of a browser's.
 * @param {ReturnType<typeof surface>} office
 * @param {object} [options]
 * @param {Function} [options.fetch]
 * @param {string} [options.source] Another file's text (fault tests).
 * @param {boolean} [options.policyExpected] Runs the file of a package made
 *   with `--office-policy` instead.
 * @returns {vm.Context}
 */
export function classicRuntime(office, { fetch = policyFetch().fetch, source, policyExpected = false } = {}) {
  if (source === undefined && (policyExpected || office.permissions !== OFFICE_DEFAULTS.permissions)) {
    source = packagedLaunchEvent({
      permissions: office.permissions,
      policy: policyExpected ? path.join(ROOT, "tests", "fixtures", "office", "policy.json") : null,
    });
  }
  const context = vm.createContext({ Office: office.Office, fetch, setTimeout, clearTimeout, console });
  // V8 gives every context WebAssembly; that runtime documents none.
  vm.runInContext("delete globalThis.WebAssembly;", context);
  vm.runInContext(source ?? readFileSync(requireDist("launchevent.js"), "utf8"), context, { filename: "launchevent.js" });
  return context;
}

/**
 * `n` outside recipients at `n` different organisations.
 * @param {number} n
 * @param {string} [prefix]
 */
export function outsiders(n, prefix = "p") {
  return Array.from({ length: n }, (_, i) => ({ displayName: `Person ${i}`, emailAddress: `${prefix}${i}@org${i}.example` }));
}

/**
 * `n` colleagues at corp.example (the surface's default account's organisation).
 * @param {number} n
 */
export function colleagues(n) {
  return Array.from({ length: n }, (_, i) => ({ displayName: `Colleague ${i}`, emailAddress: `staff${i}@corp.example` }));
}
