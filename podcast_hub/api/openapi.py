"""The OpenAPI 3.1 document of the JSON API, built from the rules it describes.

Served at `/api/openapi.json`; the test suite checks every route under `/api/`
against it with schemathesis. Enumerations (moderation actions, sorts, comment
statuses) come from the modules that own them, so the document cannot drift.
"""

import copy
import functools
from importlib.metadata import PackageNotFoundError, version

from ..conversation.moderation import ACTIONS
from ..conversation.threads import SORTS
from ..models import MAX_ID, CommentStatus
from ..text.rules import EMAIL_PATTERN
from ..web.forms import POSTING_KEY

CSRF_HEADER = "X-CSRFToken"
# The statuses a listener may see: held comments (their own) all say pending.
PUBLIC_STATUSES = (CommentStatus.PUBLISHED, CommentStatus.PENDING)
MOMENT_PATTERN = r"^([0-9]+|[0-9]+:[0-5][0-9]:[0-5][0-9]|[0-9]{1,2}:[0-5][0-9])?$"


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description):
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref("Error")}},
    }


def _json(description, schema, headers=None):
    response = {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }
    if headers:
        response["headers"] = headers
    return response


def _body(description, schema):
    return {
        "required": True,
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }


def _episode(**extra):
    """Return the schema of an episode in JSON, with `extra` properties."""
    properties = {
        "slug": {"type": "string"},
        "title": {"type": "string"},
        "published_at": {"type": "string", "format": "date-time"},
        "duration": {"type": "integer", "minimum": 0, "description": "Seconds."},
        "audio_url": {"type": "string", "format": "uri"},
        "page_url": {"type": "string", "format": "uri"},
        "comment_count": {"type": "integer", "minimum": 0},
        **extra,
    }
    return {
        "type": "object",
        "required": list(properties),
        "additionalProperties": False,
        "properties": properties,
    }


def _comment(description, *, statuses, **extra):
    """Return the schema of a comment in JSON, with `extra` properties."""
    properties = {
        "id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        "parent_id": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_ID},
        "author": {"type": "string"},
        "body": {"type": "string"},
        "body_html": {"type": "string"},
        "timestamp": {
            "type": ["integer", "null"],
            "minimum": 0,
            "description": "The moment of the audio in seconds; null for none.",
        },
        "created_at": {"type": "string", "format": "date-time"},
        "is_host": {"type": "boolean"},
        "status": {"enum": list(statuses)},
        "replies": {"type": "array", "items": _ref("Comment")},
        **extra,
    }
    return {
        "type": "object",
        "description": description,
        "required": list(properties),
        "additionalProperties": False,
        "properties": properties,
    }


_SLUG = {
    "name": "slug",
    "in": "path",
    "required": True,
    "description": "The episode's slug, the end of its page address.",
    "schema": {"type": "string", "minLength": 1},
}
_COMMENT_ID = {
    "name": "comment_id",
    "in": "path",
    "required": True,
    "description": "The comment's id.",
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
}

_NOT_FOUND_EPISODE = _error("There is no published episode with that slug.")
_NOT_FOUND_COMMENT = _error(
    "There is no such comment, or this visitor may not see it (a held comment "
    "is visible only from the browser that posted it)."
)
_BAD_CSRF = _error(
    f"The CSRF check failed: the `{CSRF_HEADER}` header is missing or does not "
    "match the session cookie."
)
_TOO_LARGE = _error("The request body is over 64 KB; it was not read.")
_OWN_COMMENT: list[dict[str, list[str]]] = [
    {"session": [], "csrfToken": [], "ownComments": []}
]

