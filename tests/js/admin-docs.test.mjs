/**
 * @file Keeps the administrator's guide honest: every policy example in
 * `docs/ADMIN.md` and `docs/examples/` must parse, use the real extension
 * IDs, fit `managed_schema.json`, and be accepted by the real engine (release
 * WASM) with no problem reported and every key it sets locked.
 *
 * An admin copies these examples verbatim into registry files, policy
 * directories and MDM profiles, where a typo fails silently: Chrome drops a
 * value that does not fit the schema, and a wrong ID makes a whole policy
 * apply to nothing. So the examples are checked the way the browsers and the
 * engine will read them.
 *
 * Markers in ADMIN.md (HTML comments on the line before a fenced block):
 *   `<!-- admin-docs: settings -->`      the block is a bare settings object;
 *   `<!-- admin-docs: google-admin -->`  settings in the Admin console's
 *                                        `{"key": {"Value": …}}` form;
 *   `<!-- admin-docs: file=<path> -->`   the block must equal that file.
 * Other blocks are searched for settings where the browsers look for them:
 * `3rdparty.extensions[<Chrome ID>]` and
 * `policies.3rdparty.Extensions[<Firefox ID>]`.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { ROOT } from "../../scripts/lib/run.mjs";
import { releaseEngine } from "./wasm.mjs";
import { callEngine } from "../../www/lib/engine-host.js";
import { PROTOCOL_VERSION } from "../../www/lib/engine-client.js";
import { invalidOrigins, originsOf, POLICY_ORIGINS_KEY } from "../../www/lib/webmail-origins.js";

/** The Chrome/Edge ID the guide uses (from the manifest's `key`). */
const CHROME_ID = "paldapobjjgoepiejgigblhhidmhagng";
/** The Firefox add-on ID the guide uses (the manifest's gecko id). */
const GECKO_ID = "bcc-guard@bccguard.org";

const GUIDE = "docs/ADMIN.md";
const EXAMPLES = "docs/examples";
const SCHEMA = JSON.parse(readFileSync(path.join(ROOT, "managed_schema.json"), "utf8"));

/**
 * Text that means an example was not finished: a placeholder ID or an
 * ellipsis standing for omitted content.
 */
const PLACEHOLDERS = [/<id>/i, /<extension[_ ]?id>/i, /EXTENSION_ID/, /YOUR_[A-Z_]+/, /…/, /\.\.\./, /<gecko[ _]?id>/i];

/**
 * @typedef {object} Block A fenced code block of the guide.
 * @property {string} lang The info string after the opening fence ("json", "reg", …).
 * @property {string} text The content, without the fences.
 * @property {number} line The 1-based line number of the first content line.
 * @property {string|null} marker The `admin-docs:` marker before the fence, if any.
 */

/**
 * @typedef {object} Found A BCC Guard settings object found in an example.
 * @property {string} where File and line, for messages.
 * @property {unknown} settings The settings as the browser would hand them to the extension.
 */

/**
 * Reads a file of the repository as text, with Windows line endings folded,
 * because the `.reg` files are kept with CRLF for regedit.
 * @param {string} relative Path from the repository root.
 * @returns {string}
 */
function readText(relative) {
  return readFileSync(path.join(ROOT, relative), "utf8").replace(/\r\n/g, "\n");
}

/**
 * The fenced code blocks of a Markdown text, with the marker comment on the
 * closest non-blank line before each fence.
 * @param {string} markdown
 * @returns {Block[]}
 */
function fencedBlocks(markdown) {
  const lines = markdown.split("\n");
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})\s*([\w-]*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang] = open;
    let end = i + 1;
    while (end < lines.length && lines[end].trim() !== fence) end++;
    let before = i - 1;
    while (before >= 0 && lines[before].trim() === "") before--;
    const marker = before >= 0 ? /^\s*<!--\s*admin-docs:\s*(.*?)\s*-->\s*$/.exec(lines[before])?.[1] ?? null : null;
    const text = lines.slice(i + 1, end).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l)).join("\n");
    blocks.push({ lang, text: text + "\n", line: i + 2, marker });
    i = end;
  }
  return blocks;
}

/**
 * Parses JSON strictly (as Firefox does), naming the line of a syntax error.
 * @param {string} text
 * @param {string} file For the message.
 * @param {number} firstLine The line number of the text's first line in `file`.
 * @returns {unknown}
 */
