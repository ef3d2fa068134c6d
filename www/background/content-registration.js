/**
 * @file Runs the content script on the self-hosted webmail origins that are
 * both wanted (by the user or the admin, `www/lib/webmail-origins.js`) and
 * granted by the browser, through `scripting.registerContentScripts` — the
 * same call in Chrome and Firefox MV3.
 *
 * Registering needs no host permission and succeeds without one, but then
 * injects nothing (shared/research/roundcube-e2e.md §9), so only granted
 * origins are registered and a successful call proves nothing by itself.
 * Registrations persist across browser restarts; `sync()` runs anyway at
 * every background start, on every grant or removal and on every change of
 * either list, so that what is registered always equals wanted ∩ granted:
 * when the user removes the permission (also from the browser's own
 * extension settings), the script stops running there.
 */

import { ext } from "../lib/browser.js";
import {
  originStatuses,
  patternOf,
  POLICY_ORIGINS_KEY,
  readUserOrigins,
  REGISTRATION_ID,
  USER_ORIGINS_KEY,
} from "../lib/webmail-origins.js";

/**
 * Serialises syncs: two at once could both register the same ID.
 * @type {Promise<any>}
 */
let queue = Promise.resolve();

/**
 * Makes the registration match exactly the wanted and granted origins.
 * @returns {Promise<string[]>} The match patterns now registered.
 */
export function sync() {
  queue = queue.then(syncNow, syncNow);
  return queue;
}

async function syncNow() {
  // Chromium's first read of managed storage after a start can take
  // seconds (about 3 s measured here), and a restart of a command-line
  // loaded extension drops its registrations. So the user's own granted
  // origins, which need no policy, are added first — only added, so that
  // nothing registered is dropped on a partial read — and the exact set
  // follows once the admin's list is known.
  const [current] = await ext().scripting.getRegisteredContentScripts({ ids: [REGISTRATION_ID] });
  const registered = current?.matches ?? [];
  const user = await grantedPatterns(await readUserOrigins());
  const missing = user.filter((pattern) => !registered.includes(pattern));
  if (missing.length) await register(current, [...registered, ...missing].sort());
  const statuses = await originStatuses();
  const matches = statuses.filter((s) => s.granted).map((s) => patternOf(s.origin)).sort();
  const [now] = await ext().scripting.getRegisteredContentScripts({ ids: [REGISTRATION_ID] });
  if (JSON.stringify([...(now?.matches ?? [])].sort()) !== JSON.stringify(matches)) await register(now, matches);
  return matches;
}

/**
 * The match patterns of the origins the browser granted.
 * @param {string[]} origins
 */
async function grantedPatterns(origins) {
  const granted = await Promise.all(origins.map((o) => ext().permissions.contains({ origins: [patternOf(o)] })));
  return origins.filter((_, i) => granted[i]).map(patternOf);
}

/**
 * Replaces the registration with one on `matches` (none if empty).
 * @param {object|undefined} current The registration as it is.
 * @param {string[]} matches
 */
async function register(current, matches) {
  const scripting = ext().scripting;
  if (current) await scripting.unregisterContentScripts({ ids: [REGISTRATION_ID] });
  if (matches.length === 0) return;
  await scripting.registerContentScripts([
    {
      id: REGISTRATION_ID,
      matches,
      js: ["content.js"],
      runAt: "document_start",
      // Roundcube's compose is a top-level page (or a pop-out window).
      allFrames: false,
      persistAcrossSessions: true,
    },
  ]);
}

/**
 * Keeps the registration in step. Called synchronously at the background's
 * top level, so the listeners exist before any event is delivered.
 * @param {(error: unknown) => void} [report]
 */
export function keepRegistered(report = (error) => console.error("BCC Guard: content script registration failed", error)) {
  const run = () => sync().catch(report);
  ext().permissions.onAdded.addListener(run);
  ext().permissions.onRemoved.addListener(run);
  ext().storage.onChanged.addListener((changes, area) => {
    if ((area === "managed" && POLICY_ORIGINS_KEY in changes) || (area === "local" && USER_ORIGINS_KEY in changes)) run();
  });
  // These listeners also make the browser start the background when it
  // starts or the extension is installed or updated, so the registration
  // is checked before the user opens the webmail.
  ext().runtime.onStartup.addListener(run);
  ext().runtime.onInstalled.addListener(run);
  run();
}
