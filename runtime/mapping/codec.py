"""SCIM User resource ↔ Connect user state.

``to_connect`` turns the desired SCIM resource (after POST/PUT normalisation or PATCH) into
the complete desired Connect state: identity, resolved profile ids, phone settings, active
flag and every ``scim:`` attribute tag. It resolves and validates every name first, so a
request with one bad profile name changes nothing. ``to_scim`` renders a Connect user back.

Round-trip fidelity (what an IdP sends reads back the same, or its sync never converges):

* attributes Connect has no field for are stored verbatim in tags (``tags`` module);
* attributes Connect normalises (names to NFC, a mobile number to E.164, profile names to
  Connect's spelling, a userName differing only in case) have their sent form remembered in a
  ``scim:raw:…`` tag *only when it differs* from what we would render, and that form is
  rendered back as long as it still denotes what Connect holds — a change made in the Connect
  console therefore wins over a stale remembered form;
* a source attribute (Okta ``entitlements``/``roles``, Entra ``department``, the extension's
  ``securityProfiles``/``routingProfile``) that was absent when defaults were applied is
  remembered as absent (JSON ``null``), so the user reads back without it — an IdP that
  compares would otherwise try to remove the defaults on every cycle, and a PATCH ``add``
  would merge into values the client never saw;
* Connect cannot clear a desk phone number once set (UpdateUserPhoneConfig keeps members it
  is not given), so a removed ``deskPhoneNumber`` is remembered in ``scim:clearedDeskPhoneNumber``
  and hidden while Connect still holds exactly that number.

Precedence between sources of one facet (e.g. ``entitlements`` and the extension's
``securityProfiles``): a source is *asserted* when it differs from the previous resource (or,
on create, is present). Asserted sources must agree; an asserted removal reverts the facet to
its default; with nothing asserted the facet keeps its current value.

Security profiles have a second writer, ``/Groups`` membership. The attribute sources own and
read back only their part of the user's profiles; the rest (group-given) survives attribute
writes and is listed in the read-only ``groups`` attribute with everything held — the rule and
its bookkeeping are in ``profile_sets``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from runtime.connect.model import ConnectUser, PhoneConfig
from runtime.mapping import profile_sets as ps
from runtime.mapping import tags as t
from runtime.mapping.profiles import Facet, MappingProfile, Source
from runtime.scim.errors import InvalidValue, Mutability
from runtime.scim.schema import CONNECT_USER, CORE_USER, ENTERPRISE_USER
from runtime.settings import Settings

FIRST_NAME_MAX = 255
LAST_NAME_MAX = 300
USERNAME_MAX = 64  # SAML instances (the ones an IdP provisions) allow 64 characters
MAX_SECURITY_PROFILES = 10
_USERNAME_CHARS = re.compile(r"[A-Za-z0-9_.\-@]+")
_EMAIL_SHAPED = re.compile(r"[A-Za-z0-9_.\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_PHONE_SEPARATORS = re.compile(r"[\s().\-]")

RAW_USERNAME = "scim:raw:userName"
RAW_GIVEN_NAME = "scim:raw:name.givenName"
RAW_FAMILY_NAME = "scim:raw:name.familyName"
EXTERNAL_ID = "scim:externalId"
PHONE_NUMBERS = "scim:phoneNumbers"
CLEARED_DESK_PHONE = "scim:clearedDeskPhoneNumber"
_ABSENT = "null"  # a remembered IdP form meaning "the IdP sent nothing"


class NameResolver(Protocol):
    """Name↔id lookups for the things users point at (backed by the directory's caches)."""

    def security_profile_id(self, name: str) -> str | None: ...
    def security_profile_name(self, profile_id: str) -> str | None: ...
    def routing_profile_id(self, name: str) -> str | None: ...
    def routing_profile_name(self, profile_id: str) -> str | None: ...
    def hierarchy_group_id(self, name: str) -> str | None: ...
    def hierarchy_group_name(self, group_id: str) -> str | None: ...


@dataclass(frozen=True)
class AssignmentRules:
    """Deployment rules for profile assignment (from ``Settings``)."""

    default_security_profiles: tuple[str, ...] = ("Agent",)
    default_routing_profile: str = "Basic Routing Profile"
    assignable_security_profiles: frozenset[str] | None = None
    deactivated_security_profile: str = "SCIM-Deactivated"

    @classmethod
    def from_settings(cls, settings: Settings) -> AssignmentRules:
        """The rules of one deployment; Users and Groups must apply the very same ones."""
        return cls(
            default_security_profiles=settings.default_security_profiles,
            default_routing_profile=settings.default_routing_profile,
            assignable_security_profiles=settings.assignable_security_profiles,
            deactivated_security_profile=settings.deactivated_security_profile,
        )


@dataclass(frozen=True)
class DesiredState:
    """The complete Connect state a SCIM resource asks for (ids resolved, tags encoded).

    ``security_profile_ids`` are the profiles the user should have when active; the service
    swaps in the deactivated profile when ``active`` is False. ``tags`` holds every
    attribute tag (not the service's state tags); ``scim:`` keys missing from it are cleared.
    """

    username: str
    first_name: str
    last_name: str
    mobile: str | None
    security_profile_ids: tuple[str, ...]
    routing_profile_id: str
    hierarchy_group_id: str | None
    phone: PhoneConfig
    active: bool
    tags: dict[str, str] = field(default_factory=dict)


# ---- stored attributes -----------------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    """An attribute kept in tags: where it lives in the resource and in which tag."""

    schema: str | None
    attribute: str
    sub: str | None
    kind: str  # "text" | "json"

    @property
    def path(self) -> str:
        name = self.attribute if self.sub is None else f"{self.attribute}.{self.sub}"
        return name if self.schema is None else f"{self.schema}:{name}"

    @property
    def key(self) -> str:
        name = self.attribute if self.sub is None else f"{self.attribute}.{self.sub}"
        return f"scim:enterprise:{name}" if self.schema == ENTERPRISE_USER else f"scim:{name}"


STORED: tuple[Stored, ...] = (
    Stored(None, "externalId", None, "text"),
    Stored(None, "displayName", None, "text"),
    Stored(None, "nickName", None, "text"),
    Stored(None, "title", None, "text"),
    Stored(None, "preferredLanguage", None, "text"),
    Stored(None, "locale", None, "text"),
    Stored(None, "timezone", None, "text"),
    Stored(None, "name", "formatted", "text"),
    Stored(None, "name", "middleName", "text"),
    Stored(None, "name", "honorificPrefix", "text"),
    Stored(None, "name", "honorificSuffix", "text"),
    Stored(None, "emails", None, "json"),
    Stored(None, "entitlements", None, "json"),
    Stored(None, "roles", None, "json"),
    Stored(ENTERPRISE_USER, "employeeNumber", None, "text"),
    Stored(ENTERPRISE_USER, "costCenter", None, "text"),
    Stored(ENTERPRISE_USER, "organization", None, "text"),
    Stored(ENTERPRISE_USER, "division", None, "text"),
    Stored(ENTERPRISE_USER, "department", None, "text"),
    Stored(ENTERPRISE_USER, "manager", None, "json"),
)


# ---- small accessors -------------------------------------------------------------------------


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, str | list | dict) and not value)


