/**
 * @file What the Smart Alerts dialog says: the engine's verdict in the
 * catalogue's words, as plain text (`errorMessage`, every client) and as
 * Markdown (`errorMessageMarkdown`, Mailbox 1.15), each within Outlook's
 * 500 characters.
 *
 * The dialog cannot show a list of a thousand recipients, nor links to our
 * own pages, so it names the parties — one line per organisation or
 * consumer-mail provider, with how many of its recipients are on show — the
 * way the extension's dialog heads its groups, and says what the button
 * will do. Part of the classic-Windows handler file (ECMAScript 2016).
 */

/** Outlook's limit for either message (office-js `SmartAlertsEventCompletedOptions`). */
export const MAX_MESSAGE = 500;

/** Outlook's limit for a notification in the compose (`NotificationMessageDetails.message`). */
export const MAX_NOTIFICATION = 150;

/** Outlook's limit for the button's label (`cancelLabel`). */
export const MAX_LABEL = 20;

/**
 * What the dialog offers besides Don't Send:
 * - `moveAndSend`: a button that moves, verifies and sends (Mailbox 1.15);
 * - `move`: a button that moves and verifies; the user sends again (1.15
 *   with recipients that cannot be moved, or 1.14 through the task pane);
 * - `byHand`: no button (Mailbox 1.12–1.13, or nothing the move can fix).
 * @typedef {"moveAndSend"|"move"|"byHand"} Offer
 */

/**
 * The dialog's text for an exposure (or a warning the engine gave).
 * @param {object} reply An `evaluate` reply whose verdict is not "none",
 *   recipients completed.
 * @param {import("./locale.js").Translate} t
 * @param {Offer} offer
 * @returns {{text: string, markdown: string}}
 */
export function verdictMessage(reply, t, offer) {
  const verdict = reply.verdict;
  const reasons = verdict.reasons.map((reason) => t(`reason_${reason.code}`, reason.args));
  const groups = verdict.groups.map((group) => groupLine(group, t));
  const tail = [hint(reply, t, offer)];
  return {
    text: fit(t("dialog_titleExposure"), reasons, groups, tail, t, false),
    markdown: fit(t("dialog_titleExposure"), reasons, groups, tail, t, true),
  };
}

/**
 * The dialog's text when the recipients could not be checked.
 * @param {string} code An engine error code or `readFailed`, `timeout`.
 * @param {string} detail Technical detail (English), shortened to fit.
 * @param {import("./locale.js").Translate} t
 * @returns {{text: string, markdown: string}}
 */
export function unverifiedMessage(code, detail, t) {
  const technical = detail ? `${code}: ${detail}` : code;
  return {
    text: fit(t("dialog_titleUnverified"), [t("office_unverified")], [], [technical], t, false),
    markdown: fit(t("dialog_titleUnverified"), [t("office_unverified")], [], [technical], t, true),
  };
}

/**
 * A line naming one party group: "example.com (3)", "Individual addresses at
 * gmail.com (2)", "Could not be read (1)".
 * @param {{kind: string, domain: string, recipients: number[]}} group
 * @param {import("./locale.js").Translate} t
 */
function groupLine(group, t) {
  if (group.kind === "organisation") return t("dialog_groupOrganisation", [group.domain, group.recipients.length]);
  if (group.kind === "mailboxes") return t("dialog_groupMailboxes", [group.domain, group.recipients.length]);
  return t("dialog_groupUnreadable", [group.recipients.length]);
}

/**
 * What the user can do, in the words of the button they will see.
 * @param {object} reply
 * @param {import("./locale.js").Translate} t
 * @param {Offer} offer
 */
function hint(reply, t, offer) {
  // No plan: a warning without a move (a list not read whole); the reasons
  // say what to check.
  if (!reply.plan) return "";
  const unmovable = reply.plan.unmovable;
  const raw = unmovable.map((index) => reply.recipients[index].raw || reply.recipients[index].address || "").join(", ");
  const byHand = unmovable.length ? ` ${t("dialog_fixByHand", [raw])}` : "";
  if (offer === "moveAndSend") return t("office_hintMoveAndSend");
  if (offer === "move") return `${t("office_hintMove")}${byHand}`;
  if (unmovable.length && !reply.plan.remove.length) return t("dialog_fixByHand", [raw]);
  return `${t("office_hintByHand")}${byHand}`;
}

/**
 * Joins title, paragraphs, list and tail within `MAX_MESSAGE` characters:
 * list lines are dropped from the end (and counted in an "and N more" line)
 * until it fits; then, if it still does not, the text is cut.
 * @param {string} title
 * @param {string[]} paragraphs
 * @param {string[]} list
 * @param {string[]} tail
 * @param {import("./locale.js").Translate} t
 * @param {boolean} markdown
 * @returns {string}
 */
function fit(title, paragraphs, list, tail, t, markdown) {
  let shown = list.length;
  let out = assemble(title, paragraphs, list, tail, t, markdown, shown);
  while (out.length > MAX_MESSAGE && shown > 0) {
    shown -= 1;
    out = assemble(title, paragraphs, list, tail, t, markdown, shown);
  }
  return cut(out, MAX_MESSAGE);
}

/**
 * The message's text from its parts, as plain text or as Outlook's Markdown.
 * @param {string} title
 * @param {string[]} paragraphs
 * @param {string[]} list
 * @param {string[]} allTail Closing paragraphs (empty ones are left out).
 * @param {import("./locale.js").Translate} t
 * @param {boolean} markdown
 * @param {number} shown How many list lines to show.
 */
function assemble(title, paragraphs, list, allTail, t, markdown, shown) {
  const tail = allTail.filter(Boolean);
  const lines = list.slice(0, shown);
  if (shown < list.length) lines.push(t("office_moreGroups", [list.length - shown]));
  if (!markdown) {
    const items = lines.map((line) => `• ${line}`);
    return [title].concat(paragraphs.length ? [paragraphs.join(" ")] : [], items, tail).join("\n");
  }
  // Outlook's Markdown: "\n\n" separates blocks; a list item starts with
  // "- " and ends with "\r".
  const blocks = [`**${escapeMarkdown(title)}**`];
  if (paragraphs.length) blocks.push(escapeMarkdown(paragraphs.join(" ")));
  if (lines.length) blocks.push(lines.map((line) => `- ${escapeMarkdown(line)}\r`).join(""));
  return blocks.concat(tail.map(escapeMarkdown)).join("\n\n");
}

/**
 * Escapes what Outlook's Markdown would read as formatting (emphasis, links,
 * code), with the backslash the Smart Alerts article documents: a domain
 * such as `my_company.example` must not turn italic.
 * @param {string} text
 */
export function escapeMarkdown(text) {
  return text.replace(/[\\`*_[\]()<>#]/g, "\\$&");
}

/**
 * Cuts text to at most `max` characters as JavaScript counts them (UTF-16
 * units, as Outlook's limit is checked), never through a surrogate pair,
 * ending with "…" when it was cut.
 * @param {string} text
 * @param {number} max
 */
export function cut(text, max) {
  if (text.length <= max) return text;
  let out = "";
  for (const char of Array.from(text)) {
    if (out.length + char.length > max - 1) break;
    out += char;
  }
  return `${out}…`;
}
