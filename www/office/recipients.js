/**
 * @file Outlook's recipient fields in the protocol's terms: To, Cc and Bcc
 * as Office.js gives them (`EmailAddressDetails`: `displayName`,
 * `emailAddress`) become the protocol's `compose` of chips, and a move plan
 * becomes whole fields written with `setAsync` and `addAsync` in batches of
 * at most 100, Bcc first. The engine decides; this only reads and writes.
 *
 * Reading is part of the classic-Windows handler file (ECMAScript 2016, no
 * `async`); writing runs only in the browser runtime (function command and
 * task pane) but is written the same way.
 */

import { FIELDS } from "../lib/moves.js";
import { officeCall, RECIPIENTS_PER_CALL } from "./office-api.js";

/**
 * @typedef {{displayName?: string, emailAddress?: string, recipientType?: string}} Detail
 *   A recipient as Office.js reads and writes it.
 *
 * @typedef {object} ComposeRead
 * @property {object} compose The protocol's compose: `account`, `complete`,
 *   and per field one chip `{name, address}` per recipient.
 * @property {Record<"to"|"cc"|"bcc", Detail[]>} details Per field, the
 *   recipients as Office.js gave them, to write back unchanged.
 */

/**
 * Reads To, Cc and Bcc and the signed-in user's address. The compose is
 * marked incomplete — the engine then warns (or, under a blocking policy,
 * blocks) and says it cannot see who the mail reaches, rather than judge
 * recipients it has not seen — when:
 *
 *  - a field comes back with as many recipients as this Outlook returns at
 *    most: it may have been cut short;
 *  - a field's value is not a list: what it holds is unknown;
 *  - To or Cc holds a contact group or distribution list (`recipientType`
 *    `distributionList`), or an entry without an address (how a personal
 *    contact group can come back): Outlook sends to its members, whom the
 *    add-in cannot see, and they would see each other's addresses and
 *    everyone's in To and Cc. A lone group of customers is the BitMEX mail.
 * @param {any} office The `Office` namespace.
 * @param {import("./office-api.js").Client} client
 * @returns {Promise<ComposeRead>}
 */
export function readCompose(office, client) {
  const mailbox = office.context.mailbox;
  const item = mailbox.item;
  return Promise.all(FIELDS.map((field) => officeCall(item[field], "getAsync"))).then((lists) => {
    /** @type {ComposeRead["details"]} */
    const details = { to: [], cc: [], bcc: [] };
    const compose = { account: accountOf(mailbox), complete: true, to: [], cc: [], bcc: [] };
    FIELDS.forEach((field, index) => {
      const value = lists[index];
      const list = Array.isArray(value) ? value : [];
      details[field] = list;
      compose[field] = list.map(chipOf);
      if (!Array.isArray(value) || list.length >= client.readCap) compose.complete = false;
      if (field !== "bcc" && list.some(hidesItsMembers)) compose.complete = false;
    });
    return { compose, details };
  });
}

/**
 * The signed-in user's address: the account whose organisation is internal
 * when no internal domains are set.
 * @param {any} mailbox
 * @returns {string|null}
 */
function accountOf(mailbox) {
  const profile = mailbox && mailbox.userProfile;
  const address = profile && profile.emailAddress;
  return typeof address === "string" && address.trim() ? address.trim() : null;
}

/**
 * Whether a recipient stands for people the add-in cannot see: a contact
 * group or distribution list, or an entry with no address.
 * @param {Detail & {recipientType?: string}} detail
 * @returns {boolean}
 */
function hidesItsMembers(detail) {
  if (!detail || typeof detail !== "object") return true;
  if (detail.recipientType === "distributionList") return true;
  return typeof detail.emailAddress !== "string" || !detail.emailAddress.trim();
}

/**
 * A recipient as the protocol's chip. A display name that only repeats the
 * address is no name.
 * @param {Detail} detail
 * @returns {{name?: string, address: string}}
 */
function chipOf(detail) {
  if (!detail || typeof detail !== "object") return { address: "" };
  const address = typeof detail.emailAddress === "string" ? detail.emailAddress : "";
  const chip = { address };
  const name = typeof detail.displayName === "string" ? detail.displayName.trim() : "";
  if (name && name.toLowerCase() !== address.trim().toLowerCase()) chip.name = name;
  return chip;
}

