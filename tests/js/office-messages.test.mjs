/**
 * @file The Outlook add-in's words: every message it uses exists in English
 * and Japanese in the extension's catalogue, the dialog's button fits
 * Outlook's 20 characters and a notification its 150, a dialog about a
 * thousand parties fits Outlook's 500 characters in both languages, and
 * names that look like Markdown stay text.
 */

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { ROOT } from "../../scripts/lib/run.mjs";
import { CATALOGUES } from "./office.mjs";
import { translator } from "../../www/office/locale.js";
import { escapeMarkdown, MAX_LABEL, MAX_MESSAGE, MAX_NOTIFICATION, verdictMessage } from "../../www/office/message.js";

const OFFICE = path.join(ROOT, "www", "office");

test("every message key the add-in uses exists in English and Japanese", () => {
  const used = new Set();
  for (const file of readdirSync(OFFICE).filter((f) => /\.(js|xml)$/.test(f))) {
    const text = readFileSync(path.join(OFFICE, file), "utf8");
    for (const match of text.matchAll(/["`{:]((?:office|dialog|reason)_[A-Za-z_]+|extName|lang)["`}]/g)) used.add(match[1]);
  }
  for (const field of ["to", "cc", "bcc"]) used.add(`dialog_field_${field}`);
  assert.ok(used.size > 25, `only ${used.size} keys found; the scan is broken`);
  for (const lang of ["en", "ja"]) {
    const missing = [...used].filter((key) => key !== "reason_" && !CATALOGUES[lang][key]);
    assert.deepEqual(missing, [], `${lang} lacks ${missing.join(", ")}`);
  }
});

test("labels and notifications fit Outlook's limits in both languages", () => {
  for (const lang of ["en", "ja"]) {
    const t = translator(CATALOGUES, lang);
    for (const key of ["dialog_move", "dialog_moveAndSend"]) assert.ok(t(key).length <= MAX_LABEL, `${lang} ${key}`);
    for (const [key, args] of [["office_moved", [1000]], ["office_moveStillExposed"], ["office_moveMismatch"], ["office_moveByHand"], ["office_fieldLimit", [1000, t("dialog_field_bcc")]], ["office_nothingToMove"], ["office_sendFailed"]]) {
      assert.ok(t(key, args).length <= MAX_NOTIFICATION, `${lang} ${key}: ${t(key, args).length}`);
    }
  }
});

test("a thousand parties fit the dialog's 500 characters, with how many more", () => {
  const groups = Array.from({ length: 1000 }, (_, i) => ({ kind: i % 2 ? "organisation" : "mailboxes", domain: `a-rather-long-domain-${i}.example.co.jp`, parties: 1, recipients: [i] }));
  const reply = {
    verdict: { groups, reasons: [{ code: "exposure", args: ["1000", "1000"] }, { code: "unreadable", args: ["3"] }] },
    plan: { unmovable: [], remove: [1], add: { to: [], cc: [], bcc: [] } },
    recipients: [],
  };
  for (const lang of ["en", "ja"]) {
    const t = translator(CATALOGUES, lang);
    for (const offer of ["moveAndSend", "move", "byHand"]) {
      const { text, markdown } = verdictMessage(reply, t, offer);
      assert.ok(text.length <= MAX_MESSAGE && markdown.length <= MAX_MESSAGE, `${lang} ${offer}: ${text.length}, ${markdown.length}`);
      assert.ok(text.includes(groups[0].domain), "the largest groups come first and are named");
      assert.match(text, lang === "en" ? /… and \d+ more/ : /ほか \d+ 件/);
      assert.ok(text.endsWith(t(offer === "moveAndSend" ? "office_hintMoveAndSend" : offer === "move" ? "office_hintMove" : "office_hintByHand")), "what to do is never cut off");
    }
  }
});

test("Markdown in names stays text", () => {
  assert.equal(escapeMarkdown("my_company.example (3) *x* [y](https://z)"), "my\\_company.example \\(3\\) \\*x\\* \\[y\\]\\(https://z\\)");
});
