"""values.names_secret's quick word test gives what its regular expressions alone give."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from keylint.values import _NOT_SECRET_NAME, _SECRET_NAME, last_component, names_secret


def _plain(key: str) -> bool:
    name = last_component(key)
    return bool(_SECRET_NAME.search(name)) and not _NOT_SECRET_NAME.search(name)


_WORDS = ["API", "api", "Key", "SECRET", "token", "Pass", "pwd", "AUTH", "dsn", "webhook", "URL", "bearer",
          "Credentials", "PRIVATE", "client", "signing", "session", "master", "file", "path", "ttl", "id", "PORT",
          "host", "pub", "name", "db", "KEY", "ſecret", "\u212aey", "TOKEN\n"]


@settings(max_examples=2000, deadline=None)
@given(st.one_of(
    st.from_regex(_SECRET_NAME),  # names the regex matches, its every branch
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=4).flatmap(
        lambda words: st.sampled_from(["_", "-", ".", ""]).map(lambda sep: sep.join(words))),
    st.text(max_size=24),
))
def test_names_secret_is_its_regexes(key):
    assert names_secret.__wrapped__(key) == _plain(key)


def test_the_kelvin_sign_and_long_s_still_name_secrets():
    assert names_secret("API_\u212aEY") == _plain("API_\u212aEY") is True
    assert names_secret("DB_ſECRET") == _plain("DB_ſECRET") is True
