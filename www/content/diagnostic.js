/**
 * @file A censored skeleton of one compose, for a bug report when BCC Guard
 * cannot read a webmail page (the popup's "Copy diagnostic"): the shape the
 * finder and the adapters look at, and nothing a person wrote.
 *
 * Kept: tag names, roles, class names, the names of a few structural
 * attributes and, for controls and fields, their accessible names (so that
 * "Send" and "To" can be told apart). Left out: every text node, every
 * attribute value that holds `@` or anything address-like, every name
 * inside a recipient field (chips carry people's names), and everything
 * after `MAX_NODES` elements or `MAX_CHARS` characters. Nothing leaves the
 * browser but what the user copies and pastes.
 */

/** At most this many elements are described. */
const MAX_NODES = 1500;
/** The skeleton is cut at this many characters. */
const MAX_CHARS = 60_000;
/** Attributes whose values say something about structure, not content. */
const KEPT = ["role", "contenteditable", "aria-multiline", "aria-haspopup", "aria-expanded", "type", "name", "data-app-section", "g_editable", "selector", "tabindex"];
/** Attributes that carry an accessible name, kept only on controls and fields. */
const NAMES = ["aria-label", "data-tooltip", "title", "placeholder"];
/** Controls and fields, whose names are kept. */
const NAMED = "button, [role=button], [role=menuitem], [role=link], [role=tab], [role=textbox], [role=combobox], [role=group], input, textarea, select, [role=dialog], [role=region], [role=form]";
/** Where people's names and addresses are: recipient chips and lists. */
const RECIPIENTS = "[role=option], [role=listbox], [contenteditable=true]:not([aria-multiline=true]) *";

/** Something that may be an address or a part of one. */
const ADDRESS_LIKE = /@|＠|%40|&#64;|[\w.+-]+\s*\(at\)\s*[\w-]+/i;

/**
 * A value that may be kept, or null.
 * @param {string|null} value
 */
function clean(value) {
  if (value === null) return null;
  const text = value.replace(/\s+/g, " ").trim().slice(0, 60);
  return ADDRESS_LIKE.test(text) ? null : text;
}

/**
 * The skeleton of `root`, one line per element, indented by depth.
 * @param {Element} root
 * @returns {string}
 */
export function skeleton(root) {
  const lines = [];
  let chars = 0;
  const visit = (element, depth) => {
    if (lines.length >= MAX_NODES || chars >= MAX_CHARS) return;
    const parts = [element.localName];
    const classes = clean([...element.classList].join(" "));
    if (classes) parts.push(`.${classes.split(" ").join(".")}`);
    for (const name of KEPT) {
      const value = clean(element.getAttribute(name));
      if (value !== null) parts.push(`[${name}=${JSON.stringify(value)}]`);
    }
    if (element.id) parts.push(ADDRESS_LIKE.test(element.id) ? "[id]" : `#${element.id.slice(0, 60)}`);
    const named = element.matches(NAMED) && !element.matches(RECIPIENTS) && !element.closest("[role=option], [role=listbox]");
    for (const name of NAMES) {
      if (!element.hasAttribute(name)) continue;
      const value = named ? clean(element.getAttribute(name)) : null;
      parts.push(value === null ? `[${name}]` : `[${name}=${JSON.stringify(value)}]`);
    }
    const line = `${"  ".repeat(Math.min(depth, 40))}${parts.join("")}`;
    lines.push(line);
    chars += line.length + 1;
    for (const child of element.children) visit(child, depth + 1);
    if (element.shadowRoot) lines.push(`${"  ".repeat(Math.min(depth + 1, 40))}#shadow-root`);
  };
  visit(root, 0);
  if (lines.length >= MAX_NODES || chars >= MAX_CHARS) lines.push("… (cut)");
  return lines.join("\n").slice(0, MAX_CHARS + 20);
}
