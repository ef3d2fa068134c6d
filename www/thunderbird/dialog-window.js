/**
 * @file The background's side of the dialog window. Thunderbird has no page
 * to draw the dialog on, so it opens in an extension popup window
 * (dialog.html) while the send is held; the window renders what it is told
 * with the webmail dialog's code and answers with the button chosen.
 *
 * The two sides talk over one `runtime.Port` per window. A window closed by
 * the user, or a port that breaks for any reason, answers "cancel". The
 * window sends a `ping` every 10 s while it is open, which keeps the MV3
 * event page alive however long the user takes (a pending `onBeforeSend`
 * alone keeps it for about a minute, after which the answer would be lost
 * and the compose would stay locked).
 */

import { ext } from "../lib/browser.js";

/** The port name prefix; the rest is the window's session id. */
const PORT_PREFIX = "bcc-guard-dialog:";

/** How long the window may take to load and connect before the send is cancelled. */
const CONNECT_TIMEOUT_MS = 15000;

/** The window's size: room for the dialog (at most 560 px wide) and its list. */
const WINDOW = Object.freeze({ width: 620, height: 640 });

/** Windows that were opened and have not connected yet, by session id. */
const waiting = new Map();

/**
 * Registers the connection listener. Called at the background's top level,
 * so that a window's connection is never missed.
 */
export function listenForDialogs() {
  ext().runtime.onConnect.addListener((port) => {
    if (!port.name.startsWith(PORT_PREFIX) || port.sender?.id !== ext().runtime.id) return;
    const connected = waiting.get(port.name.slice(PORT_PREFIX.length));
    if (connected) connected(port);
    else port.disconnect();
  });
}

/**
 * @typedef {object} DialogWindow
 * @property {(view: object) => Promise<string>} show Shows a view (see
 *   dialog-page.js) and resolves with the chosen action, "cancel" once the
 *   window is gone.
 * @property {() => void} busy Replaces the buttons by a progress note.
 * @property {() => void} close Closes the window.
 */

/**
 * Opens a dialog window and resolves once it is ready to show a view.
 * @returns {Promise<DialogWindow>}
 * @throws When the window cannot be opened or does not connect in time.
 */
export async function openDialog() {
  const id = crypto.randomUUID();
  let timer;
  const connection = new Promise((resolve, reject) => {
    waiting.set(id, resolve);
    timer = setTimeout(() => reject(new Error("the dialog window did not open")), CONNECT_TIMEOUT_MS);
  });
  let windowId = null;
  try {
    const url = ext().runtime.getURL(`thunderbird/dialog.html#${id}`);
    windowId = (await ext().windows.create({ type: "popup", url, ...WINDOW })).id;
    return session(await connection, windowId);
  } catch (error) {
    if (windowId !== null) ext().windows.remove(windowId).catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
    waiting.delete(id);
  }
}

/**
 * @param {chrome.runtime.Port} port
 * @param {number} windowId
 * @returns {DialogWindow}
 */
function session(port, windowId) {
  let open = true;
  /** @type {((choice: string) => void)|null} */
  let pending = null;
  const answer = (choice) => {
    const resolve = pending;
    pending = null;
    resolve?.(choice);
  };
  port.onMessage.addListener((message) => {
    if (typeof message?.choice === "string") answer(message.choice);
  });
  port.onDisconnect.addListener(() => {
    open = false;
    answer("cancel");
  });
  return {
    show(view) {
      if (!open) return Promise.resolve("cancel");
      return new Promise((resolve) => {
        pending = resolve;
        port.postMessage({ show: view });
      });
    },
    busy() {
      if (open) port.postMessage({ busy: true });
    },
    close() {
      open = false;
      answer("cancel");
      ext().windows.remove(windowId).catch(() => {});
    },
  };
}
