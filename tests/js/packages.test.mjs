/**
 * @file The packages read back: every zip and xpi that `npm run package`
 * writes (scripts/package.mjs) and the zips `npm run build` writes next to
 * dist/, opened with an independent reader (yauzl, with the CRC-32 checked
 * by a table implementation of its own, not zlib's), compared entry by entry
 * and byte for byte with the unpacked build, and written twice to check
 * that the bytes do not change.
 *
 * What "the same bytes twice" covers, exactly: packaging and zipping again
 * (from a copy whose files are dated otherwise), and the build's steps
 * after the compiler run again — wasm-bindgen and wasm-opt on the release
 * WASM cargo made, and esbuild's bundle of the content script — compared
 * with what dist/ holds. Whether rustc itself writes the same WASM twice is
 * not checked here: cargo reuses its artifact, and a second release build
 * from scratch would cost minutes of the suite.
 *
 * It packages the build that `npm test` made in its build stage, with the
 * same function `npm run package` calls after its build and `web-ext lint`:
 * running the whole command here would rebuild dist/ (20 s with warm caches,
 * minutes without) while the end-to-end tests load it, and repeat the lint
 * stage.
 */

import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import zlib from "node:zlib";
import yauzl from "yauzl";
import { TARGETS, buildWasm, bundleContentScripts } from "../../scripts/build.mjs";
import { ROOT } from "../../scripts/lib/run.mjs";
import { zipDirectory } from "../../scripts/lib/zip.mjs";
import { packageList, writePackages } from "../../scripts/package.mjs";
import { NODE_MINIMUM, nodeIsSupported } from "../../scripts/setup.mjs";

const DIST = path.join(ROOT, "dist");
const VERSION = JSON.parse(readFileSync(path.join(ROOT, "manifest.json"), "utf8")).version;

/** The DOS date and time the writer stamps on every entry: 1 Jan 2020, 00:00. */
const FIXED_DATE = { date: ((2020 - 1980) << 9) | (1 << 5) | 1, time: 0 };

/** CRC-32 (ISO-HDLC, as in ZIP), bit by bit from its table, independent of zlib. */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * Every file below `dir` with its bytes, keyed by its path with `/`.
 * @param {string} dir
 * @returns {Map<string, Buffer>}
 */
function filesOf(dir) {
  const files = new Map();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath ?? entry.path, entry.name);
    files.set(path.relative(dir, full).split(path.sep).join("/"), readFileSync(full));
  }
  return files;
}

/**
 * Reads a zip with yauzl: its entries in archive order, each with its
 * inflated bytes and the central directory's fields the stores look at.
 * Each entry's local header, which yauzl only skips over, must repeat them:
 * a reader that streams the archive from the front sees only those.
 * @param {string} file
 * @returns {Promise<{name: string, data: Buffer, crc32: number, method: number, date: number, time: number, utf8: boolean}[]>}
 */
async function readZip(file) {
  const bytes = readFileSync(file);
  // strictFileNames rejects absolute paths, "..", and backslashes.
  const zip = await yauzl.fromBufferPromise(bytes, { strictFileNames: true, validateEntrySizes: true });
  const entries = [];
  for await (const entry of zip.eachEntry()) {
    const chunks = [];
    for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk);
    const at = entry.relativeOffsetOfLocalHeader;
    const local = {
      flags: bytes.readUInt16LE(at + 6),
      method: bytes.readUInt16LE(at + 8),
      time: bytes.readUInt16LE(at + 10),
      date: bytes.readUInt16LE(at + 12),
      crc32: bytes.readUInt32LE(at + 14),
      compressedSize: bytes.readUInt32LE(at + 18),
      uncompressedSize: bytes.readUInt32LE(at + 22),
      name: bytes.subarray(at + 30, at + 30 + bytes.readUInt16LE(at + 26)).toString("utf8"),
    };
    assert.deepEqual(local, {
      flags: entry.generalPurposeBitFlag,
      method: entry.compressionMethod,
      time: entry.lastModFileTime,
      date: entry.lastModFileDate,
      crc32: entry.crc32,
      compressedSize: entry.compressedSize,
      uncompressedSize: entry.uncompressedSize,
      name: entry.fileName,
    }, `${file}: ${entry.fileName}'s local header agrees with the central directory`);
    entries.push({
      name: entry.fileName,
      data: Buffer.concat(chunks),
      crc32: entry.crc32,
      method: entry.compressionMethod,
      date: entry.lastModFileDate,
      time: entry.lastModFileTime,
      utf8: (entry.generalPurposeBitFlag & 0x800) !== 0,
    });
  }
  return entries;
}

/**
 * What a package must hold: the unpacked build's files, with the manifest
 * as the package's edit leaves it.
 * @param {string} dir
 * @param {(manifest: object) => void} edit
 * @returns {Map<string, Buffer>}
 */
