"""What every request goes through before a view sees it, and every response
after: the body limit, bounded JSON, security headers, the rate-limit key.

Request bodies are small (`MAX_BODY_KB`) everywhere but the views marked
`accepts_upload`, and there only for a logged-in host; the limit is checked from
`Content-Length` before anything reads the body, and enforced while reading
when there is none.
"""

import io
import re
from collections.abc import Callable
from typing import Any, TypeVar, overload

from flask import Flask, abort, current_app, request
from flask.json.provider import DefaultJSONProvider
from flask_login import current_user
from werkzeug.routing import IntegerConverter, Map
from werkzeug.wrappers import Response

from ..models import MAX_ID

# How deep JSON may nest: every object the API takes is flat.
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKETS = re.compile(r"[\[\]{}]")

ViewT = TypeVar("ViewT", bound=Callable[..., Any])


def init_app(app: Flask) -> None:
    """Install the body limit (first, before CSRF reads a form), bounded JSON
    and the security headers."""
    app.before_request(limit_body)
    app.before_request(refuse_nul_in_path)
    app.after_request(security_headers)
    app.json = BoundedJSON(app)


def accepts_upload(view: ViewT) -> ViewT:
    """Mark `view` as taking a file upload of up to `MAX_UPLOAD_MB` from hosts."""
    view.accepts_upload = True  # type: ignore[attr-defined]
    return view


def body_limit() -> int:
    """Return how many bytes this request's body may have."""
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "accepts_upload", False) and current_user.is_authenticated:
        return current_app.config["MAX_UPLOAD_BYTES"]
    return current_app.config["MAX_BODY_BYTES"]


def refuse_nul_in_path() -> None:
    """Answer 404 for a path holding NUL: it names nothing, and PostgreSQL
    refuses the character in any query (a slug, a media file's name)."""
    if "\x00" in request.path:
        abort(404)


def limit_body() -> None:
    """Refuse a body over this request's limit before anything parses it."""
    limit = body_limit()
    request.max_content_length = limit
    if request.content_length is not None:
        if request.content_length > limit:
            abort(413, description=too_large_message(limit))
    elif limit <= current_app.config["MAX_BODY_BYTES"]:
        _read_small_unsized_body(limit)
    if request.is_json and not request.path.startswith("/api/"):
        _require_json_object()


def _require_json_object() -> None:
    """Refuse JSON that is not an object where a form's fields are expected.

    Flask-WTF reads a JSON body as the form's fields, and only an object has
    fields. (The API checks its own bodies, with messages per route.)
    """
    if request.content_length and not isinstance(request.get_json(silent=True), dict):
        abort(400, description="Send a JSON object with the form's fields.")


def _read_small_unsized_body(limit: int) -> None:
    """Read a body sent without a length (chunked) whole, if it is small.

    Werkzeug would stop reading at the limit and hand on what it had: a form
    or JSON cut short. Here the whole body is read (it may be at most `limit`
    bytes) and given its length, or refused.
    """
    environ = request.environ
    if "wsgi.input_terminated" not in environ:
        return  # The server sends no unsized body: it reads as empty.
    body = environ["wsgi.input"].read(limit + 1)
    if len(body) > limit:
        abort(413, description=too_large_message(limit))
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    del environ["wsgi.input_terminated"]
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    request.__dict__.pop("content_length", None)


def too_large_message(limit: int) -> str:
    """Return what to tell someone whose request was over `limit` bytes."""
    if limit >= 1024 * 1024:
        size = f"{limit // (1024 * 1024)} MB"
    else:
        size = f"{limit // 1024} KB"
    return f"That is larger than {size}, the most this address accepts."


def security_headers(response: Response) -> Response:
    """Add the headers that keep pages from being framed, sniffed or scripted."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy())
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    return response


def content_security_policy() -> str:
    """Return the policy: our own scripts only, no framing, media maybe on a CDN."""
    media = current_app.config.get("MEDIA_BASE_URL") or ""
    media_source = f" {_origin(media)}" if media else ""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            # The timeline positions its markers with custom properties.
            "style-src-attr 'unsafe-inline'",
            f"img-src 'self' data:{media_source}",
            f"media-src 'self'{media_source}",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _origin(url: str) -> str:
    match = re.match(r"^(https?://[^/]+)", url)
    return match.group(1) if match else ""


class JSONTooDeep(ValueError):
    """JSON nests deeper than `MAX_JSON_DEPTH`."""


def json_depth(text: str) -> int:
    """Return how deep the arrays and objects in JSON `text` nest."""
    depth = deepest = 0
    for bracket in _JSON_BRACKETS.findall(_JSON_STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


class BoundedJSON(DefaultJSONProvider):
    """Flask's JSON, refusing documents nested deeper than `MAX_JSON_DEPTH`
    before the parser recurses into them."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        text = s.decode("utf-8", "replace") if isinstance(s, bytes | bytearray) else s
        if json_depth(text) > MAX_JSON_DEPTH:
            raise JSONTooDeep(f"JSON may nest at most {MAX_JSON_DEPTH} levels deep.")
        return super().loads(s, **kwargs)


@overload
def arg_int(name: str, default: int, *, maximum: int = ...) -> int: ...


@overload
def arg_int(name: str, default: None = None, *, maximum: int = ...) -> int | None: ...


def arg_int(
    name: str, default: int | None = None, *, maximum: int = MAX_ID
) -> int | None:
    """Return query argument `name` as a whole number from 1 to `maximum`.

    Anything else (missing, signs, spaces, other scripts' digits, huge) gives
    `default`; a number over `maximum` gives `maximum`.
    """
    text = request.args.get(name, "")
    if not (0 < len(text) <= 19 and text.isascii() and text.isdigit()):
        return default
    number = int(text)
    if number < 1:
        return default
    return min(number, maximum)


class DatabaseId(IntegerConverter):
    """`<int:…>` in our routes: ASCII digits, from 1 to `MAX_ID`.

    Anything else (0, a larger number, another script's digits) matches no
    route: the pattern says so, so the router answers 404, not 405.
    """

    regex = r"[1-9][0-9]{0,17}"

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int = 1,
        max: int = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)
