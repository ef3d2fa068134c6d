/**
 * @file The webmail adapters: what the guard needs from a webmail (the
 * `Adapter` contract, which gmail.js, outlook.js and roundcube.js each
 * declare themselves as), and which adapter reads the page: a built-in
 * webmail's by the page's host (the hosts come from data/webmail-hosts.json
 * through www/lib/hosts.js, each webmail naming its adapter by the
 * adapter's `name`), and Roundcube's on any other origin, where only the
 * background registers the content script
 * (www/background/content-registration.js).
 */

import { WEBMAILS } from "../lib/hosts.js";
import { gmail } from "./gmail.js";
import { outlook } from "./outlook.js";
import { roundcube } from "./roundcube.js";

/**
 * @typedef {import("../lib/dialog.js").UserInput} UserInput
 *
 * @typedef {object} ComposeRead What an adapter read from one compose window.
 * @property {{account: string|null, host: string, complete: boolean,
 *   to: object[], cc: object[], bcc: object[]}} compose The protocol's
 *   `compose` object.
 * @property {{to: Element[], cc: Element[], bcc: Element[]}} elements The DOM
 *   element behind each entry, in the same order, for the move.
 *
 * @typedef {object} Adapter What the guard needs from a webmail.
 * @property {string} name The webmail's name, as data/webmail-hosts.json
 *   gives it (`adapter`).
 * @property {(event: UserInput) => SendTarget|null} sendTarget
 *   If the event is an attempt to send (a click on Send, Enter/Space on it,
 *   Ctrl/⌘+Enter in the compose): the compose root, and which send it was
 *   (adapter-defined, e.g. "send" or "sendArchive"), passed back to `replaySend`.
 *   If it is a choice in a send-options menu or schedule dialog that leads
 *   to a send: every compose it may send (just its own, when the adapter can
 *   tell; else every open one) and the choice, passed back to `replayChoice`.
 *   An adapter whose webmail has no such choices never returns `roots`.
 * @property {(choice: any) => boolean} replayChoice Makes a send-options
 *   choice again the webmail's way (send-options.js); false if it can no
 *   longer be found.
 * @property {(target: EventTarget|null) => Element|null} composeOf The compose
 *   root an event target belongs to, if any.
 * @property {(root: Element) => ComposeRead} read Reads the recipients.
 * @property {(root: Element, plan: object, read: ComposeRead, recipients: object[]) => Promise<void>} applyPlan
 *   Writes the move into the compose (Bcc additions first, then removals).
 * @property {(root: Element, via: any, confirmed: boolean) => boolean} replaySend
 *   Sends the webmail's own way (`confirmed`: the user chose to send in our
 *   dialog, rather than the check finding nothing); false if it cannot.
 * @property {(root: Element) => void} focus Puts the focus back into the compose.
 * @property {(root: Element) => ComposeProbe} probe What the adapter maps in
 *   a compose it found, for its health (content/health.js).
 * @property {(root: Element) => ({parent: Element, before: Element|null}|null)} noticeSlot
 *   Where the compose's notice goes (notice.js): a stable place above the
 *   message body, outside every editor (dom.js `slotAbove`); null where the
 *   compose has no body to put it above.
 * @property {(root: Element) => Promise<void>} commitTyped Turns typed
 *   addresses into chips the way the webmail does when the focus leaves,
 *   so that moving the focus during the move changes nothing unplanned.
 *
 * @typedef {object} ComposeProbe What an adapter maps in one compose.
 * @property {Element[]} sends Every control its `sendTarget` takes for a
 *   Send of this compose.
 * @property {number} primary How many of them are the plain Send (a Gmail
 *   compose also has Send + archive); the health wants exactly one.
 * @property {Element|null} to The To field it reads (its `read` is
 *   complete exactly when this is found).
 * @property {string[]} fallbacks The fallback strategies it needed (empty
 *   when the first strategy of every step matched).
 *
 * @typedef {{root: Element, via: any, roots?: undefined, choice?: undefined}
 *   | {roots: Element[], choice: any, root?: undefined, via?: undefined}} SendTarget
 *   What `Adapter.sendTarget` found: a send of one compose, or a
 *   send-options choice that may send any of `roots`.
 */

/** The built-in webmails' adapters, by name. */
const BUILT_IN = new Map([gmail, outlook].map((adapter) => [adapter.name, adapter]));

/**
 * Adapters by host name. A webmail whose adapter is missing here has no
 * entry (tests/js/webmail-hosts.test.mjs fails on it).
 * @type {ReadonlyMap<string, Adapter>}
 */
export const ADAPTERS = new Map(
  WEBMAILS.flatMap(({ adapter, hosts }) => (BUILT_IN.has(adapter) ? hosts.map((host) => [host, BUILT_IN.get(adapter)]) : [])),
);

/**
 * The adapter for a page.
 * @param {string} host The page's host (`pageHost()`).
 * @returns {Adapter}
 */
export function adapterFor(host) {
  return ADAPTERS.get(host) ?? roundcube;
}
