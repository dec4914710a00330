"""The query API, /api/v1: events, articles, stories, alerts and daily counts from the store.

Read-only. Every refused request gets a 4xx with a `detail` that says what to change; a database
that cannot answer gets a 503, never a 500. Bearer tokens guard /api/v1 when any are configured;
/healthz and /metrics stay open for supervisors and Prometheus.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

from streams.alerting.rules import SEVERITIES
from streams.core.errors import ConfigError
from streams.reference.taxonomy import ACLED_SUB_TYPES, PLOVER_TYPES
from streams.storage import Storage
from streams.storage.errors import database_unavailable
from streams.storage.queries import MAX_PAGE, BadCursor, EventFilter
from streams.web import models
from streams.web.pool import StoragePool

Result = TypeVar("Result")

ACLED_EVENT_TYPES = frozenset(ACLED_SUB_TYPES.values())
ALERT_KINDS = ("match", "spike")
#: the longest window `GET /api/v1/stats` counts over
MAX_STATS_DAYS = 366
MAX_WORDS = 10

_REFUSALS: dict[int | str, dict[str, Any]] = {
    400: {"model": models.Problem, "description": "a parameter is not usable; `detail` says which and why"},
    401: {"model": models.Problem, "description": "a bearer token is required (NEWSSTREAM_API_TOKENS is set)"},
    503: {"model": models.Problem, "description": "the database cannot answer now; try again"},
}

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": models.Problem, "description": "nothing stored by that id"}
}

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"rows per page, at most {MAX_PAGE}")]
PageCursor = Annotated[
    str | None,
    Query(max_length=512, pattern="^[A-Za-z0-9_-]+$", description="the `next` value of the previous page"),
]
# module level: FastAPI reads these annotations by name, and names local to create_app are not found
Bearer = Annotated[
    HTTPAuthorizationCredentials | None,
    Depends(HTTPBearer(auto_error=False, description="one of NEWSSTREAM_API_TOKENS")),
]
COUNTRY_PATTERN = "^[A-Za-z]{2}$"


def _listed(description: str, **items: Any) -> Any:
    """A repeatable query parameter whose items the OpenAPI document constrains (enum, pattern)."""
    return Query(description=description, json_schema_extra={"items": {"type": "string", **items}})


Codes = Annotated[list[str] | None, _listed("ISO 3166 alpha-2; repeat for any of several", pattern=COUNTRY_PATTERN)]
PloverTypes = Annotated[list[str] | None, _listed("PLOVER type; repeat for several", enum=list(PLOVER_TYPES))]


class ApiMetrics:
    """Request counts and durations by route template, on a registry of the app's own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "newsstream_api_requests_total",
            "Query API requests, by route template, method and HTTP status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.seconds = Histogram(
            "newsstream_api_request_seconds",
            "Query API request duration, by route template",
            ["route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )


def _refuse(detail: str) -> HTTPException:
    return HTTPException(status_code=400, detail=detail)


def _text(value: str | None, name: str) -> str | None:
    # PostgreSQL cannot hold NUL in text: refuse it here rather than fail in the driver
    if value is not None and "\x00" in value:
        raise _refuse(f"{name} must not contain NUL characters")
    return value


def _codes(values: Sequence[str] | None, name: str = "country") -> tuple[str, ...]:
    codes = []
    for value in values or ():
        code = value.strip().upper()
        if len(code) != 2 or not code.isascii() or not code.isalpha():
            raise _refuse(f"{name} takes ISO 3166 alpha-2 codes such as PK or SD, not {value!r}")
        codes.append(code)
    return tuple(dict.fromkeys(codes))


def _choices(values: Sequence[str] | None, allowed: Sequence[str] | frozenset[str], name: str) -> tuple[str, ...]:
    by_folded = {choice.casefold(): choice for choice in allowed}
    chosen = []
    for value in values or ():
        choice = by_folded.get(value.strip().casefold())
        if choice is None:
            raise _refuse(f"{name} {value!r} is unknown; use one of: {', '.join(sorted(allowed))}")
        chosen.append(choice)
    return tuple(dict.fromkeys(chosen))


def _millis(moment: datetime | None, name: str) -> int | None:
    """Epoch milliseconds; a time without an offset is read as UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return int(moment.timestamp() * 1000)
    except (OverflowError, ValueError, OSError):
        raise _refuse(f"{name} is out of range") from None


def _ordered(low: object | None, high: object | None, names: str) -> None:
    if low is not None and high is not None and low > high:  # type: ignore[operator]
        raise _refuse(f"{names}: the start comes after the end")


def create_app(
    pool: StoragePool, *, tokens: Sequence[str] = (), cors_origins: Sequence[str] = (), title: str = "newsstream"
) -> FastAPI:
    """The FastAPI application over `pool`. With `tokens`, /api/v1 requires one as a bearer token."""
    app = FastAPI(
        title=f"{title} query API",
        version="1",
        description="Read-only access to stored articles, events, stories and alerts.",
        openapi_url="/api/v1/openapi.json",
        # the interactive docs pages load their scripts from a CDN: left out, the document is enough
        docs_url=None,
        redoc_url=None,
    )
    metrics = ApiMetrics()
    app.state.metrics = metrics
    if cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET"])

    @app.middleware("http")
    async def count_requests(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            route = request.scope.get("route")
            template = getattr(route, "path", "unmatched")
            metrics.requests.labels(route=template, method=request.method, status=str(status)).inc()
            metrics.seconds.labels(route=template).observe(time.perf_counter() - started)

    expected = [token.encode("utf-8") for token in tokens if token]

    def authorize(credentials: Bearer) -> None:
        if not expected:
            return
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise HTTPException(
                401, "missing bearer token: send `Authorization: Bearer <token>`", {"WWW-Authenticate": "Bearer"}
            )
        presented = credentials.credentials.encode("utf-8")
        # compare_digest against every token: the time taken says nothing about which one came close
        if not any([hmac.compare_digest(presented, token) for token in expected]):
            raise HTTPException(401, "invalid bearer token", {"WWW-Authenticate": 'Bearer error="invalid_token"'})

    def query(read: Callable[[Storage], Result]) -> Result:
        try:
            with pool.storage() as storage:
                return read(storage)
        except BadCursor as exc:
            raise _refuse(str(exc)) from None
        except ConfigError as exc:  # the database could not be opened
            raise HTTPException(503, f"database unavailable: {exc}") from None
        except Exception as exc:
            if database_unavailable(exc):
                raise HTTPException(503, f"database unavailable: {type(exc).__name__}") from None
            raise

    api = APIRouter(prefix="/api/v1", dependencies=[Depends(authorize)], responses=_REFUSALS)

    @api.get("/events", response_model=models.EventsPage, summary="Events, newest article first")
    def list_events(
        date_from: Annotated[date | None, Query(description="events dated on or after this day")] = None,
        date_to: Annotated[date | None, Query(description="events dated on or before this day")] = None,
        ingested_from: Annotated[datetime | None, Query(description="articles that arrived at or after")] = None,
        ingested_to: Annotated[datetime | None, Query(description="articles that arrived before")] = None,
        country: Codes = None,
        type: PloverTypes = None,
        acled_event_type: Annotated[
            list[str] | None, _listed("ACLED event type", enum=sorted(ACLED_EVENT_TYPES))
        ] = None,
        acled_sub_event_type: Annotated[
            list[str] | None, _listed("ACLED sub-event type", enum=sorted(ACLED_SUB_TYPES))
        ] = None,
        entity: Annotated[
            str | None, Query(max_length=200, description="canonical name of an entity the article names")
        ] = None,
        min_fatalities: Annotated[int | None, Query(ge=0, le=10_000_000)] = None,
        q: Annotated[
            str | None, Query(max_length=200, description="words that must all appear in the evidence sentence")
        ] = None,
        include_unreal: Annotated[bool, Query(description="also negated and hypothetical events")] = False,
        limit: Limit = 50,
        cursor: PageCursor = None,
    ) -> dict[str, Any]:
        _ordered(date_from, date_to, "date_from/date_to")
        words = tuple((_text(q, "q") or "").split())
        if len(words) > MAX_WORDS:
            raise _refuse(f"q takes at most {MAX_WORDS} words")
        where = EventFilter(
            event_date_from=date_from.isoformat() if date_from else None,
            event_date_to=date_to.isoformat() if date_to else None,
            ingested_from_ms=_millis(ingested_from, "ingested_from"),
            ingested_to_ms=_millis(ingested_to, "ingested_to"),
            countries=_codes(country),
            types=_choices(type, PLOVER_TYPES, "type"),
            acled_event_types=_choices(acled_event_type, ACLED_EVENT_TYPES, "acled_event_type"),
            acled_sub_event_types=_choices(acled_sub_event_type, tuple(ACLED_SUB_TYPES), "acled_sub_event_type"),
            entity=_text(entity, "entity"),
            min_fatalities=min_fatalities,
            words=words,
            include_unreal=include_unreal,
        )
        page = query(lambda storage: storage.events_page(where, limit=limit, cursor=_text(cursor, "cursor")))
        return {"events": page.items, "next": page.next}

    @api.get(
        "/articles/{article_id}",
        response_model=models.Article,
        responses=_NOT_FOUND,
        summary="One article, entities and events",
    )
    def get_article(article_id: str) -> dict[str, Any]:
        found = query(lambda storage: storage.article_detail(_text(article_id, "article id") or ""))
        if found is None:
            raise HTTPException(404, f"no stored article {article_id!r}")
        return found

    @api.get("/stories", response_model=models.StoriesPage, summary="Stories, most recently seen first")
    def list_stories(
        country: Annotated[
            str | None, Query(pattern=COUNTRY_PATTERN, description="stories with an article naming this country")
        ] = None,
        seen_from: Annotated[datetime | None, Query(description="stories with an article at or after")] = None,
        seen_to: Annotated[datetime | None, Query(description="stories with an article before")] = None,
        limit: Limit = 50,
        cursor: PageCursor = None,
    ) -> dict[str, Any]:
        codes = _codes([country] if country is not None else None)
        page = query(
            lambda storage: storage.stories_page(
                country=codes[0] if codes else None,
                seen_from_ms=_millis(seen_from, "seen_from"),
                seen_to_ms=_millis(seen_to, "seen_to"),
                limit=limit,
                cursor=_text(cursor, "cursor"),
            )
        )
        return {"stories": page.items, "next": page.next}

    @api.get(
        "/stories/{story_id}",
        response_model=models.StoryDetail,
        responses=_NOT_FOUND,
        summary="One story and its articles",
    )
    def get_story(story_id: str) -> dict[str, Any]:
        found = query(lambda storage: storage.story_detail(_text(story_id, "story id") or ""))
        if found is None:
            raise HTTPException(404, f"no story {story_id!r}")
        return found

    @api.get("/alerts", response_model=models.AlertsPage, summary="Alerts, newest first")
    def list_alerts(
        created_from: Annotated[datetime | None, Query(description="alerts raised at or after")] = None,
        created_to: Annotated[datetime | None, Query(description="alerts raised before")] = None,
        rule: Annotated[list[str] | None, Query(description="rule name; repeat for several")] = None,
        severity: Annotated[list[str] | None, _listed("alert severity", enum=list(SEVERITIES))] = None,
        kind: Annotated[list[str] | None, _listed("match or spike", enum=list(ALERT_KINDS))] = None,
        limit: Limit = 50,
        cursor: PageCursor = None,
    ) -> dict[str, Any]:
        rules = tuple(_text(name, "rule") or "" for name in rule or ())
        page = query(
            lambda storage: storage.alerts_page(
                created_from_ms=_millis(created_from, "created_from"),
                created_to_ms=_millis(created_to, "created_to"),
                rules=rules,
                severities=_choices(severity, SEVERITIES, "severity"),
                kinds=_choices(kind, ALERT_KINDS, "kind"),
                limit=limit,
                cursor=_text(cursor, "cursor"),
            )
        )
        return {"alerts": page.items, "next": page.next}

    @api.get("/stats", response_model=models.Stats, summary="Events per day, country and PLOVER type")
    def stats(
        date_from: Annotated[date | None, Query(description="first day; default 29 days before date_to")] = None,
        date_to: Annotated[date | None, Query(description="last day; default today (UTC)")] = None,
        country: Codes = None,
        type: PloverTypes = None,
    ) -> dict[str, Any]:
        last = date_to or datetime.now(UTC).date()
        try:
            first = date_from or last - timedelta(days=29)
        except OverflowError:
            raise _refuse("date_to is too early to count 30 days back from: give date_from too") from None
        _ordered(first, last, "date_from/date_to")
        if (last - first).days >= MAX_STATS_DAYS:
            raise _refuse(f"stats cover at most {MAX_STATS_DAYS} days: narrow date_from/date_to")
        codes, types = _codes(country), _choices(type, PLOVER_TYPES, "type")
        counts = query(
            lambda storage: storage.event_counts(
                day_from=first.isoformat(), day_to=last.isoformat(), countries=codes, types=types
            )
        )
        return {"date_from": first.isoformat(), "date_to": last.isoformat(), "counts": counts}

    app.include_router(api)

    @app.get("/healthz", response_model=models.Health, responses={503: {"model": models.Problem}})
    def healthz() -> dict[str, str]:
        """The server is up and its database answers."""
        query(lambda storage: storage.ping())
        return {"status": "ok", "database": "postgresql" if pool.url.startswith("postgres") else "sqlite"}

    @app.get("/metrics", include_in_schema=False)
    def prometheus_metrics() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return app
