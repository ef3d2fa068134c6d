/**
 * @file What happens when Thunderbird is about to send: the same steps as the
 * webmail guard (www/content/guard.js), with Thunderbird's send hook as the
 * hands and the shared move transaction (www/lib/move-transaction.js). Thunderbird holds the send, with the compose window locked, until
 * the promise returned here settles:
 *   - `{}` lets the send go on (with whatever recipients the compose holds);
 *   - `{cancel: true}` stops it and unlocks the compose, nothing sent.
 *
 * The engine decides everything: whether anything is exposed, the move, and
 * whether the compose after the move is what was planned. Every failure ends
 * in the "could not check" dialog or, when not even a window can be shown,
 * in a cancelled send: never a silent send, never a locked compose.
 */

import { ext } from "../lib/browser.js";
import { unverifiedChoices, verdictChoices } from "../lib/choices.js";
import { completeRecipients, PROTOCOL_VERSION } from "../lib/engine-client.js";
import { moveToBcc } from "../lib/move-transaction.js";
import { addStat } from "../lib/stats.js";
import { plannedFields, readCompose } from "./compose-fields.js";
import { openDialog } from "./dialog-window.js";
import { describeError } from "../lib/errors.js";

const SEND = Object.freeze({});
const CANCEL = Object.freeze({ cancel: true });
/** The user chose "Try again" in the "could not check" dialog. */
const RETRY = Symbol("retry");

/**
 * @param {{id: number}} tab The compose tab.
 * @param {object} details The compose as Thunderbird is about to send it.
 * @param {import("../lib/engine-host.js").EngineHost} host
 * @returns {Promise<{cancel?: boolean}>}
 */
export async function checkSend(tab, details, host) {
  /** @param {object} request */
  const ask = (request) => host.handle({ v: PROTOCOL_VERSION, ...request });
  // "Try again" runs the whole check again, within the same held send; each
  // round waits for the user, so a check that keeps failing never spins.
  for (;;) {
    let outcome;
    try {
      outcome = await check(tab, details, host, ask);
    } catch (error) {
      // What the policy says about "Send anyway" is the host's to know: it
      // learnt it from the engine built for the current policy, and forgets
      // it when the policy changes (engine-host.js). Unknown offers nothing.
      // No window at all: the send is cancelled, never let through.
      outcome = await unverified("internal", describeError(error), host.sendAnyway).catch(() => CANCEL);
    }
    if (outcome !== RETRY) return outcome;
  }
}

/**
 * One check of the held send: read, ask the engine, and ask the user if
 * need be.
 * @param {{id: number}} tab
 * @param {object} details
 * @param {import("../lib/engine-host.js").EngineHost} host
 * @param {(request: object) => Promise<any>} ask
 * @returns {Promise<{cancel?: boolean}|typeof RETRY>}
 */
async function check(tab, details, host, ask) {
  let read;
  try {
    read = await readCompose(details);
  } catch (error) {
    return unverified("readFailed", describeError(error), host.sendAnyway);
  }
  const reply = await ask({ kind: "evaluate", compose: read.compose });
  if (!reply.ok) return unverified(reply.error?.code ?? "internal", reply.error?.message ?? "", reply.policyAllowsSendAnyway ?? null);
  if (reply.verdict.action === "none") return SEND;
  completeRecipients(reply, read.compose);
  return decide(tab, read, reply, ask);
}

/**
 * Shows the exposure and carries out the choice.
 * @param {{id: number}} tab
 * @param {import("./compose-fields.js").ComposeRead} read
 * @param {object} reply The evaluate reply (completed).
 * @param {(request: object) => Promise<object>} ask
 */
async function decide(tab, read, reply, ask) {
  addStat("warned");
  const dialog = await openDialog();
  try {
    const shown = await dialog.show({ view: "verdict", reply });
    // Only what the verdict offered is carried out, whatever the window says.
    const choice = verdictChoices(reply).includes(shown) ? shown : "cancel";
    if (choice === "send-anyway") {
      addStat("sentAnyway");
      return SEND;
    }
    if (choice !== "move" && choice !== "move-and-send") {
      addStat("cancelled");
      return CANCEL;
    }
    dialog.busy();
    // The compose is locked while the send is held, so the recipients the
    // plan was made for are still the ones in it: no second read first.
    const done = await moveToBcc({
      ask,
      read,
      reply,
      hands: {
        read: async () => readCompose(await ext().compose.getComposeDetails(tab.id)),
        write: (plan, recipients, planned) => ext().compose.setComposeDetails(tab.id, plannedFields(plan, recipients, planned)),
      },
    });
    if (done.outcome === "failed") {
      await dialog.show({ view: "moveFailed", verification: null, detail: done.detail, reply });
      return CANCEL;
    }
    // As in the webmail guard: a move that went as planned but leaves
    // someone on show is named as such even after "Move to BCC".
    if (done.moved) addStat("moved", done.moved);
    if (done.outcome !== "sendable") {
      await dialog.show({ view: "moveFailed", verification: done.verification, detail: "", reply, moved: done.outcome === "unsendable" });
      return CANCEL;
    }
    // "Move to BCC" leaves the moved compose open for review: this send stops.
    return choice === "move-and-send" ? SEND : CANCEL;
  } finally {
    dialog.close();
  }
}

/**
 * The "could not check" dialog: nothing is sent unless the user sends anyway,
 * offered only where the policy is known to allow it; "Try again" checks
 * again.
 * @param {string} code
 * @param {string} detail
 * @param {boolean|null} sendAnyway What the engine said about the current
 *   policy, `null` if it has not been able to say.
 * @returns {Promise<{cancel?: boolean}|typeof RETRY>}
 */
async function unverified(code, detail, sendAnyway) {
  addStat("warned");
  console.warn(`BCC Guard could not check a send: ${code}: ${detail}`);
  const dialog = await openDialog();
  try {
    const shown = await dialog.show({ view: "unverified", code, detail, sendAnyway });
    const choice = unverifiedChoices(code, sendAnyway).includes(shown) ? shown : "cancel";
    if (choice === "retry") return RETRY;
    if (choice === "send-anyway") {
      addStat("sentAnyway");
      return SEND;
    }
    addStat("cancelled");
    return CANCEL;
  } finally {
    dialog.close();
  }
}

