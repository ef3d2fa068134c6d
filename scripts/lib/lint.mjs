/**
 * @file `web-ext lint` on the Firefox build, shared by `npm test` and
 * `npm run package`: zero errors, warnings printed.
 */

import { capture, run } from "./run.mjs";

/**
 * Lints an unpacked Firefox extension and throws if Mozilla's linter finds
 * an error.
 * @param {string} dir
 */
export function lintFirefox(dir) {
  const output = capture("web-ext", ["lint", "--source-dir", dir, "--output", "json", "--no-config-discovery"]);
  if (output === null) {
    // web-ext exits non-zero when it finds errors; run again to show them.
    run("web-ext", ["lint", "--source-dir", dir, "--no-config-discovery"]);
    throw new Error("web-ext lint failed");
  }
  const report = JSON.parse(output);
  for (const warning of report.warnings) console.log(`warning ${warning.code}: ${warning.message} (${warning.file ?? ""})`);
  console.log(`web-ext lint: ${report.errors.length} errors, ${report.warnings.length} warnings, ${report.notices.length} notices`);
  if (report.errors.length > 0) {
    for (const error of report.errors) console.error(`error ${error.code}: ${error.message} (${error.file ?? ""})`);
    throw new Error("web-ext lint found errors");
  }
}
