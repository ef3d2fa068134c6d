/**
 * @file The one facade over the WebExtension API.
 *
 * Firefox exposes `browser`, Chromium exposes `chrome`; in Manifest V3 both
 * return promises, so the rest of the extension only needs to pick one. The
 * lookup is lazy so that modules importing this file can also be loaded by
 * Node's test runner, where neither exists.
 */

/**
 * The extension API namespace of this browser.
 * @returns {typeof chrome} `browser` in Firefox, `chrome` in Chromium.
 * @throws {Error} When no extension API exists (not an extension context).
 */
export function ext() {
  const api = globalThis.browser ?? globalThis.chrome;
  if (!api?.runtime?.id) {
    throw new Error("BCC Guard: the WebExtension API is not available here.");
  }
  return api;
}

/**
 * A localized message from `_locales`, or the key itself when it is missing,
 * so that a missing translation is visible rather than blank.
 * @param {string} key Message name.
 * @param {Array<string|number>} [substitutions] Values for `$1`, `$2`…
 * @returns {string}
 */
export function message(key, substitutions = []) {
  const text = ext().i18n.getMessage(key, substitutions.map(String));
  return text || key;
}