def get_attr(
    resource: Mapping[str, Any] | None, schema: str | None, attribute: str, sub: str | None = None
) -> Any:
    if resource is None:
        return None
    container: Any = resource if schema in (None, CORE_USER) else resource.get(schema)
    if not isinstance(container, Mapping):
        return None
    value = container.get(attribute)
    if sub is not None:
        value = value.get(sub) if isinstance(value, Mapping) else None
    return value if _present(value) else None


def _source_value(resource: Mapping[str, Any] | None, source: Source) -> Any:
    return get_attr(resource, source.schema, source.attribute)


def normalize_mobile(value: str) -> str | None:
    """E.164 from RFC 3966 (``tel:+1-201-555-0123``) or visually separated forms; None if not E.164."""
    text = value.strip()
    if text.lower().startswith("tel:"):
        text = text[4:].split(";", 1)[0]
    text = _PHONE_SEPARATORS.sub("", text)
    return text if _E164.fullmatch(text) else None


def check_username(username: Any) -> str:
    if not isinstance(username, str) or not username:
        raise InvalidValue("'userName' is required (RFC 7643 §4.1.1)")
    if len(username) > USERNAME_MAX:
        raise InvalidValue(f"'userName' is longer than {USERNAME_MAX} characters, Amazon Connect's limit")
    if not _USERNAME_CHARS.fullmatch(username):
        raise InvalidValue(
            "'userName' may contain only letters, digits, '_', '-', '.' and '@' (Amazon Connect's rule)"
        )
    if "@" in username and not _EMAIL_SHAPED.fullmatch(username):
        raise InvalidValue("'userName' may contain '@' only as an e-mail address (Amazon Connect's rule)")
    return username


# ---- SCIM → Connect --------------------------------------------------------------------------


