"""The GraphQL-over-HTTP view: coded errors, masking, and the spec's status codes.

Errors are formatted here, not in schema hooks: with ParserCache, syntax errors skip
``on_operation`` hooks, so only the view sees every error. Clients that accept
``application/graphql-response+json`` get that media type, and a request that fails before
execution (parse, validation, variable coercion) gets 400 with no ``data`` entry, as the
GraphQL-over-HTTP spec asks.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types.execution import ExecutionResult, PreExecutionError

from api.graphql.context import Context
from api.graphql.errors import format_error

GRAPHQL_RESPONSE = "application/graphql-response+json"


class LedgerGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with our context, error policy and media types."""

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        services = request.app.state.services
        viewer = await services.authenticate(request)
        request.state.sub_response = response
        return Context(
            services=services, viewer=viewer, request_id=_request_id(request),
            request=request, response=response,
        )  # fmt: skip

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        request_id = _request_id(request)
        wants_graphql_response = GRAPHQL_RESPONSE in request.headers.get("accept", "")
        body: dict[str, Any] = {}
        pre_execution = isinstance(result, PreExecutionError)
        if not (pre_execution and wants_graphql_response):
            body["data"] = result.data
        if result.errors:
            body["errors"] = [format_error(error, request_id) for error in result.errors]
            metrics = request.app.state.services.metrics
            for error in body["errors"]:
                metrics.errors.labels(code=error["extensions"]["code"]).inc()
        if result.extensions:
            body["extensions"] = result.extensions
        if wants_graphql_response:
            # The per-request sub-response carries media type and status to create_response.
            sub_response: Response = request.state.sub_response
            sub_response.media_type = GRAPHQL_RESPONSE
            if pre_execution:
                sub_response.status_code = 400
        return body  # type: ignore[return-value]

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        media_type = sub_response.media_type or "application/json"
        response = Response(
            self.encode_json(response_data),
            status_code=sub_response.status_code or 200,
            media_type=f"{media_type}; charset=utf-8",
        )
        response.headers.raw.extend(sub_response.headers.raw)
        return response

    def encode_json(self, data: object) -> str:
        # Must be str: bytes would go out as binary WebSocket frames.
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _request_id(request: Request | WebSocket) -> str:
    return str(getattr(request.state, "request_id", "-"))
