"""Random text, numbers and JSON thrown at every public route: never a 5xx.

Hypothesis draws the values; the run is derandomized so that CI and a
developer see the same examples, and small enough to stay in seconds.
"""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import csrf_from
from .helpers import make_comment, make_episode, make_show

PUBLIC_BLUEPRINTS = ("public", "api", "feeds", "auth")
FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# Text of every kind: controls, non-characters, RTL marks (lone surrogates only
# in JSON, which can carry them as escapes; a form body cannot).
any_text = st.text(
    alphabet=st.characters(codec=None, exclude_categories=("Cs",)), max_size=60
)
json_text = st.text(alphabet=st.characters(codec=None), max_size=60)
special_text = st.sampled_from(
    [
        "\uffff",
        "\x00",
        "\x1b[31m",
        "\u202e",
        "²",
        "٣",
        "9" * 5000,
        "-1",
        "1e309",
        "NaN",
        "../../etc/passwd",
        "%00",
        "<script>alert(1)</script>",
        "12:34",
        "99:99:99",
        "",
    ]
)
odd_text = st.one_of(any_text, special_text)
any_number = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
)
any_json = st.recursive(
    st.one_of(st.none(), st.booleans(), any_number, odd_text, json_text),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(odd_text, children, max_size=4),
    ),
    max_leaves=12,
)
comment_json = st.fixed_dictionaries(
    {},
    optional={
        "author": st.one_of(odd_text, json_text, any_json),
        "email": st.one_of(odd_text, json_text, any_json),
        "body": st.one_of(odd_text, json_text, any_json),
        "timestamp": st.one_of(odd_text, any_number, any_json),
        "parent_id": st.one_of(any_number, odd_text, any_json),
        "notify": any_json,
    },
)
# The names the views read, and anything else.
NUMBER_ARGS = ("t", "page", "comment", "reply", "thread", "start")
TEXT_ARGS = ("sort", "host", "next", "endpoint", "_external")
known_arg = st.sampled_from(NUMBER_ARGS + TEXT_ARGS)
# What people and scripts put where a number belongs.
number_text = st.one_of(
    st.sampled_from(
        ["²", "٣", "9" * 5000, "-1", "0", "9223372036854775808", "1e3", " 7", "0x10"]
    ),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["1", "2", "12:34", "1:02:03", "99:99"]),
    any_text,
)
arg_name = st.one_of(known_arg, known_arg, odd_text)
arg_value = st.one_of(special_text, special_text, any_text)
# Mostly values that reach the views (the episode, the comments' ids).
valid_path_value = st.sampled_from(["talk", "1", "2"])
path_value = st.one_of(
    valid_path_value,
    valid_path_value,
    st.sampled_from(["0", "9223372036854775808", "%2e%2e", "x"]),
    odd_text.filter(lambda s: "/" not in s and "?" not in s and "#" not in s),
)


@pytest.fixture
def world(app, client):
    """A show with an episode, a thread, and a CSRF token for `client`."""
    make_show()
    episode = make_episode(slug="talk", duration_s=900)
    first = make_comment(episode)
    make_comment(episode, parent_id=first.id, body="A reply")
    token = csrf_from(client.get("/episodes/talk").get_data(as_text=True))
    return token


def _public_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in PUBLIC_BLUEPRINTS
    ]


def _path(rule, value):
    path = rule.rule
    for argument in rule.arguments:
        for converter in ("int:", "path:", ""):
            path = path.replace(f"<{converter}{argument}>", value)
    return path


def _check(response, where):
    status = response.status_code
    response.close()
    assert status < 500, where


@FUZZ
@given(
    value=path_value,
    query=st.fixed_dictionaries(
        {},
        optional={
            **{name: number_text for name in NUMBER_ARGS},
            **{name: arg_value for name in TEXT_ARGS},
        },
    ),
    extra=st.dictionaries(odd_text, arg_value, max_size=2),
)
def test_random_query_strings_on_every_public_get_route(
    app, client, world, value, query, extra
):
    """Each example goes to every GET route, each route with the real ids too."""
    query = {**extra, **query}
    for rule in _public_rules(app):
        if "GET" not in rule.methods:
            continue
        for path in {_path(rule, value), _path(rule, "talk"), _path(rule, "1")}:
            response = client.get(path, query_string=query)
            _check(response, (path, query))


@FUZZ
@given(data=st.data())
def test_random_forms_on_every_public_post_route(app, client, world, data):
    rule = data.draw(
        st.sampled_from([r for r in _public_rules(app) if "POST" in r.methods])
    )
    value = data.draw(path_value)
    form = data.draw(st.dictionaries(arg_name, arg_value, max_size=6))
    form.update(
        data.draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "author": odd_text,
                    "email": odd_text,
                    "body": odd_text,
                    "timestamp": odd_text,
                    "parent_id": odd_text,
                    "notify": odd_text,
                    "password": odd_text,
                    "next": odd_text,
                },
            )
        )
    )
    form["csrf_token"] = world
    path = _path(rule, value)
    response = client.post(path, data=form)
    _check(response, (path, form))


@FUZZ
@given(data=st.data())
def test_random_json_on_every_public_route_that_takes_a_body(app, client, world, data):
    rules = [r for r in _public_rules(app) if r.methods - {"GET", "HEAD", "OPTIONS"}]
    rule = data.draw(st.sampled_from(rules))
    method = data.draw(st.sampled_from(sorted(rule.methods - {"HEAD", "OPTIONS"})))
    value = data.draw(path_value)
    body = data.draw(st.one_of(comment_json, any_json))
    text = json.dumps(body, allow_nan=True)
    path = _path(rule, value)
    response = client.open(
        path,
        method=method,
        data=text,
        content_type="application/json",
        headers={"X-CSRFToken": world},
    )
    _check(response, (method, path, text[:200]))
