/**
 * Renders the OpenAPI document for people: Markdown for docs/api.md (`npm run docs:api -w
 * gateway-api`) and a self-contained HTML page for `/docs`. Both come from the same walk of the
 * document, so neither can drift from it.
 */
import { PROBLEM_TYPES, problemType } from '../http/problem';
import { ROLES } from '../config/roles';
import { documentedOperations, DocumentedOperation, OpenApiDocument } from './document';

interface Param {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: Record<string, unknown>;
}

const resolve = <T>(doc: OpenApiDocument, v: unknown): T => {
  const ref = (v as { $ref?: string })?.$ref;
  if (!ref) return v as T;
  let node: unknown = doc;
  for (const p of ref.replace(/^#\//, '').split('/')) node = (node as Record<string, unknown>)[p];
  return node as T;
};

const refName = (schema: unknown): string | undefined => {
  const ref = (schema as { $ref?: string })?.$ref;
  return ref?.startsWith('#/components/schemas/') ? ref.slice('#/components/schemas/'.length) : undefined;
};

function schemaSummary(schema: unknown): string {
  if (!schema) return '';
  const name = refName(schema);
  if (name) return name;
  const s = schema as Record<string, unknown>;
  if (s.type === 'array') return `array of ${schemaSummary(s.items)}`;
  const bits: string[] = [];
  if (s.type) bits.push(String(s.type));
  if (s.enum) bits.push(`one of ${(s.enum as unknown[]).join(', ')}`);
  if (s.pattern) bits.push(`pattern \`${String(s.pattern)}\``);
  if (s.minimum !== undefined) bits.push(`>= ${String(s.minimum)}`);
  if (s.maximum !== undefined) bits.push(`<= ${String(s.maximum)}`);
  if (s.default !== undefined) bits.push(`default ${JSON.stringify(s.default)}`);
  return bits.join(', ');
}

interface OpView {
  op: DocumentedOperation;
  summary: string;
  description?: string;
  params: Param[];
  body?: { type: string; schema: string };
  responses: { status: string; description: string; type: string; schema: string }[];
}

function views(doc: OpenApiDocument): OpView[] {
  return documentedOperations(doc).map((op) => {
    const params = ((op.spec.parameters as unknown[]) ?? []).map((p) => resolve<Param>(doc, p));
    const rb = op.spec.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined;
    const bodyType = rb?.content ? Object.keys(rb.content)[0] : undefined;
    const responses = Object.entries((op.spec.responses as Record<string, unknown>) ?? {}).map(([status, r]) => {
      const resp = resolve<{ description?: string; content?: Record<string, { schema?: unknown }> }>(doc, r);
      const type = resp.content ? Object.keys(resp.content)[0] : '';
      return { status, description: resp.description ?? '', type, schema: type ? schemaSummary(resp.content![type].schema) : '' };
    });
    return {
      op,
      summary: String(op.spec.summary ?? ''),
      description: op.spec.description as string | undefined,
      params,
      body: bodyType ? { type: bodyType, schema: schemaSummary(rb!.content![bodyType].schema) } : undefined,
      responses,
    };
  });
}

const rolesText = (op: DocumentedOperation): string => (op.roles.includes('public') ? 'public (no authentication)' : op.roles.join(', '));
const mdCell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** docs/api.md */
export function renderMarkdown(doc: OpenApiDocument): string {
  const out: string[] = [];
  const ops = views(doc);
  out.push(`# ${doc.info.title} (v${doc.info.version})`, '');
  out.push('<!-- Generated from gateway-api/src/openapi/document.ts by `npm run docs:api -w gateway-api`. Do not edit by hand. -->', '');
  if (doc.info.summary) out.push(String(doc.info.summary), '');
  if (doc.info.description) out.push(doc.info.description, '');
  out.push('The document itself is served at `GET /openapi.json`, and as a page at `GET /docs`.', '');
  out.push('## Operations and roles', '');
  out.push(`| operation | method and path | ${ROLES.join(' | ')} |`, `| --- | --- | ${ROLES.map(() => '---').join(' | ')} |`);
  for (const v of ops) {
    const pub = v.op.roles.includes('public');
    out.push(`| \`${v.op.operationId}\` | \`${v.op.method.toUpperCase()} ${v.op.path}\` | ${ROLES.map((r) => (pub ? 'public' : v.op.roles.includes(r) ? 'yes' : '-')).join(' | ')} |`);
  }
  out.push('');
  for (const tag of doc.tags ?? []) {
    const tagged = ops.filter((v) => ((v.op.spec.tags as string[]) ?? []).includes(tag.name));
    if (!tagged.length) continue;
    out.push(`## ${tag.name}`, '', tag.description ?? '', '');
    for (const v of tagged) {
      out.push(`### ${v.op.method.toUpperCase()} ${v.op.path}`, '', `${v.summary}`, '');
      out.push(`- operationId: \`${v.op.operationId}\``, `- roles: ${rolesText(v.op)}`);
      if (v.op.idempotent) out.push('- state-changing: requires `Idempotency-Key`');
      out.push('');
      if (v.description) out.push(v.description, '');
      if (v.params.length) {
        out.push('| parameter | in | required | schema | description |', '| --- | --- | --- | --- | --- |');
        for (const p of v.params) out.push(`| \`${p.name}\` | ${p.in} | ${p.required ? 'yes' : 'no'} | ${mdCell(schemaSummary(p.schema))} | ${mdCell(p.description ?? '')} |`);
        out.push('');
      }
      if (v.body) out.push(`Request body (\`${v.body.type}\`): ${v.body.schema}`, '');
      out.push('| status | description | content | schema |', '| --- | --- | --- | --- |');
      for (const r of v.responses) out.push(`| ${r.status} | ${mdCell(r.description)} | ${r.type ? `\`${r.type}\`` : ''} | ${mdCell(r.schema)} |`);
      out.push('');
    }
  }
  out.push('## Problem types', '', 'Every error is `application/problem+json`. Match on `type`; `detail` is for people.', '');
  out.push('| type | status | title |', '| --- | --- | --- |');
  for (const [slug, [status, title]] of Object.entries(PROBLEM_TYPES)) out.push(`| \`${problemType(slug as keyof typeof PROBLEM_TYPES)}\` | ${status} | ${title} |`);
  out.push('');
  out.push('## Schemas', '');
  for (const [name, schema] of Object.entries(doc.components.schemas)) {
    out.push(`### ${name}`, '');
    if (schema.description) out.push(String(schema.description), '');
    out.push('```json', JSON.stringify(schema, null, 2), '```', '');
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const code = (s: string): string => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>').replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');

/** The /docs page: static HTML with inline CSS only. */
export function renderHtml(doc: OpenApiDocument): string {
  const ops = views(doc);
  const h: string[] = [];
  h.push('<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">');
  h.push(`<title>${esc(doc.info.title)}</title><style>`);
  h.push(
    'body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1d2430;line-height:1.45}',
    'code,pre{font-family:ui-monospace,monospace;font-size:.9em}pre{background:#f4f6f8;padding:.75rem;overflow:auto;border-radius:4px}',
    'table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;vertical-align:top}',
    '.op{border:1px solid #d0d7de;border-radius:6px;padding:.25rem 1rem 1rem;margin:1rem 0}.m{font-weight:700;padding:.1rem .4rem;border-radius:3px;color:#fff}',
    '.get{background:#1f6feb}.put{background:#9a6700}.post{background:#1a7f37}.delete{background:#cf222e}.patch{background:#8250df}nav a{margin-right:1rem}',
  );
  h.push('</style></head><body>');
  h.push(`<h1>${esc(doc.info.title)} <small>v${esc(doc.info.version)}</small></h1>`);
  h.push('<nav><a href="/openapi.json">openapi.json</a>' + (doc.tags ?? []).map((t) => `<a href="#tag-${esc(t.name)}">${esc(t.name)}</a>`).join('') + '<a href="#problems">problems</a><a href="#schemas">schemas</a></nav>');
  for (const para of String(doc.info.description ?? '').split('\n\n')) h.push(`<p>${code(para)}</p>`);
  h.push('<h2>Operations and roles</h2><table><tr><th>operation</th><th>method and path</th>' + ROLES.map((r) => `<th>${r}</th>`).join('') + '</tr>');
  for (const v of ops) {
    const pub = v.op.roles.includes('public');
    h.push(`<tr><td><a href="#${esc(v.op.operationId)}">${esc(v.op.operationId)}</a></td><td><code>${v.op.method.toUpperCase()} ${esc(v.op.path)}</code></td>` + ROLES.map((r) => `<td>${pub ? 'public' : v.op.roles.includes(r) ? 'yes' : '-'}</td>`).join('') + '</tr>');
  }
  h.push('</table>');
  for (const tag of doc.tags ?? []) {
    const tagged = ops.filter((v) => ((v.op.spec.tags as string[]) ?? []).includes(tag.name));
    if (!tagged.length) continue;
    h.push(`<h2 id="tag-${esc(tag.name)}">${esc(tag.name)}</h2><p>${code(tag.description ?? '')}</p>`);
    for (const v of tagged) {
      h.push(`<section class="op" id="${esc(v.op.operationId)}"><h3><span class="m ${v.op.method}">${v.op.method.toUpperCase()}</span> <code>${esc(v.op.path)}</code></h3>`);
      h.push(`<p>${code(v.summary)}</p><p>operationId <code>${esc(v.op.operationId)}</code> · roles: ${esc(rolesText(v.op))}${v.op.idempotent ? ' · requires <code>Idempotency-Key</code>' : ''}</p>`);
      if (v.description) h.push(`<p>${code(v.description)}</p>`);
      if (v.params.length) {
        h.push('<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th><th>description</th></tr>');
        for (const p of v.params) h.push(`<tr><td><code>${esc(p.name)}</code></td><td>${p.in}</td><td>${p.required ? 'yes' : 'no'}</td><td>${code(schemaSummary(p.schema))}</td><td>${code(p.description ?? '')}</td></tr>`);
        h.push('</table>');
      }
      if (v.body) h.push(`<p>Request body (<code>${esc(v.body.type)}</code>): <a href="#schema-${esc(v.body.schema)}">${esc(v.body.schema)}</a></p>`);
      h.push('<table><tr><th>status</th><th>description</th><th>content</th><th>schema</th></tr>');
      for (const r of v.responses) h.push(`<tr><td>${r.status}</td><td>${code(r.description)}</td><td>${r.type ? `<code>${esc(r.type)}</code>` : ''}</td><td>${code(r.schema)}</td></tr>`);
      h.push('</table></section>');
    }
  }
  h.push('<h2 id="problems">Problem types</h2><table><tr><th>type</th><th>status</th><th>title</th></tr>');
  for (const [slug, [status, title]] of Object.entries(PROBLEM_TYPES)) h.push(`<tr><td><code>${problemType(slug as keyof typeof PROBLEM_TYPES)}</code></td><td>${status}</td><td>${esc(title)}</td></tr>`);
  h.push('</table><h2 id="schemas">Schemas</h2>');
  for (const [name, schema] of Object.entries(doc.components.schemas)) h.push(`<h3 id="schema-${esc(name)}">${esc(name)}</h3><pre>${esc(JSON.stringify(schema, null, 2))}</pre>`);
  h.push('</body></html>');
  return h.join('\n');
}
