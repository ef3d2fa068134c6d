/**
 * @file The built-in webmails and the hosts they are served on. Written by
 * `npm run build` from data/webmail-hosts.json, the one list (the engine's
 * `SUPPORTED_HOSTS`, the manifest's content scripts and managed_schema.json
 * come from it too): edit that file, not this one.
 */

/**
 * Each built-in webmail: the name of the content script's adapter for it
 * (www/content/adapters.js) and its hosts.
 * @type {ReadonlyArray<{adapter: string, hosts: ReadonlyArray<string>}>}
 */
export const WEBMAILS = Object.freeze([
  Object.freeze({ adapter: "gmail", hosts: Object.freeze(["mail.google.com"]) }),
  Object.freeze({ adapter: "outlook", hosts: Object.freeze(["outlook.office.com", "outlook.office365.com", "outlook.live.com", "outlook.cloud.microsoft"]) }),
]);

/**
 * Every built-in host: where the manifest runs the content script, the
 * policy's `protectedHosts` choices, and the hosts a self-hosted webmail
 * origin may not name (webmail-origins.js).
 */
export const SUPPORTED_HOSTS = Object.freeze(WEBMAILS.flatMap((webmail) => webmail.hosts));
