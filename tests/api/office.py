"""An office sending appeal commands over GraphQL, as the law tests drive the API."""

from __future__ import annotations

import uuid
from typing import Any, Protocol

from ledger.values import Role


class Server(Protocol):
    """A served app, in process or as a real server."""

    def token(self, role: Role) -> str: ...

    def post(self, query: str, variables: dict[str, Any] | None = None, *, token: str) -> Any: ...


class Office:
    """One supervisor in a body of its own; ``FIELDS`` is what each command's answer selects."""

    FIELDS = "id status"

    def __init__(self, live: Server) -> None:
        self.live = live
        self.token = live.token(Role.SUPERVISOR)
        self.body = f"Орган {uuid.uuid4().hex[:8]}"

    def send(self, name: str, values: dict[str, object]) -> dict[str, Any]:
        # Every mutation's input type is its name, capitalised, with ``Input``.
        kind = f"{name[0].upper()}{name[1:]}Input"
        query = f"mutation($input: {kind}!) {{ {name}(input: $input) {{ appeal {{ {self.FIELDS} }} }} }}"
        answer: dict[str, Any] = self.live.post(query, {"input": values}, token=self.token).json()
        return answer

    def do(self, name: str, values: dict[str, object]) -> dict[str, Any]:
        answer = self.send(name, values)
        assert "errors" not in answer, answer["errors"]
        appeal: dict[str, Any] = answer["data"][name]["appeal"]
        return appeal


def receive(live: Server, token: str, **values: object) -> str:
    """A new appeal received over GraphQL, an email to «Орган» unless ``values`` say otherwise."""
    message = {"channel": "EMAIL", "text": "Проверка", "body": "Орган", **values}
    answer = live.post(
        "mutation($input: ReceiveAppealInput!) { receiveAppeal(input: $input) { appeal { id } } }",
        {"input": {"externalId": uuid.uuid4().hex, **message}},
        token=token,
    ).json()
    assert "errors" not in answer, answer["errors"]
    return str(answer["data"]["receiveAppeal"]["appeal"]["id"])
