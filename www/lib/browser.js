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
  try {
    return ext().i18n.getMessage(key, substitutions.map(String)) || key;
  } catch {
    // The extension was updated or reloaded under this page: its APIs are
    // gone from this (old) content script. The caller shows what it can.
    return key;
  }
}

/**
 * Whether this script's extension is still there. After an update or reload
 * Chrome keeps old content scripts running, cut off from the extension.
 * @returns {boolean}
 */
export function extensionAlive() {
  try {
    return Boolean(ext().runtime.id);
  } catch {
    return false;
  }
}
