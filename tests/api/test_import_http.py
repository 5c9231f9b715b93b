"""``POST /import`` over real HTTP: admins stream a file and read the same summary as JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import httpx

from ledger.domain import appeal_id_for
from ledger.values import Role
from tests.api.conftest import LiveServer
from tests.migration.lines import history
from tests.waiting import until

STATUS = "query($id: ID!) { appeal(id: $id) { status rating } }"


def _jsonl(count: int, prefix: str) -> bytes:
    rows = [line for n in range(count) for line in history(f"{prefix}-{n}")]
    return b"".join(json.dumps(row, ensure_ascii=False).encode() + b"\n" for row in rows)


def _chunks(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def _import(
    live: LiveServer,
    content: bytes | Iterator[bytes],
    token: str | None,
    query: str = "",
    *,
    timeout: float = 30,
    content_type: str | None = None,
) -> httpx.Response:
    """``POST /import`` with ``token`` (none: anonymously) and the options in ``query``."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    if content_type:
        headers["content-type"] = content_type
    return httpx.post(
        f"{live.url}/import{query}", content=content, timeout=timeout, headers=headers
    )


def test_an_admin_streams_a_file_larger_than_the_body_cap_and_gets_the_summary(
    live: LiveServer,
) -> None:
    data = _jsonl(1500, "http") + b'{"channel": "vk", "external_id": "x", "type": "rated"\n'
    assert len(data) > 1_048_576  # over APPEALS_MAX_BODY_BYTES, the cap of other requests
    admin = live.token(Role.ADMIN)

    response = _import(live, _chunks(data), admin, timeout=300)

    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["appeals_new"] == 1500 and summary["events_written"] == 9000
    assert summary["ok"] is False and summary["refused_lines"] == 1
    assert summary["refusals"][0]["line"] == 9001
    assert "not valid JSON" in summary["refusals"][0]["reason"]
    auditor = live.token(Role.AUDITOR)
    appeal_id = str(appeal_id_for("pos", "http-7"))

    def closed() -> bool:
        answer = live.post(STATUS, {"id": appeal_id}, token=auditor).json()
        return (answer.get("data") or {}).get("appeal") == {"status": "CLOSED", "rating": 5}

    until(closed, timeout=120)


def test_a_csv_dry_run_over_http_writes_nothing(live: LiveServer) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Канал", "Внешний ID", "Орган", "Дата поступления", "Текст обращения"])
    writer.writerow(["вконтакте", "dry-1", "Администрация города", "01.03.2025 10:00", "Яма"])
    admin = live.token(Role.ADMIN)
    content = out.getvalue().encode("cp1251")

    response, again = [
        _import(live, content, admin, "?dry_run=true", timeout=60, content_type="text/csv")
        for _ in range(2)
    ]

    assert response.status_code == 200, response.text
    assert response.json()["dry_run"] is True and response.json()["appeals_new"] == 1
    assert again.json()["appeals_new"] == 1  # nothing was written the first time


def test_only_admins_may_import(live: LiveServer) -> None:
    body = _jsonl(1, "forbidden")
    operator = live.token(Role.OPERATOR, body="Администрация города", department="x")

    anonymous = _import(live, body, None)
    as_operator = _import(live, body, operator)
    bad_format = _import(live, body, live.token(Role.ADMIN), "?format=xml")

    assert anonymous.status_code == 401
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert as_operator.status_code == 403
    assert as_operator.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    bad_encoding = _import(live, body, live.token(Role.ADMIN), "?format=csv&encoding=klingon")
    assert bad_encoding.status_code == 400
    assert bad_format.status_code == 400
    assert bad_format.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
