/**
 * @file The add-in's manifest, checked offline. Microsoft's XML schemas
 * ([MS-OWEMXML]) could not be had here as files (only fragments of them in
 * the specification's pages, and the older MailAppVersionOverridesV1_1.xsd
 * copies lack the event elements), and `office-addin-manifest validate`
 * posts the manifest to a Microsoft service; so this is a structural test of
 * what the documentation and the schema fragments require for an Outlook
 * add-in with `LaunchEvent`/`OnMessageSend` (docs/ADMIN.md says so):
 * namespaces and `xsi:type`s, the order of the elements, the required
 * elements and attributes, resource references, limits on lengths, the ids
 * and function names the code uses, URLs under the add-in's base, files that
 * exist, and the send modes and permissions a package may choose.
 */

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { DOMParser } from "@xmldom/xmldom";
import { OFFICE_DIST } from "./office.mjs";
import { OFFICE_DEFAULTS, policyProblems, writeOfficeSite } from "../../scripts/lib/office-build.mjs";
import { ROOT } from "../../scripts/lib/run.mjs";
import { MOVE_FUNCTION, MOVE_FUNCTION_COMMAND, MOVE_PANE_COMMAND, SEND_HANDLER } from "../../www/office/send-handler.js";
import { NOTIFICATION_KEY } from "../../www/office/move-action.js";

const NS = {
  app: "http://schemas.microsoft.com/office/appforoffice/1.1",
  xsi: "http://www.w3.org/2001/XMLSchema-instance",
  bt: "http://schemas.microsoft.com/office/officeappbasictypes/1.0",
  mail10: "http://schemas.microsoft.com/office/mailappversionoverrides",
  mail11: "http://schemas.microsoft.com/office/mailappversionoverrides/1.1",
};

function load(file) {
  const errors = [];
  const doc = new DOMParser({ onError: (level, message) => errors.push(`${level}: ${message}`) }).parseFromString(readFileSync(file, "utf8"), "text/xml");
  assert.deepEqual(errors, [], "well-formed XML");
  return doc;
}

const elements = (node) => Array.from(node.childNodes).filter((n) => n.nodeType === 1);
const names = (node) => elements(node).map((n) => n.localName);
const type = (node) => node.getAttributeNS(NS.xsi, "type");
function only(node, localName, ns) {
  const found = elements(node).filter((n) => n.localName === localName && (!ns || n.namespaceURI === ns));
  assert.equal(found.length, 1, `exactly one <${localName}> in <${node.localName}>`);
  return found[0];
}
/** Asserts that the children appear in this order (absent optional ones allowed). */
function ordered(node, order) {
  const seen = names(node);
  const positions = seen.map((name) => order.indexOf(name));
  assert.ok(positions.every((p) => p >= 0), `<${node.localName}> has only ${order.join(", ")}: ${seen.join(", ")}`);
  assert.deepEqual([...positions].sort((a, b) => a - b), positions, `<${node.localName}>'s children in order: ${seen.join(", ")}`);
}

