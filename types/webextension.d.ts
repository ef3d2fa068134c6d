// The WebExtension namespaces, for the type check of www/ (tsconfig.json).
//
// They are declared loosely on purpose: the extension runs on Chromium's
// `chrome`, Firefox's `browser` and Thunderbird's (which adds `compose`,
// `addressBooks` and `windows` of its own) through one facade,
// www/lib/browser.js `ext()`, and no maintained declaration covers all three.
// The check is about our own code — the adapters against the `Adapter`
// typedef, the guard, the dialog, the protocol's JSDoc — not the browsers'.

declare var chrome: any;
declare var browser: any;

declare namespace chrome {
  namespace runtime {
    /** A `runtime.connect` port. */
    type Port = any;
  }
  namespace storage {
    /** `storage.sync`, `storage.local` or `storage.managed`. */
    type StorageArea = any;
  }
}
