/**
 * @file The engine in the add-in's browser runtime (Outlook on the web, new
 * Outlook for Windows, Outlook on Mac, and every function command and task
 * pane): the extension's own engine host (www/lib/engine-host.js)
 * over one of the two builds of the same Rust engine, chosen by feature
 * detection:
 *
 *  - the extension's WASM (wasm-bindgen, `pkg/`) where WebAssembly exists
 *    and instantiates;
 *  - else the C-ABI build turned into JavaScript by wasm2js
 *    (`engine-wasm2js.js`), which needs no WebAssembly: the same protocol,
 *    about twenty times slower on 1,000 recipients (BENCHMARKS.md), loaded
 *    only when needed.
 *
 * Both files and `policy.json` come from the add-in's own origin; nothing
 * else is requested.
 *
 * The host keeps its engine between requests, except one built while the
 * admin's policy could not be read (layers.js): that engine applies the
 * strictest settings in the policy's place, and the next request reads
 * policy.json again, so that one network blip does not outlive one send.
 */

import { EngineHost } from "../lib/engine-host.js";
import { cabiExports } from "./engine-cabi.js";
import { policyUnreadable, readLayers } from "./layers.js";
import { describeError } from "../lib/errors.js";

/**
 * @typedef {object} Loaders How to load each build (tests pass their own).
 * @property {() => Promise<object>} wasm The wasm-bindgen module, initialised.
 * @property {() => Promise<{instantiate: () => object}>} wasm2js The wasm2js module.
 */

/**
 * Whether this runtime can run WebAssembly at all.
 * @returns {boolean}
 */
export function hasWebAssembly() {
  return typeof WebAssembly === "object" && WebAssembly !== null && typeof WebAssembly.instantiate === "function";
}

/**
 * The default loaders: the add-in's files beside this bundle.
 * @param {URL|string} base The add-in's base URL (ending in "/").
 * @returns {Loaders}
 */
export function defaultLoaders(base) {
  return {
    async wasm() {
      const glue = await import(/* webpackIgnore: true */ new URL("pkg/bcc_guard.js", base).href);
      await glue.default({ module_or_path: new URL("pkg/bcc_guard_bg.wasm", base) });
      return glue;
    },
    wasm2js: () => import(/* webpackIgnore: true */ new URL("engine-wasm2js.js", base).href),
  };
}

/** The extension's engine host, which does not keep an engine built on an unreadable policy. */
class OfficeEngineHost extends EngineHost {
  constructor(deps) {
    super(deps);
    /** Whether the engine being built or in use came from layers whose policy could not be read. */
    this.policyUnread = false;
  }

  /** @param {object} request */
  async handle(request) {
    const reply = await super.handle(request);
    // After the reply, so that no request still in flight loses its engine.
    if (this.policyUnread) {
      this.policyUnread = false;
      this.invalidate();
    }
    return reply;
  }
}

/**
 * An engine host for the add-in.
 * @param {object} deps
 * @param {any} deps.office The `Office` namespace (for roamingSettings).
 * @param {URL|string} deps.base The add-in's base URL (ending in "/").
 * @param {(url: string) => Promise<Response>} deps.fetch
 * @param {boolean} deps.policyExpected Whether the package says policy.json
 *   is there (www/office/package-fields.js).
 * @param {Loaders} [deps.loaders]
 * @param {boolean} [deps.webAssembly] Whether to try the WASM build first
 *   (feature detection unless a test says otherwise).
 * @returns {EngineHost & {build: string|null}} `build` says which build answered
 *   (`wasm` or `wasm2js`) once one has loaded.
 */
export function officeEngineHost({ office, base, fetch, policyExpected, loaders = defaultLoaders(base), webAssembly = hasWebAssembly() }) {
  const host = /** @type {OfficeEngineHost & {build: string|null}} */ (new OfficeEngineHost({
    async instantiate() {
      if (webAssembly) {
        try {
          const glue = await loaders.wasm();
          host.build = "wasm";
          return glue;
        } catch (error) {
          // WebAssembly exists but would not compile here (switched off by
          // policy, or refused): the JavaScript build answers instead.
          console.warn(`BCC Guard: the WebAssembly engine did not load (${describeError(error)}); using the JavaScript build`);
        }
      }
      const module = await loaders.wasm2js();
      host.build = "wasm2js";
      return cabiExports(module.instantiate);
    },
    readLayers: () =>
      readLayers({ policyUrl: new URL("policy.json", base).href, fetch, office, policyExpected }).then((layers) => {
        host.policyUnread = policyUnreadable(layers);
        return layers;
      }),
  }));
  host.build = null;
  return host;
}