def to_connect(
    desired: Mapping[str, Any],
    *,
    profile: MappingProfile,
    names: NameResolver,
    rules: AssignmentRules,
    previous: Mapping[str, Any] | None = None,
    current: ConnectUser | None = None,
) -> DesiredState:
    """The Connect state ``desired`` asks for. ``previous``/``current`` are None on create.

    Raises ``InvalidValue``/``Mutability`` before anything is written.
    """
    tags: dict[str, str] = {}
    username = _username(desired, current, tags)
    first_name = _name_part(desired, "givenName", FIRST_NAME_MAX, RAW_GIVEN_NAME, tags)
    last_name = _name_part(desired, "familyName", LAST_NAME_MAX, RAW_FAMILY_NAME, tags)
    mobile = _phone_numbers(desired, tags)
    request = _Request(desired, previous, current, profile, names, rules)
    security_ids = _security_profiles(request, tags)
    routing_ids = _resolve_facet("routingProfile", request, tags)
    hierarchy_ids = _resolve_facet("hierarchyGroup", request, tags)
    phone = _phone_config(desired, previous, current, tags)
    active = _active(desired, previous, current)
    for stored in STORED:
        if profile.claims(stored.schema, stored.attribute):
            continue
        value = get_attr(desired, stored.schema, stored.attribute, stored.sub)
        if value is None:
            continue
        if stored.kind == "text":
            if not isinstance(value, str):
                raise InvalidValue(f"'{stored.path}' must be a string")
            t.put_text(tags, stored.key, value, stored.path)
        else:
            t.put_json(tags, stored.key, value, stored.path)
    return DesiredState(
        username=username,
        first_name=first_name,
        last_name=last_name,
        mobile=mobile,
        security_profile_ids=security_ids,
        routing_profile_id=routing_ids[0],
        hierarchy_group_id=hierarchy_ids[0] if hierarchy_ids else None,
        phone=phone,
        active=active,
        tags=tags,
    )


def _username(desired: Mapping[str, Any], current: ConnectUser | None, tags: dict[str, str]) -> str:
    sent = desired.get("userName")
    if current is None:
        return check_username(sent)
    if not isinstance(sent, str) or not sent:
        raise InvalidValue("'userName' is required (RFC 7643 §4.1.1)")
    if sent.casefold() != current.username.casefold():
        raise Mutability(
            "'userName' cannot change: Amazon Connect cannot rename users; delete and re-create "
            "the user, or keep the userName"
        )
    if sent != current.username:
        tags[RAW_USERNAME] = sent  # same user, other case: read back what the IdP sent
    return current.username


def _name_part(desired: Mapping[str, Any], sub: str, limit: int, raw_key: str, tags: dict[str, str]) -> str:
    value = get_attr(desired, None, "name", sub)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidValue(f"'name.{sub}' must be a string")
    normalized = unicodedata.normalize("NFC", value)
    if len(normalized) > limit:
        raise InvalidValue(f"'name.{sub}' is longer than {limit} characters, Amazon Connect's limit")
    if normalized != value:
        t.put_text(tags, raw_key, value, f"name.{sub}")
    return normalized


def _phone_numbers(desired: Mapping[str, Any], tags: dict[str, str]) -> str | None:
    """Connect's Mobile from the one ``mobile`` entry; the whole list is kept unless it is just that."""
    entries = get_attr(desired, None, "phoneNumbers")
    if entries is None:
        return None
    if not isinstance(entries, list):
        raise InvalidValue("'phoneNumbers' is multi-valued: send a JSON array")
    mobiles = [i for i, entry in enumerate(entries) if _is_mobile(entry)]
    if len(mobiles) > 1:
        raise InvalidValue(
            f"'phoneNumbers' has {len(mobiles)} entries of type mobile; "
            "Amazon Connect keeps one mobile number"
        )
    mobile: str | None = None
    stored = [dict(entry) if isinstance(entry, Mapping) else entry for entry in entries]
    if mobiles:
        entry = stored[mobiles[0]]
        raw = entry.get("value")
        if isinstance(raw, str) and raw:
            mobile = normalize_mobile(raw)
            if mobile is None:
                raise InvalidValue(
                    "'phoneNumbers[type eq \"mobile\"].value' must be an E.164 number such as "
                    "+14155550100 (Amazon Connect's Mobile)"
                )
            if raw == mobile:
                del entry["value"]  # rendered from Connect's Mobile
    if stored != [{"type": "mobile"}]:
        t.put_json(tags, PHONE_NUMBERS, stored, "phoneNumbers")
    return mobile


def _is_mobile(entry: Any) -> bool:
    return isinstance(entry, Mapping) and str(entry.get("type") or "").lower() == "mobile"


@dataclass(frozen=True)
class _Request:
    desired: Mapping[str, Any]
    previous: Mapping[str, Any] | None
    current: ConnectUser | None
    profile: MappingProfile
    names: NameResolver
    rules: AssignmentRules


