/**
 * @file The broad compose finder: the second of two detectors per compose.
 *
 * The adapters (gmail.js, outlook.js, roundcube.js) are precise: they know
 * each webmail's classes, ids and structure, and they are what reads and
 * writes recipients. When the webmail ships a new page they stop matching,
 * and a Send they no longer recognise would pass unseen. This finder knows
 * nothing of classes or ids. It recognises "this is a compose" the way a
 * screen reader would describe one: a Send control (a button whose
 * accessible name or tooltip starts with the word for Send, or carries the
 * Ctrl+Enter hint), inside a container that also holds a To field (found by
 * its role and its label, English and Japanese) and a message body (a
 * rich-text editor or a text area). health.js compares what it finds with
 * what the adapter maps; a disagreement is the drift signal (the design
 * InboxSDK's page-parser-tree uses: precise watchers plus broad finders).
 *
 * Each webmail can add words to the rules (`FINDER_RULES`, one table for
 * all); the shared rules alone find every fixture and the real Roundcube.
 * The finder only looks: it never changes the page.
 */

/**
 * @typedef {object} FoundCompose What the finder saw of one compose.
 * @property {Element} root The smallest container holding its Send
 *   control(s), a To field and a body.
 * @property {Element[]} sends Its Send candidates.
 * @property {Element} to Its To field.
 * @property {Element} body Its message body.
 *
 * @typedef {object} FinderRules Words and hints, per webmail.
 * @property {string[]} send How a Send control's accessible name starts.
 * @property {string[]} to How a To field's label starts.
 * @property {string[]} schedule Labels of menu items that send later.
 */

/** The rules every webmail shares: English and Japanese. */
const SHARED = {
  send: ["send", "送信"],
  to: ["to", "宛先"],
  schedule: ["schedule send", "send later", "送信日時を設定", "送信のスケジュール設定", "後で送信"],
};

/**
 * Per-webmail additions to the shared rules, by adapter name. Empty today:
 * the shared words cover Gmail, Outlook and Roundcube in both languages.
 * @type {Record<string, Partial<FinderRules>>}
 */
export const FINDER_RULES = { gmail: {}, outlook: {}, roundcube: {} };

/**
 * The rules for one webmail.
 * @param {string} webmail The adapter's name.
 * @returns {FinderRules}
 */
export function rulesFor(webmail) {
  const extra = FINDER_RULES[webmail] ?? {};
  return {
    send: [...SHARED.send, ...(extra.send ?? [])],
    to: [...SHARED.to, ...(extra.to ?? [])],
    schedule: [...SHARED.schedule, ...(extra.schedule ?? [])],
  };
}

/** Controls that can be a Send: buttons by element or by role. */
export const CONTROLS = "button, [role=button], input[type=submit], input[type=button]";
/**
 * Where a Send can be: any control outside recipient lists and editors. A
 * 1,000-recipient compose has a remove button per chip; the browser's
 * selector engine leaves them out faster than a name check could.
 */
const SEND_PLACES = ":is(button, [role=button], input[type=submit], input[type=button]):not([role=listbox] *, [role=option] *, [contenteditable=true] *)";
/** Menu items, whose text is their name. */
const MENU_ITEMS = "[role=menuitem], [role=menuitemradio], [role=option]";
/** Elements that can be a To field, by role or by element. */
const FIELDS = "[role=combobox], [role=textbox], [role=listbox], [role=group], input, textarea";
/** A message body: a multi-line editor, a rich-text editor, a text area or an editor frame. */
const BODIES = "[aria-multiline=true], [contenteditable=true], textarea, iframe";
/** The shortcut hint Send controls carry in their tooltip, in any language. */
const SEND_HINT = /(ctrl|⌘|cmd)\s*[-+]?\s*enter/i;
/** Names are compared only this far: a control's whole text is not a name. */
const NAME_LIMIT = 80;

/**
 * The names an element is announced by: its label, what labels it, its
 * tooltip and title, and for a control its own short text.
 * @param {Element} element
 * @returns {string[]} Lower-cased, trimmed; empty ones left out.
 */
export function namesOf(element) {
  const names = [element.getAttribute("aria-label"), element.getAttribute("data-tooltip"), element.getAttribute("title"), element.getAttribute("placeholder")];
  const labelledBy = element.getAttribute("aria-labelledby");
  if (labelledBy) {
    for (const id of labelledBy.split(/\s+/)) names.push(element.ownerDocument.getElementById(id)?.textContent);
  }
  if (element.id && (element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement)) {
    for (const label of element.ownerDocument.querySelectorAll(`label[for="${CSS.escape(element.id)}"]`)) names.push(label.textContent);
  }
  if (element.matches(`${CONTROLS}, ${MENU_ITEMS}`)) names.push(element instanceof HTMLInputElement ? element.value : element.textContent);
  return names.map((name) => (name ?? "").replace(/\s+/g, " ").trim().toLowerCase().slice(0, NAME_LIMIT)).filter(Boolean);
}

/**
 * Whether a name starts with one of `words` as a word of its own ("to" in
 * "to recipients", never in "today"; Japanese words have no spaces).
 * @param {string} name
 * @param {string[]} words
 */
