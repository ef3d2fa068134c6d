/**
 * @file The Roundcube adapter (elastic skin; tested with Roundcube 1.6.5), for
 * self-hosted webmail on any origin the user or the admin chose
 * (`www/background/content-registration.js` registers the content script there).
 *
 * Roundcube keeps each recipient field in a hidden `textarea#_to/_cc/_bcc`,
 * which is what the form posts; the skin's chip widget mirrors it (the text
 * area holds the chips' texts joined, then whatever is still typed). So the
 * chips are read as entries only while they agree with the text area, and
 * a field is written by setting its text area and dispatching a native
 * `change`, which Roundcube's own handler answers by re-rendering the chips
 * (its "Use Bcc" does the same). See shared/research/roundcube-e2e.md §4–6.
 *
 * A page is recognised by its DOM, never its title or host: the product
 * name is configurable and the origin is anybody's. Roundcube binds no
 * keyboard shortcut to Send, so only clicks on its Send controls are sends
 * (Enter and Space on the button arrive as clicks).
 */

import { accountAddress } from "../lib/account.js";
import { setInputValue, simulateClick, slotAbove, until } from "./dom.js";
import { FIELDS, additions, changedEntries } from "../lib/moves.js";

/**
 * The compose's Send controls: the desktop button, and the phone layout's
 * footer clone, which triggers the button's handler through jQuery without
 * a native click ever reaching the button — so it must be guarded itself.
 * The read-receipt and "no subject" dialogs have `button.send`s too; they
 * are not in `.formbuttons` and are left alone (they come after a replay).
 */
const SEND = ".formbuttons button.send, .content-frame-navigation a.send";
/** The desktop Send button, which the replay clicks. */
const MAIN_SEND = ".formbuttons button.send";

/**
 * The compose form, if this document is a Roundcube compose: the mail task's
 * send form holding a recipient-widget text area for To.
 * @param {Document} doc
 * @returns {HTMLFormElement|null}
 */
function composeForm(doc) {
  const form = doc.forms.namedItem("form");
  if (!(form instanceof HTMLFormElement)) return null;
  /** @type {HTMLInputElement|null} */
  const task = form.querySelector('input[type=hidden][name="_task"]');
  /** @type {HTMLInputElement|null} */
  const action = form.querySelector('input[type=hidden][name="_action"]');
  if (task?.value !== "mail" || action?.value !== "send") return null;
  return form.querySelector("textarea#_to[data-recipient-input]") ? form : null;
}

/**
 * The compose root: the skin's content frame holding the form, the Send
 * button (outside the form) and the footer clone; else the body.
 * @param {Document} doc
 * @returns {Element|null}
 */
function composeRoot(doc) {
  const form = composeForm(doc);
  if (!form) return null;
  return form.closest("#layout-content") ?? doc.body;
}

/**
 * The compose root an event target belongs to, if any.
 * @param {EventTarget|null} target
 * @returns {Element|null}
 */
function composeOf(target) {
  const element = target instanceof Element ? target : target instanceof Node ? target.parentElement : null;
  if (!element) return null;
  const root = composeRoot(element.ownerDocument);
  return root?.contains(element) ? root : null;
}

/**
 * One field's parts: the posted text area, the chip list after it and the
 * chip input where addresses are typed.
 * @param {Element} root
 * @param {"to"|"cc"|"bcc"} field
 */
function partsOf(root, field) {
  const textarea = /** @type {HTMLTextAreaElement|null} */ (root.querySelector(`textarea#_${field}`));
  const list = textarea?.parentElement?.querySelector("ul.recipient-input") ?? null;
  const input = /** @type {HTMLInputElement|null} */ (list?.querySelector("li.input input") ?? null);
  return { textarea, list, input, chips: list ? [...list.querySelectorAll("li.recipient")] : [] };
}

/** A chip's text as the text area holds it, without the separator after it. */
const chipText = (chip) => chip.textContent.replace(/,\s*$/, "").trim();

/** Text compared for agreement: separators and spacing do not matter. */
const normalise = (text) => text.replace(/[\s,;]+/g, ",").replace(/^,|,$/g, "");