def _security_profiles(request: _Request, tags: dict[str, str]) -> tuple[str, ...]:
    """Every security profile the user should hold: the attributes' part plus the group part.

    The attribute sources resolve as for any facet; the profiles held beyond them (given by a
    group, or in Connect's console) are kept, and the split is recorded when it needs to be
    (``profile_sets``). Raises ``InvalidValue`` when the two parts exceed Connect's limit.
    """
    attribute_ids, changed = _resolve_facet_changed("securityProfiles", request, tags)
    current = request.current
    if current is None:
        return attribute_ids
    before = security_split(current, profile=request.profile, names=request.names, rules=request.rules)
    if not changed:
        ps.carry_record(current.tags, tags)
        return before.held
    after = ps.after_attributes(
        before,
        attribute_ids,
        asked_nothing=asks_nothing(tags, request.profile),
        defaults=_safe_default_ids("securityProfiles", request.names, request.rules),
    )
    if len(after.held) > MAX_SECURITY_PROFILES:
        raise InvalidValue(
            f"the user would hold {len(after.held)} security profiles ({len(attribute_ids)} from its "
            f"attributes, the rest from its groups); Amazon Connect allows at most {MAX_SECURITY_PROFILES}"
        )
    ps.put_record(tags, after.record)
    return after.held


def asks_nothing(tags: Mapping[str, str], profile: MappingProfile) -> bool:
    """True when every security-profile source is remembered as sent empty (``null``)."""
    sources = profile.sources_for("securityProfiles")
    return bool(sources) and all(tags.get(source.tag_key) == _ABSENT for source in sources)


def security_split(
    user: ConnectUser, *, profile: MappingProfile, names: NameResolver, rules: AssignmentRules
) -> ps.Split:
    """The user's profiles (remembered ones while deactivated) and which its attributes own."""
    return ps.split(
        effective_security_profile_ids(user),
        record=ps.read_record(user.tags),
        asked_nothing=asks_nothing(user.tags, profile),
        defaults=_safe_default_ids("securityProfiles", names, rules),
    )


def group_visible(name: str | None, rules: AssignmentRules) -> bool:
    """A security profile is a SCIM Group when SCIM may assign it: never the deactivated profile,
    and only the allowlisted ones when ``assignable_security_profiles`` is set."""
    if not name or name.casefold() == rules.deactivated_security_profile.casefold():
        return False
    allowed = rules.assignable_security_profiles
    return allowed is None or name.casefold() in {item.casefold() for item in allowed}


def _resolve_facet(facet: Facet, request: _Request, tags: dict[str, str]) -> tuple[str, ...]:
    """The facet's ids, and the raw-form tags of each of its sources (written into ``tags``)."""
    return _resolve_facet_changed(facet, request, tags)[0]


def _resolve_facet_changed(
    facet: Facet, request: _Request, tags: dict[str, str]
) -> tuple[tuple[str, ...], bool]:
    """``_resolve_facet`` plus whether any source asserted a change."""
    desired, previous, current = request.desired, request.previous, request.current
    profile, names, rules = request.profile, request.names, request.rules
    current_tags = current.tags if current is not None else {}
    sources = profile.sources_for(facet)
    asserted_values: list[tuple[Source, tuple[str, ...]]] = []
    asserted_removal = False
    for source in sources:
        value = _source_value(desired, source)
        if previous is None:
            if value is not None:
                asserted_values.append((source, _resolve_names(facet, source, value, names, rules)))
        elif value != _source_value(previous, source):
            if value is None:
                asserted_removal = True
            else:
                asserted_values.append((source, _resolve_names(facet, source, value, names, rules)))
    if asserted_values:
        first_source, ids = asserted_values[0]
        for other_source, other_ids in asserted_values[1:]:
            if set(other_ids) != set(ids):
                raise InvalidValue(
                    f"'{first_source.path}' and '{other_source.path}' name different "
                    f"{_facet_label(facet)}s; send one of them, or the same names in both"
                )
    elif asserted_removal or current is None:
        ids = _default_ids(facet, names, rules)
    else:
        ids = _current_ids(facet, current, names, rules)

    changed = current is None or asserted_values or asserted_removal
    asserted_sources = {source for source, _ in asserted_values}
    defaults = set(_default_ids(facet, names, rules)) if changed else set()
    for source in sources:
        value = _source_value(desired, source)
        if changed and source in asserted_sources and value != render_source(source, ids, names):
            t.put_json(tags, source.tag_key, value, source.path)  # the IdP's own form
        elif (
            changed
            and not asserted_values
            and value is None
            and set(ids) == defaults
            and render_source(source, ids, names) is not None
        ):
            tags[source.tag_key] = _ABSENT  # defaults applied while the IdP sent nothing
        elif not (
            changed
            and source in asserted_sources
            and _remembered_denotes(current_tags, source, ids, names, rules)
        ):
            # Keep what is remembered: it renders only while it still denotes Connect's value,
            # so a stale form costs nothing and clearing it would cost a write.
            _carry(current_tags, tags, source)
    return ids, bool(changed)