function parseJson(text, file, firstLine) {
  try {
    return JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec(error.message)?.[1];
    const line = position === undefined ? firstLine : firstLine + text.slice(0, Number(position)).split("\n").length - 1;
    throw new Error(`${file}:${line}: not valid JSON: ${error.message}`);
  }
}

/**
 * Validates a value against the subset of JSON Schema that
 * `managed_schema.json` uses. An unknown schema keyword is an error of the
 * validator, so that a new constraint in the schema cannot go unchecked.
 * @param {unknown} value
 * @param {object} schema
 * @param {string} at The path of `value`, for messages.
 * @returns {string[]} What is wrong; empty when the value fits.
 */
function validate(value, schema, at = "") {
  const known = new Set(["type", "properties", "items", "enum", "title", "description"]);
  for (const keyword of Object.keys(schema)) {
    if (!known.has(keyword)) throw new Error(`the docs validator does not support the schema keyword "${keyword}" (at ${at || "top"})`);
  }
  const errors = [];
  const is = {
    object: (v) => v !== null && typeof v === "object" && !Array.isArray(v),
    array: Array.isArray,
    string: (v) => typeof v === "string",
    integer: (v) => Number.isInteger(v),
    number: (v) => typeof v === "number" && Number.isFinite(v),
    boolean: (v) => typeof v === "boolean",
  };
  if (!(schema.type in is)) throw new Error(`the docs validator does not support the type "${schema.type}"`);
  if (!is[schema.type](value)) return [`${at || "value"}: expected ${schema.type}, got ${JSON.stringify(value)}`];
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.join(", ")}`);
  if (schema.type === "object") {
    // Chrome drops unknown keys silently; in an example they are always a typo.
    for (const [key, item] of Object.entries(value)) {
      const property = schema.properties?.[key];
      if (!property) errors.push(`${at ? `${at}.` : ""}${key}: unknown key`);
      else errors.push(...validate(item, property, at ? `${at}.${key}` : key));
    }
  }
  if (schema.type === "array" && schema.items) {
    value.forEach((item, i) => errors.push(...validate(item, schema.items, `${at}[${i}]`)));
  }
  return errors;
}

/**
 * Finds the BCC Guard settings in a parsed policy document and checks the
 * extension IDs it names. Chrome-style documents put settings under
 * `3rdparty.extensions`; Firefox's `policies.json` under
 * `policies.3rdparty.Extensions` (capital E). Using the other spelling is an
 * error, because that browser would ignore it.
 * @param {unknown} doc
 * @param {string} where
 * @param {string|null} marker
 * @param {string[]} errors Receives what is wrong.
 * @returns {Found[]}
 */
function findSettings(doc, where, marker, errors) {
  if (marker === "settings") return [{ where, settings: doc }];
  if (marker === "google-admin") {
    // The Admin console wraps each value: {"key": {"Value": value}}.
    const settings = {};
    for (const [key, wrapped] of Object.entries(doc)) {
      if (wrapped === null || typeof wrapped !== "object" || Object.keys(wrapped).join() !== "Value") {
        errors.push(`${where}: ${key} must be written as {"Value": …} for the Admin console`);
      } else settings[key] = wrapped.Value;
    }
    return [{ where, settings }];
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return [];
  const found = [];
  checkInstallPolicies(doc, CHROME_ID, where, errors);
  const chromeThirdParty = doc["3rdparty"];
  if (chromeThirdParty !== undefined) {
    for (const domain of Object.keys(chromeThirdParty)) {
      if (domain !== "extensions") errors.push(`${where}: 3rdparty.${domain}: Chrome and Edge read only 3rdparty.extensions (lower case)`);
    }
    for (const [id, settings] of Object.entries(chromeThirdParty.extensions ?? {})) {
      if (id !== CHROME_ID) errors.push(`${where}: 3rdparty.extensions names "${id}", not BCC Guard's ID ${CHROME_ID}`);
      found.push({ where, settings });
    }
  }
  if (doc.policies !== undefined) {
    checkInstallPolicies(doc.policies, GECKO_ID, where, errors);
    const firefoxThirdParty = doc.policies["3rdparty"];
    if (firefoxThirdParty !== undefined) {
      for (const domain of Object.keys(firefoxThirdParty)) {
        if (domain !== "Extensions") errors.push(`${where}: policies.3rdparty.${domain}: Firefox reads only 3rdparty.Extensions (capital E)`);
      }
      for (const [id, settings] of Object.entries(firefoxThirdParty.Extensions ?? {})) {
        if (id !== GECKO_ID) errors.push(`${where}: 3rdparty.Extensions names "${id}", not BCC Guard's ID ${GECKO_ID}`);
        found.push({ where, settings });
      }
    }
  }
  // Firefox's updates.json.
  for (const id of Object.keys(doc.addons ?? {})) {
    if (id !== GECKO_ID) errors.push(`${where}: updates.json names "${id}", not ${GECKO_ID}`);
  }
  return found;
}

