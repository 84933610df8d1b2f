// Swagger UI over /openapi.json. validatorUrl: null, or it would ask validator.swagger.io for a badge.
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true, validatorUrl: null, tryItOutEnabled: false });
