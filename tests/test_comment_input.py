"""Reading a posted comment: a plainly valid one without building the comment
form, read exactly as the form reads it; anything else by the form itself."""

import re
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from podcast_hub.web.forms import CommentForm, CommentInput, plain_comment

from .conftest import csrf_from
from .helpers import make_episode, make_show

KEY = "6f1c2a9e4b7d4e0f8a3b5c7d9e1f2a3b"

# What listeners and scripts send, and the edges of each rule, field by field.
EDGES = {
    "author": [
        "",
        " ",
        "  Ana  ",
        "ＡＮＡ",
        "Ana\u200b",
        "\u200b",
        "a" * 80,
        "a" * 81,
        "\x00",
        "\x01Ana",
        "Hannah Host (host)",
    ],
    "email": [
        "",
        " ",
        "ana@example.com",
        " ana@example.com ",
        "ANA@Example.COM",
        "ana@",
        "ana@example",
        "\x00",
        "a" * 250 + "@example.com",
    ],
    "notify": ["", "false", "False", "y", "on", "0"],
    "body": ["", " ", "\x00", "\x00x", "b" * 10_000, "b" * 10_001, "  two\r\nlines  "],
    "timestamp": [
        "",
        " ",
        "0",
        "754",
        " 12 ",
        "12:34",
        "1:02:03",
        "61:00",
        "-5",
        "abc",
    ],
    "parent_id": [
        "",
        " ",
        "0",
        "7",
        "-1",
        "+7",
        " 7",
        "1_0",
        "٣",
        "9" * 20,
        "9" * 5000,
    ],
    "idempotency_key": ["", " ", KEY, KEY + "\n", "short", "k" * 129],
}
# Comments the form takes: one without an address, one asking for mail.
BASES = [
    {
        "author": "Ana",
        "email": "",
        "notify": "",
        "body": "Loved it.",
        "timestamp": "",
        "parent_id": "",
        "idempotency_key": KEY,
    },
    {
        "author": "Zoë",
        "email": "zoe@example.com",
        "notify": "y",
        "body": "At this point!",
        "timestamp": "12:34",
        "parent_id": "42",
        "idempotency_key": KEY,
    },
]
any_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)))


@st.composite
def formdata(draw):
    """Return form data near a comment the form takes: each field kept, changed
    (to an edge of its rules, or text of any kind), left out, or sent twice
    (the form reads the first)."""
    base = draw(st.sampled_from(BASES))
    pairs = []
    for name, kept in base.items():
        value = st.one_of(st.sampled_from(EDGES[name]), any_text)
        how = draw(st.sampled_from(["kept", "changed", "absent", "twice"]))
        if how == "kept":
            pairs.append((name, kept))
        elif how == "changed":
            pairs.append((name, draw(value)))
        elif how == "twice":
            pairs += [(name, draw(value)), (name, draw(value))]
    return MultiDict(pairs)


def _by_the_form(data, *, listener):
    """Return the CommentInput the comment form reads from `data`, or None when
    it refuses it."""
    form = CommentForm(data)
    if not listener:
        # A host's form, as `commenting.comment_form` makes it.
        del form.author
        del form.email
        del form.notify
    return CommentInput.of(form) if form.validate() else None


@settings(
    max_examples=500,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=formdata(), listener=st.booleans())
def test_what_is_read_without_the_form_is_what_the_form_reads(app, data, listener):
    with app.test_request_context(method="POST"):
        plain = plain_comment(data, listener=listener)
        if plain is not None:
            assert plain == _by_the_form(data, listener=listener)


SINGLE_CHANGES = [
    (n, name, value)
    for n in range(len(BASES))
    for name, edges in EDGES.items()
    for value in [*edges, None]
]


@pytest.mark.parametrize(("base", "name", "value"), SINGLE_CHANGES)
def test_each_edge_of_each_rule_is_read_as_the_form_reads_it(app, base, name, value):
    fields = dict(BASES[base])
    if value is None:
        del fields[name]
    else:
        fields[name] = value
    data = MultiDict(fields)
    with app.test_request_context(method="POST"):
        for listener in (True, False):
            plain = plain_comment(data, listener=listener)
            if plain is not None:
                assert plain == _by_the_form(data, listener=listener)


PLAIN = [
    {"author": "Ana", "body": "Loved it.", "timestamp": "", "parent_id": ""},
    {"author": "Ana", "body": "At this point!", "timestamp": "12:34"},
    {"author": "Zoë", "body": "Reply.", "parent_id": "42", "email": ""},
    {"author": "Ana", "body": "Tell me.", "email": "ana@example.com", "notify": "y"},
]


@pytest.mark.parametrize("fields", PLAIN)
def test_a_plain_comment_is_read_without_the_form(app, fields):
    data = MultiDict({**fields, "idempotency_key": KEY})
    with app.test_request_context(method="POST"):
        plain = plain_comment(data, listener=True)
        assert plain is not None
        assert plain == _by_the_form(data, listener=True)
        host = plain_comment(data, listener=False)
        assert host == CommentInput(plain.body, plain.timestamp_s, plain.parent_id, KEY)


@pytest.fixture
def forms_built(monkeypatch):
    """Count the comment forms built from here on."""
    built = []
    real = CommentForm.__init__

    def counting(self, *args, **kwargs):
        built.append(self)
        real(self, *args, **kwargs)

    monkeypatch.setattr(CommentForm, "__init__", counting)
    return built


def test_a_plain_post_builds_no_form_and_a_refused_one_explains_itself(
    app, client, forms_built
):
    make_show()
    make_episode(slug="lighthouse", duration_s=1800)
    page = client.get("/episodes/lighthouse").get_data(as_text=True)
    token = csrf_from(page)
    before = len(forms_built)
    fields = {"author": "Ana", "body": "At 1:00.", "timestamp": "1:00"}
    posted = client.post(
        "/episodes/lighthouse/comments",
        data={"csrf_token": token, "idempotency_key": uuid.uuid4().hex, **fields},
    )
    assert posted.status_code == 303
    answered = client.post(
        "/api/episodes/lighthouse/comments",
        json={**fields, "body": "Again."},
        headers={"X-CSRFToken": token, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert answered.status_code == 201
    assert len(forms_built) == before
    # Refused: the form reads it and names each problem, on the page and in JSON.
    refused = client.post(
        "/episodes/lighthouse/comments",
        data={
            "csrf_token": token,
            "idempotency_key": uuid.uuid4().hex,
            "author": "a" * 81,
            "body": "   ",
            "timestamp": "1:00",
        },
    )
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "Keep your name under 80 characters." in text
    assert "Write something first." in text
    # What was typed comes back in the form.
    assert re.search(r'name="timestamp"[^>]*value="1:00"', text)
    wrong = client.post(
        "/api/episodes/lighthouse/comments",
        json={"author": "Ana", "body": "", "timestamp": "at noon"},
        headers={"X-CSRFToken": token},
    )
    assert wrong.status_code == 400
    assert wrong.get_json()["fields"]["body"] == ["Write something first."]
    assert "timestamp" in wrong.get_json()["fields"]
    assert len(forms_built) > before
