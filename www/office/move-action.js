/**
 * @file "Move to BCC": the function command that the Smart Alerts dialog's
 * button runs (Mailbox 1.15), the ribbon button of the same name, and the
 * task pane the button opens on Mailbox 1.14 clients. It always runs in a
 * browser runtime (Office runs function commands and task panes there on
 * every platform), so it may use `async`.
 *
 * The compose is not locked while the dialog is shown, so the action reads
 * the recipients afresh and asks the engine for a fresh plan rather than
 * trusting what the send handler saw: what is moved is what is there now.
 * Then the shared move transaction (www/lib/move-transaction.js) writes the
 * plan, reads it back and has the engine verify it; only a verified,
 * sendable compose is sent, and only when the dialog asked for it and this
 * Outlook has `sendAsync` (Mailbox 1.15 and the ReadWriteMailbox permission).
 * The send goes through Outlook's send path, so the send handler checks it
 * once more (Microsoft documents that `sendAsync` sends as the Send button
 * does; that it runs OnMessageSend again was not seen on a real Outlook:
 * docs/ADMIN.md, "What was not tested").
 */

import { completeRecipients, PROTOCOL_VERSION } from "../lib/engine-client.js";
import { moveToBcc } from "../lib/move-transaction.js";
import { cut, MAX_NOTIFICATION } from "./message.js";
import { officeCall } from "./office-api.js";
import { overLimit, plannedFields, readCompose, writeFields } from "./recipients.js";
import { describeError } from "../lib/errors.js";

/** The key of the add-in's one notification in the compose (at most 32 characters). */
export const NOTIFICATION_KEY = "bccGuardMove";
/** The manifest's image for informational notifications (required by Outlook). */
const NOTIFICATION_ICON = "BccGuard.Icon16";

/**
 * @typedef {object} MoveResult
 * @property {"sendable"|"moved"|"nothing"|"byHand"|"unsendable"|"mismatch"|"limit"|"failed"} outcome
 *   `sendable`: moved and verified, nobody on show (send it if asked);
 *   `moved`: the same, but the caller did not ask to send;
 *   `nothing`: no exposure now, nothing moved;
 *   `byHand`: an exposure the move cannot fix (unreadable recipients only,
 *   or a list Outlook would not give whole);
 *   `unsendable`, `mismatch`, `failed`: as in move-transaction.js;
 *   `limit`: the move would overfill a field this Outlook caps; nothing written.
 * @property {string} message What to tell the user (≤ 150 characters).
 * @property {boolean} error Whether it is bad news.
 */

/**
 * Reads, plans, moves, reads back and verifies. Never rejects.
 * @param {object} deps
 * @param {any} deps.office
 * @param {(request: object) => Promise<object>} deps.ask
 * @param {import("./locale.js").Translate} deps.t
 * @param {import("./office-api.js").Client} deps.client
 * @param {boolean} deps.send Whether a verified move should be sent.
 * @returns {Promise<MoveResult>}
 */
export async function runMove({ office, ask, t, client, send }) {
  const call = (request) => ask({ v: PROTOCOL_VERSION, ...request });
  const result = (outcome, key, substitutions, error) => ({
    outcome,
    message: cut(t(key, substitutions), MAX_NOTIFICATION),
    error,
  });
  let read;
  try {
    read = await readCompose(office, client);
  } catch (error) {
    return result("failed", "office_moveFailed", [describeError(error)], true);
  }
  const reply = await call({ kind: "evaluate", compose: read.compose });
  if (!reply.ok) return result("failed", "office_moveFailed", [reply.error?.message ?? "the engine did not answer"], true);
  if (!reply.plan) {
    if (reply.verdict.action === "none") {
      // The move is moot (the user fixed the recipients meanwhile): a
      // dialog that asked to send sends, as the webmail guard does.
      return send && client.sendAsync
        ? { outcome: "sendable", message: "", error: false }
        : result("nothing", "office_nothingToMove", [], false);
    }
    return result("byHand", "office_moveByHand", [], true);
  }
  completeRecipients(reply, read.compose);
  const plan = reply.plan;
  if (!(plan.remove.length > 0 || plan.placeholder)) return result("byHand", "office_moveByHand", [], true);
  const fields = plannedFields(plan, reply.recipients, read);
  const limit = overLimit(fields, client);
  if (limit) return result("limit", "office_fieldLimit", [limit.cap, t(`dialog_field_${limit.field}`)], true);
  const moved = plan.add.bcc.length;
  // The compose was read and planned just now, so the transaction does not
  // read it again before writing.
  const done = await moveToBcc({
    ask: call,
    read,
    reply,
    hands: { read: () => readCompose(office, client), write: () => writeFields(office, fields, read) },
  });
  switch (done.outcome) {
    case "sendable":
      return send && client.sendAsync
        ? { outcome: "sendable", message: "", error: false }
        : result("moved", "office_moved", [moved], false);
    case "unsendable":
      return result("unsendable", "office_moveStillExposed", [], true);
    case "mismatch":
      return result("mismatch", "office_moveMismatch", [], true);
    default:
      return result("failed", "office_moveFailed", [done.detail ?? done.stage], true);
  }
}

/**
 * The function command: runs the move, then sends (when the dialog asked
 * for it and it verified) or says what happened in the compose's
 * notification bar, and signals completion once.
 * @param {{completed: () => void}} event
 * @param {object} deps As `runMove`'s, without `send`.
 * @returns {Promise<MoveResult>}
 */
export async function moveCommand(event, deps) {
  let result;
  try {
    const context = await initializationContext(deps.office);
    result = await runMove({ ...deps, send: context.send === true });
    const item = deps.office.context.mailbox.item;
    if (result.outcome === "sendable") {
      // Nothing may follow sendAsync but completing the event (its callback
      // is not guaranteed to run once the mail has gone).
      item.sendAsync((sent) => {
        if (sent?.status !== "succeeded") {
          notify(deps.office, deps.t("office_sendFailed"), true).finally(() => event.completed());
        } else {
          event.completed();
        }
      });
      return result;
    }
    await notify(deps.office, result.message, result.error);
  } catch (error) {
    result = /** @type {MoveResult} */ ({ outcome: "failed", message: describeError(error), error: true });
  }
  event.completed();
  return result;
}

/**
 * The `contextData` the send handler gave the dialog's button, or `{}` when
 * the command was started from the ribbon (or the client passes none).
 * @param {any} office
 * @returns {Promise<{send?: boolean, bccGuard?: number}>}
 */
export async function initializationContext(office) {
  try {
    const value = await officeCall(office.context.mailbox.item, "getInitializationContextAsync");
    const parsed = typeof value === "string" && value ? JSON.parse(value) : value;
    return parsed && typeof parsed === "object" && parsed.bccGuard === 1 ? parsed : {};
  } catch {
    return {};
  }
}

/**
 * Replaces the add-in's notification in the compose. Never rejects: a
 * notification that cannot be shown must not turn a done move into a failure.
 * @param {any} office
 * @param {string} message
 * @param {boolean} error
 */
export async function notify(office, message, error) {
  const details = error
    ? { type: "errorMessage", message: cut(message, MAX_NOTIFICATION) }
    : { type: "informationalMessage", message: cut(message, MAX_NOTIFICATION), icon: NOTIFICATION_ICON, persistent: false };
  try {
    await officeCall(office.context.mailbox.item.notificationMessages, "replaceAsync", [NOTIFICATION_KEY, details]);
  } catch {
    // Nothing more can be shown.
  }
}

