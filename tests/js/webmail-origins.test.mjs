/**
 * @file The host-side checks of self-hosted webmail origins: what the user
 * types in "Protect this webmail" and what the admin lists in
 * `roundcubeOrigins` become one origin each, or are refused.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { invalidOrigins, originsOf, parseOrigin, patternOf } from "../../www/lib/webmail-origins.js";

test("an address becomes its scheme and host", () => {
  assert.equal(parseOrigin("https://webmail.example.org"), "https://webmail.example.org");
  assert.equal(parseOrigin("  https://Webmail.Example.org/roundcube/?_task=mail#x "), "https://webmail.example.org");
  assert.equal(parseOrigin("webmail.example.org"), "https://webmail.example.org", "a bare host means https");
  // Firefox's match patterns hold no port; a pattern without one matches every port.
  assert.equal(parseOrigin("http://mail.example.org:8080/"), "http://mail.example.org");
  assert.equal(parseOrigin("https://メール.example.jp/"), "https://xn--4dkua4c.example.jp");
  assert.equal(patternOf("https://webmail.example.org"), "https://webmail.example.org/*");
});

test("anything that would ask for more than one webmail, or is no web address, is refused", () => {
  for (const bad of ["", "   ", "ftp://files.example.org", "file:///etc/passwd", "https://*.example.org", "https://user:pw@mail.example.org", "javascript:alert(1)", "http://", 42, null, undefined, ["https://a.example"]]) {
    assert.equal(parseOrigin(bad), null, `${JSON.stringify(bad)} must be refused`);
  }
});

test("the built-in webmail hosts are refused: their own content scripts already run there", () => {
  assert.equal(parseOrigin("https://mail.google.com"), null);
  assert.equal(parseOrigin("outlook.office.com"), null);
});

test("lists keep valid distinct origins in order and report the rest as given", () => {
  const list = ["https://a.example", "a.example", "nope nope", "http://b.example/x", 7];
  assert.deepEqual(originsOf(list), ["https://a.example", "http://b.example"]);
  assert.deepEqual(invalidOrigins(list), ["nope nope", "7"]);
  assert.deepEqual(originsOf("https://a.example"), [], "a single string is not a list");
  assert.deepEqual(invalidOrigins("https://a.example"), ["https://a.example"]);
  assert.deepEqual(invalidOrigins(undefined), []);
});