def _remembered_denotes(
    current_tags: Mapping[str, str],
    source: Source,
    ids: tuple[str, ...],
    names: NameResolver,
    rules: AssignmentRules,
) -> bool:
    text = current_tags.get(source.tag_key)
    if not text:
        return False
    if text == _ABSENT:
        defaults = set(_safe_default_ids(source.facet, names, rules))
        if source.facet == "securityProfiles":
            # Names that include the defaults end "asked for nothing": kept, the ``null`` would
            # make the defaults in them read as the placeholder (``profile_sets``), so it goes.
            return defaults <= set(ids)
        return set(ids) == defaults
    remembered = t.get_json(current_tags, source.tag_key)
    return remembered is not None and _denotes(source, remembered, ids, names, rules)


def _carry(current_tags: Mapping[str, str], tags: dict[str, str], source: Source) -> None:
    if current_tags.get(source.tag_key) == _ABSENT:
        tags[source.tag_key] = _ABSENT
        return
    remembered = t.get_json(current_tags, source.tag_key)
    if remembered is not None:
        t.put_json(tags, source.tag_key, remembered, source.path)


def _facet_label(facet: Facet) -> str:
    return {"securityProfiles": "security profile", "routingProfile": "routing profile"}.get(
        facet, "hierarchy group"
    )


def source_names(facet: Facet, source: Source, value: Any) -> tuple[str, ...]:
    """The names a source's value carries, in the source's form."""
    where = source.path
    if source.form == "comma_list":
        if not isinstance(value, str):
            raise InvalidValue(f"'{where}' must be a string of comma-separated names")
        found = [part.strip() for part in value.split(",")]
        return tuple(dict.fromkeys(name for name in found if name))
    if source.form == "single_name":
        if not isinstance(value, str):
            raise InvalidValue(f"'{where}' must be a string")
        return (value.strip(),) if value.strip() else ()
    if not isinstance(value, list):
        raise InvalidValue(f"'{where}' is multi-valued: send a JSON array")
    if source.form == "name_list":
        if not all(isinstance(item, str) for item in value):
            raise InvalidValue(f"'{where}' must be an array of names")
        return tuple(dict.fromkeys(item.strip() for item in value if item.strip()))
    items: list[str] = []
    primaries: list[str] = []
    for index, item in enumerate(value):
        name = item if isinstance(item, str) else item.get("value") if isinstance(item, Mapping) else None
        if not isinstance(name, str) or not name.strip():
            raise InvalidValue(f"'{where}[{index}].value' must name a {_facet_label(facet)}")
        items.append(name.strip())
        if isinstance(item, Mapping) and item.get("primary") is True:
            primaries.append(name.strip())
    if facet == "routingProfile" and len(set(items)) > 1:
        if len(primaries) != 1:
            raise InvalidValue(
                f"'{where}' names {len(items)} routing profiles; an Amazon Connect user has exactly one "
                "(mark one primary)"
            )
        return (primaries[0],)
    return tuple(dict.fromkeys(items))


def _resolve_names(
    facet: Facet, source: Source, value: Any, names: NameResolver, rules: AssignmentRules
) -> tuple[str, ...]:
    wanted = source_names(facet, source, value)
    if facet == "securityProfiles":
        if not wanted:
            return _default_ids(facet, names, rules)
        return _security_ids(wanted, source.path, names, rules)
    if facet == "routingProfile":
        if not wanted:
            return _default_ids(facet, names, rules)
        if len(wanted) > 1:
            raise InvalidValue(f"'{source.path}' names more than one routing profile; a user has one")
        found = names.routing_profile_id(wanted[0])
        if found is None:
            raise InvalidValue(
                f"routing profile '{wanted[0]}' (from '{source.path}') does not exist "
                "in the Amazon Connect instance"
            )
        return (found,)
    if not wanted:
        return ()
    group = names.hierarchy_group_id(wanted[0])
    if group is None:
        raise InvalidValue(
            f"hierarchy group '{wanted[0]}' (from '{source.path}') does not exist in the Amazon Connect "
            "instance, or its name is not unique"
        )
    return (group,)


