"""The endpoint's own query-string reader against the standard library's."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from lcgraph.errors import InputError
from lcgraph.web.sparql import parse_params

#: bytes that matter to the reader, and some that do not
_PIECES = st.sampled_from(
    [
        *rb"% + & = \ \x41 %2 %zz %41 %7B %C3 %A9 %c3%a9 %FF %5C %25 query a".split(),
        *(b"\xc3\xa9", b"\xc3", b" ", b"\x00"),
    ]
)
_RAW = st.one_of(st.binary(max_size=40), st.lists(_PIECES, max_size=20).map(b"".join))


def _reference(raw: bytes):
    try:
        return parse_qs(
            raw.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict"
        )
    except UnicodeDecodeError:
        return "not UTF-8"


def _ours(raw: bytes):
    try:
        return parse_params(raw, "query string")
    except InputError as exc:
        assert exc.http_status == 400 and "not valid UTF-8" in exc.message
        return "not UTF-8"


@settings(max_examples=2000, deadline=None)
@given(_RAW)
@example(b"query=%C3%A9&query=\xc3\xa9")
@example(b"x=%C3\xc3\xa9")  # an escape that only raw bytes after it would complete
@example(b"x=\\%41\\\\x41")
@example(b"=&&=a&b")
def test_parse_params_reads_what_parse_qs_reads(raw):
    assert _ours(raw) == _reference(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"query=ASK+%7B%7D", {"query": ["ASK {}"]}),
        (b"query=a%2Bb+c", {"query": ["a+b c"]}),
        (b"q=%5Cx41", {"q": ["\\x41"]}),
        (b"q=100%", {"q": ["100%"]}),
        (b"q=%e2%82%ac", {"q": ["\u20ac"]}),
    ],
)
def test_parse_params_examples(raw, expected):
    assert parse_params(raw, "query string") == expected
