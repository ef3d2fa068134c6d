/**
 * @file The signed-in account's address, picked out of the texts where a
 * mail client shows it. Each host's reader knows *where* the account is
 * shown and hands those texts over, most trusted first: Gmail its From
 * field, its account button and the end of the title; Outlook its From
 * button and account control, never the title (a pop-out's title is the
 * subject); Roundcube the chosen identity; Thunderbird the From field. This
 * module alone says how an address is read out of such a text.
 *
 * The account matters: its organisation is internal when no internal
 * domains are set, and the sender is never exposed. So a text that is not
 * the account's (a subject, a partner's name) must never be handed over;
 * and what comes out is only a candidate, which the engine parses (one that
 * is not an address is no account, and every recipient counts as external).
 */

/**
 * An address in display text: no space, no bracket, quote or separator
 * around it, a dot in the domain.
 */
const ADDRESS = /[^\s<>()"',;:@]+@[^\s<>()"',;:@]+\.[^\s<>()"',;:@]+/;

/** `Name <address>`: what is in the angle brackets that end the text. */
const ANGLE = /<([^<>]*)>\s*$/;

/**
 * The address in one text: the one in angle brackets at its end
 * (`"Doe, Alice" <alice@corp.example>`, whatever the name says), else the
 * first address-like word in it.
 * @param {unknown} text
 * @returns {string|null}
 */
export function addressIn(text) {
  if (typeof text !== "string" || !text.trim()) return null;
  const angle = text.match(ANGLE)?.[1].trim();
  if (angle?.includes("@")) return angle;
  return text.match(ADDRESS)?.[0] ?? null;
}

/**
 * The account's address: the first one found in the candidate texts, in
 * their order; `null` when none has one.
 * @param {Iterable<unknown>} candidates Texts, most trusted first; missing
 *   ones (`null`, `undefined`) are skipped.
 * @returns {string|null}
 */
export function accountAddress(candidates) {
  for (const text of candidates) {
    const address = addressIn(text);
    if (address) return address;
  }
  return null;
}
