/**
 * @file `npm run package`: the files to upload or host, in dist/packages/:
 *
 *  - bcc-guard-<v>-chrome-web-store.zip  for the Chrome Web Store;
 *  - bcc-guard-<v>-edge-addons.zip       for Microsoft Edge Add-ons;
 *    (both without the manifest's `key`: the stores assign their own ID)
 *  - bcc-guard-<v>-self-hosted.zip       dist/chrome with `key`, to pack as a
 *    .crx with your own signing key (docs/ADMIN.md, "Self-hosting");
 *  - bcc-guard-<v>-firefox.zip           for addons.mozilla.org signing; the
 *    signed file it returns is the .xpi to deploy;
 *  - bcc-guard-<v>-thunderbird.xpi       dist/thunderbird, for
 *    addons.thunderbird.net or to install directly (Thunderbird accepts
 *    unsigned add-ons).
 *
 *  - bcc-guard-<v>-outlook/               the Outlook add-in as a folder to
 *    host on any HTTPS server, its manifest's URLs filled in from
 *    `--office-url https://host/path`, laid out as that origin's files (the
 *    add-in under `path/`, `.well-known/` at the root). Optional:
 *    `--office-policy policy.json` (checked by the engine, packaged, and
 *    expected by the add-in), `--office-send-mode SoftBlock|PromptUser`
 *    (Block is the default) and `--office-permissions ReadWriteItem`;
 *    docs/ADMIN.md, "Outlook". Without `--office-url` it is not written.
 *
 * It builds first and refuses to package a Firefox build that `web-ext lint`
 * finds errors in. It prints each file's size and SHA-256. The packages are
 * reproducible (scripts/lib/zip.mjs); tests/js/packages.test.mjs reads them
 * back.
 */

import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { build } from "./build.mjs";
import { lintFirefox } from "./lib/lint.mjs";
import { ROOT, step } from "./lib/run.mjs";
import { zipDirectory } from "./lib/zip.mjs";
import { checkOptions, OFFICE_DEFAULTS, policyProblems, writeOfficeSite } from "./lib/office-build.mjs";

/**
 * Zips a copy of `dir` whose manifest has been changed by `edit`.
 * @param {string} dir
 * @param {string} out
 * @param {(manifest: object) => void} edit
 */
function zipVariant(dir, out, edit) {
  const copy = mkdtempSync(path.join(os.tmpdir(), "bcc-guard-package-"));
  try {
    cpSync(dir, copy, { recursive: true });
    const manifestPath = path.join(copy, "manifest.json");
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
    edit(manifest);
    writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    return zipDirectory(copy, out);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/**
 * The Outlook add-in's options from the command line (`--name value`).
 * @param {string[]} args
 * @returns {import("./lib/office-build.mjs").OfficeOptions|null} Null without `--office-url`.
 */
function officeOptions(args) {
  const value = (name) => {
    const at = args.indexOf(name);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const base = value("--office-url");
  if (!base) return null;
  return {
    base,
    sendMode: value("--office-send-mode") ?? OFFICE_DEFAULTS.sendMode,
    permissions: value("--office-permissions") ?? OFFICE_DEFAULTS.permissions,
    policy: value("--office-policy") ?? OFFICE_DEFAULTS.policy,
  };
}

/**
 * The packages `npm run package` writes: each file's name, the unpacked
 * build it is made of, and the change to that build's manifest.
 * @param {string} dist The build folder (dist/).
 * @param {string} version
 * @returns {[string, string, (manifest: object) => void][]}
 */
export function packageList(dist, version) {
  const chrome = path.join(dist, "chrome");
  const withoutKey = (manifest) => delete manifest.key;
  const keep = () => {};
  return [
    [`bcc-guard-${version}-chrome-web-store.zip`, chrome, withoutKey],
    [`bcc-guard-${version}-edge-addons.zip`, chrome, withoutKey],
    [`bcc-guard-${version}-self-hosted.zip`, chrome, keep],
    [`bcc-guard-${version}-firefox.zip`, path.join(dist, "firefox"), keep],
    [`bcc-guard-${version}-thunderbird.xpi`, path.join(dist, "thunderbird"), keep],
  ];
}

/**
 * Writes every package of `packageList` from the builds in `dist` into
 * `out`, which is emptied first.
 * @param {string} dist
 * @param {string} out
 * @returns {{file: string, size: number, sha256: string}[]}
 */
export function writePackages(dist, out) {
  const version = JSON.parse(readFileSync(path.join(ROOT, "manifest.json"), "utf8")).version;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  return packageList(dist, version).map(([name, dir, edit]) => {
    const file = path.join(out, name);
    const size = zipVariant(dir, file, edit);
    return { file, size, sha256: createHash("sha256").update(readFileSync(file)).digest("hex") };
  });
}

async function main() {
  const office = officeOptions(process.argv.slice(2));
  // A wrong URL or mode is refused before the build, not after it.
  if (office) checkOptions(office);
  build();
  step("Linting the Firefox build");
  lintFirefox(path.join(ROOT, "dist", "firefox"));
  step("Packaging");
  const version = JSON.parse(readFileSync(path.join(ROOT, "manifest.json"), "utf8")).version;
  const out = path.join(ROOT, "dist", "packages");
  for (const { file, size, sha256 } of writePackages(path.join(ROOT, "dist"), out)) {
    console.log(`${path.relative(ROOT, file)}  ${(size / 1024).toFixed(1)} KB  sha256 ${sha256}`);
  }
  if (office) {
    const root = path.join(out, `bcc-guard-${version}-outlook`);
    const dir = writeOfficeSite(root, office);
    console.log(`${path.relative(ROOT, root)}/  the Outlook add-in as the files of ${new URL(office.base).origin}: copy them to its root`);
    console.log(`  ${path.relative(root, dir) || "."}/ is ${office.base} (${office.sendMode}, ${office.permissions}); upload its manifest.xml`);
    if (office.policy) {
      const problems = await policyProblems(office.policy);
      console.log(`  policy.json packaged and expected: ${problems.length ? `${problems.length} problem(s) the engine will report:` : "the engine finds no problem"}`);
      for (const problem of problems) console.log(`    ${problem.key || "policy"}${problem.index === null ? "" : `[${problem.index}]`}: ${problem.message}`);
    } else {
      console.log("  no policy packaged: a policy.json put beside it later is read, and its absence means no policy (--office-policy makes it expected)");
    }
  } else {
    console.log("Outlook add-in: not packaged (pass --office-url https://your.server/path; docs/ADMIN.md, \"Outlook\")");
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await main();
  } catch (error) {
    console.error(`\nPackaging failed: ${error.message}`);
    process.exit(1);
  }
}
