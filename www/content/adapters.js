/**
 * @file Which adapter reads the page: a built-in webmail's by the page's host
 * (the hosts come from data/webmail-hosts.json through www/lib/hosts.js,
 * each webmail naming its adapter by the adapter's `name`), and Roundcube's
 * on any other origin, where only the background registers the content
 * script (www/background/content-registration.js).
 */

import { WEBMAILS } from "../lib/hosts.js";
import { gmail } from "./gmail.js";
import { outlook } from "./outlook.js";
import { roundcube } from "./roundcube.js";

/** The built-in webmails' adapters, by name. */
const BUILT_IN = new Map([gmail, outlook].map((adapter) => [adapter.name, adapter]));

/**
 * Adapters by host name. A webmail whose adapter is missing here has no
 * entry (tests/js/webmail-hosts.test.mjs fails on it).
 * @type {ReadonlyMap<string, import("./guard.js").Adapter>}
 */
export const ADAPTERS = new Map(
  WEBMAILS.flatMap(({ adapter, hosts }) => (BUILT_IN.has(adapter) ? hosts.map((host) => [host, BUILT_IN.get(adapter)]) : [])),
);

/**
 * The adapter for a page.
 * @param {string} host The page's host (`pageHost()`).
 * @returns {import("./guard.js").Adapter}
 */
export function adapterFor(host) {
  return ADAPTERS.get(host) ?? roundcube;
}
