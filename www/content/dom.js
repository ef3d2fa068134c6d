/**
 * @file Small DOM operations the content script's modules share: waiting for
 * the webmail to react, events that webmail handlers accept as user actions,
 * stopping an event the page must not see, and the place above an element
 * where the compose notice goes.
 */

/**
 * The webmail host this document belongs to. Outlook's pop-out compose can be
 * an `about:blank` frame or window, whose URL has no host; it inherits the
 * opener's origin, which `self.origin` reports. An empty result reaches the
 * engine as "host unknown", which it treats as protected.
 * @returns {string}
 */
export function pageHost() {
  if (location.hostname) return location.hostname;
  try {
    return new URL(self.origin).hostname;
  } catch {
    return "";
  }
}

/**
 * Polls `condition` every animation-frame-ish tick until it returns a truthy
 * value or `timeoutMs` passes.
 * @template T
 * @param {() => T} condition
 * @param {number} timeoutMs
 * @returns {Promise<T|null>} The truthy value, or null on timeout.
 */
export async function until(condition, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = condition();
    if (value) return value;
    if (performance.now() > deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, 16));
  }
}

/**
 * A click as a user makes it: mousedown, mouseup, click. Gmail and Outlook
 * act on different ones of these for different controls (InboxSDK does the
 * same). No `view` is passed: from a Firefox content script the page's window
 * is an Xray wrapper that the event constructor may refuse.
 * @param {Element} element
 */
export function simulateClick(element) {
  for (const type of ["mousedown", "mouseup", "click"]) {
    element.dispatchEvent(new MouseEvent(type, { bubbles: true, cancelable: true, composed: true, button: 0, detail: 1 }));
  }
}

/**
 * Sets an input's or text area's value and tells the page, through the
 * native setter so that frameworks which wrap `value` notice the change.
 * @param {HTMLInputElement|HTMLTextAreaElement} element
 * @param {string} value
 */
export function setInputValue(element, value) {
  const prototype = element instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  const setter = Object.getOwnPropertyDescriptor(prototype, "value")?.set;
  if (setter) setter.call(element, value);
  else element.value = value;
  element.dispatchEvent(new Event("input", { bubbles: true }));
  element.dispatchEvent(new Event("change", { bubbles: true }));
}

/**
 * The notice slot right above an element (an adapter's `noticeSlot`): before
 * it in its parent, or, when it is inside an editor, before the outermost
 * editable element around it, so that the notice is never part of what the
 * user edits.
 * @param {Element|null} element
 * @returns {{parent: Element, before: Element}|null}
 */
export function slotAbove(element) {
  let target = element;
  while (target?.parentElement instanceof HTMLElement && target.parentElement.isContentEditable) target = target.parentElement;
  return target?.parentElement ? { parent: target.parentElement, before: target } : null;
}

/**
 * Stops an event completely: no default action, no other listener.
 * @param {Event} event
 */
export function swallow(event) {
  event.preventDefault();
  event.stopImmediatePropagation();
  event.stopPropagation();
}