/**
 * Checks that the browser's own installation policies name BCC Guard by its
 * real ID and really install it.
 * @param {object} policies An object that may hold ExtensionSettings and ExtensionInstallForcelist.
 * @param {string} id The ID this browser uses.
 * @param {string} where
 * @param {string[]} errors
 */
function checkInstallPolicies(policies, id, where, errors) {
  for (const [key, entry] of Object.entries(policies.ExtensionSettings ?? {})) {
    if (key === "*" || key.startsWith("update_url:")) continue;
    if (key !== id) {
      errors.push(`${where}: ExtensionSettings names "${key}", not BCC Guard's ID ${id}`);
      continue;
    }
    if (!["force_installed", "normal_installed"].includes(entry.installation_mode)) {
      errors.push(`${where}: ExtensionSettings["${key}"].installation_mode should install the extension, not "${entry.installation_mode}"`);
    }
    const url = id === GECKO_ID ? entry.install_url : entry.update_url;
    if (typeof url !== "string" || !/^https:\/\//.test(url)) errors.push(`${where}: ExtensionSettings["${key}"] needs an https ${id === GECKO_ID ? "install_url" : "update_url"}`);
    // Blocking a webmail host here would silently keep the guard off that site.
    for (const host of entry.runtime_blocked_hosts ?? []) errors.push(`${where}: runtime_blocked_hosts "${host}" in an example`);
  }
  for (const item of policies.ExtensionInstallForcelist ?? []) {
    if (item.split(";")[0] !== id) errors.push(`${where}: ExtensionInstallForcelist entry "${item}" does not start with ${id}`);
  }
}

/**
 * A parsed `.reg` file: its sections in order, each with its values.
 * @typedef {{path: string, remove: boolean, line: number,
 *   values: {name: string, kind: "sz"|"dword", value: string|number, line: number}[]}} RegSection
 */

/**
 * Parses the subset of the `.reg` format the examples may use: REG_SZ
 * strings and REG_DWORDs. Anything else (`hex(7):` is REG_MULTI_SZ,
 * `hex(b):` REG_QWORD) is an error, because Chrome does not read it.
 * @param {string} text
 * @param {string} file
 * @param {string[]} errors
 * @returns {RegSection[]}
 */
function parseReg(text, file, errors) {
  const lines = text.split("\n");
  const sections = [];
  const first = lines.findIndex((l) => l.trim() !== "");
  if (lines[first]?.trim() !== "Windows Registry Editor Version 5.00") {
    errors.push(`${file}:${first + 1}: a .reg file starts with "Windows Registry Editor Version 5.00"`);
  }
  for (let i = first + 1; i < lines.length; i++) {
    const line = lines[i].trim();
    const where = `${file}:${i + 1}`;
    if (line === "" || line.startsWith(";")) continue;
    const section = /^\[(-?)(.+)\]$/.exec(line);
    if (section) {
      sections.push({ path: section[2], remove: section[1] === "-", line: i + 1, values: [] });
      continue;
    }
    const current = sections.at(-1);
    const value = /^"((?:[^"\\]|\\.)*)"=(.*)$/.exec(line);
    if (!value || !current) {
      errors.push(`${where}: not a value line: ${line}`);
      continue;
    }
    const [, name, data] = value;
    const sz = /^"((?:[^"\\]|\\.)*)"$/.exec(data);
    const dword = /^dword:([0-9a-fA-F]{8})$/.exec(data);
    if (sz) current.values.push({ name, kind: "sz", value: sz[1].replace(/\\(.)/g, "$1"), line: i + 1 });
    else if (dword) current.values.push({ name, kind: "dword", value: parseInt(dword[1], 16), line: i + 1 });
    else errors.push(`${where}: "${name}" must be a "string" or dword:XXXXXXXX; Chrome does not read ${data.split(":")[0]}`);
  }
  return sections;
}

