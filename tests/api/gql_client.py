"""The gql client over real HTTP, as a frontend would call the API."""

from __future__ import annotations

from gql import Client, GraphQLRequest, gql
from gql.transport.httpx import HTTPXTransport

from tests.api.conftest import LiveServer

APPEAL_FIELDS = "id uuid status version position department assignee rating reopenCount"


def client(live: LiveServer, token: str) -> Client:
    transport = HTTPXTransport(
        url=live.graphql, headers={"authorization": f"Bearer {token}"}, timeout=30
    )
    return Client(transport=transport, fetch_schema_from_transport=False)


def command(gql_client: Client, name: str, values: dict[str, object]) -> dict:  # type: ignore[type-arg]
    # Every mutation's input type is its name, capitalised, with ``Input``.
    input_type = f"{name[0].upper()}{name[1:]}Input"
    document = gql(
        f"mutation Do($input: {input_type}!) {{ {name}(input: $input) "
        f"{{ position created appeal {{ {APPEAL_FIELDS} }} }} }}"
    )
    return ask(gql_client, document, {"input": values})[name]  # type: ignore[no-any-return]


def ask(gql_client: Client, request: GraphQLRequest, variables: dict[str, object]) -> dict:  # type: ignore[type-arg]
    return gql_client.execute(GraphQLRequest(request, variable_values=variables))
