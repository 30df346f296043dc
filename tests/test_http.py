"""The HTTP API on a real server (`storyline serve` on loopback) over the sample corpus and the seeds (issue 7)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import copy_db, running_server, table_rows

TOKEN = "test-token-4f9a"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MEETING = {
    "id": "geneva-followup",
    "title": "Riabkov and Sherman to meet again in Geneva in September",
    "outlet": "Test Wire",
    "published": "2021-07-30",
    "language": "en",
    "text": (
        "US Deputy Secretary of State Wendy Sherman and Russian Deputy Foreign Minister Sergei Riabkov will meet again "
        "in Geneva in September for a second round of the strategic stability dialogue, both delegations said after "
        "their talks at the US mission. Arms control experts will prepare the agenda over the summer."
    ),
}


@pytest.fixture(scope="module")
def server(news_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A server with a write token, over a private copy of the store; yields (base URL, store file)."""
    db = copy_db(news_db, tmp_path_factory.mktemp("http"))
    with running_server(db, extra=("--token", TOKEN)) as base:  # tests/test_xss.py sets STORYLINE_TOKEN instead
        yield base, db


@pytest.fixture(scope="module")
def client(server: tuple[str, Path]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server[0], timeout=120) as http:
        yield http


def _error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The one error shape, with its status and code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "detail"}
    assert body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


def _seeds_story(client: httpx.Client) -> dict[str, Any]:
    (story,) = [s for s in client.get("/api/stories", params={"q": "Riabkov"}).json()["stories"] if "RFI" in s["outlets"]]
    return story


# ---- reading --------------------------------------------------------------------


def test_every_response_carries_the_security_headers(client: httpx.Client) -> None:
    for path in ["/healthz", "/api/stories", "/", "/search?q=Geneva", "/static/style.css", "/api/nothing-here"]:
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "unsafe-inline" not in csp, path
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"


