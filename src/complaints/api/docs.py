"""The API documentation (Swagger UI 5, which reads OpenAPI 3.1) served from here: its files
come with the package `fastapi-offline`, so no CDN is needed and the page keeps a strict CSP."""

from __future__ import annotations

import json
from importlib.resources import files

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs-assets"
FILES = str(files("fastapi_offline") / "static")  # swagger-ui-bundle.js, swagger-ui.css
# The site's policy, plus the small data: images Swagger UI's stylesheet draws its icons with.
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'"
)

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<link rel="icon" type="image/png" href="{assets}/favicon.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="/docs/start.js"></script>
</body>
</html>
"""

# An inline script would need the CSP loosened; a same-origin file does not.
START = """window.ui = SwaggerUIBundle({{
  url: {openapi},
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
}});
"""


def mount(web: FastAPI) -> None:
    """Serve Swagger UI at /docs from the bundled files (create the app with docs_url=None)."""
    web.mount(ASSETS, StaticFiles(directory=FILES), name="docs-assets")
    page = PAGE.format(title=f"{web.title} — API", assets=ASSETS)
    start = START.format(openapi=json.dumps(web.openapi_url))

    @web.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(page, headers={"Content-Security-Policy": DOCS_CSP})

    @web.get("/docs/start.js", include_in_schema=False)
    def docs_start() -> Response:
        return Response(start, media_type="text/javascript")