/** @type {import("./adapters.js").Adapter} */
export const roundcube = {
  name: "roundcube",

  sendTarget(event) {
    // Only clicks: Roundcube sends on no key, and Enter or Space on the Send
    // button reaches the page as a click anyway. Guarding the key too would
    // let the click the browser makes from it count as a second send.
    if (event.type !== "click") return null;
    const first = event.composedPath()[0];
    const target = first instanceof Element ? first : event.target instanceof Element ? event.target : null;
    const control = target?.closest(SEND);
    const root = control && composeOf(control);
    return root ? { root, via: "send" } : null;
  },

  composeOf,

  read(root) {
    // The host is left empty on purpose: the engine's protectedHosts knows
    // only the built-in webmail hosts, and this script runs only where the
    // user or the admin asked for protection, which an empty host means.
    const compose = { account: account(root), host: "", complete: false, to: [], cc: [], bcc: [] };
    const elements = { to: [], cc: [], bcc: [] };
    for (const field of FIELDS) {
      const { textarea, input, chips } = partsOf(root, field);
      if (!textarea) continue;
      if (field === "to") compose.complete = true;
      const add = (text, element) => {
        compose[field].push({ text });
        elements[field].push(element);
      };
      const typed = input?.value.trim() ?? "";
      const mirrored = normalise(chips.map((chip) => chip.textContent).join("") + (input?.value ?? ""));
      if (normalise(textarea.value) === mirrored) {
        for (const chip of chips) add(chipText(chip), chip);
      } else if (textarea.value.trim()) {
        // The widget and the posted value disagree (a page script, or a
        // change not yet rendered): what is posted is what counts.
        add(textarea.value, textarea);
        if (typed && !normalise(textarea.value).endsWith(normalise(typed))) add(typed, input);
        continue;
      }
      if (typed) add(typed, input);
    }
    return { compose, elements };
  },

  async applyPlan(root, plan, read, recipients) {
    // Each field is rewritten as a whole: the entries that stay keep their
    // exact text (display names included), a changed entry becomes the
    // addresses in it that stay, and the plan's additions follow. Bcc first,
    // so that a move cut short leaves recipients in Bcc *and* visible
    // rather than nowhere.
    const changed = new Map(changedEntries(plan, recipients).map((c) => [`${c.field}:${c.entry}`, c.staying]));
    const adding = new Map(additions(plan, recipients));
    for (const field of /** @type {const} */ (["bcc", "cc", "to"])) {
      const added = adding.get(field) ?? [];
      const entries = read.compose[field];
      const touched = added.length > 0 || entries.some((_, entry) => changed.has(`${field}:${entry}`));
      if (!touched) continue;
      const texts = entries.flatMap((entry, index) => changed.get(`${field}:${index}`) ?? [entry.text]);
      const { textarea, input } = partsOf(root, field);
      if (!textarea) throw new Error(`Roundcube's ${field.toUpperCase()} field is missing`);
      const value = [...texts, ...added].filter((text) => text.trim()).join(", ");
      if (input) input.value = "";
      // Roundcube's handler for the text area's native change drops the
      // chips, parses the value and renders new ones; for Cc and Bcc it
      // also shows or hides the row.
      setInputValue(textarea, value ? `${value}, ` : "");
      await until(() => normalise(textarea.value) === normalise(value), 1000);
    }
  },

  async commitTyped(root) {
    // The chip input turns typed addresses into chips on its change event
    // (as when the focus leaves it); do it now so the plan fits the chips.
    for (const field of FIELDS) {
      const { input } = partsOf(root, field);
      if (!input?.value.includes("@")) continue;
      input.dispatchEvent(new Event("change", { bubbles: true }));
      await until(() => !partsOf(root, field).input?.value.includes("@"), 1000);
    }
  },

  // Roundcube has no send-options choices (no "Schedule send"): sendTarget
  // never names any, so there is never one to make again.
  replayChoice() {
    return false;
  },

  replaySend(root) {
    // The desktop button even when the footer clone was used: the clone
    // only forwards to it.
    const button = root.querySelector(MAIN_SEND) ?? root.querySelector(SEND);
    if (!button) return false;
    simulateClick(button);
    return true;
  },

  focus(root) {
    const target = root.querySelector("#composebody") ?? root.querySelector(MAIN_SEND);
    /** @type {HTMLElement|null} */ (target)?.focus();
  },

  probe(root) {
    const sends = [...root.querySelectorAll(SEND)];
    return { sends, primary: root.querySelectorAll(MAIN_SEND).length, to: partsOf(root, "to").textarea, fallbacks: [] };
  },

  noticeSlot(root) {
    // Between the headers and the editor (plain text area or HTML editor).
    return slotAbove(root.querySelector("#composebodycontainer") ?? root.querySelector("#composebody"));
  },
};

/**
 * The sender: the chosen identity in the From select (or the From text
 * field when the user has no identities).
 * @param {Element} root
 * @returns {string|null}
 */
function account(root) {
  const from = root.querySelector("#_from");
  return accountAddress([
    from instanceof HTMLSelectElement ? from.selectedOptions[0]?.textContent : from instanceof HTMLInputElement ? from.value : null,
  ]);
}