def _security_ids(
    wanted: tuple[str, ...], where: str, names: NameResolver, rules: AssignmentRules
) -> tuple[str, ...]:
    ids: list[str] = []
    deactivated = rules.deactivated_security_profile.casefold()
    allowed = (
        {name.casefold() for name in rules.assignable_security_profiles}
        if rules.assignable_security_profiles
        else None
    )
    for name in wanted:
        found = names.security_profile_id(name)
        if found is None:
            raise InvalidValue(
                f"security profile '{name}' (from '{where}') does not exist in the Amazon Connect instance"
            )
        canonical = (names.security_profile_name(found) or name).casefold()
        if canonical == deactivated:
            raise InvalidValue(
                f"security profile '{name}' is reserved for deactivated users; send active=false instead"
            )
        if allowed is not None and canonical not in allowed:
            raise InvalidValue(
                f"security profile '{name}' (from '{where}') is not assignable through SCIM; "
                "ASSIGNABLE_SECURITY_PROFILES allows: "
                + ", ".join(sorted(rules.assignable_security_profiles or ()))
            )
        if found not in ids:
            ids.append(found)
    if len(ids) > MAX_SECURITY_PROFILES:
        raise InvalidValue(
            f"'{where}' names {len(ids)} security profiles; "
            f"Amazon Connect allows at most {MAX_SECURITY_PROFILES}"
        )
    return tuple(ids)


def _default_ids(facet: Facet, names: NameResolver, rules: AssignmentRules) -> tuple[str, ...]:
    if facet == "hierarchyGroup":
        return ()
    if facet == "routingProfile":
        found = names.routing_profile_id(rules.default_routing_profile)
        if found is None:
            raise InvalidValue(
                f"the default routing profile '{rules.default_routing_profile}' (DEFAULT_ROUTING_PROFILE) "
                "does not exist in the Amazon Connect instance; send a routing profile or fix the setting"
            )
        return (found,)
    ids: list[str] = []
    for name in rules.default_security_profiles:
        found = names.security_profile_id(name)
        if found is None:
            raise InvalidValue(
                f"the default security profile '{name}' (DEFAULT_SECURITY_PROFILES) does not exist in the "
                "Amazon Connect instance; send security profiles or fix the setting"
            )
        ids.append(found)
    return tuple(dict.fromkeys(ids))


def _current_ids(
    facet: Facet, current: ConnectUser, names: NameResolver, rules: AssignmentRules
) -> tuple[str, ...]:
    if facet == "routingProfile":
        return (current.routing_profile_id,)
    if facet == "hierarchyGroup":
        return (current.hierarchy_group_id,) if current.hierarchy_group_id else ()
    return effective_security_profile_ids(current)


def effective_security_profile_ids(user: ConnectUser) -> tuple[str, ...]:
    """The profiles the user has when active: the remembered ones while deactivated."""
    if not is_active(user):
        saved = t.get_ids(user.tags, t.SAVED_SECURITY_PROFILES)
        if saved:
            return saved
    return user.security_profile_ids


def is_active(user: ConnectUser) -> bool:
    return user.tags.get(t.ACTIVE) != "false"


def _phone_config(
    desired: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    current: ConnectUser | None,
    tags: dict[str, str],
) -> PhoneConfig:
    base = current.phone if current is not None else PhoneConfig()
    defaults = PhoneConfig()

    def pick(attribute: str, current_value: Any, default_value: Any) -> Any:
        value = get_attr(desired, CONNECT_USER, attribute)
        if value is not None:
            return value
        if previous is not None and get_attr(previous, CONNECT_USER, attribute) is not None:
            return default_value  # removed
        return current_value

    desk = get_attr(desired, CONNECT_USER, "deskPhoneNumber")
    if desk is not None and not _E164.fullmatch(desk):
        raise InvalidValue(f"'{CONNECT_USER}:deskPhoneNumber' must be an E.164 number such as +14155550100")
    phone_type = pick("phoneType", base.phone_type, defaults.phone_type)
    if phone_type == "DESK_PHONE" and desk is None:
        raise InvalidValue(f"'{CONNECT_USER}:deskPhoneNumber' is required when phoneType is DESK_PHONE")
    held = base.desk_phone_number
    remembered = current.tags.get(CLEARED_DESK_PHONE) if current is not None else None
    if desk is None and held:
        tags[CLEARED_DESK_PHONE] = held  # removed (or still removed) in SCIM; Connect keeps it
    elif remembered and remembered != desk:
        tags[CLEARED_DESK_PHONE] = remembered  # stale but harmless; dropping it would cost a write
    return PhoneConfig(
        phone_type=phone_type,
        auto_accept=pick("autoAccept", base.auto_accept, defaults.auto_accept),
        after_contact_work_time_limit=pick(
            "afterContactWorkTimeLimit",
            base.after_contact_work_time_limit,
            defaults.after_contact_work_time_limit,
        ),
        desk_phone_number=desk if desk is not None else held,
    )


