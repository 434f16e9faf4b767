"""Round-trip property: for every attribute we accept, to_connect then to_scim gives back what was sent.

IdP sync engines (Entra especially) compare what they sent with what GET returns; any
difference turns into a PATCH on every cycle, which Connect's 2 requests/s quota cannot afford.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.mapping.profiles import ENTRA, GENERIC, OKTA

from .helpers import CORE, ENTERPRISE, create, render, sent_attributes_read_back

# Printable text without control characters (the protocol refuses those), short enough for a tag.
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\u2028\u2029"),
    min_size=1,
    max_size=60,
).filter(lambda s: s.strip() == s and s != "")
USERNAME = st.from_regex(r"[a-z][a-z0-9._-]{0,30}", fullmatch=True)
E164 = st.from_regex(r"\+[1-9][0-9]{7,13}", fullmatch=True)
EMAIL = st.builds(lambda a, b: f"{a}@{b}.com", USERNAME, st.from_regex(r"[a-z]{1,12}", fullmatch=True))


@st.composite
def users(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {"schemas": [CORE], "userName": draw(USERNAME)}
    name = {
        key: draw(TEXT)
        for key in (
            "givenName",
            "familyName",
            "formatted",
            "middleName",
            "honorificPrefix",
            "honorificSuffix",
        )
        if draw(st.booleans())
    }
    if name:
        body["name"] = name
    for key in ("externalId", "displayName", "nickName", "title", "preferredLanguage", "locale", "timezone"):
        if draw(st.booleans()):
            body[key] = draw(TEXT)
    if draw(st.booleans()):
        body["active"] = draw(st.booleans())
    if draw(st.booleans()):
        body["emails"] = [{"value": draw(EMAIL), "type": "work", "primary": True}]
    phones = []
    if draw(st.booleans()):
        phones.append({"value": draw(E164), "type": "mobile"})
    if draw(st.booleans()):
        phones.append({"value": draw(TEXT), "type": "work"})
    if phones:
        body["phoneNumbers"] = phones
    enterprise = {
        key: draw(TEXT)
        for key in ("employeeNumber", "costCenter", "organization", "division")
        if draw(st.booleans())
    }
    if enterprise:
        body["schemas"] = [CORE, ENTERPRISE]
        body[ENTERPRISE] = enterprise
    return body


@settings(max_examples=150, deadline=None)
@given(body=users())
def test_every_accepted_attribute_reads_back_as_sent_under_every_profile(body: dict[str, Any]) -> None:
    for profile in (OKTA, ENTRA, GENERIC):
        _, user = create(body, profile)
        rendered = render(user, profile)
        assert sent_attributes_read_back(body, rendered) == [], profile.name
        if "active" not in body:
            assert rendered["active"] is True


@settings(max_examples=60, deadline=None)
@given(given_name=TEXT)
def test_non_nfc_names_are_stored_nfc_in_connect_and_read_back_as_sent(given_name: str) -> None:
    decomposed = unicodedata.normalize("NFD", given_name + "é")
    body = {"schemas": [CORE], "userName": "nfc.user", "name": {"givenName": decomposed}}
    state, user = create(body, GENERIC)
    assert unicodedata.is_normalized("NFC", state.first_name)
    assert render(user, GENERIC)["name"]["givenName"] == decomposed
