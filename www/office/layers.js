/**
 * @file The two policy layers of the Outlook add-in, as the engine's
 * constructor takes them (`{managed, user}`, like the extension's
 * www/lib/settings.js):
 *
 *  - managed: the organisation's `policy.json`, which the admin hosts beside
 *    the add-in's files (docs/ADMIN.md). "No policy" and "a policy that
 *    could not be read" are kept apart: `npm run package --office-policy`
 *    writes into the add-in that a policy is expected. Only a 404 where none
 *    is expected means no policy (`null`). Every other outcome that gives no
 *    object of settings — a 404 where one is expected, another HTTP status,
 *    a network or CORS failure, a reply later than `POLICY_TIMEOUT_MS`, a
 *    file that is not JSON or holds no object — is passed on as a sentence
 *    saying why. The engine reads such a layer as a policy it could not
 *    read and locks its strictest settings in its place (src/engine/policy.rs,
 *    `resolve`): a policy that does not arrive never weakens protection.
 *  - user: the `settings` object in the user's `roamingSettings`, which
 *    Outlook keeps with the mailbox.
 *
 * An engine built on an unreadable policy must not be kept: the callers
 * (engine-loader.js, launchevent.js) ask `policyUnreadable` and read the
 * file again for the next request.
 *
 * Part of the classic-Windows handler file (ECMAScript 2016). That runtime
 * takes only absolute URLs in `fetch`, so the caller passes the add-in's
 * base URL, which `npm run package` writes into the file.
 */

import { describeError } from "../lib/errors.js";

/** The roamingSettings key of the user's settings (the extension's storage key). */
export const USER_SETTINGS_KEY = "settings";

/** How long the policy file may take; later, it counts as unreadable. */
export const POLICY_TIMEOUT_MS = 1500;

/**
 * @param {object} deps
 * @param {string} deps.policyUrl The absolute URL of `policy.json`.
 * @param {(url: string) => Promise<{status: number, ok: boolean, text: () => Promise<string>}>} deps.fetch
 * @param {any} deps.office The `Office` namespace (for roamingSettings).
 * @param {boolean} deps.policyExpected Whether the package says a policy
 *   file is there (then a 404 is a policy that could not be read).
 * @param {number} [deps.timeoutMs]
 * @returns {Promise<{managed: unknown, user: unknown}>} Never rejects.
 */
export function readLayers({ policyUrl, fetch, office, policyExpected, timeoutMs }) {
  return readPolicy(policyUrl, fetch, policyExpected, timeoutMs || POLICY_TIMEOUT_MS).then((managed) => ({
    managed,
    user: readUserSettings(office),
  }));
}

/**
 * Whether these layers hold an admin's policy that could not be read (the
 * engine then applies its strictest settings, and must be rebuilt from a
 * fresh read for the next request).
 * @param {{managed: unknown}} layers
 * @returns {boolean}
 */
export function policyUnreadable(layers) {
  return typeof layers.managed === "string";
}

/**
 * The admin's policy file: an object, `null` when there is none, or a
 * sentence saying why it could not be read (see the file's header).
 * @param {string} url
 * @param {Function} fetch
 * @param {boolean} expected
 * @param {number} timeoutMs
 * @returns {Promise<unknown>}
 */
function readPolicy(url, fetch, expected, timeoutMs) {
  let timer = null;
  const timeout = new Promise((resolve) => {
    if (typeof setTimeout === "function") {
      timer = setTimeout(() => resolve(`policy.json did not arrive within ${timeoutMs} ms`), timeoutMs);
    }
  });
  const read = Promise.resolve()
    .then(() => fetch(url))
    .then((response) => {
      if (response.status === 404) return expected ? "policy.json is expected but the server has none (HTTP 404)" : null;
      if (!response.ok) return `policy.json could not be read: HTTP ${response.status}`;
      return response.text().then((text) => {
        let value;
        try {
          value = JSON.parse(text);
        } catch (error) {
          return `policy.json is not JSON: ${describeError(error)}`;
        }
        return value !== null && typeof value === "object" && !Array.isArray(value)
          ? value
          : "policy.json does not hold an object of settings";
      });
    })
    .catch((error) => `policy.json could not be read: ${describeError(error)}`);
  return Promise.race([read, timeout]).then((value) => {
    if (timer !== null) clearTimeout(timer);
    return value;
  });
}

/**
 * The user's settings from roamingSettings, or null.
 * @param {any} office
 * @returns {unknown}
 */
function readUserSettings(office) {
  try {
    const value = office.context.roamingSettings.get(USER_SETTINGS_KEY);
    return value === undefined ? null : value;
  } catch (error) {
    return null;
  }
}
