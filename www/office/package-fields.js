/**
 * @file What `npm run package` writes into the add-in's bundles for the
 * server it is packaged for (scripts/lib/office-build.mjs fills in the
 * `{{…}}` fields of commands.js, taskpane.js and launchevent.js). Only the
 * entry points read it; every other module takes these values as arguments,
 * so that tests can choose them.
 *
 * An unfilled field (the modules as written, before a build) reads as the
 * safer choice: a policy is expected, and the permission is not the one
 * `sendAsync` needs.
 */

export const PACKAGE = Object.freeze({
  /** The add-in's base URL, without a trailing slash (classic Outlook's `fetch` takes only absolute URLs). */
  base: "{{ADDIN_BASE}}",
  /** The manifest's permission: `ReadWriteMailbox`, or `ReadWriteItem` (then no `sendAsync`). */
  permissions: "{{PERMISSIONS}}",
  /** `expected` when the admin packaged a policy.json, `optional` when not. */
  policy: "{{POLICY}}",
});

/**
 * Whether the package says the admin's policy.json is there, so that its
 * absence (a 404) is a policy that could not be read, not "no policy".
 * @param {{policy: string}} fields
 * @returns {boolean}
 */
export function policyExpected(fields) {
  return fields.policy !== "optional";
}
