/**
 * @file The built-in webmail hosts are one list (data/webmail-hosts.json):
 * every place that names them says what the list says, and the engine
 * agrees. Fails when any copy drifts: the committed www/lib/hosts.js and
 * managed_schema.json (which `npm run build` rewrites from the list), the
 * manifests' content scripts, the content script's adapter table, the
 * admin guide's table and README, and the engine's own list as its `policy`
 * reply gives it (whether the engine has the hosts from this file or from a
 * copy of its own, it must hold the same ones).
 */

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { manifestFor, TARGETS } from "../../scripts/build.mjs";
import { ROOT } from "../../scripts/lib/run.mjs";
import { contentScripts, hostListFiles, readWebmails, supportedHosts } from "../../scripts/lib/webmail-hosts.mjs";
import { PROTOCOL_VERSION } from "../../www/lib/engine-client.js";
import { callEngine } from "../../www/lib/engine-host.js";
import { SUPPORTED_HOSTS, WEBMAILS } from "../../www/lib/hosts.js";
import { releaseEngine } from "./wasm.mjs";

const webmails = readWebmails();
const hosts = supportedHosts(webmails);

test("the list is a list: webmails with hosts, each host once", () => {
  assert.ok(webmails.length > 0);
  assert.equal(new Set(hosts).size, hosts.length);
  assert.equal(new Set(webmails.map((webmail) => webmail.adapter)).size, webmails.length);
});

test("the committed copies are what the list gives (npm run build rewrites them)", () => {
  for (const { file, text } of hostListFiles()) {
    assert.equal(readFileSync(file, "utf8"), text, `${path.relative(ROOT, file)} is not what data/webmail-hosts.json gives: run npm run build`);
  }
  assert.deepEqual([...SUPPORTED_HOSTS], hosts);
  assert.deepEqual(
    WEBMAILS.map(({ adapter, hosts: own }) => ({ adapter, hosts: [...own] })),
    webmails.map(({ adapter, hosts: own }) => ({ adapter, hosts: own })),
  );
});

test("managed_schema.json offers exactly the hosts, and says which", () => {
  const schema = JSON.parse(readFileSync(path.join(ROOT, "managed_schema.json"), "utf8"));
  const property = schema.properties.protectedHosts;
  assert.deepEqual(property.items.enum, hosts);
  const named = property.description.match(/Any of: ([^.]+(?:\.[^\s.][^.]*)*)\./)?.[1].split(", ");
  assert.deepEqual(named, hosts);
});

test("each browser runs the content script on exactly the hosts, with each webmail's frame options", () => {
  for (const browser of TARGETS) {
    const manifest = manifestFor(browser);
    if (browser === "thunderbird") {
      assert.equal(manifest.content_scripts, undefined, "Thunderbird has no webmail pages");
      continue;
    }
    assert.deepEqual(manifest.content_scripts, contentScripts(webmails));
    assert.deepEqual(
      manifest.content_scripts.flatMap((script) => script.matches),
      hosts.map((host) => `https://${host}/*`),
      browser,
    );
    // Outlook's pop-out compose is an about:blank frame; Gmail's are all in the page.
    const outlook = manifest.content_scripts[webmails.findIndex((webmail) => webmail.adapter === "outlook")];
    assert.equal(outlook.all_frames, true);
    assert.equal(outlook.match_about_blank, true);
    assert.equal(outlook.match_origin_as_fallback, true);
    assert.equal(manifest.content_scripts[webmails.findIndex((webmail) => webmail.adapter === "gmail")].all_frames, false);
    // What the build wrote, where it has run.
    const built = path.join(ROOT, "dist", browser, "manifest.json");
    if (existsSync(built)) assert.deepEqual(JSON.parse(readFileSync(built, "utf8")).content_scripts, manifest.content_scripts, `dist/${browser}`);
  }
  // The source manifest keeps no copy of its own.
  assert.equal(typeof JSON.parse(readFileSync(path.join(ROOT, "manifest.json"), "utf8")).content_scripts, "string");
});

test("the content script picks each webmail's adapter by its hosts, and Roundcube's elsewhere", async () => {
  const { adapterFor, ADAPTERS } = await import("../../www/content/adapters.js");
  assert.deepEqual([...ADAPTERS.keys()], hosts);
  for (const webmail of webmails) {
    for (const host of webmail.hosts) assert.equal(adapterFor(host).name, webmail.adapter, host);
  }
  assert.equal(adapterFor("webmail.example.org").name, "roundcube");
  assert.equal(adapterFor("").name, "roundcube");
});

test("the admin guide and README name exactly the hosts", () => {
  const guide = readFileSync(path.join(ROOT, "docs", "ADMIN.md"), "utf8");
  const row = guide.split("\n").find((line) => line.startsWith("| `protectedHosts` |"));
  assert.ok(row, "ADMIN.md's settings table has a protectedHosts row");
  const allowed = row.split(" | ")[3];
  assert.deepEqual([...allowed.matchAll(/`([^`]+)`/g)].map((m) => m[1]), hosts);
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const table = readme.slice(readme.indexOf("### Supported webmail"));
  for (const host of hosts) assert.ok(table.includes(host), `README's supported webmail table names ${host}`);
});

test("the engine supports exactly the hosts (its policy reply)", async () => {
  const { Engine } = await releaseEngine();
  const policyOf = (managed) => callEngine(new Engine(JSON.stringify({ managed, user: null })), { v: PROTOCOL_VERSION, kind: "policy" }).policy;
  // By default every built-in host is protected: that is the engine's whole list.
  assert.deepEqual(policyOf(null).settings.protectedHosts, hosts);
  // Each host is one it accepts, and one it does not know is refused.
  const every = policyOf({ protectedHosts: [...hosts, "mail.example.org"] });
  assert.deepEqual(every.settings.protectedHosts, hosts);
  assert.deepEqual(
    every.problems.map((problem) => [problem.key, problem.code, problem.value]),
    [["protectedHosts", "unsupportedHost", "mail.example.org"]],
  );
});
