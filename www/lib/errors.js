/**
 * @file What a caught error says, in one place: hosts show it in the "could
 * not check" dialog, in error replies and in the Outlook pane.
 */

/**
 * The message of a caught value: an `Error`'s (or any object's with a
 * non-empty string `message`, such as Office's and DOM errors), else the
 * value as text.
 * @param {unknown} error
 * @returns {string}
 */
export function describeError(error) {
  const message = /** @type {{message?: unknown}|null|undefined} */ (error)?.message;
  return typeof message === "string" && message ? message : String(error);
}
