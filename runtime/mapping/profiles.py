"""Mapping profiles: how each IdP tells us a user's security profiles and routing profile.

This is data, not code: the codec reads a profile's ``sources`` and never asks which IdP it
serves. Adding an IdP means adding a profile here.

* ``okta`` — security profile names from ``entitlements`` (``[{"value": "Agent"}]``, plain
  strings accepted), the routing profile name from ``roles`` (one value, or the primary one),
  as the original Okta integration and Okta's profile editor mappings do.
* ``entra`` — security profile names from the enterprise ``department``, comma-separated and
  whitespace-trimmed (``"Agent, QualityAnalyst"``), as the original Azure integration does.
* ``generic`` — only our extension ``urn:ietf:params:scim:schemas:extension:amazonconnect:2.0:User``.

Every profile also accepts the extension attributes, which are listed after the IdP's own
source; when two sources for one facet both change in a request they must agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from runtime.scim import policy as scim_policy
from runtime.scim.policy import ScimPolicy
from runtime.scim.schema import CONNECT_USER, ENTERPRISE_USER

Facet = Literal["securityProfiles", "routingProfile", "hierarchyGroup"]
Form = Literal["multi_value", "comma_list", "name_list", "single_name"]


@dataclass(frozen=True)
class Source:
    """A SCIM attribute that names a Connect facet's targets.

    ``schema`` is ``None`` for core attributes, else the extension URN. ``form`` says how names
    are written: ``multi_value`` (SCIM ``[{"value": ...}]``), ``comma_list`` (one string),
    ``name_list`` (array of strings) or ``single_name``. ``idp_owned`` sources are the IdP's
    own attributes: when such an attribute is absent on create we remember that, so the user
    reads back without it instead of with the defaults we applied (an IdP that compares would
    otherwise try to remove the value forever).
    """

    facet: Facet
    schema: str | None
    attribute: str
    form: Form

    @property
    def path(self) -> str:
        return self.attribute if self.schema is None else f"{self.schema}:{self.attribute}"

    @property
    def tag_key(self) -> str:
        """Where the IdP's exact form is remembered when it differs from our rendering."""
        prefix = "scim:raw:" if self.schema is None else f"scim:raw:{_short(self.schema)}:"
        return prefix + self.attribute


EXTENSION_SOURCES: tuple[Source, ...] = (
    Source("securityProfiles", CONNECT_USER, "securityProfiles", "name_list"),
    Source("routingProfile", CONNECT_USER, "routingProfile", "single_name"),
    Source("hierarchyGroup", CONNECT_USER, "hierarchyGroup", "single_name"),
)


@dataclass(frozen=True)
class MappingProfile:
    name: str
    policy: ScimPolicy
    idp_sources: tuple[Source, ...] = ()

    @property
    def sources(self) -> tuple[Source, ...]:
        """IdP sources first: they are what the IdP's admin maps, the extension is the fallback."""
        return (*self.idp_sources, *EXTENSION_SOURCES)

    def sources_for(self, facet: Facet) -> tuple[Source, ...]:
        return tuple(source for source in self.sources if source.facet == facet)

    def claims(self, schema: str | None, attribute: str) -> bool:
        """True when (schema, attribute) feeds a Connect facet under this profile."""
        return any(s.schema == schema and s.attribute == attribute for s in self.idp_sources)


OKTA = MappingProfile(
    name="okta",
    policy=scim_policy.OKTA,
    idp_sources=(
        Source("securityProfiles", None, "entitlements", "multi_value"),
        Source("routingProfile", None, "roles", "multi_value"),
    ),
)

ENTRA = MappingProfile(
    name="entra",
    policy=scim_policy.ENTRA,
    idp_sources=(Source("securityProfiles", ENTERPRISE_USER, "department", "comma_list"),),
)

GENERIC = MappingProfile(name="generic", policy=scim_policy.GENERIC)

PROFILES: dict[str, MappingProfile] = {"okta": OKTA, "entra": ENTRA, "azure": ENTRA, "generic": GENERIC}


def profile_for(idp: str) -> MappingProfile:
    """The profile for an ``IDP_TYPE`` value (``azure`` is Entra's former name)."""
    try:
        return PROFILES[idp.lower()]
    except KeyError:
        raise ValueError(f"no mapping profile for IdP {idp!r}; known: okta, entra (azure), generic") from None


def _short(urn: str) -> str:
    if urn == ENTERPRISE_USER:
        return "enterprise"
    if urn == CONNECT_USER:
        return "connect"
    return urn.rsplit(":", 2)[-2] if urn.count(":") >= 2 else urn
