/**
 * @file The background: a module service worker in Chromium, an event page
 * in Firefox and Thunderbird (one manifest carries all three). It owns the
 * WASM engine and answers the content scripts' protocol requests.
 * Thunderbird's background (www/thunderbird/background.js) imports this
 * module and asks the same `host` directly from its send hook.
 *
 * Listeners are registered synchronously at the top level: a service worker
 * woken by a message must have its `onMessage` listener in place before the
 * first `await`, or the message is lost.
 */

import init, { Engine, protocolVersion } from "./pkg/bcc_guard.js";
import { ext } from "./lib/browser.js";
import { readPolicyLayers, USER_SETTINGS_KEY } from "./lib/settings.js";
import { EngineHost } from "./lib/engine-host.js";
import { addStat } from "./lib/stats.js";
import { keepRegistered } from "./background/content-registration.js";
import { mayAsk } from "./background/senders.js";
import { showHealth } from "./background/badge.js";
import { errorReply } from "./lib/engine-client.js";

/** The one engine host of this extension. */
export const host = new EngineHost({
  instantiate: async () => {
    // The glue would find the .wasm next to itself through import.meta.url;
    // naming it keeps the dependency visible.
    await init({ module_or_path: new URL("./pkg/bcc_guard_bg.wasm", import.meta.url) });
    return { Engine, protocolVersion };
  },
  readLayers: readPolicyLayers,
});

ext().runtime.onMessage.addListener((request, sender, sendResponse) => {
  // Only protocol requests from this extension's own scripts are answered.
  if (sender.id !== ext().runtime.id || !isProtocolRequest(request)) return false;
  // And only what that sender needs (background/senders.js): a content
  // script never gets the policy or the validator.
  if (!mayAsk(request.kind, sender, { id: ext().runtime.id, origin: ext().runtime.getURL("") })) {
    sendResponse(errorReply("forbidden", `"${request.kind.slice(0, 40)}" is not answered to this sender`));
    return false;
  }
  if (request.kind === "count") {
    // Counters are bookkeeping, not decisions: they never reach the engine.
    addStat(request.event, request.n);
    return false;
  }
  if (request.kind === "ping") {
    // An open compose (content/precheck.js, keepWarm) or Thunderbird's dialog window
    // (thunderbird/dialog-page.js) keeping the background warm: the
    // message itself resets the browser's idle clock; the engine is built
    // now if this start has not built it yet.
    host.warmUp();
    sendResponse({ v: request.v, ok: true, kind: "ping" });
    return false;
  }
  if (request.kind === "health") {
    // A webmail frame's composes: the tab's toolbar badge and title.
    showHealth(sender, request.composes, request.fresh === true);
    return false;
  }
  if (request.kind === "openOptions") {
    // The dialog's "Settings" link: only the background may open the page.
    ext().runtime.openOptionsPage();
    return false;
  }
  host.handle(request).then(sendResponse);
  return true; // The reply is sent asynchronously.
});

ext().storage.onChanged.addListener((changes, area) => {
  // Policy changes apply without a restart: the next request rebuilds the
  // engine from the fresh layers. The counters' writes are not policy.
  if (area === "managed" || USER_SETTINGS_KEY in changes) host.invalidate();
});

host.warmUp();

// The content script on the self-hosted webmail origins the user or the
// admin chose and the browser granted. Thunderbird, which has no webmail
// pages, is built without the `scripting` permission this needs.
if (ext().scripting) keepRegistered();

/**
 * @param {any} message
 * @returns {boolean}
 */
function isProtocolRequest(message) {
  return (
    typeof message === "object" &&
    message !== null &&
    typeof message.kind === "string" &&
    typeof message.v === "number"
  );
}
