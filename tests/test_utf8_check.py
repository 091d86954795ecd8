"""The check that a URL-encoded body is UTF-8 once decoded (`security.is_utf8_once_decoded`)
looks only at the runs of bytes beyond ASCII; it must answer as decoding the whole body does,
whatever the body holds (escapes split across runs, lone `%`, raw bytes among escapes)."""

from __future__ import annotations

from urllib.parse import quote_from_bytes, unquote_to_bytes

from hypothesis import given
from hypothesis import strategies as st

from petition.security import is_utf8_once_decoded
from tests.fuzz import fuzz

# Pieces a hostile or broken body is made of: any bytes as they are, any bytes escaped,
# the edges of escapes, and whole characters of Cyrillic, emoji and the like.
PIECES = st.one_of(
    st.binary(max_size=6),
    st.binary(max_size=6).map(lambda raw: quote_from_bytes(raw, safe="").encode()),
    st.sampled_from([b"%", b"%%", b"%D", b"%d0", b"%C3", b"%80", b"%ff", b"+", b"&", b"="]),
    st.text(max_size=4).map(lambda text: quote_from_bytes(text.encode(), safe="").encode()),
    st.text(max_size=4).map(str.encode),
)


def decodes_whole(body: bytes) -> bool:
    try:
        unquote_to_bytes(body.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@fuzz(1000)
@given(st.lists(PIECES, max_size=12).map(b"".join))
def test_the_runs_answer_as_the_whole_body_does(body):
    assert is_utf8_once_decoded(body) == decodes_whole(body)


def test_what_a_person_sends_passes_and_a_broken_character_does_not():
    assert is_utf8_once_decoded(b"name=%D0%9E%D0%BB%D0%B5%D0%BD%D0%B0&email=o%40example.org")
    assert is_utf8_once_decoded(b"name=Olena+Test&country=UA")
    assert not is_utf8_once_decoded(b"name=%D0&email=o%40example.org")  # half a character
    assert not is_utf8_once_decoded(b"name=%D0%41")  # its second byte is ASCII
    assert not is_utf8_once_decoded(b"name=\xff\xfe")
    assert not is_utf8_once_decoded(b"name=%C3%28")
