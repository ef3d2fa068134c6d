/**
 * @file Every message key the extension's JavaScript uses exists in English
 * and Japanese, the manifest's `__MSG_…__` references resolve, and the
 * dialog's built-in fallback texts are the catalogue's.
 */

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { ROOT } from "../../scripts/lib/run.mjs";
import { FALLBACK } from "../../www/lib/dialog.js";

const catalogue = (lang) => JSON.parse(readFileSync(path.join(ROOT, "www", "_locales", lang, "messages.json"), "utf8"));

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.(m?js|html)$/.test(entry.name) ? [full] : [];
  });
}

test("static message keys used in www/ exist in both languages", () => {
  const used = new Set();
  for (const file of sources(path.join(ROOT, "www"))) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/message\(\s*"([A-Za-z0-9_@]+)"/g)) used.add(match[1]);
    for (const match of text.matchAll(/data-i18n="([A-Za-z0-9_]+)"/g)) used.add(match[1]);
    // Keys passed around before reaching message(): any literal that names one.
    for (const match of text.matchAll(/"((?:dialog|popup|options)_[A-Za-z_]+)"/g)) used.add(match[1]);
  }
  // Keys built at run time from a prefix and an engine code or field name.
  for (const field of ["to", "cc", "bcc"]) used.add(`dialog_field_${field}`);
  assert.ok(used.size > 20, `only ${used.size} keys found; the scan is broken`);
  for (const lang of ["en", "ja"]) {
    const messages = catalogue(lang);
    const missing = [...used].filter((key) => !messages[key]);
    assert.deepEqual(missing, [], `${lang} lacks ${missing.join(", ")}`);
  }
});

test("the manifest's messages resolve, within the stores' length limits", () => {
  const manifest = readFileSync(path.join(ROOT, "manifest.json"), "utf8");
  for (const lang of ["en", "ja"]) {
    const messages = catalogue(lang);
    for (const [, key] of manifest.matchAll(/__MSG_([A-Za-z0-9_]+)__/g)) {
      assert.ok(messages[key], `${lang} lacks ${key}`);
    }
    assert.ok(messages.extName.message.length <= 75);
    assert.ok(messages.extDescription.message.length <= 132, `${lang} description is too long`);
  }
});

test("the dialog's fallback texts (for a content script cut off from the catalogue) are the catalogue's, word for word", () => {
  assert.deepEqual(Object.keys(FALLBACK).sort(), ["en", "ja"]);
  for (const [lang, texts] of Object.entries(FALLBACK)) {
    const messages = catalogue(lang);
    assert.equal(texts.lang, lang);
    const keys = Object.keys(texts).filter((key) => key !== "lang");
    assert.ok(keys.length > 5, `${lang}: only ${keys.length} fallback texts`);
    for (const key of keys) assert.equal(texts[key], messages[key]?.message, `${lang} ${key}`);
  }
});
