"""An office for the operator's desk tests: a body of its own, commands and queries over HTTP."""

from __future__ import annotations

import uuid
from typing import Any

from ledger.values import Role
from tests.api.conftest import LiveServer

INPUTS = {
    "receiveAppeal": "ReceiveAppealInput",
    "registerAppeal": "RegisterAppealInput",
    "assignAppeal": "AssignAppealInput",
    "forwardAppeal": "ForwardAppealInput",
    "extendAppealDeadline": "ExtendAppealDeadlineInput",
    "answerAppeal": "AnswerAppealInput",
    "closeAppeal": "CloseAppealInput",
    "addAppealNote": "AddAppealNoteInput",
    "reopenAppeal": "ReopenAppealInput",
}


class Desk:
    """A supervisor of a fresh body, sending commands and reading lists as a frontend would."""

    def __init__(self, live: LiveServer) -> None:
        self.live = live
        self.body = f"Орган {uuid.uuid4().hex[:8]}"
        self.token = live.token(Role.SUPERVISOR, body=self.body)

    def operator(self, department: str) -> str:
        """A token of an operator of this body's ``department`` (subject ``test-operator``)."""
        return self.live.token(Role.OPERATOR, body=self.body, department=department)

    def send(self, name: str, values: dict[str, object], token: str | None = None) -> Any:
        query = (
            f"mutation($input: {INPUTS[name]}!) {{ {name}(input: $input) {{ appeal {{ id }} }} }}"
        )
        return self.live.post(query, {"input": values}, token=token or self.token).json()

    def do(self, name: str, values: dict[str, object], token: str | None = None) -> str:
        answer = self.send(name, values, token)
        assert "errors" not in answer, answer["errors"]
        return str(answer["data"][name]["appeal"]["id"])

    def receive(
        self,
        text: str = "Не горит фонарь",
        *,
        channel: str = "WEB",
        at: str | None = None,
        citizen: bool = True,
        **extra: object,
    ) -> str:
        values: dict[str, object] = {
            "channel": channel,
            "externalId": uuid.uuid4().hex,
            "text": text,
            "body": self.body,
            **extra,
        }
        if at is not None:
            values["receivedAt"] = at
        if citizen:
            values["citizen"] = {"name": "Иван Петров", "contact": "+7 900 000-00-00"}
        return self.do("receiveAppeal", values)

    def query(
        self, query: str, variables: dict[str, object] | None = None, token: str | None = None
    ) -> Any:
        answer = self.live.post(query, variables or {}, token=token or self.token).json()
        assert "errors" not in answer, answer["errors"]
        return answer["data"]

    def ids(self, where: dict[str, object], token: str | None = None, **page: object) -> list[str]:
        """The ids of one page of ``appeals`` with this filter (in this body)."""
        data = self.query(
            "query($f: AppealFilterInput, $first: Int, $last: Int, $after: String, "
            "$before: String, $o: AppealOrder) { appeals(filter: $f, first: $first, "
            "last: $last, after: $after, before: $before, orderBy: $o) "
            "{ edges { node { id } } } }",
            {"f": {"body": self.body, **where}, **page},
            token,
        )
        return [edge["node"]["id"] for edge in data["appeals"]["edges"]]