_SCHEMAS = {
    "Error": {
        "type": "object",
        "description": "Every error of the API: a sentence, and messages per field.",
        "required": ["error", "fields"],
        "additionalProperties": False,
        "properties": {
            "error": {"type": "string"},
            "fields": {
                "type": "object",
                "description": "Each field that needs another look, with messages.",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
    "Episode": _episode(),
    "EpisodeDetail": _episode(
        description_html={
            "type": "string",
            "description": "The show notes, rendered and sanitised.",
        },
        chapters={"type": "array", "items": _ref("Chapter")},
    ),
    "Chapter": {
        "type": "object",
        "required": ["start", "title", "url"],
        "additionalProperties": False,
        "properties": {
            "start": {"type": "integer", "minimum": 0, "description": "Seconds."},
            "title": {"type": "string"},
            "url": {"type": ["string", "null"], "format": "uri"},
        },
    },
    "Comment": _comment(
        "A comment with its replies. Held comments appear only to the browser "
        "that posted them, as `pending`. No e-mail address is ever included.",
        statuses=PUBLIC_STATUSES,
    ),
    "Thread": _comment(
        "A comment with its first few replies, and how many replies it has in all.",
        statuses=PUBLIC_STATUSES,
        reply_count={"type": "integer", "minimum": 0},
    ),
    "ModeratedComment": _comment(
        "A comment as its host sees it: the real status, and the pin.",
        statuses=tuple(CommentStatus),
        pinned={"type": "boolean"},
    ),
    "Conversation": {
        "type": "object",
        "description": "Every published thread of an episode.",
        "required": ["episode", "count", "comments"],
        "additionalProperties": False,
        "properties": {
            "episode": {"type": "string", "description": "The episode's slug."},
            "count": {"type": "integer", "minimum": 0},
            "comments": {"type": "array", "items": _ref("Comment")},
        },
    },
    "ConversationPage": {
        "type": "object",
        "description": "One page of threads, as the episode page shows them.",
        "required": ["episode", "count", "page", "pages", "threads", "comments"],
        "additionalProperties": False,
        "properties": {
            "episode": {"type": "string", "description": "The episode's slug."},
            "count": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
            "threads": {"type": "integer", "minimum": 0},
            "comments": {"type": "array", "items": _ref("Thread")},
        },
    },
    "Moments": {
        "type": "object",
        "required": ["episode", "duration", "moments"],
        "additionalProperties": False,
        "properties": {
            "episode": {"type": "string"},
            "duration": {"type": "integer", "minimum": 0},
            "moments": {
                "type": "array",
                "description": "`[second, comment count, first comment id]` rows.",
                "items": {
                    "type": "array",
                    "items": {"type": "integer", "minimum": 0},
                    "minItems": 3,
                    "maxItems": 3,
                },
            },
        },
    },
    "Moment": {
        "description": (
            "A moment of the audio, within the episode: whole seconds, or text "
            "as `754`, `12:34` or `1:02:03`; null or empty for a general comment."
        ),
        "oneOf": [
            {"type": "integer", "minimum": 0},
            {"type": "string", "pattern": MOMENT_PATTERN},
            {"type": "null"},
        ],
    },
    "NewComment": {
        "type": "object",
        "required": ["author", "body"],
        "properties": {
            "author": {
                "type": "string",
                "minLength": 1,
                "maxLength": 80,
                "description": (
                    "The listener's name; a logged-in host's comment carries the "
                    "host's name instead, whatever is sent."
                ),
            },
            "email": {
                "type": ["string", "null"],
                "maxLength": 254,
                "pattern": EMAIL_PATTERN,
                "description": "Optional, never shown.",
            },
            "notify": {
                "type": ["boolean", "null"],
                "description": (
                    "Mail replies to `email` (which it needs). The first time an "
                    "address asks, it gets a mail to confirm it, and nothing else "
                    "until it is confirmed. Ignored for a host."
                ),
            },
            "body": {"type": "string", "minLength": 1, "maxLength": 10000},
            "timestamp": _ref("Moment"),
            "parent_id": {
                "type": ["integer", "null"],
                "minimum": 1,
                "maximum": MAX_ID,
                "description": "The comment this one replies to.",
            },
        },
        "example": {"author": "Lee", "body": "The storm at 12:34!", "timestamp": 754},
    },
    "CommentEdit": {
        "type": "object",
        "description": "A field left out keeps its value.",
        "properties": {
            "body": {"type": "string", "minLength": 1, "maxLength": 10000},
            "timestamp": _ref("Moment"),
        },
    },
    "Moderation": {
        "type": "object",
        "required": ["action"],
        "properties": {"action": {"enum": list(ACTIONS)}},
    },
}

_PATHS = {
    "/api/openapi.json": {
        "get": {
            "operationId": "getOpenAPI",
            "summary": "This document.",
            "responses": {
                "200": _json("The OpenAPI document.", {"type": "object"}),
                "304": {"description": "Not modified since the `ETag` sent."},
            },
        }
    },
    "/api/episodes": {
        "get": {
            "operationId": "listEpisodes",
            "summary": "Published episodes, newest first.",
            "responses": {
                "200": _json(
                    "The published episodes.",
                    {"type": "array", "items": _ref("Episode")},
                )
            },
        }
    },
    "/api/episodes/{slug}": {
        "parameters": [_SLUG],
        "get": {
            "operationId": "getEpisode",
            "summary": "One published episode, with its notes and chapters.",
            "responses": {
                "200": _json("The episode.", _ref("EpisodeDetail")),
                "404": _NOT_FOUND_EPISODE,
            },
        },
    },
    "/api/episodes/{slug}/comments": {
        "parameters": [_SLUG],
        "get": {
            "operationId": "listComments",
            "summary": "The episode's threads: all of them, or one page.",
            "description": (
                "Without `page`, every published thread, the same for everyone, "
                "with an `ETag`: sent back in `If-None-Match`, it answers `304` "
                "until something changes. With `page`, one page of "
                "threads as the episode page shows them, sorted by `sort` and "
                "filtered by `host`; a page out of range gives the nearest one."
            ),
            "parameters": [
                {
                    "name": "page",
                    "in": "query",
                    "description": "The page of threads, from 1.",
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                },
                {
                    "name": "sort",
                    "in": "query",
                    "description": "With `page`: by moment (default) or newest first.",
                    "schema": {"enum": list(SORTS)},
                },
                {
                    "name": "host",
                    "in": "query",
                    "description": "With `page`: `1` keeps threads a host wrote in.",
                    "schema": {"type": "string"},
                },
            ],
            "responses": {
                "200": _json(
                    "The threads.",
                    {"oneOf": [_ref("Conversation"), _ref("ConversationPage")]},
                ),
                "304": {"description": "Not modified since the `ETag` sent."},
                "400": _error("`sort` is not one of the sorts."),
                "404": _NOT_FOUND_EPISODE,
            },
        },
        "post": {
            "operationId": "postComment",
            "summary": "Comment on the episode, or reply to a comment.",
            "description": (
                "A listener gives `author`; a logged-in host posts under their "
                "own name. The response sets the `own_comments` cookie that lets "
                "this browser see the comment while it is held and change it "
                "for 15 minutes.\n\n"
                "Send a new `Idempotency-Key` with each comment the listener "
                "writes, and the same one when sending it again (after a lost "
                "answer, a timeout, a 503): a repeat from the same session "
                "answers `201` with the comment the first one stored, never a "
                "second comment, even when both arrive at once."
            ),
            "security": [{"session": [], "csrfToken": []}],
            "parameters": [
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "description": (
                        "A random key for this one comment, kept across its "
                        "retries; bound to the session, so another visitor's "
                        "key finds nothing."
                    ),
                    "schema": {"type": "string", "pattern": POSTING_KEY},
                }
            ],
            "requestBody": _body("The comment.", _ref("NewComment")),
            "responses": {
                "201": _json(
                    "The comment; `pending` when it awaits moderation.",
                    _ref("Comment"),
                    headers={
                        "Set-Cookie": {
                            "description": "`own_comments`, proof of authorship.",
                            "schema": {"type": "string"},
                        }
                    },
                ),
                "400": _error("Some fields are missing, of the wrong type or invalid."),
                "403": _BAD_CSRF,
                "404": _error("There is no such episode, or no such parent comment."),
                "413": _TOO_LARGE,
                "422": _error(
                    "This `Idempotency-Key` was used for a comment with other words."
                ),
                "429": _error("Too many comments from this address; wait a little."),
                "503": _error(
                    "The database is away: the comment was not posted. Send it "
                    "again, with the same `Idempotency-Key`, after `Retry-After` "
                    "seconds.",
                ),
            },
        },
    },
    "/api/episodes/{slug}/moments": {
        "parameters": [_SLUG],
        "get": {
            "operationId": "listMoments",
            "summary": "The timeline's markers: where in the audio people comment.",
            "responses": {
                "200": _json("The moments.", _ref("Moments")),
                "304": {"description": "Not modified since the `ETag` sent."},
                "404": _NOT_FOUND_EPISODE,
            },
        },
    },
    "/api/comments/{comment_id}": {
        "parameters": [_COMMENT_ID],
        "get": {
            "operationId": "getComment",
            "summary": "One comment with its first few replies.",
            "responses": {
                "200": _json("The comment.", _ref("Thread")),
                "404": _NOT_FOUND_COMMENT,
            },
        },
        "patch": {
            "operationId": "editComment",
            "summary": "Change your own comment within 15 minutes of posting it.",
            "security": _OWN_COMMENT,
            "requestBody": _body("The new words or moment.", _ref("CommentEdit")),
            "responses": {
                "200": _json("The comment as changed.", _ref("Comment")),
                "400": _error("A field is of the wrong type or invalid."),
                "403": _error(
                    "The CSRF check failed, the comment is someone else's, or its "
                    "15 minutes are over."
                ),
                "404": _NOT_FOUND_COMMENT,
                "413": _TOO_LARGE,
            },
        },
        "delete": {
            "operationId": "deleteComment",
            "summary": "Delete your own comment within 15 minutes of posting it.",
            "security": _OWN_COMMENT,
            "responses": {
                "204": {"description": "Deleted."},
                "403": _error(
                    "The CSRF check failed, the comment is someone else's, its "
                    "15 minutes are over, or someone has replied."
                ),
                "404": _NOT_FOUND_COMMENT,
            },
        },
    },
    "/api/comments/{comment_id}/moderation": {
        "parameters": [_COMMENT_ID],
        "post": {
            "operationId": "moderateComment",
            "summary": "Approve, hide, mark as spam, delete, restore, pin or unpin.",
            "description": "Hosts only: the session cookie of a logged-in host.",
            "security": [{"session": [], "csrfToken": []}],
            "requestBody": _body("The action.", _ref("Moderation")),
            "responses": {
                "200": _json("The comment after the action.", _ref("ModeratedComment")),
                "400": _error(
                    "The action is unknown, or cannot apply to this comment."
                ),
                "401": _error("Log in as a host to do this."),
                "403": _BAD_CSRF,
                "404": _error("There is no such comment."),
                "413": _TOO_LARGE,
            },
        },
    },
}


_RENAMED = {
    "301": {
        "description": (
            "The slug is one the episode had before: `Location` is the same "
            "address under its current slug."
        )
    },
    "308": {
        "description": (
            "As 301, for a request with a body: send it again to `Location`."
        )
    },
}


def _with_renamed(paths):
    """Return `paths` where every operation on an episode's slug may redirect."""
    paths = copy.deepcopy(paths)
    for path, item in paths.items():
        if "{slug}" not in path:
            continue
        for method, operation in item.items():
            if method in ("get", "post"):
                code = "301" if method == "get" else "308"
                operation["responses"][code] = _RENAMED[code]
    return paths


def document():
    """Return the OpenAPI document of the JSON API, a new copy each time."""
    return copy.deepcopy(_document())


@functools.cache
def _document():
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Podcast Hub",
            "version": _version(),
            "description": (
                "Episodes and the conversation around moments of them. Every "
                'error is JSON: `{"error": "...", "fields": {...}}`. Requests '
                "that change something carry the CSRF token of the session cookie "
                f'(from `<meta name="csrf-token">` on every page) in `{CSRF_HEADER}`.'
            ),
        },
        "paths": _with_renamed(_PATHS),
        "components": {
            "schemas": _SCHEMAS,
            "securitySchemes": {
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "session",
                    "description": (
                        "The site's session cookie: it holds the CSRF secret, and "
                        "a host's login."
                    ),
                },
                "csrfToken": {
                    "type": "apiKey",
                    "in": "header",
                    "name": CSRF_HEADER,
                    "description": "The CSRF token that belongs to the session.",
                },
                "ownComments": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "own_comments",
                    "description": "Signed proof of the comments this browser posted.",
                },
            },
        },
    }


def _version():
    try:
        return version("podcast-hub")
    except PackageNotFoundError:
        return "0"
