// Checks a JSON request body (what `aws ... --cli-input-json` sends) against the operation's input
// shape as the official AWS SDK for JavaScript v3 publishes it: its clients carry the Smithy
// model of every structure (member names, member types, required members) as static schema
// arrays. Unknown members, wrong types and missing required members are reported; enum values
// are not in these schemas (the caller checks them against the SDK's exported enums).
//
// Schema encoding (@smithy/core/schema): a number is a simple type (0 string, 1 number,
// 2 boolean, 4 timestamp, 15 document, 21 blob; `64 | t` a list of t, `128 | t` a map of t);
// [3, ns, name, traits, memberNames, memberSchemas, requiredCount?] a structure whose first
// requiredCount members are required; [1, ns, name, traits, member] a list; [2, ns, name,
// traits, key, value] a map; [schema, traits] a member's schema with its own traits; a function
// returns a schema (cycles are lazy).

const LIST = 64;
const MAP = 128;

/** The problems of `value` against `schema`, as "path: problem" lines (none: it conforms). */
export function shapeErrors(value, schema, path = "$") {
  const errors = [];
  check(value, schema, path, errors);
  return errors;
}

function resolve(schema) {
  let s = schema;
  while (typeof s === "function") s = s();
  // A member's schema with its traits: [schema, traits].
  if (Array.isArray(s) && s.length === 2) return resolve(s[0]);
  return s;
}

function check(value, schema, path, errors) {
  const s = resolve(schema);
  if (typeof s === "number") return checkSimple(value, s, path, errors);
  const [kind] = s;
  if (kind === 3) {
    if (!isObject(value)) return errors.push(`${path}: expected an object (${s[2]})`);
    const [, , name, , members, memberSchemas, required = 0] = s;
    for (const key of Object.keys(value)) {
      const i = members.indexOf(key);
      if (i < 0) errors.push(`${path}.${key}: not a member of ${name}`);
      else check(value[key], memberSchemas[i], `${path}.${key}`, errors);
    }
    members.slice(0, required).forEach((m) => {
      if (!(m in value)) errors.push(`${path}.${m}: required by ${name}`);
    });
  } else if (kind === 1) {
    if (!Array.isArray(value)) return errors.push(`${path}: expected a list (${s[2]})`);
    value.forEach((v, i) => check(v, s[4], `${path}[${i}]`, errors));
  } else if (kind === 2) {
    if (!isObject(value)) return errors.push(`${path}: expected a map (${s[2]})`);
    for (const [k, v] of Object.entries(value)) check(v, s[5], `${path}.${k}`, errors);
  } else {
    throw new Error(`${path}: schema kind ${kind} is not handled`);
  }
}

function checkSimple(value, type, path, errors) {
  if (type & LIST) {
    if (!Array.isArray(value)) return errors.push(`${path}: expected a list`);
    return value.forEach((v, i) => checkSimple(v, type & ~LIST, `${path}[${i}]`, errors));
  }
  if (type & MAP) {
    if (!isObject(value)) return errors.push(`${path}: expected a map`);
    return Object.entries(value).forEach(([k, v]) => checkSimple(v, type & ~MAP, `${path}.${k}`, errors));
  }
  const ok = { 0: typeof value === "string", 1: typeof value === "number",
    2: typeof value === "boolean", 15: true }[type];
  if (ok === undefined) throw new Error(`${path}: simple type ${type} is not handled`);
  if (!ok) errors.push(`${path}: expected ${{ 0: "a string", 1: "a number", 2: "a boolean" }[type]}, got ${JSON.stringify(value)}`);
}

function isObject(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
