/**
 * @file The choices a dialog offers, decided once from what the engine said,
 * so that the dialog that shows them and the host that carries them out
 * (www/content/guard.js, www/thunderbird/send-check.js) agree. A host refuses
 * any choice that is not on the list: whatever happens to the dialog's page,
 * "Send anyway" is never carried out where the engine did not offer it.
 */

/** Every choice a dialog can resolve with. */
export const CHOICES = Object.freeze(["move-and-send", "move", "send-anyway", "retry", "cancel"]);

/**
 * The exposure dialog's choices, in the order shown.
 *
 * A plan that can move nobody (every exposed recipient is unreadable) offers
 * no move: the user has to fix those recipients by hand. A plan that leaves
 * someone on show offers the move but not the send: everyone in Bcc would
 * still see who is left, so the user fixes them and sends again, through the
 * guard. "Send anyway" is offered only where the engine's verdict says so.
 * @param {{verdict: {action: string, sendAnyway?: boolean}, plan?: {remove: number[], placeholder?: string|null, unmovable?: number[]}|null}} reply
 *   An `evaluate` reply whose verdict is warn or block.
 * @returns {string[]}
 */
export function verdictChoices(reply) {
  const { verdict, plan } = reply;
  const unmovable = plan?.unmovable ?? [];
  const canMove = Boolean(plan) && (plan.remove.length > 0 || Boolean(plan.placeholder));
  const choices = [];
  if (canMove && unmovable.length === 0) choices.push("move-and-send");
  if (canMove) choices.push("move");
  if (verdict.sendAnyway === true && verdict.action === "warn") choices.push("send-anyway");
  choices.push("cancel");
  return choices;
}

/**
 * The exposure dialog's choices when it is opened to look, not to send (the
 * compose notice's *Details*): the move and the way out, never a send.
 * @param {Parameters<typeof verdictChoices>[0]} reply
 * @returns {string[]}
 */
export function previewChoices(reply) {
  return verdictChoices(reply).filter((choice) => choice === "move" || choice === "cancel");
}

/**
 * The "could not check" dialog's choices, in the order shown: try the check
 * again (unless only reloading the page can help), cancel, and "Send anyway"
 * only where the policy is known to allow it. An unknown policy (`null`)
 * offers no "Send anyway": fail closed.
 * @param {string} code Why the check failed (see `Dialog.showUnverified`).
 * @param {boolean|null} sendAnyway What the policy said when last asked;
 *   `null` when it has not been learnt.
 * @returns {string[]}
 */
export function unverifiedChoices(code, sendAnyway) {
  if (code === "noSendButton") return ["cancel"];
  // A blind compose (the page changed under BCC Guard) reads no better the second time.
  const choices = code === "extensionUpdated" || code === "blind" ? ["cancel"] : ["retry", "cancel"];
  if (sendAnyway === true) choices.push("send-anyway");
  return choices;
}
