"""The dashboard's web app: routes, error pages, basic auth and the local plotly.js."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date
from functools import cache
from html import escape

from plotly.offline import get_plotlyjs
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from chartcascade.dashboard import layout, params
from chartcascade.dashboard.access import authorised, read_only_engine, read_only_url
from chartcascade.dashboard.pages import home
from chartcascade.dashboard.pages.analytics import analytics_page, download
from chartcascade.dashboard.pages.artist import artist_page
from chartcascade.dashboard.pages.chart import chart_page
from chartcascade.dashboard.pages.completeness import completeness_page
from chartcascade.dashboard.pages.home import home_page
from chartcascade.dashboard.pages.track import track_page

logger = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Endpoint = Callable[[Request], Awaitable[Response]]


@cache
def plotly_js() -> bytes:
    return get_plotlyjs().encode()


def error_page(status: int, message: str) -> HTMLResponse:
    titles = {400: "Bad request", 401: "Password needed", 404: "Not found"}
    body = f'<p id="error">{escape(message)}</p><p><a href="/">Back to the charts</a></p>'
    return HTMLResponse(layout.page(titles.get(status, "Error"), body), status_code=status)


class BasicAuth(BaseHTTPMiddleware):
    """Every request needs the password (any user name) when one is set."""

    def __init__(self, app: ASGIApp, password: str) -> None:
        super().__init__(app)
        self.password = password

    async def dispatch(self, request: Request, call_next: Endpoint) -> Response:
        if authorised(request.headers.get("authorization"), self.password):
            return await call_next(request)
        response = error_page(401, "this dashboard needs its password")
        response.headers["WWW-Authenticate"] = 'Basic realm="chartcascade"'
        return response


def create_app(database_url: str, password: str | None = None) -> Starlette:
    """The dashboard over `database_url`, read-only; basic auth when `password` is set."""
    url = read_only_url(database_url)
    read_only_engine(url)

    def html(render: Callable[[Request], str]) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            return HTMLResponse(await run_in_threadpool(render, request))

        return endpoint

    def day(request: Request, name: str) -> date | None:
        return params.day(request.query_params.get(name), name)

    async def analytics_file(request: Request) -> Response:
        file_format = request.path_params["format"]
        if file_format not in ("csv", "xlsx"):
            raise params.missing(f"downloads are .csv or .xlsx, not .{file_format[:10]}")
        data = await run_in_threadpool(download, url, request.query_params, file_format)
        kind = XLSX if file_format == "xlsx" else "text/csv; charset=utf-8"
        headers = {"Content-Disposition": f'attachment; filename="period.{file_format}"'}
        return Response(data, media_type=kind, headers=headers)

    async def plotly(_: Request) -> Response:
        headers = {"Cache-Control": "public, max-age=86400"}
        return Response(plotly_js(), media_type="application/javascript", headers=headers)

    routes = [
        Route("/", html(lambda r: home_page(url))),
        Route(
            "/chart/{slug}", html(lambda r: chart_page(url, r.path_params["slug"], day(r, "date")))
        ),
        Route("/track/{uuid}", html(lambda r: track_page(url, r.path_params["uuid"]))),
        Route(
            "/artist/{uuid}",
            html(lambda r: artist_page(url, r.path_params["uuid"], day(r, "from"), day(r, "to"))),
        ),
        Route("/analytics", html(lambda r: analytics_page(url, r.query_params))),
        Route("/analytics.{format:str}", analytics_file),
        Route("/completeness", html(lambda r: completeness_page(url))),
        Route(
            "/completeness/{slug}", html(lambda r: completeness_page(url, r.path_params["slug"]))
        ),
        Route(layout.PLOTLY_PATH, plotly),
    ]

    async def http_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return error_page(exc.status_code, str(exc.detail))

    async def server_error(_: Request, exc: Exception) -> Response:
        logger.exception("dashboard page failed", exc_info=exc)
        return error_page(500, "this page failed; the server log has the details")

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        home.AUDITS.warm(url)  # the first home page finds the charts audited
        yield

    middleware = [Middleware(BasicAuth, password=password)] if password else []
    return Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={HTTPException: http_error, Exception: server_error},
        lifespan=lifespan,
    )
