/**
 * @file Reads the two policy layers the engine merges: the admin's managed
 * policy and the user's settings. The engine (Rust) validates and merges
 * them; this module only fetches plain values.
 */

import { ext } from "./browser.js";
import { POLICY_ORIGINS_KEY } from "./webmail-origins.js";
import { describeError } from "./errors.js";

/** The storage key under which the user's settings object is kept. */
export const USER_SETTINGS_KEY = "settings";

/**
 * How Firefox and Thunderbird say that no policy exists: they reject
 * `storage.managed.get` with this message when no managed-storage manifest
 * (enterprise policy `3rdparty` entry, or native manifest) names the add-on.
 */
const NO_MANAGED_STORAGE = /^Managed storage manifest not found\.?$/;

/**
 * The admin's policy from `storage.managed`: an object, `null` when there
 * is none, or a sentence saying why it could not be read.
 *
 * Chrome returns `{}` when no policy is set; Firefox rejects with "Managed
 * storage manifest not found" instead, and a browser without the managed
 * area has no way to hold one: both mean "no policy". Any other failure
 * means a policy may exist that could not be read, so it is not dropped:
 * the engine reads the sentence as an unreadable policy and locks its
 * strictest settings in its place (src/engine/policy.rs, `resolve`), and
 * the options page lists the problem. The background reads again when the
 * policy changes or the service worker restarts.
 * @returns {Promise<object|string|null>}
 */
export async function readManagedPolicy() {
  const managed = ext().storage.managed;
  if (!managed) return null;
  try {
    return (await managed.get(null)) ?? null;
  } catch (error) {
    const message = describeError(error);
    if (NO_MANAGED_STORAGE.test(message)) return null;
    return `storage.managed could not be read: ${message}`;
  }
}

/**
 * The storage area user settings live in: `sync` so they follow the user,
 * or `local` where sync is unavailable (disabled by policy, or Firefox
 * without an account still provides it, but some forks do not).
 * @returns {chrome.storage.StorageArea}
 */
export function userStorageArea() {
  const storage = ext().storage;
  return storage.sync ?? storage.local;
}

/**
 * The user's settings object, or `null` if none was saved: from
 * `storage.sync`, else from `storage.local` (where a save falls back to).
 * @returns {Promise<object|null>}
 */
export async function readUserSettings() {
  for (const area of [userStorageArea(), ext().storage.local]) {
    try {
      const stored = await area.get(USER_SETTINGS_KEY);
      if (stored?.[USER_SETTINGS_KEY]) return stored[USER_SETTINGS_KEY];
    } catch {
      // This area is unavailable; try the next.
    }
  }
  return null;
}

/**
 * Saves the user's settings object: to `storage.sync`, or to `storage.local`
 * where sync refuses (disabled by policy, over quota).
 * @param {object} settings
 * @returns {Promise<void>}
 */
export async function writeUserSettings(settings) {
  const local = ext().storage.local;
  const preferred = userStorageArea();
  try {
    await preferred.set({ [USER_SETTINGS_KEY]: settings });
    // An older copy saved by the fallback must not outlive this save.
    if (preferred !== local) await local.remove(USER_SETTINGS_KEY).catch(() => {});
  } catch {
    await local.set({ [USER_SETTINGS_KEY]: settings });
    // The older copy in sync would be read first; it must go.
    await preferred.remove(USER_SETTINGS_KEY).catch(() => {});
  }
}

/**
 * Both layers, as the engine's constructor takes them. The admin's list of
 * self-hosted webmail origins is not an engine setting — it decides where
 * the content script runs, not what a recipient is — so it is read by
 * `webmail-origins.js` and kept out of the engine's layer, which would
 * otherwise report it as an unknown key.
 * @returns {Promise<{managed: object|string|null, user: object|null}>}
 */
export async function readPolicyLayers() {
  const [managed, user] = await Promise.all([readManagedPolicy(), readUserSettings()]);
  if (managed && typeof managed === "object" && POLICY_ORIGINS_KEY in managed) {
    const { [POLICY_ORIGINS_KEY]: _origins, ...engineManaged } = managed;
    return { managed: engineManaged, user };
  }
  return { managed, user };
}
