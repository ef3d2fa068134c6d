/**
 * @file The dialog window's page: shows what the background's send hook asks
 * for (dialog-window.js) with the webmail dialog itself (www/lib/dialog.js),
 * so the content, buttons, keyboard behaviour, languages and the automation
 * contract are the same in Thunderbird as in Gmail and Outlook.
 *
 * Views: `{view: "verdict", reply}`, `{view: "unverified", code, detail,
 * sendAnyway}` (`sendAnyway`: true, false or null when the policy is not
 * known), `{view: "moveFailed", verification, detail, reply, moved}`;
 * `{busy: true}` swaps the buttons for a progress note.
 */

import { ext } from "../lib/browser.js";
import { PROTOCOL_VERSION } from "../lib/engine-client.js";
import { Dialog } from "../lib/dialog.js";

/** How often the page tells the background it is still there (below the 30 s idle timeout). */
const HEARTBEAT_MS = 10000;

const dialog = new Dialog();
/** The dialog belongs to this window's one send. */
const owner = {};
const port = ext().runtime.connect({ name: `bcc-guard-dialog:${location.hash.slice(1)}` });

port.onMessage.addListener(async (message) => {
  if (message.busy) {
    dialog.showBusy();
    return;
  }
  const view = message.show;
  let choice;
  if (view?.view === "verdict") choice = await dialog.showVerdict(owner, view.reply);
  else if (view?.view === "moveFailed") choice = await dialog.showMoveFailed(owner, view.verification, view.detail, view.reply, Boolean(view.moved));
  else choice = await dialog.showUnverified(owner, view?.code ?? "internal", view?.detail ?? "", typeof view?.sendAnyway === "boolean" ? view.sendAnyway : null);
  port.postMessage({ choice });
});
// The background gone (Thunderbird restarted it, or it crashed): the send it
// held is gone too, so this window has nothing left to decide.
port.onDisconnect.addListener(() => window.close());

// The webmail guard hands the dialog the events from inside it; here the
// whole window is the dialog's, so every click and key goes to it.
for (const type of ["click", "keydown", "keyup"]) {
  window.addEventListener(type, (event) => dialog.handle(/** @type {import("../lib/dialog.js").UserInput} */ (event)), true);
}

// Each message is an event for the background, which restarts its idle timer:
// the same "ping" an open webmail compose sends (www/content/precheck.js).
setInterval(() => ext().runtime.sendMessage({ v: PROTOCOL_VERSION, kind: "ping" }).catch(() => {}), HEARTBEAT_MS);
