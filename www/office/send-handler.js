/**
 * @file Outlook's `OnMessageSend` (Smart Alerts) handler: read To, Cc, Bcc
 * and the user's address → the engine's `evaluate` → let the send go, or
 * stop it with a message that names the parties and a button that moves
 * exactly the exposed recipients to Bcc.
 *
 * Outlook holds the send until `event.completed` is called, and shows its
 * own "taking longer than expected" dialog after about five seconds, so the
 * handler answers within `DEADLINE_MS` whatever happens: a read that fails,
 * an engine that fails or answers late all stop the send with a message
 * (fail closed). `event.completed` is called exactly once.
 *
 * What the dialog offers depends on the client (see `Offer` in message.js):
 * with Mailbox 1.15 the button runs the function command `MOVE_FUNCTION`
 * (www/office/move-action.js), which moves, verifies and sends — or, where
 * the add-in's permission has no `sendAsync` (`ReadWriteItem`), moves and
 * asks the user to press Send again; with 1.14 it opens the task pane, which
 * moves and asks the same (checked again); before 1.14 the message says what
 * to move. Where the policy lets the user send despite a warning,
 * `sendModeOverride` offers Outlook's own "Send Anyway" whatever the
 * manifest's send mode.
 *
 * This module runs in both runtimes: the browser runtime of the web, new
 * Outlook and Mac, and the JavaScript-only runtime of classic Outlook for
 * Windows, so it keeps to ECMAScript 2016 with promises (no `async`).
 */

import { completeRecipients, PROTOCOL_VERSION } from "../lib/engine-client.js";
import { clientOf } from "./office-api.js";
import { translator } from "./locale.js";
import { MAX_LABEL, unverifiedMessage, verdictMessage, cut } from "./message.js";
import { readCompose } from "./recipients.js";
import { describeError } from "../lib/errors.js";

/** The manifest's id of the function command the dialog's button runs (Mailbox 1.15). */
export const MOVE_FUNCTION_COMMAND = "BccGuard.Move";
/** The manifest's id of the task pane the dialog's button opens (Mailbox 1.14). */
export const MOVE_PANE_COMMAND = "BccGuard.Pane";
/** The name the function command is associated under (`Office.actions.associate`). */
export const MOVE_FUNCTION = "bccGuardMove";
/** The name the manifest's `LaunchEvent` gives the handler. */
export const SEND_HANDLER = "onMessageSendHandler";

/** The longest the handler holds a send before answering: under Outlook's five seconds. */
export const DEADLINE_MS = 4000;

/** `Office.MailboxEnums.SendModeOverride.PromptUser`. */
const PROMPT_USER = "promptUser";

/**
 * @typedef {object} HandlerDeps
 * @property {any} office The `Office` namespace.
 * @property {(request: object) => Promise<object>} ask A protocol call into
 *   the engine (the request without `v`); never rejects.
 * @property {{en: object, ja: object}} catalogues The message catalogues.
 * @property {string} permissions The manifest's permission (`clientOf`).
 * @property {number} [deadlineMs]
 */

/**
 * Handles one `OnMessageSend` event.
 * @param {{completed: (options: object) => void}} event
 * @param {HandlerDeps} deps
 * @returns {Promise<object>} The options `event.completed` was called with.
 */
export function handleSend(event, deps) {
  const office = deps.office;
  const client = clientOf(office, deps.permissions);
  const t = translator(deps.catalogues, client.language);
  return new Promise((resolve) => {
    let done = false;
    let timer = null;
    const finish = (options) => {
      if (done) return;
      done = true;
      if (timer !== null) clearTimeout(timer);
      try {
        event.completed(options);
      } finally {
        resolve(options);
      }
    };
    if (typeof setTimeout === "function") {
      const deadline = deps.deadlineMs || DEADLINE_MS;
      timer = setTimeout(() => finish(unverifiedOptions("timeout", `no answer within ${deadline} ms`, t, client)), deadline);
    }
    const ask = (request) => deps.ask(Object.assign({ v: PROTOCOL_VERSION }, request));
    readCompose(office, client)
      .then(
        (read) =>
          ask({ kind: "evaluate", compose: read.compose }).then((reply) => {
            if (!reply || !reply.ok) {
              const error = (reply && reply.error) || {};
              finish(unverifiedOptions(error.code || "internal", error.message || "", t, client));
            } else if (reply.verdict.action === "none") {
              finish({ allowEvent: true });
            } else {
              completeRecipients(reply, read.compose);
              finish(exposureOptions(reply, t, client));
            }
          }),
        (error) => finish(unverifiedOptions("readFailed", describeError(error), t, client)),
      )
      .catch((error) => finish(unverifiedOptions("internal", describeError(error), t, client)));
  });
}

/**
 * The `event.completed` options for a verdict that stops the send.
 * @param {object} reply The evaluate reply, recipients completed.
 * @param {import("./locale.js").Translate} t
 * @param {import("./office-api.js").Client} client
 * @returns {object}
 */
export function exposureOptions(reply, t, client) {
  const plan = reply.plan;
  const unmovable = (plan && plan.unmovable) || [];
  // As in the extension's dialog: a plan that moves nobody offers no move,
  // and one that would leave someone on show moves but does not send;
  // neither does a move where this Outlook or permission has no sendAsync.
  const canMove = Boolean(plan && (plan.remove.length > 0 || plan.placeholder));
  /** @type {import("./message.js").Offer} */
  let offer = "byHand";
  let command = null;
  if (canMove && client.dialogFunction) {
    offer = unmovable.length || !client.sendAsync ? "move" : "moveAndSend";
    command = MOVE_FUNCTION_COMMAND;
  } else if (canMove && client.dialogPane) {
    offer = "move";
    command = MOVE_PANE_COMMAND;
  }
  const message = verdictMessage(reply, t, offer);
  const options = { allowEvent: false, errorMessage: message.text };
  if (client.markdown) options.errorMessageMarkdown = message.markdown;
  if (command) {
    options.cancelLabel = cut(t(offer === "moveAndSend" ? "dialog_moveAndSend" : "dialog_move"), MAX_LABEL);
    options.commandId = command;
    // A string: classic Outlook before Version 2402 takes no other type.
    options.contextData = JSON.stringify({ bccGuard: 1, send: offer === "moveAndSend" });
  }
  if (client.sendModeOverride && reply.verdict.sendAnyway) options.sendModeOverride = PROMPT_USER;
  return options;
}

/**
 * The options that stop a send that could not be checked. Fail closed: no
 * Send Anyway is offered, since the engine that says whether the policy
 * allows it did not answer; the manifest's send mode applies.
 * @param {string} code
 * @param {string} detail
 * @param {import("./locale.js").Translate} t
 * @param {import("./office-api.js").Client} client
 */
function unverifiedOptions(code, detail, t, client) {
  const message = unverifiedMessage(code, detail, t);
  const options = { allowEvent: false, errorMessage: message.text };
  if (client.markdown) options.errorMessageMarkdown = message.markdown;
  return options;
}
