/**
 * @file The toolbar badge per tab: what the guard in that tab can see
 * (content/tab-state.js reports each frame's composes). `!` on red when a
 * compose is blind (BCC Guard cannot read it: it is not protected), else
 * the number of outside parties the focused compose's recipients expose,
 * else nothing; the title says which in words.
 *
 * A report comes from a content script, the least trusted sender: it is
 * read as data of a fixed shape (states from a list, small whole numbers),
 * and anything else is dropped, so a page cannot write text into the badge.
 */

import { BADGE_COLOURS, BLIND_TEXT } from "../lib/badge-words.js";
import { ext, message } from "../lib/browser.js";

const STATES = ["ok", "degraded", "blind"];
/** At most this many composes per frame are kept. */
const MAX_COMPOSES = 50;

/** @type {Map<number, Map<number, Array<{state: string, parties: number, focused: boolean}>>>} Reports by tab, then frame. */
const tabs = new Map();

/**
 * The composes of a report, or null if it is not one.
 * @param {any} composes
 */
export function readReport(composes) {
  if (!Array.isArray(composes) || composes.length > MAX_COMPOSES) return null;
  const read = [];
  for (const item of composes) {
    if (typeof item !== "object" || item === null || !STATES.includes(item.state)) return null;
    const parties = Number.isInteger(item.parties) && item.parties >= 0 && item.parties < 100_000 ? item.parties : 0;
    read.push({ state: item.state, parties, focused: item.focused === true });
  }
  return read;
}

/**
 * The badge for a tab's composes (every frame's).
 * @param {Array<{state: string, parties: number, focused: boolean}>} composes
 * @returns {{text: string, color: string, title: string}}
 */
export function badgeFor(composes) {
  if (composes.some((c) => c.state === "blind")) return { text: BLIND_TEXT, color: BADGE_COLOURS.blind, title: message("badge_blind") };
  const focused = composes.find((c) => c.focused) ?? composes[0];
  if (focused?.parties > 0) return { text: String(focused.parties), color: BADGE_COLOURS.exposed, title: message("badge_exposed", [focused.parties]) };
  return { text: "", color: BADGE_COLOURS.ok, title: composes.length > 0 ? message("badge_ok") : message("extName") };
}

/**
 * Takes one frame's report and shows the tab's badge.
 * @param {{tab?: {id?: number}, frameId?: number}} sender
 * @param {any} composes
 * @param {boolean} fresh The frame's first report since it loaded: a top
 *   frame's forgets the tab's other frames (the page was replaced).
 */
export function showHealth(sender, composes, fresh) {
  const tabId = sender.tab?.id;
  const report = readReport(composes);
  const action = ext().action;
  if (typeof tabId !== "number" || !report || !action) return;
  let frames = tabs.get(tabId);
  if (!frames) tabs.set(tabId, (frames = new Map()));
  if (fresh && (sender.frameId ?? 0) === 0) frames.clear();
  frames.set(sender.frameId ?? 0, report);
  const badge = badgeFor([...frames.values()].flat());
  // The words and the colour before the text, so that whoever sees a new
  // badge sees its title too. Failures (a tab closed meanwhile) leave
  // nothing to show.
  Promise.all([action.setTitle({ tabId, title: badge.title }), action.setBadgeBackgroundColor({ tabId, color: badge.color })])
    .then(() => action.setBadgeText({ tabId, text: badge.text }))
    .catch(() => {});
}

// A closed tab's reports are dropped (no permission needed for the event).
try {
  ext().tabs?.onRemoved?.addListener((tabId) => tabs.delete(tabId));
} catch {
  // Not an extension context (Node's tests import this module).
}
