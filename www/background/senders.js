/**
 * @file Who may ask the background what. Content scripts run inside webmail
 * pages, the least trusted place the extension has a foothold in, so they
 * may ask only what the guard needs: `evaluate` and `verify` a compose,
 * `ping`, `count`, `openOptions` and `health` (its composes' states for the
 * toolbar badge, checked by background/badge.js). The whole effective policy (`policy`:
 * every internal and partner domain, the locks) and the validator
 * (`validate`) are for the extension's own pages — the popup, the options
 * page, Thunderbird's dialog window — which the browser serves from the
 * extension's origin. ARCHITECTURE.md ("Who may ask what") has the table.
 */

/** What a content script may ask. */
export const CONTENT_SCRIPT_KINDS = Object.freeze(["evaluate", "verify", "ping", "count", "openOptions", "health"]);

/** What an extension page may ask: everything the protocol has. */
export const EXTENSION_PAGE_KINDS = Object.freeze([...CONTENT_SCRIPT_KINDS, "policy", "validate"]);

/**
 * Whether a message's sender may ask for `kind`. A sender from another
 * extension may ask nothing. An extension page is told apart from a content
 * script by its URL, which the browser sets: the extension's own origin
 * (a content script's is the page's, `about:blank` in a pop-out frame); a
 * tab does not tell, since the options page opens in one.
 * @param {string} kind The request's `kind`.
 * @param {{id?: string, url?: string}} sender The `runtime.MessageSender`.
 * @param {{id: string, origin: string}} extension This extension's id and
 *   its pages' URL prefix (`runtime.getURL("")`).
 * @returns {boolean}
 */
export function mayAsk(kind, sender, extension) {
  if (sender.id !== extension.id) return false;
  const page = typeof sender.url === "string" && sender.url.startsWith(extension.origin);
  return (page ? EXTENSION_PAGE_KINDS : CONTENT_SCRIPT_KINDS).includes(kind);
}
