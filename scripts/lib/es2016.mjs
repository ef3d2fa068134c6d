/**
 * @file The language the classic-Outlook-for-Windows handler file may use,
 * and the one rewrite that gets the bundle there.
 *
 * Microsoft's troubleshooting guide for event-based add-ins says that in
 * classic Outlook on Windows before Version 2403 the handler's JavaScript
 * must be ECMAScript 2016: `async`/`await` make the add-in time out, and
 * "the conditional (ternary) operator … will prevent your add-in from
 * loading". esbuild (target es2016) takes care of everything newer than
 * ES2016 except that it lowers `async` into generators and `??`/`?.` into
 * conditionals, and binaryen's wasm2js writes conditionals too (about a
 * thousand in the engine). So:
 *
 *  - `lowerConditionals` rewrites every `a ? b : c` into code without the
 *    operator, keeping its meaning: as an `if` statement where it is the
 *    right-hand side of an assignment statement; as a call of a tiny select
 *    function where both branches are side-effect-free and cannot throw
 *    (plain arithmetic on variables and typed-array reads, which is what
 *    wasm2js's `select` produces) so evaluating both is harmless; and
 *    otherwise as `((a) && [b] || [c])[0]`, which evaluates exactly one
 *    branch, as the operator does.
 *  - `es2016Problems` parses a file as an ES2016 script (acorn) and lists
 *    what that runtime is documented to refuse: syntax after ES2016,
 *    `import`/`export`, conditionals, and generators (which is what
 *    `async` became; whether that runtime's generators behave is not
 *    documented, so the file has none).
 */

import { createRequire } from "node:module";

/**
 * acorn, loaded when first used rather than imported: `npm test` and
 * `npm run build` import this file before their setup step has installed
 * the npm packages on a fresh machine, and a static import would fail there.
 * @type {(source: string, options: object) => any}
 */
function parse(source, options) {
  return createRequire(import.meta.url)("acorn").parse(source, options);
}

/** The select function the lowering calls; prepended once to the file. */
export const SELECT = "__bccSelect";
const SELECT_DEFINITION = `function ${SELECT}(c, a, b) { if (c) { return a; } return b; }\n`;

/** wasm2js's typed-array views of memory: reading one never throws. */
const HEAP = /^HEAP(8|16|32|U8|U16|U32|F32|F64)$/;

/**
 * Rewrites every conditional expression of a script (see the file's header).
 * @param {string} source An ES2016 script.
 * @returns {string}
 */
export function lowerConditionals(source) {
  const ast = parse(source, { ecmaVersion: 2016, sourceType: "script" });
  const body = emit(ast, source);
  return body === source ? source : SELECT_DEFINITION + body;
}

/**
 * The text of `node` with each outermost rewrite target inside it
 * rewritten.
 * @param {any} node
 * @param {string} source
 * @returns {string}
 */
function emit(node, source) {
  if (node.type === "ConditionalExpression") return rewrite(node, source);
  const targets = [];
  collect(node, targets, true);
  let out = "";
  let at = node.start;
  for (const target of targets) {
    out += source.slice(at, target.start) + rewrite(target, source);
    at = target.end;
  }
  return out + source.slice(at, node.end);
}

/**
 * Collects the outermost rewrite targets under `node`, in source order: an
 * assignment statement whose value is a conditional, or a conditional.
 * @param {any} node
 * @param {any[]} targets
 * @param {boolean} root Whether `node` itself is being emitted (never a target).
 */
function collect(node, targets, root) {
  if (!node || typeof node.type !== "string") return;
  if (!root && (isConditionalAssignment(node) || node.type === "ConditionalExpression")) {
    targets.push(node);
    return;
  }
  for (const key of Object.keys(node)) {
    const value = node[key];
    if (key === "type" || !value || typeof value !== "object") continue;
    if (Array.isArray(value)) value.forEach((child) => collect(child, targets, false));
    else collect(value, targets, false);
  }
}

/** `x = a ? b : c;` with a plain variable on the left. */
function isConditionalAssignment(node) {
  return (
    node.type === "ExpressionStatement" &&
    node.expression.type === "AssignmentExpression" &&
    node.expression.operator === "=" &&
    node.expression.left.type === "Identifier" &&
    node.expression.right.type === "ConditionalExpression"
  );
}

/**
 * @param {any} node A rewrite target.
 * @param {string} source
 */
function rewrite(node, source) {
  if (node.type === "ExpressionStatement") {
    const name = node.expression.left.name;
    const conditional = node.expression.right;
    const [test, yes, no] = [conditional.test, conditional.consequent, conditional.alternate].map((n) => emit(n, source));
    return `{ if (${test}) { ${name} = ${yes}; } else { ${name} = ${no}; } }`;
  }
  const [test, yes, no] = [node.test, node.consequent, node.alternate].map((n) => emit(n, source));
  if (pure(node.consequent) && pure(node.alternate)) return `${SELECT}(${test}, ${yes}, ${no})`;
  return `((${test}) && [(${yes})] || [(${no})])[0]`;
}

/**
 * Whether evaluating `node` can neither have an effect nor throw, so that
 * it may be evaluated even where the conditional would not have.
 * @param {any} node
 * @returns {boolean}
 */
function pure(node) {
  switch (node.type) {
    case "Identifier":
    case "Literal":
      return true;
    case "UnaryExpression":
      return node.operator !== "delete" && pure(node.argument);
    case "BinaryExpression":
      return node.operator !== "in" && node.operator !== "instanceof" && pure(node.left) && pure(node.right);
    case "LogicalExpression":
      return pure(node.left) && pure(node.right);
    case "ConditionalExpression":
      return pure(node.test) && pure(node.consequent) && pure(node.alternate);
    case "MemberExpression":
      return node.computed && node.object.type === "Identifier" && HEAP.test(node.object.name) && pure(node.property);
    default:
      return false;
  }
}

/**
 * What the classic-Windows runtime is documented to refuse in a file.
 * @param {string} source
 * @returns {string[]} Problems, each with its line; empty when the file fits.
 */
export function es2016Problems(source) {
  let ast;
  try {
    ast = parse(source, { ecmaVersion: 2016, sourceType: "script", locations: true });
  } catch (error) {
    return [`not an ECMAScript 2016 script: ${error.message}`];
  }
  const problems = [];
  const visit = (node) => {
    if (!node || typeof node.type !== "string") return;
    if (node.type === "ConditionalExpression") problems.push(`line ${node.loc.start.line}: a conditional (?:) operator`);
    if ((node.type === "FunctionDeclaration" || node.type === "FunctionExpression") && (node.generator || node.async)) {
      problems.push(`line ${node.loc.start.line}: a generator or async function`);
    }
    for (const key of Object.keys(node)) {
      const value = node[key];
      if (key === "type" || key === "loc" || !value || typeof value !== "object") continue;
      if (Array.isArray(value)) value.forEach(visit);
      else visit(value);
    }
  };
  visit(ast);
  return problems;
}
