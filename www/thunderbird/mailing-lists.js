/**
 * @file Address-book mailing lists, expanded into the members Thunderbird
 * will send to.
 *
 * In the compose a list is one pill, `List <description>` (the list's name
 * when it has no description), and Thunderbird replaces it by its members'
 * addresses only after `onBeforeSend` has run. Left as it is, the engine
 * would see one unreadable token; expanded, it sees every person who will
 * receive the mail and can tell whether they would see each other.
 *
 * A recipient is looked up when it could be such a pill: it has no `@`, or
 * it has a display name. A description may itself look like an address
 * (`News <news@corp.example>`), so a name with an address is looked up too,
 * and it names the list when the name is the list's and the address is the
 * list's description. A mail of bare addresses costs no address-book query
 * at all.
 */

import { ext } from "../lib/browser.js";

/**
 * @typedef {import("./compose-fields.js").Written} Written
 * @typedef {{entry: object, written: Written}} Item One protocol entry and how it is written back.
 */

/**
 * The recipient fields with every mailing list replaced by its members.
 * @param {object} details Thunderbird's ComposeDetails.
 * @returns {Promise<{fields: Record<"to"|"cc"|"bcc", Item[]>, lists: number}>}
 */
export async function expandMailingLists(details) {
  const fields = { to: [], cc: [], bcc: [] };
  const candidates = [];
  for (const field of Object.keys(fields)) {
    for (const value of details[field] ?? []) {
      const item = { entry: { text: String(value) }, written: String(value) };
      fields[field].push(item);
      if (mayBeList(String(value))) candidates.push({ field, item });
    }
  }
  if (candidates.length === 0) return { fields, lists: 0 };
  const lists = await mailingListsByName();
  let expandedLists = 0;
  for (const { field, item } of candidates) {
    const list = await findList(lists, item.written);
    if (!list) continue; // Stays a text entry: unreadable for the engine, shown verbatim.
    const members = await ext().addressBooks.mailingLists.listMembers(list.id);
    const at = fields[field].indexOf(item);
    fields[field].splice(at, 1, ...members.map(memberItem));
    expandedLists += 1;
  }
  return { fields, lists: expandedLists };
}

/**
 * Whether a recipient string could be a list's pill: no `@` (a list's name),
 * or a display name before `<…>` (`List <description>`). A bare address is
 * never a pill.
 * @param {string} value
 */
function mayBeList(value) {
  return !value.includes("@") || value.includes("<");
}

/**
 * Every mailing list of every address book, by lower-case name.
 * @returns {Promise<Map<string, {id: string, name: string, description?: string}>>}
 */
async function mailingListsByName() {
  const byName = new Map();
  for (const book of await ext().addressBooks.list(false)) {
    for (const list of await ext().addressBooks.mailingLists.list(book.id)) {
      byName.set(list.name.toLowerCase(), list);
    }
  }
  return byName;
}

/**
 * The list a recipient string stands for. Without an `@`, its display name,
 * the part in angle brackets or the whole string names a list. With one, it
 * is a list's pill only when its display name is the list's name and the
 * address is the list's description (which an admin may well have written as
 * the list's address): a person called like a list stays a person.
 * @param {Map<string, object>} lists
 * @param {string} value
 */
async function findList(lists, value) {
  if (lists.size === 0) return null;
  const [mailbox] = await ext().messengerUtilities.parseMailboxString(value);
  const folded = (text) => (text ?? "").trim().toLowerCase();
  if (!value.includes("@")) {
    for (const candidate of [mailbox?.name, mailbox?.email, value]) {
      const list = candidate && lists.get(folded(candidate));
      if (list) return list;
    }
    return null;
  }
  const list = lists.get(folded(mailbox?.name));
  return list && folded(list.description) === folded(mailbox?.email) ? list : null;
}

/**
 * One member as a chip the engine reads, written back as Thunderbird's own
 * contact reference.
 * @param {{id: string, vCard: string}} contact
 * @returns {Item}
 */
function memberItem(contact) {
  const card = readVCard(contact.vCard ?? "");
  return { entry: { name: card.name, address: card.email }, written: { type: "contact", nodeId: contact.id } };
}

/**
 * The display name and the primary address of a vCard: the EMAIL with the
 * lowest PREF, else the first, as Thunderbird picks a card's primary email.
 * @param {string} text
 * @returns {{name: string|null, email: string|null}}
 */
export function readVCard(text) {
  const lines = text.replace(/\r?\n[ \t]/g, "").split(/\r?\n/);
  let name = null;
  let best = null;
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const [property, ...parameters] = line.slice(0, colon).split(";");
    const key = property.replace(/^[^.]*\./, "").toUpperCase();
    const value = line.slice(colon + 1).replace(/\\([,;\\])/g, "$1").trim();
    if (key === "FN" && value) name = value;
    if (key !== "EMAIL" || !value) continue;
    const pref = Number(parameters.find((p) => /^pref=/i.test(p))?.slice(5) ?? Infinity);
    if (!best || pref < best.pref) best = { pref, value };
  }
  return { name, email: best?.value ?? null };
}
