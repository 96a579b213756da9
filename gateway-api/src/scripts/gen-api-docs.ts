/** Writes docs/api.md from the OpenAPI document: `npm run docs:api -w gateway-api`. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApiDocument } from '../openapi/document';
import { renderMarkdown } from '../openapi/render';

const target = process.argv[2] ?? join(__dirname, '..', '..', '..', 'docs', 'api.md');
writeFileSync(target, renderMarkdown(openApiDocument));
console.log(`wrote ${target}`);
