"""Hostile and mistaken requests to the app: each is refused with a code, never a 5xx.

Every refusal must carry ``extensions.code`` and the request id the ``x-request-id`` header
names, and must not leak a stack trace, SQL or a server path.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from api.graphql.limits import cached_parse, cached_validate
from api.graphql.schema import build_schema
from ledger.values import Role
from tests.api.inprocess import InProcessServer
from tests.api.refusals import codes, refusal


@pytest.fixture(scope="module")
def live(in_process: InProcessServer) -> InProcessServer:
    """What is refused is the app's answer: it is served in this process, on both stores."""
    return in_process


def post_raw(live: InProcessServer, body: bytes | Any, **headers: str) -> httpx.Response:
    headers = {"content-type": "application/json", **headers}
    return live.http.post(live.graphql, content=body, headers=headers)


def fragment_chain(levels: int, fan: int) -> str:
    """Each fragment spreads the next ``fan`` times: tiny text, ``fan ** levels`` fields."""
    fragments = [
        f"fragment F{n} on AppealConnection {{ {' '.join([f'...F{n + 1}'] * fan)} }}"
        for n in range(levels - 1)
    ] + [f"fragment F{levels - 1} on AppealConnection {{ totalCount }}"]
    return "{ appeals { ...F0 } } " + " ".join(fragments)


def test_queries_over_the_depth_alias_token_and_cost_limits_are_too_complex(
    live: InProcessServer,
) -> None:
    deep = '{ appeal(id: "x") { ' + "duplicateOf { " * 15 + "id" + " }" * 15 + " } }"
    aliases = "{ " + " ".join(f"a{n}: appeals {{ totalCount }}" for n in range(300)) + " }"
    tokens = "{ appeals { " + "totalCount " * 3000 + "} }"
    page = "appeals(first: 100) { edges { node { history { data } } } }"
    costly = "{ " + " ".join(f"p{n}: {page}" for n in range(10)) + " }"

    answers = [live.post(query) for query in (deep, aliases, tokens, costly)]

    for answer in answers:
        assert codes(refusal(answer)) == {"QUERY_TOO_COMPLEX"}
        assert answer.json()["data"] is None


def test_fragments_that_multiply_each_other_are_refused_without_hanging_the_server(
    live: InProcessServer,
) -> None:
    bomb = fragment_chain(levels=16, fan=4)  # 4**16 fields in about 150 tokens

    answer = live.post(bomb)
    after = live.post("{ appeals(first: 1) { totalCount } }", token=live.token(Role.OPERATOR))

    assert codes(refusal(answer)) == {"QUERY_TOO_COMPLEX"}
    assert after.status_code == 200
    assert "errors" not in after.json()


def test_a_body_over_the_size_cap_is_refused_with_413(live: InProcessServer) -> None:
    padding = "x" * (1 << 20)
    body = json.dumps({"query": "{ __typename }", "variables": {"pad": padding}}).encode()

    declared = post_raw(live, body)
    streamed = post_raw(live, (body[i : i + 65536] for i in range(0, len(body), 65536)))

    for answer in (declared, streamed):
        assert codes(refusal(answer, status=413)) == {"PAYLOAD_TOO_LARGE"}


