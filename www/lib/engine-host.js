/**
 * @file The engine's host: it owns the WASM engine, keeps it in step with
 * the policy, and turns every failure into a reply. The extension's
 * background (www/background.js) and the Outlook add-in's browser runtime
 * (www/office/engine-loader.js) each run one; `callEngine` is also how the
 * options page calls the engine it loads itself to validate a draft.
 *
 * The host is written against two injected functions so that Node's test
 * runner can drive it with the real WASM: `instantiate` loads the
 * wasm-bindgen module and returns its exports, and `readLayers` fetches the
 * managed and user policy layers.
 */

import { errorReply, PROTOCOL_VERSION } from "../lib/engine-client.js";
import { describeError } from "./errors.js";
import { requestText } from "./request-text.js";

/**
 * @typedef {object} Engine The wasm-bindgen class (src/wasm.rs).
 * @property {(request: Uint8Array) => Uint8Array} handle JSON text in, JSON text out.
 * @property {() => void} free
 *
 * @typedef {object} EngineExports The wasm-bindgen module's exports we use.
 * @property {new (layersJson: string) => Engine} Engine Takes `{managed, user}` as JSON text.
 * @property {() => number} protocolVersion
 */

/** The compose the engine is asked about when it is built (see `currentEngine`). */
const EMPTY_COMPOSE = Object.freeze({ account: null, host: "", complete: true, to: [], cc: [], bcc: [] });

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * One protocol call into the engine. Requests and replies cross the WASM
 * boundary as JSON text: the browser's own JSON code does the encoding and
 * builds the reply object, which for large recipient lists is many times
 * faster than building JS values one by one from Rust (src/wasm.rs explains);
 * the request's entries go as columns (./request-text.js says why).
 * @param {Engine} engine
 * @param {object} request
 * @returns {object} The reply.
 */
export function callEngine(engine, request) {
  return JSON.parse(decoder.decode(engine.handle(encoder.encode(requestText(request)))));
}

export class EngineHost {
  /**
   * @param {object} deps
   * @param {() => Promise<EngineExports>} deps.instantiate Loads the WASM once.
   * @param {() => Promise<{managed: object|null, user: object|null}>} deps.readLayers
   */
  constructor({ instantiate, readLayers }) {
    this.instantiate = instantiate;
    this.readLayers = readLayers;
    /** @type {Promise<EngineExports>|null} */
    this.exports = null;
    /** @type {Promise<object>|null} The engine for the current policy. */
    this.engine = null;
    /**
     * Whether the current policy lets the user send despite a warning, as
     * the engine said when it was built for it; `null` until then and after
     * the policy changes. Error replies carry it, because a host whose
     * check failed must know whether it may offer "Send anyway".
     * @type {boolean|null}
     */
    this.sendAnyway = null;
  }

  /**
   * Starts loading the WASM and the policy now, so that the first request
   * after the service worker wakes does not pay for both in sequence.
   */
  warmUp() {
    this.currentEngine().catch(() => {});
  }

  /** Forgets the engine so the next request rebuilds it from fresh policy. */
  invalidate() {
    const old = this.engine;
    this.engine = null;
    this.sendAnyway = null;
    old?.then((engine) => engine.free?.(), () => {});
  }

  /**
   * The engine for the current policy, built on first use.
   * @returns {Promise<object>}
   */
  currentEngine() {
    if (!this.engine) {
      this.exports ??= this.instantiate();
      const building = Promise.all([this.exports, this.readLayers()]).then(
        ([exports, layers]) => {
          // After a panic, wasm-bindgen swaps in a fresh instance at the start
          // of the next call, but only after that call has copied its
          // arguments into the old instance's memory (glue 0.2.130), so the
          // layers would be read from the wrong memory. A call without
          // arguments first makes the swap happen before they are copied.
          exports.protocolVersion();
          const engine = new exports.Engine(JSON.stringify(layers));
          // The engine's own answer about this policy, learnt now so that a
          // later failure can still say it (an empty compose stops nothing;
          // its verdict carries `policyAllowsSendAnyway`).
          const probe = callEngine(engine, { v: PROTOCOL_VERSION, kind: "evaluate", compose: EMPTY_COMPOSE });
          const allowed = probe.verdict?.policyAllowsSendAnyway;
          if (this.engine === building && typeof allowed === "boolean") this.sendAnyway = allowed;
          return engine;
        },
      );
      // A failed build must not be cached, or one bad moment breaks the guard for good.
      building.catch(() => {
        if (this.engine === building) this.engine = null;
      });
      this.engine = building;
    }
    return this.engine;
  }

  /**
   * Answers one protocol request. Never rejects: a failure to load, a thrown
   * error or a panic inside the engine all become error replies, and the
   * next request starts from a fresh engine.
   * @param {object} request
   * @returns {Promise<object>}
   */
  async handle(request) {
    let engine;
    try {
      engine = await this.currentEngine();
    } catch (error) {
      this.exports = null;
      return this.failure("unavailable", `the engine could not be loaded: ${describeError(error)}`);
    }
    try {
      return callEngine(engine, request);
    } catch (error) {
      // After a panic the WASM instance is replaced on its next call and
      // objects of the old instance are gone, so the engine must be rebuilt.
      // The policy is unchanged, and so is what it said about "Send anyway".
      this.engine = null;
      return this.failure("internal", describeError(error));
    }
  }

  /**
   * An error reply, with `policyAllowsSendAnyway` when the engine said it
   * for the current policy.
   * @param {string} code
   * @param {string} message
   * @returns {object}
   */
  failure(code, message) {
    const reply = errorReply(code, message);
    return typeof this.sendAnyway === "boolean" ? { ...reply, policyAllowsSendAnyway: this.sendAnyway } : reply;
  }

  /**
   * The effective policy (settings, locks, problems), for extension pages.
   * @returns {Promise<object>}
   */
  async policy() {
    return this.handle({ v: PROTOCOL_VERSION, kind: "policy" });
  }
}