/**
 * Checks a `.reg` text and returns the BCC Guard settings it sets, as
 * Chrome's registry reader would hand them to the extension: DWORDs become
 * numbers or booleans by the schema, numbered values of a subkey become a list.
 * @param {string} text
 * @param {string} file
 * @param {string[]} errors
 * @param {{requireSettings?: boolean}} [options]
 * @returns {Found[]}
 */
function checkReg(text, file, errors, { requireSettings = false } = {}) {
  const sections = parseReg(text, file, errors);
  // Settings found per browser key (Chrome, Edge, Chromium), in case one file sets several.
  const found = new Map();
  for (const section of sections) {
    const where = `${file}:${section.line}`;
    const match = /^HKEY_(?:LOCAL_MACHINE|CURRENT_USER)\\SOFTWARE\\Policies\\(Google\\Chrome|Microsoft\\Edge|Chromium)(?:\\(.*))?$/.exec(section.path);
    if (!match) {
      errors.push(`${where}: ${section.path} is not under HKLM or HKCU\\SOFTWARE\\Policies\\Google\\Chrome, Microsoft\\Edge or Chromium`);
      continue;
    }
    const rest = match[2] ?? "";
    const extension = /^3rdparty\\extensions\\([^\\]+)(?:\\(.*))?$/.exec(rest);
    if (extension && extension[1] !== CHROME_ID) errors.push(`${where}: names the extension "${extension[1]}", not ${CHROME_ID}`);
    if (section.remove) continue;
    if (rest === "") {
      for (const v of section.values) {
        if (v.name !== "ExtensionSettings") continue;
        const doc = parseJson(String(v.value), file, v.line);
        checkInstallPolicies(doc, CHROME_ID, `${file}:${v.line}`, errors);
        if (!(CHROME_ID in doc)) errors.push(`${file}:${v.line}: ExtensionSettings does not name ${CHROME_ID}`);
      }
    } else if (rest === "ExtensionInstallForcelist") {
      checkInstallPolicies({ ExtensionInstallForcelist: section.values.map((v) => String(v.value)) }, CHROME_ID, where, errors);
    } else if (extension) {
      const browser = match[1];
      const settings = found.get(browser)?.settings ?? {};
      found.set(browser, { where: found.get(browser)?.where ?? where, settings });
      const sub = extension[2] ?? "";
      if (sub === "policy") {
        for (const v of section.values) {
          const property = SCHEMA.properties[v.name];
          const at = `${file}:${v.line}`;
          if (!property) errors.push(`${at}: "${v.name}" is not a BCC Guard setting`);
          else if (property.type === "array") errors.push(`${at}: "${v.name}" is a list: write it as a subkey with values "1", "2", …`);
          else if (property.type === "string" && v.kind !== "sz") errors.push(`${at}: "${v.name}" is text: write it as a string`);
          else if ((property.type === "integer" || property.type === "boolean") && v.kind !== "dword") errors.push(`${at}: "${v.name}" must be a dword`);
          else if (property.type === "boolean" && v.value !== 0 && v.value !== 1) errors.push(`${at}: "${v.name}" is true/false: use dword 1 or 0`);
          else settings[v.name] = property.type === "boolean" ? v.value === 1 : v.value;
        }
      } else if (/^policy\\[^\\]+$/.test(sub)) {
        const name = sub.slice("policy\\".length);
        const property = SCHEMA.properties[name];
        if (property?.type !== "array") {
          errors.push(`${where}: subkey "${name}" is not a list setting`);
          continue;
        }
        // Chrome reads the numbered values of a list key and ignores other names.
        const names = section.values.map((v) => v.name);
        const expected = names.map((_, i) => String(i + 1));
        if (names.join() !== expected.join()) errors.push(`${where}: the values of ${name} must be numbered "1", "2", … in order, got ${names.join(", ")}`);
        for (const v of section.values) if (v.kind !== "sz") errors.push(`${file}:${v.line}: list entries are strings`);
        settings[name] = section.values.map((v) => v.value);
      } else {
        errors.push(`${where}: BCC Guard's settings go in 3rdparty\\extensions\\${CHROME_ID}\\policy`);
      }
    }
  }
  if (requireSettings && found.size === 0) errors.push(`${file}: sets no BCC Guard settings`);
  return [...found.values()];
}

