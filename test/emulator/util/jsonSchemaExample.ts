/**
 * Builds a placeholder value that satisfies a JSON Schema well enough for clients to parse:
 * objects get their required properties (all properties when `required` is absent), scalars get
 * const/enum/default or a type-appropriate placeholder. Local `$ref`s (#/$defs/…, #/definitions/…) are followed.
 */

type Schema = Record<string, unknown>;

const MAX_DEPTH = 8;

export function exampleFromSchema(schema: unknown): unknown {
  return example(schema, isSchema(schema) ? schema : {}, 0);
}

function example(node: unknown, root: Schema, depth: number): unknown {
  if (!isSchema(node) || depth > MAX_DEPTH) return 'example';
  if (typeof node.$ref === 'string') return example(resolveRef(node.$ref, root), root, depth + 1);
  if ('const' in node) return node.const;
  if (Array.isArray(node.enum) && node.enum.length > 0) return node.enum[0];
  if ('default' in node) return node.default;
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    const options = node[key];
    if (Array.isArray(options) && options.length > 0) {
      const nonNull = options.find((o) => !(isSchema(o) && o.type === 'null')) ?? options[0];
      return example(nonNull, root, depth + 1);
    }
  }
  switch (schemaType(node)) {
    case 'object':
      return objectExample(node, root, depth);
    case 'array': {
      const count = Math.max(1, typeof node.minItems === 'number' ? node.minItems : 1);
      return Array.from({ length: Math.min(count, 3) }, () => example(node.items, root, depth + 1));
    }
    case 'integer':
      return numberExample(node, true);
    case 'number':
      return numberExample(node, false);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return stringExample(node);
  }
}

function objectExample(node: Schema, root: Schema, depth: number): Record<string, unknown> {
  const properties = isSchema(node.properties) ? node.properties : {};
  const required = Array.isArray(node.required)
    ? node.required.filter((k): k is string => typeof k === 'string')
    : Object.keys(properties);
  const value: Record<string, unknown> = {};
  for (const key of required) value[key] = example(properties[key], root, depth + 1);
  return value;
}

function schemaType(node: Schema): string | undefined {
  const type = node.type;
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return type.find((t) => t !== 'null') ?? 'null';
  if (isSchema(node.properties)) return 'object';
  if (node.items !== undefined) return 'array';
  return undefined;
}

function numberExample(node: Schema, integer: boolean): number {
  const min = typeof node.minimum === 'number' ? node.minimum : undefined;
  const max = typeof node.maximum === 'number' ? node.maximum : undefined;
  let value = min ?? (max !== undefined && max < 1 ? max : 1);
  if (integer) value = Math.ceil(value);
  return value;
}

function stringExample(node: Schema): string {
  switch (node.format) {
    case 'date':
      return '2026-01-01';
    case 'date-time':
      return '2026-01-01T00:00:00Z';
    case 'email':
      return 'user@example.com';
    case 'uri':
    case 'url':
      return 'https://example.com';
    case 'uuid':
      return '00000000-0000-4000-8000-000000000000';
  }
  const minLength = typeof node.minLength === 'number' ? node.minLength : 0;
  return 'example'.padEnd(minLength, 'x');
}

function resolveRef(ref: string, root: Schema): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let current: unknown = root;
  for (const segment of ref.slice(2).split('/')) {
    if (!isSchema(current)) return undefined;
    current = current[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return current;
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
