/**
 * @file The built-in webmails' host lists, written from the one list in
 * `data/webmail-hosts.json` (the engine's `SUPPORTED_HOSTS` is read from the
 * same file by build.rs):
 *
 *  - the manifest's content scripts, one per webmail with its options, filled
 *    in by `manifestFor` (scripts/build.mjs) in each browser's manifest; the
 *    source manifest holds no copy;
 *  - `www/lib/hosts.js`, which the options page, the origin checks and the
 *    content script's adapter table (www/content/adapters.js) import;
 *  - `managed_schema.json`'s `protectedHosts`: its enum and the description
 *    that names the hosts (admins read that file, and Chrome validates
 *    policies against it).
 *
 * The last two are committed, because pages and tests load them as they are
 * and admins read the schema; `npm run build` rewrites them when the list
 * has changed (`writeHostLists`), and tests/js/webmail-hosts.test.mjs fails
 * when a committed copy is not what the list gives.
 */

import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./run.mjs";

export const HOSTS_FILE = path.join(ROOT, "data", "webmail-hosts.json");
export const HOSTS_MODULE = path.join(ROOT, "www", "lib", "hosts.js");
export const MANAGED_SCHEMA = path.join(ROOT, "managed_schema.json");

/** What every webmail's content script has in common. */
const CONTENT_SCRIPT = Object.freeze({ js: ["content.js"], run_at: "document_start" });

/** The content-script options a webmail may set (Chrome's and Firefox's names). */
const CONTENT_SCRIPT_OPTIONS = Object.freeze(["all_frames", "match_about_blank", "match_origin_as_fallback"]);

/**
 * @typedef {object} Webmail One built-in webmail.
 * @property {string} adapter The content script's adapter for it (its `name`).
 * @property {string[]} hosts The hosts it is served on.
 * @property {Record<string, boolean>} contentScript The manifest's options
 *   for its content script.
 */

/**
 * The webmails as the hosts file lists them, checked: a malformed file
 * fails the build rather than writing a manifest without a webmail.
 * @param {string} [file]
 * @returns {Webmail[]}
 */
export function readWebmails(file = HOSTS_FILE) {
  const { webmails } = JSON.parse(readFileSync(file, "utf8"));
  const problem = (message) => new Error(`${path.relative(ROOT, file)}: ${message}`);
  if (!Array.isArray(webmails) || webmails.length === 0) throw problem("`webmails` must be a non-empty list");
  const seen = new Set();
  for (const webmail of webmails) {
    if (typeof webmail?.adapter !== "string" || !/^[a-z]+$/.test(webmail.adapter)) throw problem("each webmail needs an `adapter` name");
    if (!Array.isArray(webmail.hosts) || webmail.hosts.length === 0) throw problem(`${webmail.adapter} lists no hosts`);
    for (const host of webmail.hosts) {
      // A host name as the manifest's match patterns and the engine compare it.
      if (typeof host !== "string" || !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host)) throw problem(`${webmail.adapter}: \`${host}\` is not a host name`);
      if (seen.has(host)) throw problem(`\`${host}\` is listed twice`);
      seen.add(host);
    }
    const options = webmail.contentScript ?? {};
    for (const [key, value] of Object.entries(options)) {
      if (!CONTENT_SCRIPT_OPTIONS.includes(key) || typeof value !== "boolean") throw problem(`${webmail.adapter}: contentScript.${key} is not a known option`);
    }
  }
  return webmails.map(({ adapter, hosts, contentScript = {} }) => ({ adapter, hosts, contentScript }));
}

/**
 * Every built-in host, in the file's order.
 * @param {Webmail[]} webmails
 * @returns {string[]}
 */
export function supportedHosts(webmails) {
  return webmails.flatMap((webmail) => webmail.hosts);
}

/**
 * The manifest's `content_scripts`: one entry per webmail, so that each
 * gets its own frame options (Outlook's pop-out compose is an about:blank
 * frame; Gmail needs only the top page).
 * @param {Webmail[]} webmails
 * @returns {object[]}
 */
export function contentScripts(webmails) {
  return webmails.map((webmail) => ({
    matches: webmail.hosts.map((host) => `https://${host}/*`),
    ...CONTENT_SCRIPT,
    ...webmail.contentScript,
  }));
}

/**
 * The text of `www/lib/hosts.js`.
 * @param {Webmail[]} webmails
 * @returns {string}
 */
export function hostsModule(webmails) {
  const entries = webmails.map(
    ({ adapter, hosts }) => `  Object.freeze({ adapter: ${JSON.stringify(adapter)}, hosts: Object.freeze(${JSON.stringify(hosts).replaceAll(",", ", ")}) }),`,
  );
  return `/**
 * @file The built-in webmails and the hosts they are served on. Written by
 * \`npm run build\` from data/webmail-hosts.json, the one list (the engine's
 * \`SUPPORTED_HOSTS\`, the manifest's content scripts and managed_schema.json
 * come from it too): edit that file, not this one.
 */

/**
 * Each built-in webmail: the name of the content script's adapter for it
 * (www/content/adapters.js) and its hosts.
 * @type {ReadonlyArray<{adapter: string, hosts: ReadonlyArray<string>}>}
 */
export const WEBMAILS = Object.freeze([
${entries.join("\n")}
]);

/**
 * Every built-in host: where the manifest runs the content script, the
 * policy's \`protectedHosts\` choices, and the hosts a self-hosted webmail
 * origin may not name (webmail-origins.js).
 */
export const SUPPORTED_HOSTS = Object.freeze(WEBMAILS.flatMap((webmail) => webmail.hosts));
`;
}

/**
 * The text of `managed_schema.json` with `protectedHosts` written from the
 * list: its enum, and the description naming the hosts.
 * @param {string} schemaText The schema as it is.
 * @param {Webmail[]} webmails
 * @returns {string}
 */
export function managedSchema(schemaText, webmails) {
  const schema = JSON.parse(schemaText);
  const property = schema.properties.protectedHosts;
  const hosts = supportedHosts(webmails);
  property.description = `Where the guard runs. Any of: ${hosts.join(", ")}. At least one host always stays protected.`;
  property.items.enum = hosts;
  // As Python's json.dump writes it (the file's style): non-ASCII escaped.
  return `${JSON.stringify(schema, null, 2).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}\n`;
}

/**
 * The committed files written from the list, and what they should hold.
 * @returns {Array<{file: string, text: string}>}
 */
export function hostListFiles() {
  const webmails = readWebmails();
  return [
    { file: HOSTS_MODULE, text: hostsModule(webmails) },
    { file: MANAGED_SCHEMA, text: managedSchema(readFileSync(MANAGED_SCHEMA, "utf8"), webmails) },
  ];
}

/**
 * Rewrites each committed copy that differs from what the list gives.
 * @returns {string[]} The files rewritten, relative to the repository.
 */
export function writeHostLists() {
  const rewritten = [];
  for (const { file, text } of hostListFiles()) {
    if (readFileSync(file, "utf8") === text) continue;
    writeFileSync(file, text);
    rewritten.push(path.relative(ROOT, file));
  }
  return rewritten;
}
