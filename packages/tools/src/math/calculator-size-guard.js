/**
 * Size checks for the calculator: mathjs functions that allocate a matrix from size arguments
 * (`zeros(1e8)`, `ones(1e9)`, `1:1e9`, `identity(1e5)`, ...) are wrapped so the number of
 * elements is checked before anything is allocated. The child process' heap limit is the
 * backstop for whatever these checks do not foresee; the checks give the clearer message.
 * Plain JavaScript so the same file runs next to src/ (tests) and dist/.
 */

/** Thrown when an expression would exceed a size limit; the engine reports it as a refusal. */
export class SizeLimitError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = "SizeLimitError";
  }
}

/** @param {unknown} value @returns {number} */
function toNumber(value) {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (value && typeof value === "object") {
    const object = /** @type {any} */ (value);
    if (object.isBigNumber || object.isFraction) return Number(object.valueOf());
  }
  return Number.NaN;
}

/** @param {unknown} value */
const isMatrixLike = (value) => Array.isArray(value) || Boolean(value && typeof value === "object" && /** @type {any} */ (value).isMatrix);

/** @param {unknown} value @returns {unknown[]} a flat list of the entries of an array or matrix */
function flatten(value) {
  const plain = /** @type {any} */ (value)?.isMatrix ? /** @type {any} */ (value).valueOf() : value;
  return Array.isArray(plain) ? plain.flat(Number.POSITIVE_INFINITY) : [plain];
}

/** @param {number[]} sizes */
const product = (sizes) => sizes.reduce((total, size) => total * Math.max(0, size), 1);

/**
 * @param {any} math the mathjs instance (its original `size` counts elements)
 * @param {unknown} value
 * @returns {number} how many elements a value holds (1 for a scalar)
 */
function countOf(math, value) {
  if (!isMatrixLike(value)) return 1;
  return product(flatten(math.size(value)).map(toNumber));
}

/**
 * The element count a size-taking call like `zeros(3, 4)`, `zeros([3, 4])` or
 * `zeros(3, 4, "sparse")` would create.
 * @param {unknown[]} args
 */
function sizeArguments(args) {
  const sizes = args.filter((arg) => typeof arg !== "string");
  if (sizes.length === 1 && isMatrixLike(sizes[0])) return flatten(sizes[0]).map(toNumber);
  return sizes.map(toNumber);
}

/**
 * @param {string} text a range string, "start:end" or "start:step:end"
 * @returns {number[]} start, end, step
 */
function parseRangeString(text) {
  const parts = text.split(":").map((part) => Number(part.trim()));
  if (parts.length === 2) return [parts[0], parts[1], 1];
  if (parts.length === 3) return [parts[0], parts[2], parts[1]];
  return [Number.NaN, Number.NaN, Number.NaN];
}

/**
 * How many elements each guarded function would create, from its arguments. Unknown forms
 * return NaN and are left to mathjs (and the heap limit).
 * @type {Record<string, (math: any, args: unknown[]) => number>}
 */
const estimates = {
  zeros: (_math, args) => product(sizeArguments(args)),
  ones: (_math, args) => product(sizeArguments(args)),
  identity: (_math, args) => {
    const sizes = sizeArguments(args);
    return sizes.length === 1 ? sizes[0] * sizes[0] : product(sizes);
  },
  random: (_math, args) => (isMatrixLike(args[0]) ? product(sizeArguments([args[0]])) : 1),
  randomInt: (_math, args) => (isMatrixLike(args[0]) ? product(sizeArguments([args[0]])) : 1),
  pickRandom: (_math, args) => {
    const option = /** @type {any} */ (args[1]);
    const count = option && typeof option === "object" && "number" in option ? option.number : option;
    return count === undefined ? 1 : toNumber(count);
  },
  range: (_math, args) => {
    const [start, end, step] =
      typeof args[0] === "string"
        ? parseRangeString(args[0])
        : [toNumber(args[0]), toNumber(args[1]), args.length > 2 && typeof args[2] !== "boolean" ? toNumber(args[2]) : 1];
    if (step === 0) return 0;
    return Math.floor(Math.abs((end - start) / step)) + 1;
  },
  resize: (_math, args) => product(sizeArguments([args[1]])),
  kron: (math, args) => countOf(math, args[0]) * countOf(math, args[1]),
  diag: (math, args) => {
    if (!isMatrixLike(args[0])) return 1;
    const sizes = flatten(math.size(args[0])).map(toNumber);
    if (sizes.length !== 1) return countOf(math, args[0]);
    const offset = typeof args[1] === "number" ? Math.abs(args[1]) : 0;
    return (sizes[0] + offset) ** 2;
  },
  concat: (math, args) => args.reduce((total, arg) => total + (typeof arg === "number" ? 0 : countOf(math, arg)), 0),
  setCartesian: (math, args) => countOf(math, args[0]) * countOf(math, args[1]),
  setPowerset: (math, args) => 2 ** countOf(math, args[0]),
};

/**
 * Wraps the allocating functions of `math` so a call that would create more than `maxElements`
 * elements throws a SizeLimitError before allocating.
 * @param {any} math a mathjs instance
 * @param {number} maxElements
 */
export function guardSizes(math, maxElements) {
  /** @type {Record<string, (...args: unknown[]) => unknown>} */
  const wrapped = {};
  for (const [name, estimate] of Object.entries(estimates)) {
    const original = math[name];
    if (typeof original !== "function") continue;
    /** @param {(...args: unknown[]) => unknown} fn */
    const guard =
      (fn) =>
      (/** @type {unknown[]} */ ...args) => {
        const count = estimate(math, args);
        if (!Number.isFinite(count) && !Number.isNaN(count)) {
          throw new SizeLimitError(`${name} would create an unbounded number of elements; use finite sizes.`);
        }
        if (count > maxElements) {
          throw new SizeLimitError(
            `${name} would create ${formatCount(count)} elements, over the calculator's limit of ${formatCount(maxElements)}; use smaller sizes.`,
          );
        }
        return fn(...args);
      };
    const replacement = /** @type {any} */ (guard(original));
    // The parser calls the transform where there is one (`1:3` includes 3; `concat` counts dimensions from 1).
    const transform = math.expression.transform[name];
    if (typeof transform === "function") replacement.transform = guard(transform);
    wrapped[name] = replacement;
  }
  math.import(wrapped, { override: true });
}

/** @param {number} count */
function formatCount(count) {
  return count >= 1e15 ? count.toExponential(2) : Math.round(count).toLocaleString("en-US");
}
