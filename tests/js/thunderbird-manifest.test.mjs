/**
 * @file Thunderbird's built manifest asks only for what Thunderbird uses,
 * and README says exactly that.
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { manifestFor } from "../../scripts/build.mjs";
import { ROOT } from "../../scripts/lib/run.mjs";

test("Thunderbird asks for storage, compose and addressBooks only", () => {
  const manifest = manifestFor("thunderbird");
  assert.deepEqual([...manifest.permissions].sort(), ["addressBooks", "compose", "storage"]);
  assert.equal(manifest.optional_host_permissions, undefined, "no webmail origins to grant");
  assert.equal(manifest.host_permissions, undefined);
  assert.equal(manifest.content_scripts, undefined);
  // The browsers keep what registering on a self-hosted webmail needs.
  for (const browser of ["chrome", "firefox"]) {
    assert.ok(manifestFor(browser).permissions.includes("scripting"), browser);
    assert.ok(manifestFor(browser).optional_host_permissions?.length, browser);
  }
});

test("README names Thunderbird's permissions as the manifest has them", () => {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const sentence = readme.match(/in Thunderbird((?:\s*`[A-Za-z]+`,?)+(?:\s*and\s*`[A-Za-z]+`))/);
  assert.ok(sentence, "README's Private bullet names Thunderbird's permissions");
  const named = [...sentence[1].matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]).sort();
  assert.deepEqual(named, [...manifestFor("thunderbird").permissions].sort());
});
