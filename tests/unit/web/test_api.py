"""The query API over a store the enricher filled: every answer is checked against the enriched
articles themselves, filters against the same filter applied in Python."""

from __future__ import annotations

from streams.core.models import EnrichedArticle


def _facts(articles: list[EnrichedArticle]) -> list[tuple[str, int]]:
    """(article id, position) of every event that happened, newest article first."""
    return [
        (article.id, position)
        for article in sorted(articles, key=lambda a: (-a.ingested_at, a.id))
        for position, event in enumerate(article.events)
        if event.is_fact
    ]


def _walk(client, path: str, key: str, **params) -> list[dict]:
    """Every row of a paginated listing, following `next` to the end."""
    rows, cursor = [], None
    while True:
        answer = client.get(path, params={**params, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        rows.extend(body[key])
        cursor = body["next"]
        if cursor is None:
            return rows


def test_events_come_newest_first_with_their_evidence_sentence(client, stored_articles):
    """Every event that happened, each with the sentence its offsets point at in its article."""
    body = client.get("/api/v1/events", params={"limit": 200}).json()
    assert [(e["article_id"], e["position"]) for e in body["events"]] == _facts(stored_articles)
    by_id = {a.id: a for a in stored_articles}
    for event in body["events"]:
        article = by_id[event["article_id"]]
        text = article.title if event["field"] == "title" else article.body
        assert text[event["start"] : event["end"]] == event["sentence"]
        assert event["article"]["story_id"] == article.story_id
    assert body["next"] is None


def test_pages_of_one_walk_the_same_events_once(client, stored_articles):
    """Keyset pages of one row give every event exactly once, in the same order as one big page."""
    walked = _walk(client, "/api/v1/events", "events", limit=1)
    assert [(e["article_id"], e["position"]) for e in walked] == _facts(stored_articles)


def test_country_filter_returns_the_seed_events(client, stored_articles, seed_article):
    """?country=PK: the events coded in Pakistan, the seed's among them, and nothing else."""
    answer = client.get("/api/v1/events", params={"country": "pk", "limit": 200})
    events = answer.json()["events"]
    expected = [
        (a.id, p)
        for a, p in ((next(x for x in stored_articles if x.id == i), p) for i, p in _facts(stored_articles))
        if a.events[p].country == "PK"
    ]
    assert [(e["article_id"], e["position"]) for e in events] == expected
    assert any(e["article_id"] == seed_article.id for e in events)
    assert all(e["country"] == "PK" for e in events)


def test_filters_agree_with_the_same_filter_in_python(client, stored_articles):
    """Type, toll, words in the sentence, an entity, dates and ingest times narrow like Python does."""
    events = [(a, p, e) for a in stored_articles for p, e in enumerate(a.events) if e.is_fact]
    cases = [
        ({"type": "assault"}, lambda a, e: e.type == "ASSAULT"),
        ({"min_fatalities": 10}, lambda a, e: (e.fatalities or 0) >= 10),
        ({"q": "MARKET Fasher"}, lambda a, e: "market" in e.sentence.lower() and "fasher" in e.sentence.lower()),
        ({"date_from": "2026-11-18"}, lambda a, e: e.date is not None and e.date >= "2026-11-18"),
        ({"date_to": "2026-11-17"}, lambda a, e: e.date is not None and e.date[:10] <= "2026-11-17"),
        (
            {"ingested_from": "2025-11-18T11:00:00Z"},
            lambda a, e: a.ingested_at >= 1_763_463_600_000,
        ),
        (
            {"entity": "el fasher"},
            lambda a, e: any(n.canonical.lower() == "el fasher" for n in a.entities),
        ),
    ]
    for params, keep in cases:
        answer = client.get("/api/v1/events", params={**params, "limit": 200})
        assert answer.status_code == 200, (params, answer.text)
        got = {(e["article_id"], e["position"]) for e in answer.json()["events"]}
        expected = {(a.id, p) for a, p, e in events if keep(a, e)}
        assert got == expected, params
        assert expected, f"{params} matches nothing here: the case would test nothing"
        assert len(expected) < len(events), f"{params} keeps everything: the case would test nothing"


def test_an_article_comes_whole_with_entity_and_event_offsets(client, stored_articles):
    article = stored_articles[1]
    body = client.get(f"/api/v1/articles/{article.id}").json()
    assert body["story_id"] == article.story_id and body["body"] == article.body
    assert [e["canonical"] for e in body["entities"]] == [e.canonical for e in article.entities]
    for served, entity in zip(body["entities"], article.entities, strict=True):
        assert [(m["field"], m["start"], m["end"]) for m in served["mentions"]] == [
            (m.field, m.start, m.end) for m in entity.mentions
        ]
        for mention in served["mentions"]:
            text = body["title"] if mention["field"] == "title" else body["body"]
            assert text[mention["start"] : mention["end"]].strip(), served
    assert [e["type"] for e in body["events"]] == [e.type for e in article.events]
    assert client.get("/api/v1/articles/no-such-article").status_code == 404


def test_a_story_told_by_two_outlets_is_one_row_with_both(client, stored_articles):
    """The El Fasher story: two articles, two distinct sources, the higher toll of the two reports."""
    story_id = stored_articles[1].story_id
    stories = _walk(client, "/api/v1/stories", "stories", limit=2)
    assert len(stories) == len({a.story_id for a in stored_articles})
    story = next(s for s in stories if s["story_id"] == story_id)
    members = [a for a in stored_articles if a.story_id == story_id]
    assert story["article_count"] == 2 and story["source_count"] == 2
    assert story["sources"] == sorted({a.source for a in members})
    tolls = [e.fatalities for a in members for e in a.events if e.is_fact and e.fatalities is not None]
    assert story["highest_toll"] == (max(tolls) if tolls else None)
    assert story["headline"]["article_id"] == min(members, key=lambda a: a.ingested_at).id
    assert [s["last_seen"] for s in stories] == sorted((s["last_seen"] for s in stories), reverse=True)
    detail = client.get(f"/api/v1/stories/{story_id}").json()
    assert [a["id"] for a in detail["articles"]] == [a.id for a in sorted(members, key=lambda a: a.ingested_at)]
    assert client.get("/api/v1/stories/none").status_code == 404
    in_sudan = client.get("/api/v1/stories", params={"country": "SD"}).json()["stories"]
    assert [s["story_id"] for s in in_sudan] == [
        s["story_id"]
        for s in stories
        if any("SD" in a.countries for a in stored_articles if a.story_id == s["story_id"])
    ]


def test_alerts_newest_first_and_by_severity(client, stored_alerts):
    walked = _walk(client, "/api/v1/alerts", "alerts", limit=1)
    assert [a["id"] for a in walked] == [a.id for a in sorted(stored_alerts, key=lambda a: -a.created_at)]
    critical = client.get("/api/v1/alerts", params={"severity": ["critical", "info"]}).json()["alerts"]
    assert {a["id"] for a in critical} == {a.id for a in stored_alerts if a.severity in ("critical", "info")}
    spikes = client.get("/api/v1/alerts", params={"kind": "spike"}).json()["alerts"]
    assert [a["rule"] for a in spikes] == ["spikes"]


def test_stats_count_every_event_that_happened_in_the_window(client, stored_articles):
    answer = client.get("/api/v1/stats", params={"date_from": "2000-01-01", "date_to": "2000-12-31"})
    assert answer.json()["counts"] == []
    answer = client.get("/api/v1/stats", params={"date_from": "2025-06-01", "date_to": "2026-05-31"})
    early = sum(row["events"] for row in answer.json()["counts"])
    answer = client.get("/api/v1/stats", params={"date_from": "2026-06-01", "date_to": "2027-05-31"})
    late = sum(row["events"] for row in answer.json()["counts"])
    assert early + late == len(_facts(stored_articles))
    killed = sum(row["fatalities"] for row in answer.json()["counts"])
    assert killed == sum(
        e.fatalities or 0 for a in stored_articles for e in a.events if e.is_fact and (e.date or "") >= "2026-06-01"
    )


def test_bad_parameters_get_a_4xx_that_says_what_to_fix(client):
    cases = {
        "/api/v1/events?country=PAK": "alpha-2",
        "/api/v1/events?type=BOMB": "type 'BOMB' is unknown",
        "/api/v1/events?acled_sub_event_type=Riot": "unknown",
        "/api/v1/events?date_from=2026-02-01&date_to=2026-01-01": "start comes after the end",
        "/api/v1/events?cursor=bm90LWEtY3Vyc29y": "cursor",
        "/api/v1/events?entity=a%00b": "NUL",
        "/api/v1/stats?date_from=2020-01-01&date_to=2026-01-01": "at most 366 days",
        "/api/v1/alerts?severity=loud": "severity",
    }
    for path, words in cases.items():
        answer = client.get(path)
        assert answer.status_code == 400, (path, answer.text)
        assert words in answer.json()["detail"], (path, answer.json())
    assert client.get("/api/v1/events?limit=0").status_code == 422
    assert client.get("/api/v1/events?date_from=yesterday").status_code == 422
    # a cursor from one listing is refused by another
    cursor = client.get("/api/v1/alerts", params={"limit": 1}).json()["next"]
    answer = client.get("/api/v1/events", params={"cursor": cursor})
    assert answer.status_code == 400 and "events" in answer.json()["detail"]


def test_the_openapi_document_describes_every_endpoint(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) >= {
        "/api/v1/events",
        "/api/v1/articles/{article_id}",
        "/api/v1/stories",
        "/api/v1/stories/{story_id}",
        "/api/v1/alerts",
        "/api/v1/stats",
    }
    listed = {p for p in spec["paths"] if p.startswith("/api/v1")}
    for path in listed:
        assert spec["paths"][path]["get"]["responses"].keys() >= {"200", "400", "503"}


def test_requests_are_counted_on_metrics(client):
    client.get("/api/v1/stats")
    metrics = client.get("/metrics").text
    assert 'newsstream_api_requests_total{method="GET",route="/api/v1/stats",status="200"}' in metrics
    assert "newsstream_api_request_seconds_bucket" in metrics