@pytest.mark.parametrize(
    "body",
    [
        b'{"query": ',
        b'{"query": "{ __typename }\xff"}',
        b'{"query": "{ __typename }", "variables": {"a": '
        + b"[" * 100_000
        + b"]" * 100_000
        + b"}}",
        b"42",
        b"null",
        b'{"query": "{ __typename }", "variables": {"text": "\\ud800"}}',
        b'{"variables": {}}',
        b'{"query": ["{ __typename }"]}',
        b'[{"query": "{ __typename }"}]',
    ],
    ids=[
        "truncated",
        "not-utf8",
        "nested-past-the-decoder",
        "a-number",
        "null",
        "lone-surrogate",
        "no-query",
        "query-not-a-string",
        "batch",
    ],
)
def test_a_body_that_is_not_a_graphql_request_is_a_coded_400(
    live: InProcessServer, body: bytes
) -> None:
    answer = post_raw(live, body)

    assert codes(refusal(answer, status=400)) == {"BAD_REQUEST"}
    assert answer.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("{ appeals { ", "GRAPHQL_PARSE_FAILED"),
        ("{ appeals { nope } }", "GRAPHQL_VALIDATION_FAILED"),
        ("{ appeals(filter: {status: NOPE}) { totalCount } }", "GRAPHQL_VALIDATION_FAILED"),
        ("{ appeals { ...Missing } }", "GRAPHQL_VALIDATION_FAILED"),
    ],
    ids=["syntax-error", "unknown-field", "unknown-enum-value", "unknown-fragment"],
)
def test_a_document_that_does_not_parse_or_validate_is_coded(
    live: InProcessServer, query: str, code: str
) -> None:
    answer = live.post(query)

    assert codes(refusal(answer)) == {code}


def test_a_variable_of_the_wrong_type_is_bad_user_input_naming_it(live: InProcessServer) -> None:
    query = "query($size: Int!) { appeals(first: $size) { totalCount } }"

    errors = refusal(live.post(query, {"size": "ten"}))

    assert codes(errors) == {"BAD_USER_INPUT"}
    assert errors[0]["extensions"]["field"] == "size"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ('{ appeals(after: "garbage") { totalCount } }', "after"),
        ('{ appeal(id: "!!") { id } }', "id"),
        ('{ node(id: "!!") { id } }', "id"),
        ("{ appeals(first: 101) { totalCount } }", "first"),
        ("{ appeals(first: 0) { totalCount } }", "first"),
    ],
    ids=["garbage-cursor", "garbage-appeal-id", "garbage-node-id", "page-101", "page-0"],
)
def test_relay_arguments_out_of_range_are_bad_user_input_naming_the_argument(
    live: InProcessServer, query: str, field: str
) -> None:
    token = live.token(Role.SUPERVISOR)

    errors = refusal(live.post(query, token=token))

    assert codes(errors) == {"BAD_USER_INPUT"}
    assert errors[0]["extensions"]["field"] == field


def test_a_mutation_over_get_is_405_and_a_subscription_over_plain_http_is_400(
    live: InProcessServer,
) -> None:
    accept = {"accept": "application/json"}

    mutation = live.http.get(
        live.graphql, params={"query": "mutation { __typename }"}, headers=accept
    )
    subscription = live.post(
        "subscription { appealEvents { type } }", token=live.token(Role.SUPERVISOR)
    )

    assert codes(refusal(mutation, status=405)) == {"METHOD_NOT_ALLOWED"}
    assert mutation.headers["allow"] == "POST"
    assert codes(refusal(subscription, status=400)) == {"BAD_REQUEST"}


def test_a_clients_request_id_is_echoed_and_carried_by_its_errors(live: InProcessServer) -> None:
    request_id = f"client-{uuid.uuid4().hex}"

    answer = live.http.post(
        live.graphql, json={"query": "{ appeals { "}, headers={"x-request-id": request_id}
    )

    assert answer.headers["x-request-id"] == request_id
    assert refusal(answer)[0]["extensions"]["requestId"] == request_id


def test_a_repeated_document_is_parsed_and_validated_once() -> None:
    schema = build_schema()
    query = f"query Probe{uuid.uuid4().hex} {{ __typename }}"
    parses, validations = cached_parse, cached_validate
    parsed, validated = parses.cache_info(), validations.cache_info()

    first = schema.execute_sync(query)
    second = schema.execute_sync(query)

    assert first.data == second.data == {"__typename": "Query"}
    assert parses.cache_info().misses - parsed.misses == 1
    assert parses.cache_info().hits - parsed.hits == 1
    assert validations.cache_info().misses - validated.misses == 1
    assert validations.cache_info().hits - validated.hits == 1
