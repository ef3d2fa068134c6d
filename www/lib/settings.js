/**
 * @file Reads the two policy layers the engine merges: the admin's managed
 * policy and the user's settings. The engine (Rust) validates and merges
 * them; this module only fetches plain values.
 */

import { ext } from "./browser.js";

/** The storage key under which the user's settings object is kept. */
export const USER_SETTINGS_KEY = "settings";

/**
 * The admin's policy from `storage.managed`.
 *
 * Chrome returns `{}` when no policy is set; Firefox throws
 * "Managed storage manifest not found" instead, which here means "no policy".
 * @returns {Promise<object|null>}
 */
export async function readManagedPolicy() {
  try {
    return (await ext().storage.managed.get(null)) ?? null;
  } catch {
    return null;
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
 * The user's settings object, or `null` if none was saved.
 * @returns {Promise<object|null>}
 */
export async function readUserSettings() {
  try {
    const stored = await userStorageArea().get(USER_SETTINGS_KEY);
    return stored?.[USER_SETTINGS_KEY] ?? null;
  } catch {
    const stored = await ext().storage.local.get(USER_SETTINGS_KEY);
    return stored?.[USER_SETTINGS_KEY] ?? null;
  }
}

/**
 * Both layers, as the engine's constructor takes them.
 * @returns {Promise<{managed: object|null, user: object|null}>}
 */
export async function readPolicyLayers() {
  const [managed, user] = await Promise.all([readManagedPolicy(), readUserSettings()]);
  return { managed, user };
}
