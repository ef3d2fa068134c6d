/**
 * @file A stand-in for the little of Thunderbird's API that
 * www/thunderbird/mailing-lists.js calls (the address books' mailing lists
 * and `messengerUtilities.parseMailboxString`), installed as
 * `globalThis.browser` for the tests that read Thunderbird's fields in Node.
 * The e2e suite has the real ones.
 */

/** The stand-in's mailing lists and members, which a test sets, and how often the books were listed. */
export const addressBook = { lists: [], members: new Map(), listings: 0 };

globalThis.browser = /** @type {any} */ ({
  runtime: { id: "bcc-guard@bccguard.org" },
  addressBooks: {
    list: async () => {
      addressBook.listings += 1;
      return [{ id: "book" }];
    },
    mailingLists: {
      list: async () => addressBook.lists,
      listMembers: async (id) => addressBook.members.get(id) ?? [],
    },
  },
  messengerUtilities: {
    // Thunderbird's parser for the one shape these tests use: `Name <address>` or a bare string.
    parseMailboxString: async (text) => {
      const angle = /^\s*(.*?)\s*<([^>]*)>\s*$/.exec(text);
      return [angle ? { name: angle[1], email: angle[2] } : { name: "", email: text.trim() }];
    },
  },
});
