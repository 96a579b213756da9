/**
 * Serves the web console (the `console` workspace's build, `console/dist`) at `/console/`, outside
 * the documented `/v1` API: static files only, with a strict Content-Security-Policy (no outside
 * origin at all: scripts, styles, images and API calls come from this gateway). Unknown paths under
 * `/console/` get the console's index page, whose router reads the hash.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import express, { Express, NextFunction, Request, Response } from 'express';

/** Where the console's build is looked for: GRIDLEDGER_CONSOLE_DIR, else the repository's console/dist. */
export function consoleDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.GRIDLEDGER_CONSOLE_DIR ?? path.resolve(__dirname, '..', '..', '..', 'console', 'dist');
}

export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

export function mountConsole(app: Express, dir = consoleDir()): void {
  const headers = (res: Response): void => {
    res.setHeader('Content-Security-Policy', CONSOLE_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
  };
  const index = path.join(dir, 'index.html');
  const statics = express.static(dir, {
    index: 'index.html',
    fallthrough: true,
    setHeaders: (res, file) => {
      headers(res as Response);
      // Hashed asset names never change; the page itself is always revalidated.
      res.setHeader('Cache-Control', /[\\/]assets[\\/]/.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  app.use('/console', (req: Request, res: Response, next: NextFunction) => {
    res.locals.route = '/console';
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    // Relative asset URLs need the trailing slash (a `use` mount adds no route: /console is not an API operation).
    if (req.originalUrl === '/console' || req.originalUrl.startsWith('/console?')) return res.redirect(301, `/console/${req.originalUrl.slice('/console'.length)}`);
    if (!existsSync(index)) {
      headers(res);
      res.status(503).type('text/plain').send('The web console is not built: run `npm run build` (it builds console/dist).');
      return;
    }
    statics(req, res, () => {
      if (path.extname(req.path)) return next();
      headers(res);
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(index);
    });
  });
}
