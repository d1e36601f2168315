// Swagger UI for /docs, started from a file (the page's Content-Security-Policy forbids inline scripts).
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  validatorUrl: null,  // no badge from validator.swagger.io: nothing leaves the server
});
