"""Xero's error answers (xero-api.md §6), raised anywhere and turned into responses at the edge."""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web

from .wire import dumps


class XeroError(Exception):
    """An answer other than success; ``response()`` renders it."""

    def __init__(self, status: int, body: Any, content_type: str = "application/json") -> None:
        super().__init__(f"{status}: {body!r}")
        self.status = status
        self.body = body
        self.content_type = content_type

    def response(self) -> web.Response:
        text = self.body if isinstance(self.body, str) else dumps(self.body)
        return web.Response(status=self.status, text=text, content_type=self.content_type)


def _api_exception(number: int, kind: str, message: str, **extra: Any) -> XeroError:
    return XeroError(400, {"ErrorNumber": number, "Type": kind, "Message": message, **extra})


def validation_exception(elements: list[dict]) -> XeroError:
    """400 ``ValidationException``: each failing element echoed with its ``ValidationErrors``."""
    return _api_exception(10, "ValidationException", "A validation exception occurred", Elements=elements)


def validation_failed(*messages: str) -> XeroError:
    """400 ``ValidationException`` about the request as a whole (one element, messages only)."""
    return validation_exception([{"ValidationErrors": [{"Message": m} for m in messages]}])


def post_data_invalid(message: str) -> XeroError:
    # UNKNOWN (xero-api.md §6, [S] pyxero #214): ErrorNumber 14 is sourced; the wording of the
    # message for JSON bodies is the emulator's own.
    return _api_exception(14, "PostDataInvalidException", message)


def query_parse(message: str) -> XeroError:
    """400 ``QueryParseException`` (ErrorNumber 16) for a bad ``where``/``order``."""
    return _api_exception(16, "QueryParseException", message)


def no_data_processed(singular: str) -> XeroError:
    """400 ``NoDataProcessedException`` (ErrorNumber 17) for a body without elements."""
    return _api_exception(
        17,
        "NoDataProcessedException",
        "No data has been processed for this endpoint. This endpoint is expecting "
        f"{singular} data to be specifed in the request body.",
    )


def not_found() -> XeroError:
    """404: Xero answers plain text, not JSON ([S] XeroAPI/Xero-OpenAPI#163)."""
    return XeroError(404, "The resource you're looking for cannot be found", content_type="text/plain")


def _problem(status: int, title: str, detail: str) -> XeroError:
    return XeroError(
        status,
        {
            "Type": None,
            "Title": title,
            "Status": status,
            "Detail": detail,
            "Instance": str(uuid.uuid4()),
            "Extensions": {},
        },
    )


def unauthorized(detail: str = "AuthenticationUnsuccessful") -> XeroError:
    """401 with Xero's problem body ([S] pyxero PR #337); ``detail`` may be ``TokenExpired: …``."""
    return _problem(401, "Unauthorized", detail)


def forbidden() -> XeroError:
    # UNKNOWN (xero-api.md §6, [S]): the 403 body for a missing or unconnected tenant; the
    # emulator uses the 401 problem shape with Detail "AuthorizationUnsuccessful".
    return _problem(403, "Forbidden", "AuthorizationUnsuccessful")


def bad_request(message: str) -> XeroError:
    # UNKNOWN (xero-api.md §3, §10): the body of a refused Idempotency-Key; the emulator uses the
    # spec's 400 Error shape with the message as the one validation error (the SDK's ``reason``).
    return validation_failed(message)
