"""Render the web pages: autoescaped Jinja2 from templates/web/, strings in fr and en."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.routing import Match

from complaints.app import App
from complaints.templating import environment, strings


def switch_url(request: Request, lang: str) -> str:
    """This page in the other language, with the rest of its query (a relative link)."""
    other = "en" if lang == "fr" else "fr"
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    # One leading slash: a path such as //elsewhere.example must not become a link off-site.
    path = quote("/" + request.url.path.lstrip("/"))
    return f"{path}?{urlencode([*query, ('lang', other)])}"


def _reachable(request: Request) -> bool:
    """Whether this page's address can be opened by a link (a GET), as a switch link does."""
    if request.method == "GET":
        return True
    scope = {"type": "http", "path": request.url.path, "method": "GET", "root_path": ""}
    return any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes)


def render(
    app: App, request: Request, name: str, lang: str, status: int = 200, **context: Any
) -> HTMLResponse:
    templates = app.settings.home / "templates"
    page = environment(templates).get_template(f"web/{name}.html.j2")
    if "switch_url" not in context:
        context["switch_url"] = switch_url(request, lang) if _reachable(request) else None
    html = page.render(
        lang=lang,
        t=strings(templates)[lang],
        organisation=app.conduct.organisation.name,
        **context,
    )
    return HTMLResponse(html, status_code=status)


def message(app: App, request: Request, lang: str, status: int, key: str) -> HTMLResponse:
    """A short page that says one thing (an error, a refusal)."""
    text = strings(app.settings.home / "templates")[lang][key]
    return render(
        app, request, "message", lang, status, heading=text, message=text, switch_url=None
    )


def render_with_form(
    app: App, request: Request, name: str, lang: str, status: int = 200, **context: Any
) -> HTMLResponse:
    """`render`, with a CSRF token in the page and its cookie on the response."""
    token, nonce = request.app.state.csrf.issue(request)
    page = render(app, request, name, lang, status, csrf=token, **context)
    request.app.state.csrf.set_cookie(page, nonce)
    return page


def sign_in_first(request: Request, lang: str) -> RedirectResponse:
    """To the sign-in page, which comes back here (this staff page and its query) after."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    here = request.url.path + (f"?{urlencode(query)}" if query else "")
    return RedirectResponse(f"/staff?{urlencode({'lang': lang, 'next': here})}", status_code=303)


def back_to(target: str) -> str | None:
    """`target` if it is one of our staff pages (a path, never another site), else None."""
    if target.startswith("/staff/") and not target.startswith("//") and "\\" not in target:
        return target
    return None
