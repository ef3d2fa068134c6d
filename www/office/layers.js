/**
 * @file The two policy layers of the Outlook add-in, as the engine's
 * constructor takes them (`{managed, user}`, like the extension's
 * www/lib/settings.js):
 *
 *  - managed: the organisation's `policy.json`, which the admin hosts beside
 *    the add-in's files (docs/ADMIN.md). Read once per runtime. No file
 *    (404) means no policy. A file that cannot be read or is not JSON is
 *    passed on as text, which the engine reports as a policy problem while
 *    every setting keeps its protective default: a bad file never turns
 *    protection off. Validation is the engine's, as for every host.
 *  - user: the `settings` object in the user's `roamingSettings`, which
 *    Outlook keeps with the mailbox.
 *
 * Part of the classic-Windows handler file (ECMAScript 2016). That runtime
 * takes only absolute URLs in `fetch`, so the caller passes the add-in's
 * base URL, which `npm run package` writes into the file.
 */

/** The roamingSettings key of the user's settings (the extension's storage key). */
export const USER_SETTINGS_KEY = "settings";

/** How long the policy file may take before the engine goes on without it. */
export const POLICY_TIMEOUT_MS = 1500;

/**
 * @param {object} deps
 * @param {string} deps.policyUrl The absolute URL of `policy.json`.
 * @param {(url: string) => Promise<{status: number, ok: boolean, text: () => Promise<string>}>} deps.fetch
 * @param {any} deps.office The `Office` namespace (for roamingSettings).
 * @param {number} [deps.timeoutMs]
 * @returns {Promise<{managed: unknown, user: unknown}>} Never rejects.
 */
export function readLayers({ policyUrl, fetch, office, timeoutMs }) {
  return readPolicy(policyUrl, fetch, timeoutMs || POLICY_TIMEOUT_MS).then((managed) => ({
    managed,
    user: readUserSettings(office),
  }));
}

/**
 * The admin's policy file: an object, `null` when there is none, or a
 * sentence saying why it could not be used (which the engine reports).
 * @param {string} url
 * @param {Function} fetch
 * @param {number} timeoutMs
 * @returns {Promise<unknown>}
 */
function readPolicy(url, fetch, timeoutMs) {
  let timer = null;
  const timeout = new Promise((resolve) => {
    if (typeof setTimeout === "function") {
      timer = setTimeout(() => resolve(`policy.json did not arrive within ${timeoutMs} ms`), timeoutMs);
    }
  });
  const read = Promise.resolve()
    .then(() => fetch(url))
    .then((response) => {
      if (response.status === 404) return null;
      if (!response.ok) return `policy.json could not be read: HTTP ${response.status}`;
      return response.text().then((text) => {
        try {
          return JSON.parse(text);
        } catch (error) {
          return `policy.json is not JSON: ${String(error && error.message)}`;
        }
      });
    })
    .catch((error) => `policy.json could not be read: ${String(error && error.message)}`);
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