/**
 * The fields after the plan, as Office.js writes them: the plan's `after`
 * lists each field's recipients once, in order; a recipient that stays is
 * written back exactly as Outlook gave it (its display name and whatever
 * Outlook resolved), a moved one with its name and the address as the
 * engine says to write it, and the placeholder (the sender, when To would
 * be empty) last in To.
 * @param {object} plan The engine's plan.
 * @param {object[]} recipients The reply's recipients (completed).
 * @param {ComposeRead} read The compose the plan was made for.
 * @returns {Record<"to"|"cc"|"bcc", Detail[]>}
 */
export function plannedFields(plan, recipients, read) {
  /** @type {Record<"to"|"cc"|"bcc", Detail[]>} */
  const fields = { to: [], cc: [], bcc: [] };
  for (const field of FIELDS) {
    fields[field] = plan.after[field].map((index) => {
      const recipient = recipients[index];
      if (recipient.field === field) return read.details[field][recipient.entry];
      const detail = { emailAddress: recipient.spec || recipient.address };
      if (recipient.name) detail.displayName = recipient.name;
      return detail;
    });
  }
  if (plan.placeholder) fields.to.push({ emailAddress: plan.placeholder });
  return fields;
}

/**
 * A field's recipients that no write may exceed, or null when every field
 * fits this Outlook. Checked before anything is written, so that a move that
 * cannot be completed is not begun.
 * @param {Record<string, Detail[]>} fields
 * @param {import("./office-api.js").Client} client
 * @returns {{field: string, count: number, cap: number}|null}
 */
export function overLimit(fields, client) {
  for (const field of FIELDS) {
    if (fields[field].length > client.writeCap) return { field, count: fields[field].length, cap: client.writeCap };
  }
  return null;
}

/**
 * Writes the planned fields, Bcc first, then Cc, then To: if a later write
 * fails, the moved recipients are in Bcc and still visible — over-protected
 * — rather than nowhere. A field that only gains recipients at its end (Bcc,
 * normally) gets `addAsync` calls for those; any other changed field is
 * replaced with `setAsync` for its first 100 and `addAsync` for each further
 * 100. Unchanged fields are not touched.
 * @param {any} office
 * @param {Record<"to"|"cc"|"bcc", Detail[]>} fields What each field must hold.
 * @param {ComposeRead} read What each field held.
 * @returns {Promise<void>}
 */
export function writeFields(office, fields, read) {
  const item = office.context.mailbox.item;
  let chain = Promise.resolve();
  for (const field of ["bcc", "cc", "to"]) {
    const before = read.details[field];
    const after = fields[field];
    if (sameList(before, after)) continue;
    const appendsOnly = after.length > before.length && sameList(before, after.slice(0, before.length));
    const batches = chunks(appendsOnly ? after.slice(before.length) : after);
    chain = chain.then(() => {
      let step = Promise.resolve();
      batches.forEach((batch, index) => {
        const method = index === 0 && !appendsOnly ? "setAsync" : "addAsync";
        step = step.then(() => officeCall(item[field], method, [batch]));
      });
      // Clearing a field is one setAsync with nothing.
      if (!batches.length) step = step.then(() => officeCall(item[field], "setAsync", [[]]));
      return step;
    });
  }
  return chain;
}

/**
 * Whether two lists hold the same recipients in the same order (by
 * address, exactly as written: any other difference is Outlook's own).
 * @param {Detail[]} a
 * @param {Detail[]} b
 */
function sameList(a, b) {
  return a.length === b.length && a.every((detail, i) => detail.emailAddress === b[i].emailAddress);
}

/**
 * @param {Detail[]} list
 * @returns {Detail[][]} Batches of at most `RECIPIENTS_PER_CALL`.
 */
function chunks(list) {
  const out = [];
  for (let i = 0; i < list.length; i += RECIPIENTS_PER_CALL) out.push(list.slice(i, i + RECIPIENTS_PER_CALL));
  return out;
}