function expectedFiles(dir, edit) {
  const files = filesOf(dir);
  const manifest = JSON.parse(files.get("manifest.json").toString("utf8"));
  edit(manifest);
  files.set("manifest.json", Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
  return files;
}

/**
 * Checks one archive against the files it must hold.
 * @param {string} file
 * @param {Map<string, Buffer>} expected
 */
async function assertArchiveHolds(file, expected) {
  const entries = await readZip(file);
  const names = entries.map((entry) => entry.name);
  assert.deepEqual(names, [...names].sort(), "entries are in sorted order");
  assert.deepEqual([...names].sort(), [...expected.keys()].sort(), "the same files as the unpacked build, no more, no fewer");
  for (const entry of entries) {
    assert.ok(entry.data.equals(expected.get(entry.name)), `${entry.name}: the same bytes as the unpacked build`);
    assert.equal(entry.crc32, crc32(entry.data), `${entry.name}: the CRC-32 in the header matches the data`);
    assert.equal(entry.method, 8, `${entry.name}: deflated`);
    assert.deepEqual({ date: entry.date, time: entry.time }, FIXED_DATE, `${entry.name}: the fixed timestamp`);
    assert.ok(entry.utf8, `${entry.name}: the name is flagged UTF-8`);
  }
}

const built = TARGETS.every((target) => existsSync(path.join(DIST, target)));

// `npm test` builds dist/ before this stage, so a missing build is a failure, not a skip.
describe("packages", () => {
  const work = mkdtempSync(path.join(os.tmpdir(), "bcc-guard-packages-"));
  let first;
  before(() => {
    assert.ok(built, "dist/ is not built: run `npm run build` first");
    first = writePackages(DIST, path.join(work, "first"));
  });
  after(() => rmSync(work, { recursive: true, force: true }));
  /**
   * A copy of one build whose files and folders are all dated an hour
   * ahead, made once: no time may leak into an archive.
   * @param {string} target
   * @returns {string} the copy
   */
  const laterCopy = (target) => {
    const copy = path.join(work, "later", target);
    if (existsSync(copy)) return copy;
    cpSync(path.join(DIST, target), copy, { recursive: true });
    const later = new Date(Date.now() + 3600_000);
    for (const entry of readdirSync(copy, { recursive: true })) utimesSync(path.join(copy, entry), later, later);
    utimesSync(copy, later, later);
    return copy;
  };

  test("`npm run package` writes every package, each holding exactly its unpacked build", async () => {
    const list = packageList(DIST, VERSION);
    assert.deepEqual(first.map(({ file }) => path.basename(file)), list.map(([name]) => name));
    for (const [name, dir, edit] of list) {
      await assertArchiveHolds(path.join(work, "first", name), expectedFiles(dir, edit));
    }
  });

  test("the store packages leave out the manifest's key; the self-hosted one keeps it", async () => {
    const key = JSON.parse(readFileSync(path.join(DIST, "chrome", "manifest.json"), "utf8")).key;
    assert.ok(key, "dist/chrome's manifest has a key");
    const manifestIn = async (name) =>
      JSON.parse((await readZip(path.join(work, "first", name))).find((entry) => entry.name === "manifest.json").data.toString("utf8"));
    for (const store of ["chrome-web-store", "edge-addons"]) {
      assert.equal((await manifestIn(`bcc-guard-${VERSION}-${store}.zip`)).key, undefined, store);
    }
    assert.equal((await manifestIn(`bcc-guard-${VERSION}-self-hosted.zip`)).key, key);
  });

  test("packaging again, from a copy with other timestamps, gives identical bytes", () => {
    for (const target of TARGETS) laterCopy(target);
    const second = writePackages(path.join(work, "later"), path.join(work, "second"));
    assert.deepEqual(
      second.map(({ file, sha256 }) => [path.basename(file), sha256]),
      first.map(({ file, sha256 }) => [path.basename(file), sha256]),
    );
  });

  test("`npm run build`'s zips hold exactly the unpacked builds, and zipping a copy with other timestamps gives the same bytes", async () => {
    for (const target of TARGETS) {
      const zip = path.join(DIST, `bcc-guard-${VERSION}-${target}.zip`);
      await assertArchiveHolds(zip, filesOf(path.join(DIST, target)));
      // The build zips each folder as it is, so here the files' own times
      // reach the writer (packaging copies them first).
      const again = path.join(work, `${target}-again.zip`);
      zipDirectory(laterCopy(target), again);
      assert.ok(readFileSync(again).equals(readFileSync(zip)), `${target}: the same bytes`);
    }
  });
});

test("the build's steps after the compiler, run again, write the bytes dist/ holds", () => {
  assert.ok(built, "dist/ is not built: run `npm run build` first");
  const again = mkdtempSync(path.join(os.tmpdir(), "bcc-guard-rebuild-"));
  try {
    // cargo finds its release artifact up to date (the build stage just made
    // it), so this runs wasm-bindgen and wasm-opt on the same input again.
    buildWasm({ outDir: path.join(again, "pkg") });
    bundleContentScripts(again);
    const rebuilt = filesOf(path.join(again, "pkg"));
    const shipped = filesOf(path.join(DIST, "chrome", "pkg"));
    assert.deepEqual([...rebuilt.keys()].sort(), [...shipped.keys()].sort());
    for (const [name, bytes] of rebuilt) assert.ok(bytes.equals(shipped.get(name)), `pkg/${name}: the same bytes`);
    assert.ok(readFileSync(path.join(again, "content.js")).equals(readFileSync(path.join(DIST, "chrome", "content.js"))), "content.js: the same bytes");
  } finally {
    rmSync(again, { recursive: true, force: true });
  }
});

test("package.json's engines and the setup check name the Node.js versions that have zlib.crc32", () => {
  const engines = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).engines.node;
  assert.equal(engines, NODE_MINIMUM);
  const verdicts = ["20.14.0", "20.15.0", "21.7.3", "22.1.0", "22.2.0", "24.0.0"].map((v) => [v, nodeIsSupported(v)]);
  assert.deepEqual(verdicts, [["20.14.0", false], ["20.15.0", true], ["21.7.3", false], ["22.1.0", false], ["22.2.0", true], ["24.0.0", true]]);
  assert.equal(typeof zlib.crc32, "function", "this Node.js has it");
});