/**
 * A minimal XML reader for the plist and update-manifest examples: it checks
 * that tags nest, and returns the element tree.
 * @param {string} text
 * @param {string} file
 * @returns {{name: string, attrs: Record<string, string>, children: any[], text: string}}
 */
function parseXml(text, file) {
  const root = { name: "#document", attrs: {}, children: [], text: "" };
  const stack = [root];
  const decode = (s) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
  const token = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<(\/?)([\w:.-]+)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
  let m;
  let consumed = 0;
  while ((m = token.exec(text))) {
    if (m.index !== consumed) throw new Error(`${file}: not well-formed XML near offset ${consumed}`);
    consumed = token.lastIndex;
    const [, closing, name, attrText, selfClosing, chars] = m;
    const top = stack.at(-1);
    if (chars !== undefined) {
      top.text += decode(chars);
    } else if (name && closing) {
      if (top.name !== name) throw new Error(`${file}: </${name}> closes <${top.name}>`);
      stack.pop();
    } else if (name) {
      const attrs = {};
      for (const a of attrText.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs[a[1]] = decode(a[2] ?? a[3]);
      const element = { name, attrs, children: [], text: "" };
      top.children.push(element);
      if (!selfClosing) stack.push(element);
    }
  }
  if (consumed !== text.length || stack.length !== 1) throw new Error(`${file}: not well-formed XML (unclosed <${stack.at(-1).name}>)`);
  return root;
}

/**
 * Converts a plist element to a JavaScript value.
 * @param {{name: string, children: any[], text: string}} element
 * @returns {unknown}
 */
function plistValue(element) {
  switch (element.name) {
    case "dict": {
      const out = {};
      for (let i = 0; i < element.children.length; i += 2) {
        const key = element.children[i];
        if (key.name !== "key") throw new Error(`plist: expected <key>, got <${key.name}>`);
        out[key.text] = plistValue(element.children[i + 1]);
      }
      return out;
    }
    case "array":
      return element.children.map(plistValue);
    case "string":
      return element.text;
    case "integer":
      return Number.parseInt(element.text, 10);
    case "true":
      return true;
    case "false":
      return false;
    default:
      throw new Error(`plist: unsupported element <${element.name}>`);
  }
}

/**
 * Checks a configuration profile: Chrome's install payload names BCC Guard,
 * and the settings payload uses the preference domain Chrome reads on macOS,
 * `com.google.Chrome.extensions.<ID>`.
 * @param {string} text
 * @param {string} file
 * @param {string[]} errors
 * @returns {Found[]}
 */
function checkMobileconfig(text, file, errors) {
  const plist = parseXml(text, file).children.find((c) => c.name === "plist");
  const profile = plistValue(plist.children[0]);
  const found = [];
  for (const payload of profile.PayloadContent ?? []) {
    const type = payload.PayloadType;
    const where = `${file} (${type})`;
    const settings = Object.fromEntries(Object.entries(payload).filter(([key]) => !key.startsWith("Payload")));
    const extension = /^com\.(?:google\.Chrome|microsoft\.Edge)\.extensions\.(.+)$/.exec(type);
    if (extension) {
      if (extension[1] !== CHROME_ID) errors.push(`${where}: names "${extension[1]}", not ${CHROME_ID}`);
      found.push({ where, settings });
    } else if (type === "com.google.Chrome" || type === "com.microsoft.Edge") {
      checkInstallPolicies(settings, CHROME_ID, where, errors);
      if ("3rdparty" in settings) errors.push(`${where}: on macOS Chrome reads extension policy from com.google.Chrome.extensions.<ID>, not 3rdparty`);
    }
  }
  if (found.length === 0) errors.push(`${file}: no com.google.Chrome.extensions.${CHROME_ID} payload`);
  return found;
}

/**
 * Checks the Chrome/Edge update manifest (gupdate format).
 * @param {string} text
 * @param {string} file
 * @param {string[]} errors
 */
function checkUpdateManifest(text, file, errors) {
  for (const needle of ["<gupdate", `appid="${CHROME_ID}"`, "codebase=", "version="]) {
    if (!text.includes(needle)) errors.push(`${file}: no ${needle}`);
  }
  const gupdate = parseXml(text, file).children.find((c) => c.name === "gupdate");
  if (gupdate?.attrs.xmlns !== "http://www.google.com/update2/response") errors.push(`${file}: <gupdate> needs xmlns="http://www.google.com/update2/response"`);
  const check = gupdate?.children.find((c) => c.name === "app")?.children.find((c) => c.name === "updatecheck");
  if (!/^https:\/\/.+\.crx$/.test(check?.attrs.codebase ?? "")) errors.push(`${file}: codebase must be the https URL of a .crx`);
  if (!/^\d+(\.\d+){0,3}$/.test(check?.attrs.version ?? "")) errors.push(`${file}: version must be like 1.2.3`);
}

/**
 * Flags unfinished examples: placeholders, and any 32-letter Chrome-style ID
 * other than BCC Guard's.
 * @param {string} text
 * @param {string} where
 * @param {string[]} errors
 */
function checkNoPlaceholders(text, where, errors) {
  for (const pattern of PLACEHOLDERS) {
    if (pattern.test(text)) errors.push(`${where}: contains the placeholder ${pattern}`);
  }
  for (const id of text.match(/\b[a-p]{32}\b/g) ?? []) {
    if (id !== CHROME_ID) errors.push(`${where}: names the extension ID ${id}, not ${CHROME_ID}`);
  }
}

/**
 * Checks one settings object against the schema and the real engine: no
 * problem reported, every key it sets locked, and each value taken as written.
 * @param {Found} found
 * @param {Function} Engine The engine class from the release WASM.
 * @param {string[]} errors
 */
function checkSettings({ where, settings }, Engine, errors) {
  const schemaErrors = validate(settings, SCHEMA);
  errors.push(...schemaErrors.map((e) => `${where}: ${e}`));
  if (schemaErrors.length) return;
  // Where the content script runs is the extension's concern, not the
  // engine's: it checks this key itself (www/lib/webmail-origins.js) and
  // keeps it out of the engine's layer, as the tests here must too.
  const { [POLICY_ORIGINS_KEY]: origins, ...engineSettings } = /** @type {Record<string, unknown>} */ (settings);
  if (origins !== undefined) {
    for (const bad of invalidOrigins(origins)) errors.push(`${where}: ${POLICY_ORIGINS_KEY} entry "${bad}" is not a web address`);
    if (JSON.stringify(originsOf(origins)) !== JSON.stringify(origins)) {
      errors.push(`${where}: ${POLICY_ORIGINS_KEY} is read as ${JSON.stringify(originsOf(origins))}, not ${JSON.stringify(origins)}`);
    }
  }
  const { policy } = callEngine(new Engine(JSON.stringify({ managed: engineSettings, user: null })), { v: PROTOCOL_VERSION, kind: "policy" });
  for (const problem of policy.problems) {
    errors.push(`${where}: the engine reports ${problem.key}${problem.index === null ? "" : `[${problem.index}]`}: ${problem.message}`);
  }
  for (const key of Object.keys(engineSettings)) {
    if (!policy.locked.includes(key)) errors.push(`${where}: ${key} is not locked by the engine`);
    // The example should mean exactly what it says (no duplicates, no
    // spelling the engine would normalise), so readers can trust it.
    else if (JSON.stringify(policy.settings[key]) !== JSON.stringify(settings[key])) {
      errors.push(`${where}: ${key} is read as ${JSON.stringify(policy.settings[key])}, not ${JSON.stringify(settings[key])}`);
    }
  }
}

/**
 * Runs every check on the guide and the example files.
 * @param {{guide: string, files: Record<string, string>}} docs The guide's
 *   text and the example files' texts by path (so the self-test can feed
 *   broken copies).
 * @param {Function} Engine
 * @returns {{errors: string[], found: Found[]}}
 */
function checkDocs({ guide, files }, Engine) {
  const errors = [];
  const found = [];
  const collect = (fn) => {
    try {
      found.push(...fn());
    } catch (error) {
      errors.push(error.message);
    }
  };
  for (const block of fencedBlocks(guide)) {
    const where = `${GUIDE}:${block.line}`;
    const fileMarker = /^file=(.+)$/.exec(block.marker ?? "")?.[1];
    if (fileMarker) {
      if (!(fileMarker in files)) errors.push(`${where}: marked file=${fileMarker}, which does not exist`);
      else if (files[fileMarker] !== block.text) errors.push(`${where}: differs from ${fileMarker}; keep the guide and the file the same`);
    }
    if (["json", "reg", "xml"].includes(block.lang)) checkNoPlaceholders(block.text, where, errors);
    if (block.lang === "json") {
      collect(() => findSettings(parseJson(block.text, GUIDE, block.line), where, block.marker, errors));
    } else if (block.lang === "reg") {
      // Padded with the lines above it, so that messages name lines of the guide.
      collect(() => checkReg("\n".repeat(block.line - 1) + block.text, GUIDE, errors));
    } else if (block.marker === "settings" || block.marker === "google-admin") {
      errors.push(`${where}: a settings block must be tagged json`);
    }
  }
  for (const [file, text] of Object.entries(files)) {
    checkNoPlaceholders(text, file, errors);
    if (file.endsWith(".json")) {
      collect(() => {
        const settings = findSettings(parseJson(text, file, 1), file, null, errors);
        if (settings.length === 0) errors.push(`${file}: sets no BCC Guard settings`);
        return settings;
      });
    } else if (file.endsWith(".reg")) {
      collect(() => checkReg(text, file, errors, { requireSettings: true }));
    } else if (file.endsWith(".mobileconfig")) {
      collect(() => checkMobileconfig(text, file, errors));
    } else if (file.endsWith("update-manifest.xml")) {
      collect(() => (checkUpdateManifest(text, file, errors), []));
    } else {
      errors.push(`${file}: no check for this kind of file; add one to ${path.basename(import.meta.url)}`);
    }
  }
  for (const settings of found) checkSettings(settings, Engine, errors);
  return { errors, found };
}

/** The guide and every example file, as read from the repository. */
function readDocs() {
  const files = {};
  for (const name of readdirSync(path.join(ROOT, EXAMPLES)).sort()) files[`${EXAMPLES}/${name}`] = readText(`${EXAMPLES}/${name}`);
  return { guide: readText(GUIDE), files };
}

const { Engine } = await releaseEngine();

test("the guide's IDs are the ones the manifest gives", () => {
  const manifest = JSON.parse(readText("manifest.json"));
  // Chrome: SHA-256 of the DER public key, first 32 hex digits, 0-f → a-p.
  const hex = createHash("sha256").update(Buffer.from(manifest.key, "base64")).digest("hex").slice(0, 32);
  const derived = [...hex].map((d) => String.fromCharCode("a".charCodeAt(0) + Number.parseInt(d, 16))).join("");
  assert.equal(derived, CHROME_ID);
  assert.equal(manifest.browser_specific_settings.gecko.id, GECKO_ID);
});

test("every policy example in the guide and docs/examples is valid", () => {
  const docs = readDocs();
  const { errors, found } = checkDocs(docs, Engine);
  assert.deepEqual(errors, []);
  // Guard against a vacuous pass: the guide's own settings blocks, the Chrome,
  // Edge and Firefox files, the .reg files and the profile must all be seen.
  const sources = new Set(found.map((f) => f.where.replace(/[:\s].*$/, "")));
  for (const file of Object.keys(docs.files).filter((f) => !f.endsWith(".xml"))) assert.ok(sources.has(file), `no settings checked in ${file}`);
  assert.ok(found.filter((f) => f.where.startsWith(GUIDE)).length >= 5, "the guide's settings blocks were not found");
});

test("the examples together use every policy key", () => {
  const { found } = checkDocs(readDocs(), Engine);
  const used = new Set(found.flatMap((f) => Object.keys(f.settings)));
  assert.deepEqual(Object.keys(SCHEMA.properties).filter((key) => !used.has(key)), []);
});

test("the policy reference table lists every key of the schema", () => {
  const guide = readText(GUIDE);
  const missing = Object.keys(SCHEMA.properties).filter((key) => !new RegExp(`^\\| \`${key}\` \\|`, "m").test(guide));
  assert.deepEqual(missing, []);
});

test("the guide's links to its own sections and files resolve", () => {
  const guide = readText(GUIDE);
  // Headings outside code blocks, turned into anchors the way GitHub does:
  // lower case, punctuation dropped, each space a hyphen.
  const anchors = new Set();
  let inFence = false;
  for (const line of guide.split("\n")) {
    if (/^\s*`{3,}/.test(line)) inFence = !inFence;
    const heading = !inFence && /^#{1,6}\s+(.+?)\s*$/.exec(line);
    if (heading) anchors.add(heading[1].toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-"));
  }
  const broken = [];
  for (const [, target] of guide.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/.test(target)) continue;
    const [file, anchor] = target.split("#");
    if (file === "" && !anchors.has(anchor)) broken.push(target);
    if (file !== "" && !existsSync(path.join(ROOT, path.dirname(GUIDE), file))) broken.push(target);
  }
  assert.deepEqual(broken, []);
});

test("the checker itself catches broken examples", () => {
  const docs = readDocs();
  /**
   * The errors after one edit of one file.
   * @param {string} file
   * @param {string} from
   * @param {string} to
   */
  const errorsAfter = (file, from, to) => {
    const original = file === GUIDE ? docs.guide : docs.files[file];
    assert.ok(original.includes(from), `test setup: "${from}" is not in ${file}`);
    const edited = original.replace(from, to);
    const next = file === GUIDE ? { ...docs, guide: edited } : { ...docs, files: { ...docs.files, [file]: edited } };
    return checkDocs(next, Engine).errors.join("\n");
  };
  const linux = `${EXAMPLES}/bcc-guard-chrome-linux.json`;
  const reg = `${EXAMPLES}/bcc-guard-chrome.reg`;
  assert.match(errorsAfter(linux, '"minExposedParties": 3', '"minExposedParties": "3"'), /minExposedParties: expected integer/);
  assert.match(errorsAfter(linux, '"minExposedParties": 3', '"minExposedParties": 99'), /engine reports minExposedParties/);
  assert.match(errorsAfter(linux, '"action": "warn"', '"Action": "warn"'), /Action: unknown key/);
  assert.match(errorsAfter(linux, '"trustedDomains": ["partner.example"]', '"trustedDomains": ["gmail.com"]'), /engine reports trustedDomains\[0\]/);
  assert.match(errorsAfter(linux, `"extensions": {\n      "${CHROME_ID}"`, `"extensions": {\n      "<id>"`), /placeholder/);
  assert.match(errorsAfter(linux, '"action": "warn",\n', '"action": "warn",,\n'), /bcc-guard-chrome-linux\.json:\d+: not valid JSON/);
  assert.match(errorsAfter(`${EXAMPLES}/policies.json`, '"Extensions"', '"extensions"'), /Firefox reads only 3rdparty\.Extensions/);
  assert.match(errorsAfter(`${EXAMPLES}/policies.json`, `"${GECKO_ID}": {\n        "installation_mode"`, `"bcc@example.org": {\n        "installation_mode"`), /ExtensionSettings names "bcc@example.org"/);
  assert.match(errorsAfter(reg, '"allowSendAnyway"=dword:00000000', '"allowSendAnyway"="false"'), /allowSendAnyway" must be a dword/);
  assert.match(errorsAfter(reg, '"2"="subsidiary.example"', '"3"="subsidiary.example"'), /must be numbered/);
  assert.match(errorsAfter(reg, '"moveStrategy"="external"', '"moveStrategy"="external"\n"protectedHosts"="mail.google.com"'), /is a list/);
  assert.match(errorsAfter(reg, "policy\\internalDomains]", "policy\\internalDomain]"), /not a list setting/);
  assert.match(errorsAfter(`${EXAMPLES}/update-manifest.xml`, `appid="${CHROME_ID}"`, 'appid="aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"'), /no appid=/);
  assert.match(errorsAfter(`${EXAMPLES}/bcc-guard.mobileconfig`, "<integer>3</integer>", "<string>3</string>"), /minExposedParties: expected integer/);
  assert.match(errorsAfter(GUIDE, '"minExposedParties": 2,', '"minExposedParties": 2.5,'), /ADMIN\.md:\d+: .*minExposedParties/);
  assert.match(errorsAfter(GUIDE, '["https://webmail.example.com"]', '["ftp://webmail.example.com"]'), /roundcubeOrigins entry "ftp:/);
  assert.match(errorsAfter(GUIDE, '["https://webmail.example.com"]', '["https://webmail.example.com/roundcube/"]'), /roundcubeOrigins is read as/);
  assert.match(errorsAfter(GUIDE, '"installation_mode": "force_installed"', '"installation_mode": "force_installed" '), /differs from docs\/examples/);
});