def test_openapi_schema_describes_the_api_and_nothing_needs_the_network(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()
    assert {"/api/stories", "/api/stories/{story_id}", "/api/articles/{article_id}", "/api/search", "/api/articles"} <= set(schema["paths"])
    assert "post" in schema["paths"]["/api/articles"] and "get" in schema["paths"]["/api/articles/{article_id}"]
    body = schema["paths"]["/api/articles"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(body)
    for page in ["/docs", "/redoc"]:  # they would load their script from a CDN
        _error(client.get(page), 404, "not_found")


def test_stories_are_paginated_with_a_total_and_a_next_link(client: httpx.Client) -> None:
    first = client.get("/api/stories", params={"limit": 4}).json()
    assert first["total"] >= 13 and len(first["stories"]) == 4 and first["offset"] == 0
    seen = [s["id"] for s in first["stories"]]
    url = first["next"]
    while url:
        assert url.startswith("http://127.0.0.1:")
        page = client.get(url).json()
        assert page["total"] == first["total"]
        seen += [s["id"] for s in page["stories"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == first["total"]
    story = first["stories"][0]
    assert {"id", "title", "articles", "first_published", "last_published", "outlets", "languages"} <= set(story)


def test_story_filters(client: httpx.Client) -> None:
    seeds = _seeds_story(client)
    assert [s["id"] for s in client.get("/api/stories", params={"outlet": "dw", "q": "arms"}).json()["stories"]] == [seeds["id"]]
    russian = client.get("/api/stories", params={"language": "ru", "limit": 100}).json()
    assert 0 < russian["total"] < client.get("/api/stories").json()["total"]
    assert all("ru" in s["languages"] for s in russian["stories"])
    dated = client.get("/api/stories", params={"since": "2021-07-28", "until": "2021-07-28"}).json()
    assert [s["id"] for s in dated["stories"]] == [seeds["id"]]
    none = client.get("/api/stories", params={"language": "ru", "outlet": "DW"}).json()
    assert none == {"stories": [], "total": 0, "limit": 20, "offset": 0, "next": None}
    error = _error(client.get("/api/stories", params={"since": "28.07.2021"}), 422, "invalid_request")
    assert error["detail"][0]["loc"] == ["query", "since"]
    _error(client.get("/api/stories", params={"limit": 1000}), 422, "invalid_request")


def test_one_story_and_one_article(client: httpx.Client) -> None:
    seeds = _seeds_story(client)
    story = client.get(f"/api/stories/{seeds['id']}").json()
    assert story["id"] == seeds["id"] and {a["outlet"] for a in story["articles"]} >= {"DW", "RFI"}
    dw = next(a for a in story["articles"] if a["outlet"] == "DW")
    assert dw["title"] == "US, Russia to hold high-level arms control negotiations next week" and dw["text"]
    article = client.get(f"/api/articles/{dw['id']}").json()
    assert {k: v for k, v in article.items() if k in dw} == dw
    names = {e["name"] for e in article["entities"]}
    assert "Wendy Sherman" in names and names & {"Sergei Ryabkov", "Sergei Riabkov"}  # one person, shown under one spelling
    assert {"text": "next week", "value": "2021-W30", "type": "DATE"} in article["times"]
    assert any(p["name"] == "Geneva" and p["country"] == "CH" for p in article["places"])
    ryabkov = next(e for e in article["entities"] if e["name"] in {"Sergei Ryabkov", "Sergei Riabkov"})
    entity = client.get(f"/api/entities/{ryabkov['id']}").json()
    assert {"Sergei Ryabkov", "Sergei Riabkov"} <= set(entity["aliases"]) and entity["type"] == "PERSON"
    assert [s["story_id"] for s in entity["stories"]] == [seeds["id"]] and entity["stories"][0]["articles"] == 2
    _error(client.get("/api/entities/e-000000000000"), 404, "not_found")
    error = _error(client.get("/api/stories/s-0000000000000000"), 404, "not_found")
    assert "s-0000000000000000" in error["message"]
    _error(client.get("/api/articles/nope"), 404, "not_found")


def test_article_by_the_id_given_in_its_input(client: httpx.Client) -> None:
    found = client.get("/api/search", params={"q": "Montevideo", "limit": 100}).json()["articles"]
    given = next(a for a in found if a["external_id"])
    assert client.get(f"/api/articles/{given['external_id']}").json()["id"] == given["id"]


def test_search(client: httpx.Client) -> None:
    result = client.get("/api/search", params={"q": "riabkov"}).json()
    assert result["query"] == "riabkov" and result["total"] >= 1
    hit = next(a for a in result["articles"] if a["outlet"] == "RFI")
    assert "Riabkov" in hit["snippet"] and "text" not in hit
    pages = client.get("/api/search", params={"q": "the", "limit": 3}).json()
    assert len(pages["articles"]) == 3 and pages["total"] > 3 and "offset=3" in pages["next"]
    _error(client.get("/api/search"), 422, "invalid_request")


def test_unknown_routes_and_methods_answer_in_the_error_shape(client: httpx.Client) -> None:
    _error(client.get("/api/nothing-here"), 404, "not_found")
    _error(client.delete("/api/stories"), 405, "method_not_allowed")
    _error(client.put("/api/articles/x", json={}), 405, "method_not_allowed")


def test_pages_answer_browsers_with_html_errors(client: httpx.Client) -> None:
    response = client.get("/stories/s-nothing", headers={"Accept": "text/html"})
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert "no story &#39;s-nothing&#39;" in response.text or "no story 's-nothing'" in response.text
    _error(client.get("/stories/s-nothing"), 404, "not_found")  # a script asking for anything gets JSON


# ---- writing --------------------------------------------------------------------


def test_writes_are_refused_when_the_server_has_no_token(news_db: Path, tmp_path: Path) -> None:
    db = copy_db(news_db, tmp_path)
    before = table_rows(db)
    with running_server(db) as base:
        response = httpx.post(f"{base}/api/articles", json=MEETING, headers=AUTH, timeout=60)
        error = _error(response, 403, "writes_disabled")
        assert "--token" in error["message"] and "STORYLINE_TOKEN" in error["message"]
    assert table_rows(db) == before


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token"}, {"Authorization": f"Basic {TOKEN}"}])
def test_writes_need_the_right_token(client: httpx.Client, server: tuple[str, Path], headers: dict[str, str]) -> None:
    before = table_rows(server[1])
    response = client.post("/api/articles", json=MEETING, headers=headers)
    assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Bearer")
    _error(response, 401, "invalid_token" if "wrong" in str(headers) else "unauthorized")
    assert table_rows(server[1]) == before


def test_a_submitted_article_is_stored_and_joins_its_story(client: httpx.Client, server: tuple[str, Path]) -> None:
    seeds = _seeds_story(client)
    before = table_rows(server[1])
    response = client.post("/api/articles", json=MEETING, headers=AUTH)
    assert response.status_code == 201, response.text
    (result,) = response.json()["articles"]
    assert result["status"] == "added" and result["external_id"] == "geneva-followup" and result["error"] is None
    assert result["story"] == seeds["id"] and result["new_story"] is False
    assert table_rows(server[1])["articles"] == before["articles"] + 1
    stored = client.get(f"/api/articles/{result['id']}").json()
    assert stored["story"] == seeds["id"] and stored["title"] == MEETING["title"] and stored["outlet"] == "Test Wire"
    assert result["id"] in client.get(f"/api/stories/{seeds['id']}").json()["articles"][-1]["id"]
    assert any(a["id"] == result["id"] for a in client.get("/api/search", params={"q": "September Riabkov"}).json()["articles"])

    again = client.post("/api/articles", json=MEETING, headers=AUTH)
    assert again.status_code == 200 and again.json()["articles"][0]["status"] == "already stored"


def test_a_list_and_file_uploads(client: httpx.Client, server: tuple[str, Path]) -> None:
    before = table_rows(server[1])
    quake = "A magnitude 6.1 earthquake struck the coast of Kamchatka on Monday, damaging harbour buildings in the port of Petropavlovsk."
    records = [
        {"id": "quake-1", "text": quake, "language": "en", "published": "2024-05-06", "outlet": "Wire One"},
        {"id": "quake-2", "text": quake + " Rescue teams searched collapsed warehouses overnight.", "language": "en",
         "published": "2024-05-06", "outlet": "Wire Two"},
    ]
    response = client.post("/api/articles", json=records, headers=AUTH)
    assert response.status_code == 201
    first, second = response.json()["articles"]
    assert first["new_story"] is True and second["story"] == first["story"]

    feed = "\n".join(json.dumps({**r, "id": r["id"] + "-feed", "outlet": "Feed"}) for r in records).encode()
    page = b"<html><head><title>Kamchatka quake</title></head><body><article><p>" + quake.encode() + b" Schools stayed closed on Tuesday.</p></article></body></html>"
    files = [("file", ("quake.jsonl", feed, "application/x-ndjson")), ("file", ("quake.html", page, "text/html"))]
    uploaded = client.post("/api/articles", files=files, headers=AUTH)
    assert uploaded.status_code == 201, uploaded.text
    results = uploaded.json()["articles"]
    assert [r["source"] for r in results] == ["upload:quake.jsonl:1", "upload:quake.jsonl:2", "upload:quake.html"]
    assert {r["status"] for r in results} == {"added"} and {r["story"] for r in results} == {first["story"]}
    assert table_rows(server[1])["articles"] == before["articles"] + 5


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b'{"text": "an unfinished', 400, "invalid_json"),
        (b"\xff\xfe not utf-8", 400, "invalid_json"),
        (b'"just a string"', 422, "invalid_request"),
        (b"[]", 422, "invalid_request"),
        (b'{"title": "no body"}', 422, "invalid_request"),
        (b'{"text": 42}', 422, "invalid_request"),
        # One bad article in a list: the whole request is refused, the good one is not stored either.
        (json.dumps([{**MEETING, "id": "fine", "text": MEETING["text"] + " More."}, {"title": "no body"}]).encode(), 422, "invalid_request"),
    ],
)
def test_malformed_bodies_change_nothing(client: httpx.Client, server: tuple[str, Path], body: bytes, status: int, code: str) -> None:
    before = table_rows(server[1])
    response = client.post("/api/articles", content=body, headers={**AUTH, "Content-Type": "application/json"})
    error = _error(response, status, code)
    if code == "invalid_request" and error["detail"]:
        assert error["detail"][0]["loc"][0] == "body"
    assert table_rows(server[1]) == before


def test_other_body_types_are_refused(client: httpx.Client, server: tuple[str, Path]) -> None:
    before = table_rows(server[1])
    _error(client.post("/api/articles", content=b"text", headers={**AUTH, "Content-Type": "text/plain"}), 415, "unsupported_media_type")
    _error(client.post("/api/articles", files=[("other", ("a.txt", b"x"))], data={"file": "not a file"}, headers=AUTH), 422, "invalid_request")
    assert table_rows(server[1]) == before


def test_oversized_bodies_are_refused_unread(client: httpx.Client, server: tuple[str, Path]) -> None:
    before = table_rows(server[1])
    big = {**MEETING, "text": "word " * (2 * 1024 * 1024 + 10)}  # just over 10 MB
    error = _error(client.post("/api/articles", json=big, headers=AUTH), 413, "too_large")
    assert "10,485,760 byte limit" in error["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while streaming
        yield b'{"text": "'
        for _ in range(11):
            yield b"x" * (1024 * 1024)
        yield b'"}'

    with httpx.Client(base_url=server[0], timeout=60) as fresh:
        streamed = fresh.post("/api/articles", content=chunks(), headers={**AUTH, "Content-Type": "application/json"})
    _error(streamed, 413, "too_large")
    assert table_rows(server[1]) == before


def test_concurrent_writes_and_reads_keep_the_store_whole(client: httpx.Client, server: tuple[str, Path]) -> None:
    before = table_rows(server[1])
    subjects = ["harbour strike", "rail tunnel", "wine harvest", "bird census", "tax reform", "chess final"]

    def write(i: int) -> httpx.Response:
        text = f"Officials in Lyon gave details of the {subjects[i]} on Tuesday. Residents said the {subjects[i]} changed daily life. Item {i}."
        return httpx.post(f"{server[0]}/api/articles", json={"id": f"c-{i}", "text": text, "language": "en"}, headers=AUTH, timeout=120)

    def read(i: int) -> httpx.Response:
        return httpx.get(f"{server[0]}/api/stories" if i % 2 else f"{server[0]}/search?q=Lyon", timeout=120)

    with ThreadPoolExecutor(16) as pool:
        writes = [pool.submit(write, i) for i in range(len(subjects))]
        reads = [pool.submit(read, i) for i in range(24)]
        assert [f.result().status_code for f in writes] == [201] * len(subjects)
        assert {f.result().status_code for f in reads} == {200}
    assert table_rows(server[1])["articles"] == before["articles"] + len(subjects)
    for i in range(len(subjects)):
        assert client.get(f"/api/articles/c-{i}").status_code == 200


# ---- analysts' edits over HTTP ------------------------------------------------------


def test_search_reads_names_in_every_spelling_and_groups_by_story(client: httpx.Client) -> None:
    body = client.get("/api/search", params={"q": "Riabkov"}).json()
    assert {a["outlet"] for a in body["articles"]} >= {"DW", "RFI"}
    (term,) = body["terms"]
    assert term["text"] == "Riabkov" and "Sergei Ryabkov" in term["spellings"] and term["entities"]
    seeds = _seeds_story(client)
    assert any(g["id"] == seeds["id"] and len(g["articles"]) >= 2 for g in body["stories"])
    named = client.get("/api/stories", params={"entity": "Ryabkov"}).json()
    assert seeds["id"] in [s["id"] for s in named["stories"]]
    _error(client.get("/api/stories", params={"entity": "Nobody Atall"}), 422, "invalid_input")


def test_edits_need_the_token(client: httpx.Client, server: tuple[str, Path]) -> None:
    seeds = _seeds_story(client)
    before = table_rows(server[1])
    for headers in [{}, {"Authorization": "Bearer wrong-token"}]:
        response = client.post(f"/api/stories/{seeds['id']}/rename", json={"title": "Hijacked"}, headers=headers)
        assert response.status_code == 401
    assert table_rows(server[1]) == before


def test_split_merge_rename_move_and_undo_over_http(client: httpx.Client, server: tuple[str, Path]) -> None:
    stories = client.get("/api/stories", params={"limit": 100}).json()["stories"]
    story = next(s for s in stories if len(s["articles"]) >= 4)
    other = next(s for s in stories if s["id"] != story["id"] and len(s["articles"]) >= 2)
    before = {s["id"]: s["articles"] for s in stories}

    split = client.post(f"/api/stories/{story['id']}/split", json={"articles": story["articles"][-2:], "title": "By hand"}, headers=AUTH)
    assert split.status_code == 200, split.text
    new = split.json()["story"]
    assert new["title"] == "By hand" and sorted(new["articles"]) == sorted(story["articles"][-2:])
    assert split.json()["edit"]["kind"] == "split" and split.json()["edit"]["kept_apart"] == [[story["id"], new["id"]]]

    moved = client.post(f"/api/articles/{other['articles'][0]}/move", json={"story": new["id"]}, headers=AUTH)
    assert moved.status_code == 200 and other["articles"][0] in moved.json()["story"]["articles"]
    merged = client.post(f"/api/stories/{story['id']}/merge", json={"story": new["id"]}, headers=AUTH)
    assert merged.status_code == 200 and len(merged.json()["story"]["articles"]) == len(story["articles"]) + 1
    assert client.get(f"/api/stories/{new['id']}").json()["id"] == story["id"]
    renamed = client.post(f"/api/stories/{story['id']}/rename", json={"title": "Named by an analyst"}, headers=AUTH)
    assert renamed.json()["story"]["title"] == "Named by an analyst"

    log = client.get("/api/edits").json()
    assert [e["kind"] for e in log["edits"]][:4] == ["rename", "merge", "move", "split"]
    _error(client.post(f"/api/edits/{log['edits'][3]['id']}/undo", headers=AUTH), 400, "invalid_parameter")  # later edits first
    for edit in log["edits"][:4]:
        undone = client.post(f"/api/edits/{edit['id']}/undo", headers=AUTH)
        assert undone.status_code == 200 and undone.json()["edit"]["undoes"] == edit["id"]
    after = {s["id"]: s["articles"] for s in client.get("/api/stories", params={"limit": 100}).json()["stories"]}
    assert {k: sorted(v) for k, v in after.items()} == {k: sorted(v) for k, v in before.items()}


def test_edit_requests_that_make_no_sense(client: httpx.Client) -> None:
    seeds = _seeds_story(client)
    _error(client.post("/api/stories/s-0000000000000000/rename", json={"title": "x"}, headers=AUTH), 404, "not_found")
    _error(client.post(f"/api/stories/{seeds['id']}/rename", json={"title": ""}, headers=AUTH), 422, "invalid_request")
    _error(client.post(f"/api/stories/{seeds['id']}/merge", json={"story": seeds["id"]}, headers=AUTH), 400, "invalid_parameter")
    _error(client.post(f"/api/stories/{seeds['id']}/split", json={"articles": ["nope"]}, headers=AUTH), 422, "invalid_input")
    _error(client.post("/api/edits/99999/undo", headers=AUTH), 404, "not_found")