function startsWithWord(name, words) {
  return words.some((word) => name.startsWith(word) && (!/^[a-z]/.test(word) || !/[a-z0-9]/.test(name.charAt(word.length))));
}

/**
 * Whether a control is a Send candidate: named Send, or carrying the
 * Ctrl+Enter hint, and not a menu opener ("More send options").
 * @param {Element} control
 * @param {FinderRules} rules
 */
export function isSendCandidate(control, rules) {
  const popup = control.getAttribute("aria-haspopup");
  if (popup && popup !== "false") return false;
  // The common names first, each tested as soon as it is read: a page has
  // hundreds of controls (a 1,000-recipient compose has a remove button per
  // chip), and almost none is a Send.
  const test = (name) => {
    if (!name) return false;
    const text = name.trimStart().slice(0, NAME_LIMIT).toLowerCase();
    return startsWithWord(text, rules.send) || SEND_HINT.test(text);
  };
  if (test(control.getAttribute("aria-label")) || test(control.getAttribute("data-tooltip")) || test(control.getAttribute("title"))) return true;
  const labelledBy = control.getAttribute("aria-labelledby");
  if (labelledBy && labelledBy.split(/\s+/).some((id) => test(control.ownerDocument.getElementById(id)?.textContent))) return true;
  if (control instanceof HTMLInputElement) return test(control.value);
  // Its own text, when it is short enough to be a label.
  return control.childElementCount < 8 && test(control.textContent.replace(/\s+/g, " "));
}

/**
 * Whether an element is a To field: a field whose label starts with "To"
 * (宛先), or named `to` for the form it posts.
 * @param {Element} element
 * @param {FinderRules} rules
 */
function isToField(element, rules) {
  const name = element.getAttribute("name");
  if (name === "to" || name === "_to") return true;
  return namesOf(element).some((label) => startsWithWord(label, rules.to));
}

/**
 * Whether `body` is a message body for the To field `to`: a multi-line
 * editor, a rich-text editor or a text area that is not a recipient field
 * (the To, Cc and Bcc editors are single-line, and Cc and Bcc are labelled
 * too) and not inside another editor.
 * @param {Element} body One of BODIES.
 * @param {Element} to
 * @param {FinderRules} rules
 */
function isBodyFor(body, to, rules) {
  if (body === to || to.contains(body) || body.contains(to) || isToField(body, rules)) return false;
  if (body instanceof HTMLInputElement) return false;
  if (body.getAttribute("aria-multiline") === "false") return false;
  return !(body.matches("[contenteditable=true]") && body.parentElement?.closest("[contenteditable=true]"));
}

/**
 * The parts each compose root held at the last scan. Finding them queries
 * the whole compose twice, a 1,000-recipient compose's chips included, while
 * checking that they are still there and still what they were costs a few
 * attribute reads; so a root's parts are reused as long as they hold. Only
 * a container that held both is remembered: every other one is asked
 * afresh, so a smaller container that now holds a compose is still found.
 * @type {WeakMap<Element, {to: Element, body: Element}>}
 */
const lastParts = new WeakMap();

/**
 * The To field and body inside `container`, if it holds both.
 * @param {Element} container
 * @param {FinderRules} rules
 * @returns {{to: Element, body: Element}|null}
 */
function partsIn(container, rules) {
  const last = lastParts.get(container);
  if (last && container.contains(last.to) && container.contains(last.body) && isToField(last.to, rules) && isBodyFor(last.body, last.to, rules)) {
    return last;
  }
  lastParts.delete(container);
  let to = null;
  for (const field of container.querySelectorAll(FIELDS)) {
    if (isToField(field, rules)) {
      to = field;
      break;
    }
  }
  if (!to) return null;
  for (const body of container.querySelectorAll(BODIES)) {
    if (!isBodyFor(body, to, rules)) continue;
    const parts = { to, body };
    lastParts.set(container, parts);
    return parts;
  }
  return null;
}

/**
 * Every compose the finder recognises in a document. A Send candidate's
 * compose is its smallest ancestor holding a To field and a body; an
 * ancestor that holds another compose found this way is the page around
 * them (a "Sent items" folder button reaches it), not a compose.
 * @param {Document} doc
 * @param {FinderRules} rules
 * @returns {FoundCompose[]}
 */
export function findComposes(doc, rules) {
  /** @type {Map<Element, FoundCompose>} */
  const found = new Map();
  for (const control of doc.querySelectorAll(SEND_PLACES)) {
    if (!isSendCandidate(control, rules)) continue;
    for (let node = control.parentElement; node && node !== doc.documentElement; node = node.parentElement) {
      const known = found.get(node);
      if (known) {
        known.sends.push(control);
        break;
      }
      const parts = partsIn(node, rules);
      if (parts) {
        found.set(node, { root: node, sends: [control], ...parts });
        break;
      }
    }
  }
  const roots = [...found.keys()];
  return [...found.values()].filter(({ root }) => !roots.some((other) => other !== root && root.contains(other)));
}

/**
 * Whether an element is a "Schedule send" / "Send later" menu item.
 * @param {Element} element
 * @param {FinderRules} rules
 * @returns {Element|null} The menu item.
 */
export function scheduleItemOf(element, rules) {
  const item = element.closest(MENU_ITEMS);
  return item && namesOf(item).some((name) => rules.schedule.includes(name)) ? item : null;
}
