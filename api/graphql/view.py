"""The GraphQL-over-HTTP view: coded errors, masking, and the spec's status codes.

Errors are formatted here, not in schema hooks: with ParserCache, syntax errors skip
``on_operation`` hooks, so only the view sees every error. Clients that accept
``application/graphql-response+json`` get that media type, and a request that fails before
execution (parse, validation, variable coercion) gets 400 with no ``data`` entry, as the
GraphQL-over-HTTP spec asks. An answer with an ``UNAVAILABLE`` error (the store is away) is
a 503 with ``Retry-After``, so clients and proxies retry it.

A request that is not a GraphQL request at all (not UTF-8 JSON, nested past the decoder, no
query, a batch, a mutation over GET, a subscription over plain HTTP) is refused with its
4xx status and the same coded error body, never strawberry's plain-text reason or a 500.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.types import HTTPMethod
from strawberry.schema.base import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UnsetType

from api import graphiql
from api.graphql.context import Context
from api.graphql.errors import UNAVAILABLE, ApiError, format_error, refusal
from api.graphql.page_cache import PageCache, view_positions
from api.storage.unavailable import RETRY_AFTER

GRAPHQL_RESPONSE = "application/graphql-response+json"


class LedgerGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with our context, error policy, media types and page cache."""

    def __init__(self, schema: BaseSchema, *, page_cache_size: int = 0, **options: Any) -> None:
        super().__init__(schema, **options)
        self.page_cache = PageCache(schema._schema, page_cache_size)  # type: ignore[attr-defined]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive=receive)
        try:
            response = await self._run_plain(request) or await self.run(request)
        except HTTPException as error:
            response = self._refuse(request, error)
        await response(scope, receive, send)

    async def _run_plain(self, request: Request) -> Response | None:
        """The common request, a JSON POST of one operation, without strawberry's generality.

        Strawberry's ``run`` wraps the request in an adapter, parses the content type with
        the ``email`` package and looks for streaming transports on every request: a tenth
        of a small query's time. A request that is anything but a plain JSON POST of one
        operation gets None here and takes strawberry's path, which re-reads the cached body.
        """
        headers = request.headers
        if request.method != "POST" or not _is_json(headers.get("content-type", "")):
            return None
        accept = headers.get("accept", "")
        if "multipart" in accept or "event-stream" in accept:
            return None
        data = self.parse_json(await request.body())
        if not isinstance(data, dict):
            return None
        query, variables = data.get("query"), data.get("variables")
        extensions, name = data.get("extensions"), data.get("operationName")
        if not (
            isinstance(query, str)
            and isinstance(variables, dict | None)
            and isinstance(extensions, dict | None)
            and isinstance(name, str | None)
        ):
            return None
        sub_response = await self.get_sub_response(request)
        context = await self.get_context(request, response=sub_response)
        request_data = GraphQLRequestData(
            query=query,
            variables=variables,
            operation_name=name,
            extensions=extensions,
            protocol="http",
        )
        key = await self._cache_key(context, query, name, variables)
        if key is not None:
            assert context.reads is not None
            kept = self.page_cache.get(key, context.reads.clock())
            context.services.metrics.page_cache.labels(
                result="miss" if kept is None else "hit"
            ).inc()
            if kept is not None:
                if GRAPHQL_RESPONSE in headers.get("accept", ""):
                    sub_response.media_type = GRAPHQL_RESPONSE
                return self._respond(kept, sub_response)
        result = await self._execute("POST", context, request_data)
        body = await self.process_result(request, result)
        encoded = self.encode_json(body)
        if key is not None and not result.errors and context.cache_until is not None:
            self.page_cache.put(key, encoded, context.cache_until)
        return self._respond(encoded, sub_response)

    async def _cache_key(
        self, context: Context, query: str, name: str | None, variables: dict[str, Any] | None
    ) -> Hashable | None:
        """The page cache's key for this request, or None when its answer is not kept.

        The views are chosen here (and pinned on the context for the resolver), and their
        positions read from the store: see ``api.graphql.page_cache``.
        """
        if not self.page_cache.accepts(query, name):
            return None
        try:
            asked = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:
            return None
        services = context.services
        try:
            reader = context.reader
        except ApiError:
            return None  # a malformed X-Appeals-Position: the resolver refuses it
        context.reads = await services.reads_for(reader)
        positions = await view_positions(services, context.reads)
        return (query, name, asked, context.viewer, id(context.reads), positions)

    async def render_graphql_ide(self, request: Request) -> Response:
        # Our own page with same-origin assets: strawberry's takes them from a CDN.
        return graphiql.page(request)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        services = request.app.state.services
        viewer = await services.authenticate(request)
        request.state.sub_response = response
        return Context(
            services=services,
            viewer=viewer,
            request_id=_request_id(request),
            request=request,
            response=response,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """A token in ``connection_init`` decides the viewer; a bad one closes with 4403."""
        viewer = context.services.authenticate_init(context.connection_params)
        if viewer is not None:
            if viewer.token_error is not None:
                # graphql-transport-ws closes with 4403 Forbidden; the legacy graphql-ws
                # protocol sends this payload as its connection_error.
                reason = f"token is {viewer.token_error}"
                raise ConnectionRejectionError(
                    {"message": reason, "extensions": {"code": "UNAUTHENTICATED"}}
                )
            context.viewer = viewer
        return await super().on_ws_connect(context)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        request_id = _request_id(request)
        wants_graphql_response = GRAPHQL_RESPONSE in request.headers.get("accept", "")
        body: dict[str, Any] = {}
        pre_execution = isinstance(result, PreExecutionError)
        if not (pre_execution and wants_graphql_response):
            body["data"] = result.data
        unavailable = False
        if result.errors:
            body["errors"] = [format_error(error, request_id) for error in result.errors]
            metrics = request.app.state.services.metrics
            for error in body["errors"]:
                metrics.errors.labels(code=error["extensions"]["code"]).inc()
                unavailable = unavailable or error["extensions"]["code"] == UNAVAILABLE
        if result.extensions:
            body["extensions"] = result.extensions
        if unavailable:
            # Whatever the media type: a proxy or client retries a 503 after Retry-After.
            request.state.sub_response.status_code = 503
            request.state.sub_response.headers["retry-after"] = str(RETRY_AFTER)
        if wants_graphql_response:
            # The per-request sub-response carries media type and status to create_response.
            sub_response: Response = request.state.sub_response
            sub_response.media_type = GRAPHQL_RESPONSE
            if pre_execution:
                sub_response.status_code = 400
        return body  # type: ignore[return-value]

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        return await self._execute(request_adapter.method, context, request_data)

    async def _execute(
        self, method: HTTPMethod, context: Context, request_data: GraphQLRequestData
    ) -> ExecutionResult:
        # Subscriptions stream over WebSocket (or multipart, which strawberry routes
        # elsewhere); executed as a plain request they would end in a masked error.
        allowed = OperationType.from_http(method) - {OperationType.SUBSCRIPTION}
        try:
            return await self.schema.execute(
                request_data.query,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=request_data.extensions,
            )
        except InvalidOperationTypeError as error:
            if error.operation_type is OperationType.MUTATION:
                # GraphQL over HTTP: a mutation over GET is 405 Method Not Allowed.
                raise HTTPException(405, "mutations are only accepted over POST") from error
            raise HTTPException(400, "subscriptions are served over WebSocket") from error
        except CannotGetOperationTypeError as error:
            raise HTTPException(400, error.as_http_error_reason()) from error
        except MissingQueryError as error:
            raise HTTPException(400, "No GraphQL query found in the request") from error

    def parse_json(self, data: str | bytes) -> Any:
        """Decode a body (bytes) or a GET parameter (str); what is not JSON is refused.

        A body must be an object (or a batch array): strawberry would fail on any other value.
        """
        try:
            text = data.decode() if isinstance(data, bytes) else data
            value = json.loads(text)
        except UnicodeDecodeError:
            raise HTTPException(400, "request body is not UTF-8") from None
        except (json.JSONDecodeError, RecursionError):
            raise HTTPException(400, "Unable to parse request body as JSON") from None
        # A lone surrogate (an escape such as \\ud800) decodes but is not text: refuse it
        # here, before it reaches a store that cannot encode it. Checked only when present.
        if "\\ud" in text or "\\uD" in text:
            try:
                json.dumps(value, ensure_ascii=False).encode()
            except UnicodeEncodeError:
                raise HTTPException(400, "request body has a lone surrogate escape") from None
        if isinstance(data, bytes) and not isinstance(value, dict | list):
            raise HTTPException(400, "a GraphQL request body must be a JSON object")
        return value

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        return self._respond(self.encode_json(response_data), sub_response)

    def _respond(self, encoded: str, sub_response: Response) -> Response:
        media_type = sub_response.media_type or "application/json"
        response = Response(
            encoded,
            status_code=sub_response.status_code or 200,
            media_type=f"{media_type}; charset=utf-8",
        )
        response.headers.raw.extend(sub_response.headers.raw)
        return response

    def encode_json(self, data: object) -> str:
        # Must be str: bytes would go out as binary WebSocket frames. orjson writes the same
        # compact UTF-8 JSON several times faster; what it cannot encode goes to json.
        try:
            return orjson.dumps(data).decode()
        except orjson.JSONEncodeError:
            return json.dumps(data, separators=(",", ":"), ensure_ascii=False)

    def _refuse(self, request: Request, error: HTTPException) -> Response:
        """An HTTP-level refusal, as a coded GraphQL error body with its 4xx status."""
        request_id = _request_id(request)
        body = refusal(error.status_code, error.reason, request_id)
        request.app.state.services.metrics.errors.labels(
            code=body["errors"][0]["extensions"]["code"]
        ).inc()
        accept = request.headers.get("accept", "")
        media_type = GRAPHQL_RESPONSE if GRAPHQL_RESPONSE in accept else "application/json"
        headers = {"allow": "POST"} if error.status_code == 405 else {}
        return Response(
            self.encode_json(body),
            status_code=error.status_code,
            media_type=f"{media_type}; charset=utf-8",
            headers=headers,
        )


def _is_json(content_type: str) -> bool:
    return content_type.partition(";")[0].strip().lower() == "application/json"


def _request_id(request: Request | WebSocket) -> str:
    return str(getattr(request.state, "request_id", "-"))
