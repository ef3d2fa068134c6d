/**
 * @file A protocol request as the text the engine reads. Hosts build
 * composes with one object per entry (`{name, address}` or `{text}`), which
 * is how they read a compose; this writes each field's entries as columns
 * instead (`{name: [...], address: [...], text: [...]}`, a string or `null`
 * per entry), which the engine reads as the same entries
 * (src/engine/protocol/read.rs). JSON.stringify writes a list of strings
 * much faster than as many small objects, and the text is shorter to encode
 * and to scan (BENCHMARKS.md, "The request as columns", has the figures).
 *
 * Nothing is lost or made up on the way. Only plain objects and arrays are
 * rewritten, and a field that is not an array of plain entries whose members
 * are strings or absent goes as it came, in the list form, so the engine
 * reads or refuses it as before; an empty field stays `[]`; and a field with
 * entries always carries at least one column, whose length is their number.
 * Members are read as JSON.stringify reads them (own ones: inherited ones
 * are ruled out by the plain-object check and, for `Object.prototype`
 * itself, once per request), with one difference kept for speed: a hidden
 * (non-enumerable) member, which JSON.stringify leaves out, is read. Such
 * members cannot come through messaging and no host builds them, and
 * reading one adds to what is checked, except where text would take the
 * place of a chip's name and address: a hidden `text` beside either is
 * left out, as JSON.stringify leaves it out, so that no address is hidden
 * by it. (Checking every member cost more than the columns save.)
 */

/** Members whose inheritance from `Object.prototype` would change what is read. */
const READ_MEMBERS = ["compose", "original", "to", "cc", "bcc", "name", "address", "text", "toJSON"];

/**
 * The JSON text of `request`, with the fields of its `compose` and
 * `original` as columns.
 * @param {object} request
 * @returns {string}
 */
export function requestText(request) {
  // A member put on Object.prototype would be inherited by every entry; in
  // that (hostile) case everything goes as JSON.stringify writes it.
  const polluted = READ_MEMBERS.some((key) => key in Object.prototype);
  if (polluted || !isPlain(request) || !(isPlain(request.compose) || isPlain(request.original))) return JSON.stringify(request);
  return JSON.stringify({ ...request, compose: composeColumns(request.compose), original: composeColumns(request.original) });
}

/**
 * Whether `value` is an object JSON.stringify writes member by member: a
 * plain object (not an array, a `Date`, a `Map`, a class instance) without
 * a `toJSON`. Anything else goes as it came, so that what the engine reads
 * is what JSON.stringify of the list form would have given it.
 * @param {unknown} value
 * @returns {value is object}
 */
function isPlain(value) {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && /** @type {any} */ (value).toJSON === undefined;
}

/**
 * A compose with its fields as columns; anything that is not a plain
 * compose object unchanged.
 * @param {unknown} compose
 */
function composeColumns(compose) {
  if (!isPlain(compose)) return compose;
  // The spread copies own enumerable members, as JSON.stringify reads them.
  const out = { ...compose };
  for (const field of ["to", "cc", "bcc"]) {
    if (Object.prototype.hasOwnProperty.call(out, field)) out[field] = columns(out[field]);
  }
  return out;
}

/**
 * One field's entries as columns, or the field unchanged when it is not a
 * list of entries the columns can carry exactly. An empty field stays `[]`:
 * the engine refuses columns with no column in them.
 * @param {unknown} entries
 */
function columns(entries) {
  if (!Array.isArray(entries) || entries.length === 0 || /** @type {any} */ (entries).toJSON !== undefined) return entries;
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
    if (!isPlain(entry)) return entries;
    const n = cell(entry.name);
    const a = cell(entry.address);
    const t = cell(entry.text !== undefined && (n !== null || a !== null) && !Object.prototype.propertyIsEnumerable.call(entry, "text") ? undefined : entry.text);
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
  // Entries with nothing in them still count: a column says how many.
  if (addresses || (!names && !texts)) out.address = address;
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
