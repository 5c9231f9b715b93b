"""``POST /channels/<channel>/<source id>``: one route per channel, mounted by the API.

Each handler stores the message before it answers success, so the platform's retry is the
only recovery needed; anything that fails answers a failure status and the platform
re-sends. Refusals: unknown channel or source, or a disabled source → 404; a wrong
secret → 403; bad JSON, a wrong content type or a payload of an unknown shape → 400 with a
one-line reason. Nothing is recorded for a refused request.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from channels import mail, maxbot, ok, telegram, vk
from channels.errors import WebhookRefusal
from channels.inbound import Inbound
from channels.intake import Intake
from channels.source import CHANNELS, Source

Handler = Callable[[Intake, Source, Request], Awaitable[Response]]


class HasIntake(Protocol):
    """What the app's services must offer: the intake, once started."""

    channels: Intake | None


def routes() -> list[Route]:
    """The webhook route; mount it in the API's route table."""
    return [Route("/channels/{channel}/{source_id}", receive, methods=["POST"])]


async def receive(request: Request) -> Response:
    """Dispatch to the channel's handler; refusals are counted, logged and answered."""
    channel = request.path_params["channel"]
    services: HasIntake = request.app.state.services
    intake = services.channels
    assert intake is not None, "the channel intake starts with the API"
    handler = _HANDLERS.get(channel)
    try:
        if handler is None or channel not in {c.value for c in CHANNELS}:
            raise WebhookRefusal(404, "unknown_channel", "no such channel")
        source = await _off_loop(intake.source, channel, request.path_params["source_id"])
        return await handler(intake, source, request)
    except WebhookRefusal as refusal:
        intake.refused(channel if handler else "unknown", refusal)
        return PlainTextResponse(f"{refusal.detail}\n", status_code=refusal.status)


async def _vk(intake: Intake, source: Source, request: Request) -> Response:
    event = vk.parse(await _json(request))
    if str(event.group_id) != source.platform_id:
        raise WebhookRefusal(400, "bad_payload", "group_id is not this source's community")
    if event.type == "confirmation":
        if not source.secrets.confirmation:
            raise WebhookRefusal(400, "no_confirmation", "no confirmation string is set")
        return PlainTextResponse(source.secrets.confirmation)
    intake.authenticate(source, event.secret)
    message = event.message()
    if message is None:
        intake.ignored("vk")
    else:
        await _off_loop(intake.record, source, message)
    return PlainTextResponse("ok")


async def _telegram(intake: Intake, source: Source, request: Request) -> Response:
    intake.authenticate(source, request.headers.get(telegram.AUTH_HEADER))
    message = telegram.message_of(await _json(request))
    inbound = None
    if message is not None:
        chat_key = intake.directory.seal.pseudonym("telegram-chat", str(message["chat"]["id"]))
        inbound = telegram.inbound(message, source.platform_id, chat_key)
    if inbound is None:
        intake.ignored("telegram")
    else:
        await _off_loop(intake.record, source, inbound)
    return JSONResponse({"ok": True})


async def _max(intake: Intake, source: Source, request: Request) -> Response:
    intake.authenticate(source, request.headers.get(maxbot.AUTH_HEADER))
    await _answer_message(intake, source, maxbot.inbound(await _json(request), source.platform_id))
    return JSONResponse({"ok": True})


async def _ok(intake: Intake, source: Source, request: Request) -> Response:
    intake.authenticate(source, request.query_params.get(ok.SECRET_PARAM))
    await _answer_message(intake, source, ok.inbound(await _json(request), source.platform_id))
    return JSONResponse({"success": True})


async def _answer_message(intake: Intake, source: Source, message: Inbound | None) -> None:
    if message is None:
        intake.ignored(source.channel.value)
    else:
        await _off_loop(intake.record, source, message)


async def _email(intake: Intake, source: Source, request: Request) -> Response:
    intake.authenticate(source, request.headers.get("x-appeals-secret"))
    if _media_type(request) != mail.MEDIA_TYPE:
        raise WebhookRefusal(400, "wrong_content_type", f"the body must be {mail.MEDIA_TYPE}")
    message = mail.parse(await request.body())
    recorded = await _off_loop(intake.record, source, message)
    return JSONResponse({"appealId": str(recorded.appeal_id), "created": recorded.created})


async def _json(request: Request) -> Any:
    if _media_type(request) != "application/json":
        raise WebhookRefusal(400, "wrong_content_type", "the body must be application/json")
    try:
        return json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise WebhookRefusal(400, "bad_json", "the body is not valid JSON") from None


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def _off_loop(function: Callable[..., Any], *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, partial(function, *args))


_HANDLERS: dict[str, Handler] = {
    "vk": _vk,
    "telegram": _telegram,
    "max": _max,
    "ok": _ok,
    "email": _email,
}
