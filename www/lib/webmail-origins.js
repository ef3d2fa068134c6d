/**
 * @file Self-hosted webmail (Roundcube) origins: which ones the user and the
 * admin want protected, whether the browser granted the extension access to
 * each, and the one-click grant.
 *
 * This is a host-side permission concern, not a decision about recipients:
 * it says where the content script runs. The manifest grants no host beyond
 * its fixed webmail list at install; every other origin is an
 * `optional_host_permissions` grant the user gives with one click (the
 * browser's own prompt), and the background registers the content script
 * on the granted ones (`www/background/content-registration.js`). The
 * admin's list (`roundcubeOrigins` in managed storage) only says which
 * origins to offer: a policy cannot grant a host permission.
 */

import { ext } from "./browser.js";
import { SUPPORTED_HOSTS } from "./hosts.js";

/** The user's list, in `storage.local`: it is about this browser's grants. */
export const USER_ORIGINS_KEY = "webmailOrigins";

/** The managed-policy key; settings.js keeps it away from the engine. */
export const POLICY_ORIGINS_KEY = "roundcubeOrigins";

/** The background's one content-script registration for these origins. */
export const REGISTRATION_ID = "bcc-guard-webmail";

/**
 * The origin (scheme and host, no port, path or credentials) of what a user
 * typed or an admin listed — "webmail.example.org",
 * "https://mail.example.org/roundcube/?_task=mail" — or null if it is not an
 * http(s) web address or is one of the built-in webmail hosts. The port is dropped because
 * Firefox's match patterns cannot hold one (a pattern without one matches
 * every port in both browsers).
 * @param {unknown} text
 * @returns {string|null}
 */
export function parseOrigin(text) {
  if (typeof text !== "string") return null;
  const trimmed = text.trim();
  if (!trimmed) return null;
  let url;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  // A wildcard or an empty host would ask for far more than one webmail.
  if (!url.hostname || url.hostname.includes("*") || url.username || url.password) return null;
  // The built-in hosts have their own adapters and content scripts; a
  // second script there would guard every send twice.
  if (SUPPORTED_HOSTS.includes(url.hostname)) return null;
  return `${url.protocol}//${url.hostname}`;
}

/**
 * The match pattern (and host permission) of an origin.
 * @param {string} origin As returned by parseOrigin.
 * @returns {string}
 */
export function patternOf(origin) {
  return `${origin}/*`;
}

/**
 * The valid, distinct origins of a list; anything else is left out (and
 * reported by `invalidOrigins`).
 * @param {unknown} list
 * @returns {string[]}
 */
export function originsOf(list) {
  const items = Array.isArray(list) ? list : [];
  return [...new Set(items.map(parseOrigin).filter(Boolean))];
}

/**
 * The entries of a list that are not origins, as given.
 * @param {unknown} list
 * @returns {string[]}
 */
export function invalidOrigins(list) {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) return [String(list)];
  return list.filter((item) => !parseOrigin(item)).map(String);
}

/** The user's origins. */
export async function readUserOrigins() {
  const stored = await ext().storage.local.get(USER_ORIGINS_KEY);
  return originsOf(stored?.[USER_ORIGINS_KEY]);
}

/**
 * The admin's origins as listed (unchecked), or undefined if none.
 * Firefox throws when no policy exists at all.
 */
export async function readPolicyOriginsRaw() {
  try {
    return (await ext().storage.managed.get(POLICY_ORIGINS_KEY))?.[POLICY_ORIGINS_KEY];
  } catch {
    return undefined;
  }
}

/**
 * @typedef {object} OriginStatus
 * @property {string} origin
 * @property {boolean} user The user chose it.
 * @property {boolean} policy The admin listed it.
 * @property {boolean} granted The browser gave the extension access to it.
 * @property {boolean} active The content script is registered there: pages
 *   opened from now on are protected.
 */

/**
 * Every wanted origin with where it comes from and whether it is granted.
 * @returns {Promise<OriginStatus[]>}
 */
export async function originStatuses() {
  const [user, policy] = await Promise.all([readUserOrigins(), readPolicyOriginsRaw().then(originsOf)]);
  const all = [...new Set([...policy, ...user])];
  const registered = await registeredPatterns();
  return Promise.all(
    all.map(async (origin) => ({
      origin,
      user: user.includes(origin),
      policy: policy.includes(origin),
      granted: await ext().permissions.contains({ origins: [patternOf(origin)] }),
      active: registered.includes(patternOf(origin)),
    })),
  );
}

/**
 * The match patterns the content script is registered on.
 * @returns {Promise<string[]>}
 */
async function registeredPatterns() {
  const [registration] = await ext().scripting.getRegisteredContentScripts({ ids: [REGISTRATION_ID] });
  return registration?.matches ?? [];
}

/**
 * Asks the browser for access to an origin and, once given, adds it to the
 * user's list. Must be called straight from a click handler, before any
 * `await`: both browsers show the prompt only during a user gesture.
 * @param {string} origin As returned by parseOrigin.
 * @returns {Promise<boolean>} Whether access was granted.
 */
export function grantOrigin(origin) {
  const request = ext().permissions.request({ origins: [patternOf(origin)] });
  return request.then(async (granted) => {
    if (granted) {
      const user = await readUserOrigins();
      if (!user.includes(origin)) await ext().storage.local.set({ [USER_ORIGINS_KEY]: [...user, origin] });
    }
    return granted;
  });
}

/**
 * Stops protecting an origin the user added: forgets it and gives the
 * access back (unless the admin lists it, whose entry stays).
 * @param {string} origin
 */
export async function removeOrigin(origin) {
  const user = await readUserOrigins();
  await ext().storage.local.set({ [USER_ORIGINS_KEY]: user.filter((o) => o !== origin) });
  const policy = originsOf(await readPolicyOriginsRaw());
  if (policy.includes(origin)) return;
  // A host the manifest itself grants cannot be given back; the
  // registration follows the list either way.
  await ext().permissions.remove({ origins: [patternOf(origin)] }).catch(() => false);
}
