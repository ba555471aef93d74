import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';

// Swagger UI served from the swagger-ui-dist package, not a CDN: /docs works offline and under a
// Content-Security-Policy that allows only this origin (no inline script or style, no third party).

const DIST = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** Files served as the package ships them; nothing else in the package is reachable. */
const FILES: Record<string, string> = {
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

export const DOCS_CSP = [
  "default-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const INIT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>CoachFlow API</title>
    <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
    <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png" sizes="32x32" />
    <link rel="icon" type="image/png" href="/docs/assets/favicon-16x16.png" sizes="16x16" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/assets/swagger-ui-bundle.js"></script>
    <script src="/docs/assets/init.js"></script>
  </body>
</html>
`;

const cache = new Map<string, Buffer>();
function asset(name: string): Buffer {
  let bytes = cache.get(name);
  if (!bytes) cache.set(name, (bytes = readFileSync(join(DIST, name))));
  return bytes;
}

/**
 * swagger-ui.css draws its icons with data: URIs, which a CSP of only 'self' blocks. They are moved out
 * into files under /docs/assets/icons/ so the stylesheet needs nothing but this origin.
 */
let styles: { css: string; icons: string[] } | undefined;
function stylesheet() {
  if (styles) return styles;
  const icons: string[] = [];
  const css = asset('swagger-ui.css')
    .toString('utf8')
    .replace(/url\("data:image\/svg\+xml;charset=utf-8,((?:[^"\\]|\\.)*)"\)/g, (_, body: string) => {
      icons.push(decodeURIComponent(body.replace(/\\(.)/g, '$1')));
      return `url("/docs/assets/icons/${icons.length - 1}.svg")`;
    });
  return (styles = { css, icons });
}

/** GET /docs (the page) and GET /docs/assets/* (its scripts, styles and icons). Not in the OpenAPI document. */
export function docsRoutes() {
  const app = new Hono();
  app.use('/docs', async (c, next) => {
    await next();
    c.header('Content-Security-Policy', DOCS_CSP);
  });
  app.use('/docs/assets/*', async (c, next) => {
    await next();
    c.header('Content-Security-Policy', DOCS_CSP);
    c.header('X-Content-Type-Options', 'nosniff');
  });
  app.get('/docs', (c) => c.html(PAGE));
  app.get('/docs/assets/init.js', (c) =>
    c.body(INIT, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' }),
  );
  app.get('/docs/assets/swagger-ui.css', (c) =>
    c.body(stylesheet().css, 200, {
      'Content-Type': 'text/css; charset=utf-8',
      'Cache-Control': 'public, max-age=3600',
    }),
  );
  app.get('/docs/assets/icons/:file{[0-9]+\\.svg}', (c, next) => {
    const icon = stylesheet().icons[Number.parseInt(c.req.param('file'), 10)];
    if (icon === undefined) return next();
    return c.body(icon, 200, { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'public, max-age=3600' });
  });
  app.get('/docs/assets/:file', (c, next) => {
    const file = c.req.param('file');
    const type = FILES[file];
    if (!type) return next();
    return c.body(new Uint8Array(asset(file)), 200, {
      'Content-Type': type,
      'Cache-Control': 'public, max-age=3600',
    });
  });
  return app;
}
