/**
 * @file A Node test reporter that writes one line per skipped test or suite:
 * its file, its name and the reason it gave. `npm test` runs it beside the
 * spec reporter and prints the list after the stage, so that a skip never
 * reads as a pass in the summary (scripts/test.mjs).
 */

import path from "node:path";

/**
 * @param {AsyncIterable<{type: string, data: {name: string, skip?: string|boolean, file?: string}}>} source
 */
export default async function* skipReporter(source) {
  for await (const event of source) {
    if (event.type !== "test:pass" && event.type !== "test:fail") continue;
    const { name, skip, file } = event.data;
    if (skip === undefined || skip === false) continue;
    const where = file ? path.relative(process.cwd(), file) : "?";
    yield `${where}: ${name} — ${skip === true ? "no reason given" : skip}\n`;
  }
}
