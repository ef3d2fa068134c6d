/**
 * @file Who may ask the background what (www/background/senders.js): content
 * scripts only what the guard uses, extension pages also the policy and the
 * validator, other extensions nothing. The e2e suite (tests/e2e/
 * hostile-page.test.mjs, "Who may ask what") asks the real background from
 * a real content script.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { CONTENT_SCRIPT_KINDS, EXTENSION_PAGE_KINDS, mayAsk } from "../../www/background/senders.js";

const chrome = { id: "paldapobjjgoepiejgigblhhidmhagng", origin: "chrome-extension://paldapobjjgoepiejgigblhhidmhagng/" };
const firefox = { id: "bcc-guard@bccguard.org", origin: "moz-extension://0b0c5a43-5f0c-4b6e-9d4a-1f2e3d4c5b6a/" };

test("a content script may ask only what the guard uses", () => {
  for (const { id } of [chrome, firefox]) {
    for (const url of ["https://mail.google.com/mail/u/0/", "about:blank", undefined]) {
      const sender = { id, url, tab: { id: 7 } };
      const extension = id === chrome.id ? chrome : firefox;
      for (const kind of CONTENT_SCRIPT_KINDS) assert.equal(mayAsk(kind, sender, extension), true, `${kind} from ${url}`);
      for (const kind of ["policy", "validate", "injectPanic", "status", "anything"]) {
        assert.equal(mayAsk(kind, sender, extension), false, `${kind} from ${url}`);
      }
    }
  }
});

test("extension pages may ask the policy and the validator, in a tab or not", () => {
  for (const extension of [chrome, firefox]) {
    for (const page of ["popup/popup.html", "options/options.html", "thunderbird/dialog.html#x"]) {
      for (const tab of [undefined, { id: 3 }]) {
        const sender = { id: extension.id, url: `${extension.origin}${page}`, tab };
        for (const kind of EXTENSION_PAGE_KINDS) assert.equal(mayAsk(kind, sender, extension), true, `${kind} from ${page}`);
      }
    }
  }
});

test("another extension, or a page that only looks like ours, may ask nothing", () => {
  assert.equal(mayAsk("evaluate", { id: "someone-else", url: `${chrome.origin}popup/popup.html` }, chrome), false);
  // A web page whose URL merely contains our origin is a content script's sender.
  const lookalike = { id: chrome.id, url: `https://evil.example/${chrome.origin}` };
  assert.equal(mayAsk("policy", lookalike, chrome), false);
  assert.equal(mayAsk("evaluate", lookalike, chrome), true);
});