def _active(
    desired: Mapping[str, Any], previous: Mapping[str, Any] | None, current: ConnectUser | None
) -> bool:
    value = desired.get("active")
    if isinstance(value, bool):
        return value
    if value is not None:
        raise InvalidValue("'active' must be a JSON boolean (true or false)")
    if previous is not None and previous.get("active") is not None:
        return True  # removed: back to the default
    return is_active(current) if current is not None else True


# ---- Connect → SCIM --------------------------------------------------------------------------


def render_source(source: Source, ids: tuple[str, ...], names: NameResolver) -> Any:
    """Our canonical rendering of a facet's ids in a source's form (None when there is nothing)."""
    lookup = {
        "securityProfiles": names.security_profile_name,
        "routingProfile": names.routing_profile_name,
        "hierarchyGroup": names.hierarchy_group_name,
    }[source.facet]
    rendered = sorted((lookup(item) or item for item in ids if item), key=str.casefold)
    if not rendered:
        return None
    if source.form == "multi_value":
        return [{"value": name} for name in rendered]
    if source.form == "comma_list":
        return ",".join(rendered)
    if source.form == "name_list":
        return rendered
    return rendered[0]


def render_groups(held: tuple[str, ...], names: NameResolver, rules: AssignmentRules) -> list[dict[str, str]]:
    """The user's read-only ``groups``: every held profile that is a SCIM Group, by name.

    ``$ref`` is relative to the SCIM base URL (``Groups/<id>``); the app makes it absolute.
    """
    groups = []
    for profile_id in held:
        name = names.security_profile_name(profile_id)
        if name is not None and group_visible(name, rules):
            groups.append({"value": profile_id, "$ref": f"Groups/{profile_id}", "display": name})
    return sorted(groups, key=lambda group: (group["display"].casefold(), group["value"]))


def _facet_ids(facet: Facet, user: ConnectUser) -> tuple[str, ...]:
    if facet == "securityProfiles":
        return effective_security_profile_ids(user)
    if facet == "routingProfile":
        return (user.routing_profile_id,) if user.routing_profile_id else ()
    return (user.hierarchy_group_id,) if user.hierarchy_group_id else ()


def _rendered_source(
    source: Source,
    user: ConnectUser,
    profile_ids: tuple[str, ...],
    names: NameResolver,
    rules: AssignmentRules,
) -> Any:
    """The remembered IdP form if it still denotes what Connect holds, else our rendering."""
    text = user.tags.get(source.tag_key)
    if text == _ABSENT:
        if set(profile_ids) == set(_safe_default_ids(source.facet, names, rules)):
            return None
    elif text:
        remembered = t.get_json(user.tags, source.tag_key)
        if remembered is not None and _denotes(source, remembered, profile_ids, names, rules):
            return remembered
    return render_source(source, profile_ids, names)


def default_security_profile_ids(
    names: NameResolver, rules: AssignmentRules, *, strict: bool = True
) -> tuple[str, ...]:
    """The ids of DEFAULT_SECURITY_PROFILES; ``InvalidValue`` naming the setting if one is
    missing (``strict``), else only the ones that exist."""
    if strict:
        return _default_ids("securityProfiles", names, rules)
    return _safe_default_ids("securityProfiles", names, rules)


def _safe_default_ids(facet: Facet, names: NameResolver, rules: AssignmentRules) -> tuple[str, ...]:
    try:
        return _default_ids(facet, names, rules)
    except InvalidValue:
        return ()


def _denotes(
    source: Source, value: Any, ids: tuple[str, ...], names: NameResolver, rules: AssignmentRules
) -> bool:
    try:
        wanted = source_names(source.facet, source, value)
    except InvalidValue:
        return False
    if source.facet == "securityProfiles":
        found = [names.security_profile_id(name) for name in wanted]
    elif source.facet == "routingProfile":
        found = [names.routing_profile_id(name) for name in wanted]
    else:
        found = [names.hierarchy_group_id(name) for name in wanted]
    if any(item is None for item in found):
        return False
    return set(found) == set(ids)


