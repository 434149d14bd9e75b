// Public surface of the web pages: the Fastify plugin the gateway mounts (routes.ts is loaded
// by the gateway directly), the HTML helpers, and the error catalogue.
export { default as webRoutes } from './routes.ts';
export { html, raw, escape, SafeHtml } from './html.ts';
export { WEB } from './errors.ts';
