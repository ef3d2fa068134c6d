/**
 * @file Thunderbird's background: the shared background (engine host,
 * settings layers, counters, protocol listener) plus Thunderbird's "hands",
 * a `compose.onBeforeSend` listener instead of content scripts, and the
 * live state on the compose window's toolbar button (compose-state.js).
 *
 * It stays an MV3 event page rather than a persistent background: while a
 * dialog window is open, that window's `ping` keeps the page alive
 * (dialog-window.js); while a compose window has the focus, the compose
 * button's poll does (each API call restarts Thunderbird's idle timer,
 * compose-state.js); at every other moment there is nothing to keep. A
 * suspended page is woken by the send itself, because the listener below is
 * registered synchronously while the module graph is evaluated.
 */

import { host } from "../background.js";
import { ext } from "../lib/browser.js";
import { listenForDialogs } from "./dialog-window.js";
import { watchComposeState } from "./compose-state.js";
import { checkSend } from "./send-check.js";

listenForDialogs();
ext().compose.onBeforeSend.addListener((tab, details) => checkSend(tab, details, host));
// The live state on each compose window's own button (compose-state.js).
watchComposeState(host);
