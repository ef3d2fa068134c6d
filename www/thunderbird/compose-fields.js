/**
 * @file Thunderbird's recipient fields in the protocol's terms: the
 * `details` of `compose.onBeforeSend` and `getComposeDetails` become the
 * protocol's `compose`, and a move plan becomes the fields to write with
 * `setComposeDetails`. The engine decides; this only reads and writes.
 *
 * Thunderbird gives each recipient as one string (`Name <address>`, encoded
 * as it would be sent), so each becomes a text entry the engine parses like
 * any typed text. Address-book mailing lists arrive as `List <description>`
 * and are expanded by Thunderbird only after `onBeforeSend`; they are
 * expanded here first (mailing-lists.js), so that the engine sees the
 * members who will actually receive the mail.
 */

import { accountAddress } from "../lib/account.js";
import { FIELDS, additions, changedEntries } from "../lib/moves.js";
import { expandMailingLists } from "./mailing-lists.js";

/**
 * @typedef {string | {type: "contact", nodeId: string}} Written
 *   How an entry is written back: the string as Thunderbird gave it, or a
 *   mailing-list member as Thunderbird's own contact reference (so that
 *   Thunderbird formats its name and address itself).
 *
 * @typedef {object} ComposeRead
 * @property {object} compose The protocol's compose.
 * @property {Record<"to"|"cc"|"bcc", Written[]>} written Per field, how each
 *   of the compose's entries is written back.
 * @property {number} lists How many mailing lists were expanded.
 */

/**
 * The sender's address from the From field (`Alice <alice@corp.example>`):
 * the account whose domain is internal when no internal domains are set.
 * @param {string|undefined} from
 * @returns {string|null}
 */
export function senderAddress(from) {
  return accountAddress([from]);
}

/**
 * Reads the recipients of a compose.
 * @param {object} details Thunderbird's ComposeDetails.
 * @returns {Promise<ComposeRead>}
 */
export async function readCompose(details) {
  const expanded = await expandMailingLists(details);
  const compose = { account: senderAddress(details.from), to: [], cc: [], bcc: [] };
  /** @type {ComposeRead["written"]} */
  const written = { to: [], cc: [], bcc: [] };
  for (const field of FIELDS) {
    for (const item of expanded.fields[field]) {
      compose[field].push(item.entry);
      written[field].push(item.written);
    }
  }
  return { compose, written, lists: expanded.lists };
}

/**
 * The recipient fields after the plan: every entry the plan does not touch
 * as it was, the entries it changes reduced to what stays in them, and the
 * planned additions (Bcc, and the To placeholder) appended.
 * @param {object} plan The engine's plan.
 * @param {object[]} recipients The reply's recipients (completed).
 * @param {ComposeRead} read The compose the plan was made for.
 * @returns {Record<"to"|"cc"|"bcc", Written[]>}
 */
export function plannedFields(plan, recipients, read) {
  const changed = new Map(changedEntries(plan, recipients).map((c) => [`${c.field}:${c.entry}`, c.staying]));
  /** @type {Record<string, Written[]>} */
  const fields = {};
  for (const field of FIELDS) {
    fields[field] = read.written[field].flatMap((written, entry) => changed.get(`${field}:${entry}`) ?? [written]);
  }
  for (const [field, addresses] of additions(plan, recipients)) fields[field].push(...addresses);
  return fields;
}
