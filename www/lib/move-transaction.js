/**
 * @file The move to Bcc as one transaction, the same for every host: the
 * engine's plan → the host writes it (Bcc first) → the host reads the
 * compose back → the engine verifies what it reads against its own plan for
 * the original compose → one outcome the host acts on.
 *
 * The host supplies only its hands: `write` (carry out the plan in the
 * compose) and `readBack` (read the recipients as the mail client now holds
 * them). It decides nothing: the engine re-plans from the original and
 * compares, so a host that wrote something else — a webmail that dropped a
 * chip, an Outlook that refused a batch — cannot pass for one that wrote
 * the plan. The Outlook add-in (www/office/) runs its move through this
 * module; the webmail guard (www/content/guard.js) and Thunderbird's send
 * hook (www/thunderbird/send-check.js) still have their own copies of these
 * steps and can call it with their adapters' write and read as they are.
 */

/**
 * @typedef {object} MoveOutcome
 * @property {"sendable"|"unsendable"|"mismatch"|"failed"} outcome
 *   `sendable`: the compose holds exactly the plan and nobody is on show, so
 *   the send may go on. `unsendable`: it holds the plan, but someone is still
 *   on show (an unmovable recipient). `mismatch`: it does not hold the plan.
 *   `failed`: a step threw or the engine did not answer; nothing is known.
 * @property {"write"|"readBack"|"verify"} [stage] Where a failure happened.
 * @property {string} [detail] What failed, for the user's message.
 * @property {object} [verification] The engine's verification, when it gave one.
 * @property {object} [after] The compose as read back, when it was.
 */

/**
 * Carries out a move plan and has the engine verify it.
 * @param {object} transaction
 * @param {(request: object) => Promise<object>} transaction.ask Sends a
 *   protocol request (without `v`, or with it) and resolves with the reply;
 *   never rejects (an error reply instead).
 * @param {object} transaction.original The protocol `compose` the plan was made for.
 * @param {object} transaction.reply The `evaluate` reply with its `plan`,
 *   recipients completed (`completeRecipients`).
 * @param {(plan: object, recipients: object[]) => Promise<void>|void} transaction.write
 *   Writes the plan into the compose, Bcc first: cut short, recipients are
 *   then in Bcc and still visible — over-protected — rather than nowhere.
 * @param {() => Promise<object>|object} transaction.readBack The protocol
 *   `compose` as the mail client holds it after the write.
 * @returns {Promise<MoveOutcome>} Never rejects.
 */
export async function moveToBcc({ ask, original, reply, write, readBack }) {
  if (!reply?.plan) return { outcome: "failed", stage: "write", detail: "there is no plan to carry out" };
  try {
    await write(reply.plan, reply.recipients);
  } catch (error) {
    return { outcome: "failed", stage: "write", detail: describe(error) };
  }
  let after;
  try {
    after = await readBack();
  } catch (error) {
    return { outcome: "failed", stage: "readBack", detail: describe(error) };
  }
  // The engine plans again from the original and compares; it does not take
  // the host's word for what the plan was.
  const answer = await ask({ kind: "verify", original, compose: after });
  if (!answer?.ok || !answer.verification) {
    return { outcome: "failed", stage: "verify", detail: answer?.error?.message ?? "the engine did not answer", after };
  }
  const verification = answer.verification;
  if (!verification.matches) return { outcome: "mismatch", verification, after };
  if (!verification.sendable) return { outcome: "unsendable", verification, after };
  return { outcome: "sendable", verification, after };
}

/** @param {unknown} error */
function describe(error) {
  return error instanceof Error ? error.message : String(error);
}
