/**
 * @file Running commands from the build, test and bench scripts, with each
 * step announced so that a log shows what happened and where it stopped.
 */

import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** `node_modules/.bin` and cargo's bin directory come first on PATH. */
export const ENV = {
  ...process.env,
  PATH: [
    path.join(ROOT, "node_modules", ".bin"),
    path.join(process.env.CARGO_HOME ?? path.join(process.env.HOME ?? "/root", ".cargo"), "bin"),
    process.env.PATH,
  ].join(path.delimiter),
};

/**
 * Prints a step heading.
 * @param {string} text
 */
export function step(text) {
  console.log(`\n==> ${text}`);
}

/**
 * Runs a command, streaming its output, and throws if it fails.
 * @param {string} command
 * @param {string[]} args
 * @param {import("node:child_process").SpawnSyncOptions} [options]
 */
export function run(command, args, options = {}) {
  console.log(`$ ${[command, ...args].join(" ")}`);
  const result = spawnSync(command, args, { cwd: ROOT, env: ENV, stdio: "inherit", ...options });
  if (result.error) throw new Error(`${command} could not be started: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed with exit code ${result.status}`);
}

/**
 * Runs a command quietly and returns its trimmed standard output, or `null`
 * if it cannot be run or fails.
 * @param {string} command
 * @param {string[]} args
 * @returns {string|null}
 */
export function capture(command, args) {
  const result = spawnSync(command, args, { cwd: ROOT, env: ENV, encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : null;
}

/**
 * Whether a command is on PATH.
 * @param {string} command
 * @returns {boolean}
 */
export function has(command) {
  return spawnSync("sh", ["-c", `command -v ${command}`], { env: ENV }).status === 0;
}