def to_scim(
    user: ConnectUser, *, profile: MappingProfile, names: NameResolver, rules: AssignmentRules
) -> dict[str, Any]:
    """The SCIM attributes of ``user`` (no ``meta``: the service adds it)."""
    tags = user.tags
    resource: dict[str, Any] = {"schemas": [CORE_USER], "id": user.user_id}
    external_id = t.get_text(tags, EXTERNAL_ID)
    if external_id:
        resource["externalId"] = external_id
    raw_username = t.get_text(tags, RAW_USERNAME)
    resource["userName"] = (
        raw_username
        if raw_username and raw_username.casefold() == user.username.casefold()
        else user.username
    )
    name: dict[str, Any] = {}
    given = _raw_or(tags.get(RAW_GIVEN_NAME), user.first_name)
    family = _raw_or(tags.get(RAW_FAMILY_NAME), user.last_name)
    for sub, part in (("givenName", given), ("familyName", family)):
        if part:
            name[sub] = part
    enterprise: dict[str, Any] = {}
    for stored in STORED:
        if stored.attribute == "externalId" or profile.claims(stored.schema, stored.attribute):
            continue
        kept: Any = t.get_text(tags, stored.key) if stored.kind == "text" else t.get_json(tags, stored.key)
        if kept is None:
            continue
        if stored.schema == ENTERPRISE_USER:
            enterprise[stored.attribute] = kept
        elif stored.sub is not None:
            name[stored.sub] = kept
        else:
            resource[stored.attribute] = kept
    if name:
        resource["name"] = {key: name[key] for key in _NAME_ORDER if key in name}
    resource["active"] = is_active(user)
    phones = _render_phone_numbers(user)
    if phones:
        resource["phoneNumbers"] = phones
    connect: dict[str, Any] = {}
    facet_ids = {source.facet: _facet_ids(source.facet, user) for source in profile.sources}
    split = security_split(user, profile=profile, names=names, rules=rules)
    facet_ids["securityProfiles"] = split.attribute  # the attributes read back their own part
    groups = render_groups(split.held, names, rules)
    if groups:
        resource["groups"] = groups
    for source in profile.sources:
        value = _rendered_source(source, user, facet_ids[source.facet], names, rules)
        if value is None:
            continue
        if source.schema == CONNECT_USER:
            connect[source.attribute] = value
        elif source.schema == ENTERPRISE_USER:
            enterprise[source.attribute] = value
        else:
            resource[source.attribute] = value
    connect["phoneType"] = user.phone.phone_type
    connect["autoAccept"] = user.phone.auto_accept
    connect["afterContactWorkTimeLimit"] = user.phone.after_contact_work_time_limit
    desk = user.phone.desk_phone_number
    if desk and desk != tags.get(CLEARED_DESK_PHONE):
        connect["deskPhoneNumber"] = desk
    if enterprise:
        resource["schemas"].append(ENTERPRISE_USER)
        resource[ENTERPRISE_USER] = enterprise
    resource["schemas"].append(CONNECT_USER)
    resource[CONNECT_USER] = connect
    order = {key: index for index, key in enumerate(_RESOURCE_ORDER)}
    return dict(sorted(resource.items(), key=lambda item: order.get(item[0], len(order))))


_RESOURCE_ORDER = (
    "schemas",
    "id",
    "externalId",
    "userName",
    "name",
    "displayName",
    "nickName",
    "title",
    "preferredLanguage",
    "locale",
    "timezone",
    "active",
    "emails",
    "phoneNumbers",
    "entitlements",
    "roles",
    "groups",
    ENTERPRISE_USER,
    CONNECT_USER,
)


_NAME_ORDER = ("formatted", "familyName", "givenName", "middleName", "honorificPrefix", "honorificSuffix")


def _raw_or(raw: str | None, connect_value: str) -> str:
    if raw and unicodedata.normalize("NFC", raw) == connect_value:
        return raw
    return connect_value


def _render_phone_numbers(user: ConnectUser) -> list[Any]:
    stored = t.get_json(user.tags, PHONE_NUMBERS)
    entries: list[Any] = (
        [dict(e) if isinstance(e, Mapping) else e for e in stored] if isinstance(stored, list) else []
    )
    if not isinstance(stored, list):
        entries = [{"type": "mobile"}]
    mobile_index = next((i for i, entry in enumerate(entries) if _is_mobile(entry)), None)
    if not user.complete:
        # SearchUsers does not return Mobile: keep what we stored, drop a value-less placeholder.
        return [e for e in entries if not (_is_mobile(e) and "value" not in e)]
    if mobile_index is None:
        if user.mobile:
            entries.append({"value": user.mobile, "type": "mobile"})
        return entries
    if not user.mobile:
        return [e for i, e in enumerate(entries) if i != mobile_index]
    entry = entries[mobile_index]
    raw = entry.get("value")
    if not (isinstance(raw, str) and normalize_mobile(raw) == user.mobile):
        entries[mobile_index] = {"value": user.mobile, **{k: v for k, v in entry.items() if k != "value"}}
    return entries
