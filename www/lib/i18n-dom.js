/**
 * @file Fills an extension page's text from `_locales`: every element with
 * a `data-i18n` attribute gets the message it names as its text, and the document its
 * language, so that pages hold no user-visible string of their own.
 */

import { message } from "./browser.js";

/**
 * @param {Document} doc
 */
export function localize(doc) {
  doc.documentElement.lang = message("lang");
  for (const element of doc.querySelectorAll("[data-i18n]")) {
    element.textContent = message(element.getAttribute("data-i18n"));
  }
}
