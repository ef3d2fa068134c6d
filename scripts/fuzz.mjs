/**
 * @file `npm run fuzz [-- <seconds per target>]`: runs every cargo-fuzz
 * target of `fuzz/` for the given time (default 120 s each) and writes
 * how many executions each ran, and whether any crashed, to docs/FUZZING.md.
 * `npm test` calls `smoke()`, a short run of each that fails on any crash.
 *
 * Runs use `-s none`: the engine is safe Rust (`unsafe_code = "forbid"`),
 * so AddressSanitizer finds nothing the panics do not, and it costs several
 * times the executions. The corpus grows in a temporary directory, seeded
 * from `fuzz/seeds/`; a crashing input is kept in `fuzz/artifacts/` and its
 * path printed, for a regression test.
 */

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { capture, ENV, ROOT, run, step } from "./lib/run.mjs";
import { cargoInstall } from "./setup.mjs";

const FUZZ_DIR = path.join(ROOT, "fuzz");

/** The targets, one file each in fuzz/fuzz_targets/. */
export function targets() {
  return readdirSync(path.join(FUZZ_DIR, "fuzz_targets"))
    .filter((name) => name.endsWith(".rs"))
    .map((name) => name.slice(0, -3))
    .sort();
}

/** Installs what fuzzing needs when it is missing: nightly and cargo-fuzz. */
export function ensureFuzzTools() {
  const toolchains = capture("rustup", ["toolchain", "list"]) ?? "";
  if (!toolchains.split("\n").some((line) => line.startsWith("nightly"))) {
    run("rustup", ["toolchain", "install", "nightly", "--profile", "minimal"]);
  }
  if (capture("cargo", ["fuzz", "--version"]) === null) cargoInstall("cargo-fuzz");
}

/**
 * Runs one target for `seconds` and returns what libFuzzer reported.
 * @param {string} target
 * @param {number} seconds
 * @returns {{target: string, runs: number, seconds: number, crashed: boolean, output: string}}
 */
function fuzzOne(target, seconds) {
  const corpus = mkdtempSync(path.join(os.tmpdir(), `bcc-guard-fuzz-${target}-`));
  try {
    const args = ["+nightly", "fuzz", "run", "-s", "none", target, corpus, path.join("seeds", target), "--",
      `-max_total_time=${seconds}`, "-max_len=4096", "-timeout=10", "-rss_limit_mb=4096", "-print_final_stats=1"];
    console.log(`$ cargo ${args.join(" ")}`);
    const result = spawnSync("cargo", args, { cwd: FUZZ_DIR, env: ENV, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
    const done = output.match(/Done (\d+) runs in (\d+) second/);
    const crashed = result.status !== 0 || !done;
    if (crashed) console.log(output.split("\n").slice(-60).join("\n"));
    return { target, runs: done ? Number(done[1]) : 0, seconds: done ? Number(done[2]) : 0, crashed, output };
  } finally {
    rmSync(corpus, { recursive: true, force: true });
  }
}

/**
 * Runs every target; throws if any crashed.
 * @param {number} seconds Per target.
 */
export function fuzzAll(seconds) {
  ensureFuzzTools();
  step("Building the fuzz targets");
  run("cargo", ["+nightly", "fuzz", "build", "-s", "none"], { cwd: FUZZ_DIR });
  const results = [];
  for (const target of targets()) {
    step(`Fuzzing ${target} for ${seconds} s`);
    const result = fuzzOne(target, seconds);
    console.log(`${target}: ${result.runs.toLocaleString("en")} executions in ${result.seconds} s${result.crashed ? " — CRASHED" : ", no crash"}`);
    results.push(result);
  }
  const failed = results.filter((r) => r.crashed);
  if (failed.length) throw new Error(`fuzz target(s) crashed: ${failed.map((r) => r.target).join(", ")} (inputs in fuzz/artifacts/)`);
  return results;
}

/** The short run `npm test` makes of each target. */
export function smoke() {
  return fuzzAll(Number(process.env.FUZZ_SMOKE_SECONDS ?? 15));
}

/**
 * docs/FUZZING.md from a run's results, keeping the rows of earlier runs
 * (from the file as it was) so that the total over all runs is on record.
 * @param {ReturnType<typeof fuzzAll>} results
 * @param {number} seconds
 * @param {string} previous The file before this run, or "".
 */
function report(results, seconds, previous) {
  const date = new Date().toISOString().slice(0, 10);
  const total = results.reduce((sum, r) => sum + r.runs, 0);
  const crashes = results.filter((r) => r.crashed).length;
  const rows = results.map((r) => `| \`${r.target}\` | ${r.runs.toLocaleString("en")} | ${r.seconds} | ${r.crashed ? "**crashed**" : "0"} |`);
  const history = [...previous.matchAll(/^\| (\d{4}-\d\d-\d\d) \| (\d+) s \| ([\d,]+) \| (\d+) \|$/gm)].map((m) => m[0]);
  history.push(`| ${date} | ${seconds} s | ${total.toLocaleString("en")} | ${crashes} |`);
  const all = history.reduce((sum, row) => sum + Number(row.split("|")[3].replace(/[ ,]/g, "")), 0);
  const allCrashes = history.reduce((sum, row) => sum + Number(row.split("|")[4]), 0);
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const goal = all >= 10_000_000 && allCrashes === 0 ? "met" : `not met yet (${all.toLocaleString("en")} executions, ${allCrashes} crashes)`;
  // The differential tests' section is written by hand (their long runs are
  // not fuzzer runs); a run of this script keeps it as it is.
  const differential = previous.match(/\n## Differential tests[\s\S]*$/)?.[0] ?? "";
  return `# Fuzzing

Written by \`npm run fuzz\`. The targets are in [\`fuzz/fuzz_targets/\`](../fuzz/fuzz_targets/);
each says what it checks besides panics. \`npm test\` runs each for 15 s and fails on any crash.
Runs use \`-s none\` (the engine is safe Rust; see scripts/fuzz.mjs) on ${os.cpus().length} × ${cpu},
shared with other work, so executions per second vary between runs.

## Latest run (${date}, ${seconds} s per target)

| target | executions | seconds | crashes |
|---|---:|---:|---:|
${rows.join("\n")}
| **all** | **${total.toLocaleString("en")}** | | **${crashes}** |

## All recorded runs

| date | per target | executions | crashes |
|---|---:|---:|---:|
${history.join("\n")}

In all: **${all.toLocaleString("en")} executions, ${allCrashes} crashes**. Goal (no crash in at
least 10 million executions): ${goal}.
${differential}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const seconds = Number(process.argv[2] ?? 120);
  try {
    const results = fuzzAll(seconds);
    const file = path.join(ROOT, "docs", "FUZZING.md");
    const previous = existsSync(file) ? readFileSync(file, "utf8") : "";
    writeFileSync(file, report(results, seconds, previous));
    console.log("\nWrote docs/FUZZING.md");
  } catch (error) {
    console.error(`\nFuzzing failed: ${error.message}`);
    process.exit(1);
  }
}
