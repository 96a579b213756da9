import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { OpenApiDocument, DocumentedOperation } from '../openapi/document';

const SCHEMAS_ID = 'urn:gridledger:openapi:schemas';

/** Rewrites `#/components/schemas/X` references to the registered schema bundle. */
function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) out[k] = `${SCHEMAS_ID}#/$defs/${v.slice('#/components/schemas/'.length)}`;
      else out[k] = rewriteRefs(v);
    }
    return out;
  }
  return value;
}

/** Ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1) loaded with the document's schemas. */
export function createAjv(doc: OpenApiDocument, options: { coerceTypes?: boolean } = {}): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, coerceTypes: options.coerceTypes ?? false, useDefaults: true });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'example' });
  ajv.addSchema({ $id: SCHEMAS_ID, $defs: rewriteRefs(doc.components.schemas) as Record<string, unknown> });
  return ajv;
}

/** Resolves a `#/components/...` reference inside the document. */
export function resolveRef<T = Record<string, unknown>>(doc: OpenApiDocument, value: unknown): T {
  const ref = (value as { $ref?: string })?.$ref;
  if (!ref) return value as T;
  const parts = ref.replace(/^#\//, '').split('/');
  let node: unknown = doc;
  for (const p of parts) node = (node as Record<string, unknown>)[p];
  return node as T;
}

interface ParamSpec {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: Record<string, unknown>;
}

/** Compiled request validators of one operation. */
export interface RequestValidator {
  params?: ValidateFunction;
  query?: ValidateFunction;
  headers?: ValidateFunction;
  body?: ValidateFunction;
  bodyRequired: boolean;
  /** Header names documented for the operation, lower-case. */
  headerNames: string[];
}

function objectSchema(params: ParamSpec[], allowOthers: boolean, lowerNames = false): Record<string, unknown> {
  const name = (p: ParamSpec): string => (lowerNames ? p.name.toLowerCase() : p.name);
  return {
    type: 'object',
    properties: Object.fromEntries(params.map((p) => [name(p), rewriteRefs(p.schema)])),
    required: params.filter((p) => p.required).map(name),
    additionalProperties: allowOthers,
  };
}

/** Compiles the validators of an operation from its parameters and request body. */
export function compileRequestValidator(ajv: Ajv2020, doc: OpenApiDocument, op: DocumentedOperation): RequestValidator {
  const params = ((op.spec.parameters as unknown[] | undefined) ?? []).map((p) => resolveRef<ParamSpec>(doc, p));
  const by = (where: ParamSpec['in']): ParamSpec[] => params.filter((p) => p.in === where);
  const v: RequestValidator = { bodyRequired: false, headerNames: by('header').map((p) => p.name.toLowerCase()) };
  if (by('path').length) v.params = ajv.compile(objectSchema(by('path'), false));
  // Unknown query parameters are refused: a typo should not be silently ignored.
  v.query = ajv.compile(objectSchema(by('query'), false));
  if (by('header').length) v.headers = ajv.compile(objectSchema(by('header'), true, true));
  const body = op.spec.requestBody as { required?: boolean; content?: Record<string, { schema: unknown }> } | undefined;
  const schema = body?.content?.['application/json']?.schema;
  if (schema) {
    v.body = ajv.compile(rewriteRefs(schema) as object);
    v.bodyRequired = body?.required === true;
  }
  return v;
}

/** Ajv errors as the problem document's `errors` entries. */
export function describeErrors(location: string, errors: ErrorObject[] | null | undefined): { location: string; message: string }[] {
  return (errors ?? []).map((e) => {
    let where = `${location}${e.instancePath.replace(/\//g, '.')}`;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') {
      where += `.${String((e.params as { additionalProperty: string }).additionalProperty)}`;
      message = 'is not allowed';
    } else if (e.keyword === 'required') {
      where += `.${String((e.params as { missingProperty: string }).missingProperty)}`;
      message = 'is required';
    } else if (e.keyword === 'enum') {
      message += `: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    }
    return { location: where, message };
  });
}

/** Compiles a response body validator (used by the contract tests). */
export function compileSchema(ajv: Ajv2020, schema: unknown): ValidateFunction {
  return ajv.compile(rewriteRefs(schema) as object);
}
