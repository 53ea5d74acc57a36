// Starts Swagger UI on this origin's OpenAPI document. A file of its own, not an inline script, so
// the page's CSP allows no inline script (api/middleware/security-headers.ts).
window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });
