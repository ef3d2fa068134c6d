/**
 * @file The words of the live notice, from the engine's verdict: the
 * sentence the engine's reasons choose and one label per party group as the
 * engine grouped them. The webmail notice (www/content/notice.js) draws them
 * in the compose; Thunderbird puts them in its compose button's title
 * (www/thunderbird/compose-state.js). Nothing is counted or classified here:
 * every number comes from the verdict.
 */

import { message } from "./browser.js";

/**
 * The notice's first sentence: outsiders on show seeing each other,
 * outsiders in Bcc seeing those on show, or (no exposure, yet the send would
 * be stopped, e.g. an incomplete read) the first reason the engine gives.
 * @param {any} verdict
 * @returns {string}
 */
export function noticeHeadline(verdict) {
  const reasons = verdict.reasons ?? [];
  const exposure = reasons.find((reason) => reason.code === "exposure");
  if (exposure) return message("notice_exposure", [exposure.args[1]]);
  const audience = reasons.find((reason) => reason.code === "audience");
  if (audience) return message("notice_audience", [audience.args[1]]);
  const first = reasons[0];
  return first ? message(`reason_${first.code}`, first.args) : message("dialog_titleExposure");
}

/**
 * One label per party group of the verdict: "a.example (2)", "b.example",
 * "2 people at gmail.com", "1 unreadable".
 * @param {any} group One of the verdict's `groups`.
 * @returns {string}
 */
export function partyLabel(group) {
  const count = group.recipients.length;
  if (group.kind === "organisation") return count > 1 ? message("notice_partyOrganisation", [group.domain, count]) : group.domain;
  if (group.kind === "mailboxes") return message(group.parties === 1 ? "notice_partyPerson" : "notice_partyPeople", [group.domain, group.parties]);
  return message("notice_partyUnreadable", [group.parties]);
}

/** What goes between two parties' labels: ", " (English), "、" (Japanese). */
export function partySeparator() {
  return message("lang") === "ja" ? "、" : ", ";
}

/**
 * The whole notice as one line of text, for a tooltip.
 * @param {any} verdict
 * @returns {string}
 */
export function noticeLine(verdict) {
  const parties = (verdict.groups ?? []).map(partyLabel).join(partySeparator());
  return [message("notice_brand"), noticeHeadline(verdict), parties].filter(Boolean).join(" ");
}
