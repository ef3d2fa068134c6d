/**
 * @file The content script's entry point, bundled into `content.js` and run
 * at `document_start` on the protected webmail hosts: the manifest's fixed
 * hosts, and the self-hosted webmail origins the background registers it on
 * at run time (`www/background/content-registration.js`).
 *
 * It stays thin: it picks the adapter for this site and installs the guard.
 * On a registered origin the adapter is Roundcube's, which recognises a
 * compose by its DOM at event time (the page is not built yet at
 * document_start) and ignores every other page.
 * It never loads the WASM engine — webmail pages' Content-Security-Policy
 * forbids compiling WASM here — and asks the background instead.
 */

import { ext } from "../lib/browser.js";
import { PROTOCOL_VERSION } from "../lib/engine-client.js";
import { USER_SETTINGS_KEY } from "../lib/settings.js";
import { adapterFor } from "./adapters.js";
import { pageHost } from "./dom.js";
import { Guard } from "./guard.js";
import { TabState } from "./tab-state.js";
import { skeleton } from "./diagnostic.js";

const adapter = adapterFor(pageHost());
const guard = new Guard(adapter, {
  // Counters for the toolbar popup: numbers only, never addresses.
  // Never throws: an old content script cut off by an extension update
  // must not break the guard over a counter.
  count: (event, n = 1) => {
    try {
      ext()
        .runtime.sendMessage({ v: PROTOCOL_VERSION, kind: "count", event, n })
        .catch(() => {});
    } catch {
      // The extension is gone from this page; nothing to count into.
    }
  },
});
guard.install();
// The toolbar badge and the popup show what the guard can see: each
// compose's health and exposed parties (numbers and states only).
const tabState = new TabState({
  health: guard.health,
  precheck: guard.precheck,
  send: (composes, fresh) => {
    try {
      ext()
        .runtime.sendMessage({ v: PROTOCOL_VERSION, kind: "health", composes, fresh })
        .catch(() => {});
    } catch {
      // The extension is gone from this page; there is no badge to set.
    }
  },
});
ext().storage.onChanged.addListener((changes, area) => {
  if (area === "managed" || USER_SETTINGS_KEY in changes) guard.forgetVerdicts();
});
// The toolbar popup asks the active tab whether the guard runs there.
if (window.top === window) {
  ext().runtime.onMessage.addListener((request, _sender, sendResponse) => {
    if (request?.kind === "diagnostic") {
      // The popup's "Copy diagnostic": the focused compose's censored skeleton.
      guard.health.scan();
      const root = tabState.focusedRoot();
      const health = root && guard.health.get(root);
      const head = [`BCC Guard diagnostic (${adapter.name})`, `state: ${health ? `${health.state} ${health.detail.reason ?? ""}` : "no compose"}`];
      sendResponse({ text: `${head.join("\n")}\n\n${root ? skeleton(health?.state === "blind" ? health.detail.finderRoot : root) : ""}` });
      return false;
    }
    if (request?.kind !== "status") return false;
    guard.health.scan();
    sendResponse({ host: pageHost(), webmail: adapter.name, composes: tabState.composes() });
    return false;
  });
}
