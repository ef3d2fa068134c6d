/**
 * @file Real policy files for the end-to-end tests: Chromium reads
 * /etc/chromium/policies/managed/*.json and Firefox
 * /etc/firefox/policies/policies.json at start-up. Writing there needs root.
 */

import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

export /**
 * Installs a policy file and returns a function that removes it again,
 * restoring whatever was there before.
 * @param {string} file
 * @param {object} content
 */
function installPolicy(file, content) {
  mkdirSync(path.dirname(file), { recursive: true });
  const backup = `${file}.bcc-guard-test-backup`;
  const hadOriginal = existsSync(file);
  if (hadOriginal) renameSync(file, backup);
  writeFileSync(file, JSON.stringify(content, null, 2));
  return () => {
    rmSync(file, { force: true });
    if (hadOriginal) renameSync(backup, file);
  };
}
