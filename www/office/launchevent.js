/**
 * @file The send handler for classic Outlook for Windows, which runs it in
 * a JavaScript-only runtime: one file, no imports, no DOM, ECMAScript 2016
 * before Version 2403, and no documented WebAssembly. scripts/build.mjs
 * bundles this entry with the handler's modules, the message catalogues and
 * the engine's C-ABI build as JavaScript (wasm2js) into
 * dist/office/launchevent.js, then lowers and checks it for that runtime
 * (scripts/lib/es2016.mjs).
 *
 * This file always uses the wasm2js build: whether that runtime runs
 * WebAssembly is undocumented, and the file must be self-contained, so it
 * carries the one build that runs wherever JavaScript does. The engine and
 * the policy are built while the recipients are read, and kept for the
 * runtime's later sends — except an engine built while the admin's policy
 * could not be read (layers.js), which serves one request and is then
 * dropped, so that the next send reads policy.json again.
 */

import en from "../_locales/en/messages.json";
import ja from "../_locales/ja/messages.json";
import { instantiate } from "../../build/office/engine-wasm2js.js";
import { errorReply } from "../lib/engine-client.js";
import { callEngineSync, cabiExports } from "./engine-cabi.js";
import { policyUnreadable, readLayers } from "./layers.js";
import { PACKAGE, policyExpected } from "./package-fields.js";
import { handleSend, SEND_HANDLER } from "./send-handler.js";
import { describeError } from "../lib/errors.js";

const catalogues = { en, ja };
const engines = cabiExports(instantiate);
const office = Office;
/** @type {Promise<{built: object, keep: boolean}>|null} */
let engine = null;

/** The engine for this runtime's policy, built on first use. */
function currentEngine() {
  if (!engine) {
    engine = readLayers({
      // This runtime's `fetch` takes only absolute URLs: the package writes the base in.
      policyUrl: `${PACKAGE.base}/policy.json`,
      fetch: (url) => fetch(url),
      office,
      policyExpected: policyExpected(PACKAGE),
    }).then((layers) => ({ built: new engines.Engine(JSON.stringify(layers)), keep: !policyUnreadable(layers) }));
    // A failed build is not kept: the next request tries again.
    engine.catch(() => {
      engine = null;
    });
  }
  return engine;
}

/**
 * One protocol request; never rejects (a failure is an error reply).
 * @param {object} request
 * @returns {Promise<object>}
 */
function ask(request) {
  const current = currentEngine();
  return current.then(
    ({ built, keep }) => {
      // Built on a policy that could not be read: this request only. (It is
      // not freed: a request that started with it may still be waiting for
      // it, and an engine of default-sized settings is a few kilobytes.)
      if (!keep && engine === current) engine = null;
      try {
        return callEngineSync(built, request);
      } catch (error) {
        // A trap leaves the instance unusable; the next request rebuilds it.
        engine = null;
        return errorReply("internal", describeError(error));
      }
    },
    (error) => errorReply("unavailable", `the engine could not be loaded: ${describeError(error)}`),
  );
}

currentEngine();
office.actions.associate(SEND_HANDLER, (event) => handleSend(event, { office, ask, catalogues, permissions: PACKAGE.permissions }));
