/**
 * @file What a move plan asks of the page, in the terms adapters work in:
 * addresses to write into each field, and the entries (chips, typed text)
 * to remove or rewrite. The engine decides; this only translates its
 * indices into addresses and entries.
 */

/**
 * The recipient fields of a compose, in the order hosts read them (the
 * protocol's `to`, `cc`, `bcc`).
 * @type {readonly ["to", "cc", "bcc"]}
 */
export const FIELDS = Object.freeze(/** @type {const} */ (["to", "cc", "bcc"]));

/**
 * The addresses to write, field by field, Bcc first: if the move is cut
 * short, recipients are then in Bcc *and* still visible — over-protected —
 * rather than nowhere.
 * @param {object} plan
 * @param {object[]} recipients The reply's recipients (completed).
 * @returns {Array<["to"|"cc"|"bcc", string[]]>}
 */
export function additions(plan, recipients) {
  /** @type {Array<["to"|"cc"|"bcc", string[]]>} */
  const out = [];
  for (const field of /** @type {const} */ (["bcc", "cc", "to"])) {
    const addresses = plan.add[field].map((index) => recipients[index].spec ?? recipients[index].address);
    if (field === "to" && plan.placeholder) addresses.push(plan.placeholder);
    if (addresses.length) out.push([field, addresses]);
  }
  return out;
}

/**
 * The entries the plan changes. An entry is a chip (one recipient) or typed
 * text (any number): for each entry that holds a removed recipient, the
 * text of the recipients in it that stay. Typed text is rewritten with what
 * stays; a chip is removed, after the adapter writes back whatever stays
 * (normally nothing: a chip is one recipient).
 * @param {object} plan
 * @param {object[]} recipients
 * @returns {Array<{field: "to"|"cc"|"bcc", entry: number, staying: string[]}>}
 */
export function changedEntries(plan, recipients) {
  const removed = new Set(plan.remove);
  const entries = new Map();
  recipients.forEach((recipient, index) => {
    const key = `${recipient.field}:${recipient.entry}`;
    if (!entries.has(key)) entries.set(key, { field: recipient.field, entry: recipient.entry, hit: false, staying: [] });
    const entry = entries.get(key);
    if (removed.has(index)) entry.hit = true;
    else entry.staying.push(recipient.address ?? recipient.raw);
  });
  return [...entries.values()].filter((e) => e.hit).map(({ field, entry, staying }) => ({ field, entry, staying }));
}
