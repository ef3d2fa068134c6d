/**
 * @file Local counters for the toolbar popup: how often the guard warned,
 * how many recipients it moved to Bcc, how often the user sent anyway or
 * cancelled. Numbers only — never an address — kept in `storage.local` and
 * never sent anywhere.
 */

import { ext } from "../lib/browser.js";

export const STATS_KEY = "stats";

/** The counters, each starting at zero. */
export const STAT_NAMES = Object.freeze(["warned", "moved", "sentAnyway", "cancelled"]);

/** Increments are serialised, so that two quick events cannot lose one. */
let queue = Promise.resolve();

/**
 * Adds `n` to a counter.
 * @param {string} name One of STAT_NAMES; anything else is ignored.
 * @param {number} n A positive whole number.
 * @returns {Promise<void>}
 */
export function addStat(name, n = 1) {
  if (!STAT_NAMES.includes(name) || !Number.isSafeInteger(n) || n < 1) return queue;
  queue = queue.then(async () => {
    const stats = await readStats();
    stats[name] += n;
    await ext().storage.local.set({ [STATS_KEY]: stats });
  }).catch(() => {});
  return queue;
}

/**
 * The counters.
 * @returns {Promise<Record<string, number>>}
 */
export async function readStats() {
  const stored = (await ext().storage.local.get(STATS_KEY))?.[STATS_KEY] ?? {};
  return Object.fromEntries(STAT_NAMES.map((name) => [name, Number.isSafeInteger(stored[name]) ? stored[name] : 0]));
}

/** Sets every counter back to zero. */
export async function resetStats() {
  queue = queue.then(() => ext().storage.local.remove(STATS_KEY)).catch(() => {});
  return queue;
}
