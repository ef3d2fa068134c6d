/**
 * @file A protocol request as the text the engine reads. Hosts build
 * composes with one object per entry (`{name, address}` or `{text}`), which
 * is how they read a compose; this writes each field's entries as columns
 * instead (`{name: [...], address: [...], text: [...]}`, a string or `null`
 * per entry), which the engine reads as the same entries
 * (src/engine/protocol/read.rs). A browser writes a thousand strings in a
 * list in about half the time it writes a thousand small objects, and the
 * text is a third shorter to encode and to scan: for the benchmark's 1,000
 * chips this is most of the request's cost outside the WASM (BENCHMARKS.md).
 *
 * Nothing is lost or made up on the way: a field that is not a list of
 * entries whose members are strings or absent goes as it came, in the
 * list form, so the engine refuses it with the reason it always gave; and
 * a field with entries always carries at least one column, whose length is
 * their number.
 */

/**
 * The JSON text of `request`, with the fields of its `compose` and
 * `original` as columns.
 * @param {object} request
 * @returns {string}
 */
export function requestText(request) {
  if (!isObject(request?.compose) && !isObject(request?.original)) return JSON.stringify(request);
  return JSON.stringify({ ...request, compose: composeColumns(request.compose), original: composeColumns(request.original) });
}

/**
 * @param {unknown} value
 * @returns {value is object}
 */
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A compose with its fields as columns; anything that is not a compose object
 * unchanged.
 * @param {unknown} compose
 */
function composeColumns(compose) {
  if (!isObject(compose)) return compose;
  const out = { ...compose };
  for (const field of ["to", "cc", "bcc"]) {
    if (field in compose) out[field] = columns(compose[field]);
  }
  return out;
}

/**
 * One field's entries as columns, or the field unchanged when it is not a
 * list of entries the columns can carry exactly.
 * @param {unknown} entries
 */
function columns(entries) {
  if (!Array.isArray(entries)) return entries;
  const name = [];
  const address = [];
  const text = [];
  let names = false;
  let addresses = false;
  let texts = false;
  // One loop with plain pushes: the columns stay packed arrays, which is
  // what lets JSON.stringify write them fast.
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (!isObject(entry)) return entries;
    const n = cell(entry.name);
    const a = cell(entry.address);
    const t = cell(entry.text);
    if (n === undefined || a === undefined || t === undefined) return entries;
    name.push(n);
    address.push(a);
    text.push(t);
    names ||= n !== null;
    addresses ||= a !== null;
    texts ||= t !== null;
  }
  /** @type {{name?: (string|null)[], address?: (string|null)[], text?: (string|null)[]}} */
  const out = {};
  if (names) out.name = name;
  // Entries with nothing in them still count: the column says how many.
  if (addresses || (!names && !texts && entries.length > 0)) out.address = address;
  if (texts) out.text = text;
  return out;
}

/**
 * A member as a column's cell: the string, `null` for an absent member, or
 * `undefined` for a value the list form must carry (the engine refuses it).
 * @param {unknown} value
 * @returns {string|null|undefined}
 */
function cell(value) {
  if (value === undefined || value === null) return null;
  return typeof value === "string" ? value : undefined;
}