function checkManifest(file, { base, sendMode, permissions }) {
  const doc = load(file);
  const app = doc.documentElement;
  assert.equal(app.localName, "OfficeApp");
  assert.equal(app.namespaceURI, NS.app);
  assert.equal(type(app), "MailApp");
  // Basic mail add-in element order (manifest-element-ordering.md).
  ordered(app, ["Id", "AlternateId", "Version", "ProviderName", "DefaultLocale", "DisplayName", "Description", "IconUrl", "HighResolutionIconUrl", "SupportUrl", "AppDomains", "Hosts", "Requirements", "FormSettings", "Permissions", "Rule", "DisableEntityHighlighting", "VersionOverrides"]);
  for (const required of ["Id", "Version", "ProviderName", "DefaultLocale", "DisplayName", "Description", "Requirements", "FormSettings", "Permissions", "Rule", "VersionOverrides"]) only(app, required);
  assert.match(only(app, "Id").textContent, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.match(only(app, "Version").textContent, /^\d+\.\d+\.\d+\.\d+$/);
  assert.equal(only(app, "Permissions").textContent, permissions);
  assert.equal(only(app, "DisplayName").getAttribute("DefaultValue"), "BCC Guard");
  assert.ok(only(only(app, "DisplayName"), "Override").getAttribute("Locale").toLowerCase().startsWith("ja"));
  for (const icon of ["IconUrl", "HighResolutionIconUrl"]) checkUrl(only(app, icon).getAttribute("DefaultValue"), base);
  const set = only(only(only(app, "Requirements"), "Sets"), "Set");
  assert.equal(set.getAttribute("Name"), "Mailbox");
  assert.equal(type(only(app, "Rule")), "RuleCollection");

  const outer = only(app, "VersionOverrides");
  assert.equal(outer.namespaceURI, NS.mail10);
  assert.equal(type(outer), "VersionOverridesV1_0");
  const inner = elements(outer).at(-1);
  assert.equal(inner.localName, "VersionOverrides", "the 1.1 overrides come last in the 1.0 ones");
  assert.equal(inner.namespaceURI, NS.mail11);
  assert.equal(type(inner), "VersionOverridesV1_1");
  ordered(inner, ["Description", "Requirements", "Hosts", "Resources", "WebApplicationInfo", "EquivalentAddins", "ExtendedPermissions"]);
  const sets = only(only(inner, "Requirements"), "Sets", NS.bt);
  assert.ok(Number(sets.getAttribute("DefaultMinVersion").split(".")[1]) >= 12, "OnMessageSend needs Mailbox 1.12");
  assert.ok(Number(sets.getAttribute("DefaultMinVersion").split(".")[1]) <= 12, "and no more: Mac and Outlook 2024 have 1.14, classic Windows 1.12 from 2206");
  assert.equal(only(sets, "Set", NS.bt).getAttribute("Name"), "Mailbox");

  // Resources: ids unique, resid ≤ 32 characters, strings within their limits.
  const resources = only(inner, "Resources");
  ordered(resources, ["Images", "Urls", "ShortStrings", "LongStrings"]);
  const table = {};
  for (const [group, kind, limit] of [["Images", "image"], ["Urls", "url"], ["ShortStrings", "short", 125], ["LongStrings", "long", 250]]) {
    for (const entry of elements(only(resources, group, NS.bt))) {
      const id = entry.getAttribute("id");
      assert.ok(id.length <= 32, `resource id ${id} has at most 32 characters`);
      assert.ok(!(id in table), `resource id ${id} is unique`);
      table[id] = kind;
      const values = [entry.getAttribute("DefaultValue"), ...elements(entry).map((o) => o.getAttribute("Value"))];
      if (limit) for (const value of values) assert.ok(value.length > 0 && value.length <= limit, `${id}: "${value}" has 1 to ${limit} characters`);
      if (kind === "image" || kind === "url") for (const value of values) checkUrl(value, base);
      if (kind === "short" || kind === "long") assert.ok(elements(entry).some((o) => o.getAttribute("Locale").toLowerCase().startsWith("ja")), `${id} has Japanese`);
    }
  }
  const resid = (node, kind) => {
    const id = node.getAttribute("resid");
    assert.equal(table[id], kind, `<${node.localName} resid="${id}"> names a ${kind} resource`);
    return id;
  };
  const url = (id) => elements(only(resources, "Urls", NS.bt)).find((e) => e.getAttribute("id") === id).getAttribute("DefaultValue");

  const host = only(only(inner, "Hosts"), "Host");
  assert.equal(type(host), "MailHost");
  ordered(host, ["Runtimes", "DesktopFormFactor", "MobileFormFactor"]);
  // One runtime (Outlook supports one): the HTML page, and the JavaScript file classic Windows loads instead.
  const runtime = only(only(host, "Runtimes"), "Runtime");
  const runtimeId = resid(runtime, "url");
  assert.ok(!runtime.hasAttribute("lifetime") || runtime.getAttribute("lifetime") === "short", "event-based runtimes are short");
  assert.match(url(runtimeId), /\/commands\.html$/);
  const override = only(runtime, "Override");
  assert.equal(override.getAttribute("type"), "javascript");
  assert.match(url(resid(override, "url")), /\/launchevent\.js$/);

  const desktop = only(host, "DesktopFormFactor");
  ordered(desktop, ["SupportsSharedFolders", "FunctionFile", "ExtensionPoint"]);
  assert.equal(resid(only(desktop, "FunctionFile"), "url"), runtimeId, "the function command runs in the same page");
  const points = elements(desktop).filter((n) => n.localName === "ExtensionPoint");
  const launch = points.filter((p) => type(p) === "LaunchEvent");
  assert.equal(launch.length, 1, "one LaunchEvent extension point");
  ordered(launch[0], ["LaunchEvents", "SourceLocation"]);
  assert.equal(resid(only(launch[0], "SourceLocation"), "url"), runtimeId, "the LaunchEvent's SourceLocation names the Runtime's resid");
  const events = elements(only(launch[0], "LaunchEvents"));
  const sends = events.filter((e) => e.getAttribute("Type") === "OnMessageSend");
  assert.equal(sends.length, 1, "only one OnMessageSend per add-in");
  assert.equal(sends[0].getAttribute("FunctionName"), SEND_HANDLER, "the name the code associates");
  assert.equal(sends[0].getAttribute("SendMode"), sendMode);
  assert.ok(["PromptUser", "SoftBlock", "Block"].includes(sends[0].getAttribute("SendMode")));

  // The commands the Smart Alerts dialog's button names (commandId) exist, of the right kind.
  const compose = points.find((p) => type(p) === "MessageComposeCommandSurface");
  assert.ok(compose, "a compose command surface");
  const controls = {};
  for (const group of elements(only(compose, "OfficeTab"))) {
    resid(only(group, "Label"), "short");
    for (const control of elements(group).filter((n) => n.localName === "Control")) {
      assert.equal(type(control), "Button");
      ordered(control, ["Label", "Supertip", "Icon", "Action"]);
      resid(only(control, "Label"), "short");
      const tip = only(control, "Supertip");
      resid(only(tip, "Title"), "short");
      resid(only(tip, "Description"), "long");
      const sizes = elements(only(control, "Icon")).map((image) => (resid(image, "image"), image.getAttribute("size")));
      assert.deepEqual(sizes, ["16", "32", "80"]);
      controls[control.getAttribute("id")] = only(control, "Action");
    }
  }
  assert.equal(type(controls[MOVE_FUNCTION_COMMAND]), "ExecuteFunction");
  assert.equal(only(controls[MOVE_FUNCTION_COMMAND], "FunctionName").textContent, MOVE_FUNCTION);
  assert.equal(type(controls[MOVE_PANE_COMMAND]), "ShowTaskpane");
  assert.match(url(resid(only(controls[MOVE_PANE_COMMAND], "SourceLocation"), "url")), /\/taskpane\.html$/);
  // The informational notification's icon is a manifest image.
  assert.equal(table["BccGuard.Icon16"], "image");
  assert.ok(NOTIFICATION_KEY.length <= 32);
}

/** An HTTPS URL under the base, naming a file the site has (every site has dist/office's files). */
function checkUrl(value, base) {
  assert.ok(value.startsWith(`${base}/`), `${value} is under ${base}`);
  const file = path.join(OFFICE_DIST, value.slice(base.length + 1));
  assert.ok(existsSync(file), `${value} names a file of the add-in`);
}

test("dist/office/manifest.xml has everything Smart Alerts needs, in order", () => {
  checkManifest(path.join(OFFICE_DIST, "manifest.xml"), OFFICE_DEFAULTS);
});

test("Block is the default send mode: an add-in that fails to load does not let the mail go unchecked", () => {
  assert.equal(OFFICE_DEFAULTS.sendMode, "Block");
  assert.equal(OFFICE_DEFAULTS.policy, null);
});

test("a package for an admin's server: laid out as its origin, its URLs, a send mode, the smaller permission, its policy", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "bcc-guard-office-"));
  const policy = path.join(ROOT, "tests", "fixtures", "office", "policy.json");
  try {
    const options = { base: "https://intranet.example.org/bcc-guard", sendMode: "SoftBlock", permissions: "ReadWriteItem", policy };
    const dir = writeOfficeSite(root, options);
    assert.equal(dir, path.join(root, "bcc-guard"), "the add-in goes where its URL's path says");
    checkManifest(path.join(dir, "manifest.xml"), options);
    const bundles = ["launchevent.js", "commands.js", "taskpane.js"].map((file) => readFileSync(path.join(dir, file), "utf8"));
    assert.ok(bundles[0].includes('"https://intranet.example.org/bcc-guard"'));
    for (const text of bundles) {
      assert.ok(text.includes('"ReadWriteItem"') && text.includes('"expected"'), "the permission and the expected policy are written into every bundle");
      assert.doesNotMatch(text, /\{\{[A-Za-z0-9_]+\}\}/, "no field is left unfilled");
    }
    assert.deepEqual(JSON.parse(readFileSync(path.join(dir, "policy.json"), "utf8")), JSON.parse(readFileSync(policy, "utf8")));
    // Office looks for it at the origin's root, whatever the add-in's path.
    assert.ok(!existsSync(path.join(dir, ".well-known")));
    const allowed = JSON.parse(readFileSync(path.join(root, ".well-known", "microsoft-officeaddins-allowed.json"), "utf8"));
    assert.deepEqual(allowed, { allowed: ["https://intranet.example.org/bcc-guard/launchevent.js"] });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  // dist/office: the sideloading address has no path; no policy expected.
  assert.ok(existsSync(path.join(OFFICE_DIST, ".well-known", "microsoft-officeaddins-allowed.json")));
  assert.ok(readFileSync(path.join(OFFICE_DIST, "commands.js"), "utf8").includes('"optional"'));
  assert.throws(() => writeOfficeSite(os.tmpdir() + "/never", { ...OFFICE_DEFAULTS, base: "http://intranet.example.org" }), /HTTPS/);
  assert.throws(() => writeOfficeSite(os.tmpdir() + "/never", { ...OFFICE_DEFAULTS, sendMode: "Nag" }), /send mode/);
  const bad = path.join(os.tmpdir(), `bcc-guard-bad-policy-${process.pid}.json`);
  try {
    writeFileSync(bad, "{ not json");
    assert.throws(() => writeOfficeSite(os.tmpdir() + "/never", { ...OFFICE_DEFAULTS, policy: bad }), /cannot be used/);
    writeFileSync(bad, "[1]");
    assert.throws(() => writeOfficeSite(os.tmpdir() + "/never", { ...OFFICE_DEFAULTS, policy: bad }), /not a JSON object/);
  } finally {
    rmSync(bad, { force: true });
  }
});

test("the packaging step checks a policy with the engine", async () => {
  const problems = await policyProblems(path.join(ROOT, "tests", "fixtures", "office", "policy.json"));
  assert.deepEqual(problems, []);
  const bad = path.join(os.tmpdir(), `bcc-guard-policy-problems-${process.pid}.json`);
  try {
    writeFileSync(bad, JSON.stringify({ action: "maybe", internalDomains: ["com"] }));
    const codes = (await policyProblems(bad)).map((p) => p.code).sort();
    assert.deepEqual(codes, ["notAChoice", "publicSuffix"]);
  } finally {
    rmSync(bad, { force: true });
  }
});
