/**
 * @file The move to Bcc as one transaction, the same for every host: (the
 * compose read again, and planned again if it changed) → the host writes
 * the engine's plan (Bcc first) → the host reads the compose back → the
 * engine verifies what it reads against its own plan for the original
 * compose → one outcome the host acts on.
 *
 * The host supplies only its hands: `read` (the recipients as the mail
 * client holds them now) and `write` (carry out the plan); sending is its
 * own too, and it sends only on a `sendable` outcome. The transaction
 * decides nothing: the engine re-plans from the original and compares, so
 * a host that wrote something else — a webmail that dropped a chip, an
 * Outlook that refused a batch — cannot pass for one that wrote the plan.
 * Its three users: the webmail guard (www/content/guard.js, its adapter's
 * hands), Thunderbird's send hook (www/thunderbird/send-check.js,
 * `setComposeDetails` and `getComposeDetails`) and the Outlook add-in's Move
 * to BCC (www/office/move-action.js, Office's recipient API).
 */

import { completeRecipients } from "./engine-client.js";
import { describeError } from "./errors.js";

/**
 * @typedef {{compose: object}} Read What a host read from a compose: the
 *   protocol's `compose`, and whatever else its `write` needs (the webmail's
 *   DOM elements, Thunderbird's entries as it writes them back).
 */

/**
 * @template {Read} R
 * @typedef {object} Hands What a host supplies.
 * @property {() => Promise<R>|R} read Reads the compose as the mail client
 *   holds it now.
 * @property {(plan: object, recipients: object[], read: R) => Promise<void>|void} write
 *   Writes the plan into the compose `read` came from, Bcc first: cut short,
 *   recipients are then in Bcc and still visible — over-protected — rather
 *   than nowhere.
 */

/**
 * @template {Read} R
 * @typedef {object} MoveOutcome
 * @property {"sendable"|"unsendable"|"mismatch"|"moot"|"failed"} outcome
 *   `sendable`: the compose holds exactly the plan and nobody is on show, so
 *   the send may go on. `unsendable`: it holds the plan, but someone is still
 *   on show (an unmovable recipient). `mismatch`: it does not hold the plan.
 *   `moot` (only with `recheck`): the compose changed before the write, and
 *   the engine's reply for it has no plan: nothing was written, and `reply`
 *   is that reply (its verdict is "none", or needs a new decision).
 *   `failed`: a step threw or the engine did not answer; nothing is known.
 * @property {"read"|"plan"|"write"|"readBack"|"verify"} [stage] Where a failure happened.
 * @property {string} [detail] What failed, for the user's message.
 * @property {object} reply The `evaluate` reply whose plan was carried out
 *   (the fresh one after a re-plan), or the fresh reply of a `moot` move.
 * @property {R} read The compose that reply is about.
 * @property {object} [verification] The engine's verification, when it gave one.
 * @property {object} [after] The compose as read back, when it was.
 * @property {number} moved How many recipients the plan moved into Bcc, when
 *   the compose holds the plan (`sendable`, `unsendable`); else 0.
 */

/**
 * Carries out a move plan and has the engine verify it. Never rejects.
 * @template {Read} R
 * @param {object} move
 * @param {(request: object) => Promise<object>} move.ask Sends a protocol
 *   request (the host adds `v` if its transport needs it) and resolves with
 *   the reply; never rejects (an error reply instead).
 * @param {R} move.read What the plan was made for.
 * @param {object} move.reply The `evaluate` reply with its `plan`,
 *   recipients completed (`completeRecipients`).
 * @param {Hands<R>} move.hands
 * @param {boolean} [move.recheck] Read the compose again before writing and,
 *   if its recipients changed since `read`, ask for a plan for them instead:
 *   for a compose the user or the page can change while the dialog is up (a
 *   webmail page). Hosts that hold the compose locked, or planned it just
 *   before, need not.
 * @returns {Promise<MoveOutcome<R>>}
 */
export async function moveToBcc({ ask, read, reply, hands, recheck = false }) {
  /** @type {(stage: MoveOutcome<R>["stage"], detail: string, extra?: object) => MoveOutcome<R>} */
  const failed = (stage, detail, extra = {}) => ({ outcome: "failed", stage, detail, reply, read, moved: 0, ...extra });
  if (recheck) {
    let now;
    try {
      now = await hands.read();
    } catch (error) {
      return failed("read", describeError(error));
    }
    if (JSON.stringify(now.compose) !== JSON.stringify(read.compose)) {
      const fresh = await ask({ kind: "evaluate", compose: now.compose });
      if (!fresh?.ok) return failed("plan", fresh?.error?.message ?? "the engine did not answer");
      if (!fresh.plan) return { outcome: "moot", reply: fresh, read: now, moved: 0 };
      completeRecipients(fresh, now.compose);
      reply = fresh;
      read = now;
    }
  }
  if (!reply?.plan) return failed("write", "there is no plan to carry out");
  try {
    await hands.write(reply.plan, reply.recipients, read);
  } catch (error) {
    return failed("write", describeError(error));
  }
  let after;
  try {
    after = (await hands.read()).compose;
  } catch (error) {
    return failed("readBack", describeError(error));
  }
  // The engine plans again from the original and compares; it does not take
  // the host's word for what the plan was.
  const answer = await ask({ kind: "verify", original: read.compose, compose: after });
  if (!answer?.ok || !answer.verification) {
    return failed("verify", answer?.error?.message ?? "the engine did not answer", { after });
  }
  const verification = answer.verification;
  const done = { verification, after, reply, read };
  if (!verification.matches) return { outcome: "mismatch", ...done, moved: 0 };
  const moved = reply.plan.add.bcc.length;
  return { outcome: verification.sendable ? "sendable" : "unsendable", ...done, moved };
}

