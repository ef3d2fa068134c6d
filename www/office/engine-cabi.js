/**
 * @file The JavaScript side of the engine's C-ABI build (c-abi/src/lib.rs):
 * the same Rust engine, compiled without wasm-bindgen for MVP WebAssembly
 * and turned into plain JavaScript by binaryen's wasm2js, so that it runs
 * where WebAssembly may not — the JavaScript-only runtime in which classic
 * Outlook for Windows runs the add-in's send handler — and in a browser
 * runtime whose WebAssembly is switched off.
 *
 * It offers what the wasm-bindgen build's module offers (`Engine` with
 * `handle(bytes) → bytes`, `protocolVersion()`), so that the extension's
 * engine host (www/lib/engine-host.js) and the add-in's handler can
 * use either build unchanged. Part of the classic-Windows handler file
 * (ECMAScript 2016, and no TextEncoder unless the runtime has one).
 */

import { requestText } from "../lib/request-text.js";

/**
 * @typedef {object} CAbiInstance What the wasm2js module's `instantiate()` returns.
 * @property {{buffer: ArrayBuffer}} memory
 * @property {(len: number) => number} bcc_alloc
 * @property {(ptr: number, len: number) => void} bcc_free
 * @property {(ptr: number, len: number) => number} bcc_engine_new
 * @property {(engine: number) => void} bcc_engine_free
 * @property {(engine: number, ptr: number, len: number) => number} bcc_handle
 * @property {() => number} bcc_protocol_version
 */

/**
 * The wasm-bindgen-shaped exports over a C-ABI build.
 *
 * A panic in the engine (release builds abort) traps: the call throws, and
 * the instance's memory may be left half-written. So after any throw the
 * instance is dropped and the next `Engine` gets a fresh one, as the
 * wasm-bindgen build's panic hook arranges for itself; an `Engine` built on
 * a dropped instance throws until it is rebuilt, which the callers do.
 * @param {() => CAbiInstance} instantiate Makes a fresh instance (the
 *   wasm2js module's `instantiate`, or one over real WebAssembly).
 * @returns {{Engine: any, protocolVersion: () => number}}
 */
export function cabiExports(instantiate) {
  let current = null;
  const instance = () => {
    if (!current) current = instantiate();
    return current;
  };

  /**
   * Runs `body` on the current instance, dropping it if anything throws.
   * @template T
   * @param {CAbiInstance} on
   * @param {(module: CAbiInstance) => T} body
   * @returns {T}
   */
  const guarded = (on, body) => {
    try {
      return body(on);
    } catch (error) {
      if (current === on) current = null;
      throw error;
    }
  };

  class Engine {
    /** @param {string} layersJson `{"managed": …, "user": …}` as JSON text. */
    constructor(layersJson) {
      this.module = instance();
      this.pointer = guarded(this.module, (module) => {
        const bytes = encodeUtf8(String(layersJson));
        return module.bcc_engine_new(copyIn(module, bytes), bytes.length);
      });
    }

    /**
     * One protocol request as UTF-8 JSON; the reply likewise.
     * @param {Uint8Array} request
     * @returns {Uint8Array}
     */
    handle(request) {
      if (this.module !== current || !this.pointer) {
        throw new Error("the engine's instance was reset after a failure; build a new Engine");
      }
      return guarded(this.module, (module) => {
        const reply = module.bcc_handle(this.pointer, copyIn(module, request), request.length);
        if (!reply) throw new Error("the engine could not allocate its reply");
        const length = new DataView(module.memory.buffer).getUint32(reply, true);
        const out = new Uint8Array(module.memory.buffer, reply + 4, length).slice();
        module.bcc_free(reply, length + 4);
        return out;
      });
    }

    /** Drops the engine (a no-op on an instance that was reset). */
    free() {
      if (this.module === current && this.pointer) this.module.bcc_engine_free(this.pointer);
      this.pointer = 0;
    }
  }

  return { Engine, protocolVersion: () => guarded(instance(), (module) => module.bcc_protocol_version()) };
}

/**
 * Copies bytes into a fresh buffer of the instance; the engine frees it.
 * @param {CAbiInstance} module
 * @param {Uint8Array} bytes
 * @returns {number} The pointer.
 */
function copyIn(module, bytes) {
  // Zero bytes: the engine reads nothing (and answers a malformed request).
  if (!bytes.length) return 0;
  const pointer = module.bcc_alloc(bytes.length);
  if (!pointer) throw new Error("the engine could not allocate its input");
  // The buffer may have grown (and been replaced) during bcc_alloc.
  new Uint8Array(module.memory.buffer, pointer, bytes.length).set(bytes);
  return pointer;
}

/**
 * UTF-8 bytes of a string: TextEncoder where the runtime has one, else by
 * hand (the JavaScript-only runtime documents no TextEncoder).
 * @param {string} text
 * @returns {Uint8Array}
 */
export function encodeUtf8(text) {
  if (typeof TextEncoder === "function") return new TextEncoder().encode(text);
  const out = [];
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    // A lone surrogate becomes U+FFFD, as TextEncoder writes it.
    if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
    if (code < 0x80) out.push(code);
    else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 63));
    else if (code < 0x10000) out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
    else out.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 63), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
  }
  return new Uint8Array(out);
}

/**
 * The string of UTF-8 bytes the engine wrote (always valid UTF-8: it is
 * serde_json's output): TextDecoder where the runtime has one, else by hand.
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function decodeUtf8(bytes) {
  if (typeof TextDecoder === "function") return new TextDecoder().decode(bytes);
  let out = "";
  let chunk = [];
  for (let i = 0; i < bytes.length; ) {
    const byte = bytes[i];
    let code;
    if (byte < 0x80) {
      code = byte;
      i += 1;
    } else if (byte < 0xe0) {
      code = ((byte & 31) << 6) | (bytes[i + 1] & 63);
      i += 2;
    } else if (byte < 0xf0) {
      code = ((byte & 15) << 12) | ((bytes[i + 1] & 63) << 6) | (bytes[i + 2] & 63);
      i += 3;
    } else {
      code = ((byte & 7) << 18) | ((bytes[i + 1] & 63) << 12) | ((bytes[i + 2] & 63) << 6) | (bytes[i + 3] & 63);
      i += 4;
    }
    if (code >= 0x10000) {
      code -= 0x10000;
      chunk.push(0xd800 + (code >> 10), 0xdc00 + (code & 1023));
    } else {
      chunk.push(code);
    }
    // fromCharCode takes its arguments on the stack: a few thousand at a time.
    if (chunk.length >= 4096) {
      out += String.fromCharCode.apply(null, chunk);
      chunk = [];
    }
  }
  return out + String.fromCharCode.apply(null, chunk);
}

/**
 * One protocol call through any build's `Engine`, synchronously: for the
 * classic-Windows handler, which must not use `async`. Throws what the
 * engine throws (the caller turns it into an error reply).
 * @param {{handle: (request: Uint8Array) => Uint8Array}} engine
 * @param {object} request
 * @returns {object}
 */
export function callEngineSync(engine, request) {
  return JSON.parse(decodeUtf8(engine.handle(encodeUtf8(requestText(request)))));
}
