/**
 * @file The live state of each Thunderbird compose on the compose window's
 * own toolbar button (`compose_action`): a badge with the number of outside
 * parties on show and a title that says, in the notice's words
 * (www/lib/notice-text.js), who would see whose address — the verdict the
 * send hook (send-check.js) would act on, known before Send is pressed.
 *
 * Thunderbird's compose API has no event for a change of recipients: its
 * events (153 ESR's compose.json) are onBeforeSend, onAfterSend,
 * onAfterSave, onAttachmentAdded/Removed, onIdentityChanged,
 * onComposeStateChanged (only whether the message can be sent now or
 * later) and onActiveDictionariesChanged. So the state is read by a bounded
 * poll: every `POLL_MS`, only while a compose window has the focus
 * (windows.onFocusChanged), and at once when that window gets the focus or
 * its compose state changes. With no compose window focused nothing runs.
 * The engine is asked only when the recipients (or the policy) changed
 * since the last answer.
 *
 * The poll is also what keeps the MV3 event page alive while a compose
 * window has the focus: each `getComposeDetails` is an API call from the
 * background, and Thunderbird (Firefox's ExtensionParent, "parentapicall")
 * restarts the page's idle timer on every such call. Unfocused, nothing
 * runs, the page is suspended about 30 s later, and the next focus change
 * (a persistent event) wakes it and reads the compose at once.
 */

import { BADGE_COLOURS } from "../lib/badge-words.js";
import { ext, message } from "../lib/browser.js";
import { PROTOCOL_VERSION } from "../lib/engine-client.js";
import { noticeLine } from "../lib/notice-text.js";
import { USER_SETTINGS_KEY } from "../lib/settings.js";
import { readCompose } from "./compose-fields.js";

/** How often the focused compose window is read. */
export const POLL_MS = 1000;

/**
 * Starts watching compose windows.
 * @param {import("../lib/engine-host.js").EngineHost} host
 */
export function watchComposeState(host) {
  const api = ext();
  /** The recipients last evaluated per compose tab, to ask only on a change. @type {Map<number, string>} */
  const seen = new Map();
  let timer = null;
  /** The compose tab in the focused window, if any. @type {number|null} */
  let focused = null;

  const stop = () => {
    clearInterval(timer);
    timer = null;
    focused = null;
  };
  /** @param {number} tabId */
  const refresh = async (tabId) => {
    try {
      const read = await readCompose(await api.compose.getComposeDetails(tabId));
      const key = JSON.stringify(read.compose);
      if (seen.get(tabId) === key) return;
      seen.set(tabId, key);
      const reply = await host.handle({ v: PROTOCOL_VERSION, kind: "evaluate", compose: read.compose });
      await show(tabId, reply);
    } catch {
      // The window closed meanwhile, or could not be read: the send hook
      // reads again and warns at Send.
      seen.delete(tabId);
    }
  };
  /** @param {number} windowId */
  const focus = async (windowId) => {
    stop();
    if (windowId === api.windows.WINDOW_ID_NONE) return;
    let window;
    try {
      window = await api.windows.get(windowId, { populate: true });
    } catch {
      return;
    }
    const tab = window.type === "messageCompose" ? window.tabs?.[0] : null;
    if (!tab) return;
    focused = tab.id;
    refresh(tab.id);
    timer = setInterval(() => {
      if (focused !== null) refresh(focused);
    }, POLL_MS);
  };

  api.windows.onFocusChanged.addListener((windowId) => {
    focus(windowId);
  });
  // A compose window that already has the focus when the background starts.
  api.windows.getLastFocused().then((window) => (window.focused ? focus(window.id) : undefined)).catch(() => {});
  const now = (tab) => {
    if (tab?.id === focused) refresh(tab.id);
  };
  // onIdentityChanged needs `accountsRead`, which this add-on does not ask
  // for (Thunderbird then leaves the event out, and calling it threw before
  // any listener below was added); the poll reads the identity anyway.
  api.compose.onIdentityChanged?.addListener(now);
  api.compose.onComposeStateChanged.addListener(now);
  api.tabs.onRemoved.addListener((tabId) => seen.delete(tabId));
  // A new policy can change every answer.
  api.storage.onChanged.addListener((changes, area) => {
    if (area !== "managed" && !(USER_SETTINGS_KEY in changes)) return;
    seen.clear();
    if (focused !== null) refresh(focused);
  });
}

/**
 * What the compose window's button shows for a verdict, in the webmail
 * badge's vocabulary (lib/badge-words.js): the number of outside parties
 * on show on amber; `?` on amber when the send would be stopped without a
 * party on show (an incomplete read) or the check failed (the send hook
 * says at Send that it could not check). Never `!`: on the webmail badge
 * that means "not protected", and Thunderbird always reads its composes.
 * Nothing (null) when nothing would be stopped or the user turned the
 * notice off.
 * @param {any} reply
 * @returns {{text: string, color: string, title: string}|null}
 */
export function composeBadgeFor(reply) {
  const verdict = reply?.ok ? reply.verdict : null;
  if (verdict && (verdict.action === "none" || !verdict.composeNotice)) return null;
  const text = verdict?.exposedParties > 0 ? String(verdict.exposedParties) : "?";
  const title = verdict ? noticeLine(verdict) : `${message("extName")}: ${message("dialog_titleUnverified")}`;
  return { text, color: BADGE_COLOURS.exposed, title };
}

/**
 * Shows a verdict on the compose window's button (`composeBadgeFor`); the
 * title and colour before the text, as the webmail badge, so that a new
 * badge never shows with the old title.
 * @param {number} tabId
 * @param {any} reply
 */
async function show(tabId, reply) {
  const action = ext().composeAction;
  const badge = composeBadgeFor(reply);
  if (!badge) {
    await action.setTitle({ tabId, title: null });
    await action.setBadgeText({ tabId, text: "" });
    return;
  }
  // The title first: whoever sees the badge can read what it means.
  await action.setTitle({ tabId, title: badge.title });
  await action.setBadgeBackgroundColor({ tabId, color: badge.color });
  await action.setBadgeText({ tabId, text: badge.text });
}
