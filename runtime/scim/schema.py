"""The SCIM schemas connect-scim serves (RFC 7643), as data, and attribute path resolution.

Every other protocol module (filter, PATCH, validation, projection, discovery) reads these
definitions, so discovery documents, validation and behaviour cannot drift apart: add an
attribute here and ``/Schemas`` advertises it, POST accepts it and filters resolve it.

Hand-written frozen dataclasses instead of ``scim2-models``/pydantic: the Lambda archive must
stay under 256 KiB and cold start must not pay for pydantic-core; the subset we need is small.

Names are case-insensitive (RFC 7643 §2.1); lookups fold case, results carry the canonical
spelling. Schema URNs are compared case-insensitively too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from runtime.scim.errors import InvalidPath, ScimError

AttrType = Literal["string", "boolean", "integer", "decimal", "dateTime", "reference", "complex", "binary"]
Mutability = Literal["readOnly", "readWrite", "immutable", "writeOnly"]
Returned = Literal["always", "never", "default", "request"]
Uniqueness = Literal["none", "server", "global"]

CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
CONNECT_USER = "urn:ietf:params:scim:schemas:extension:amazonconnect:2.0:User"
SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"
RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SERVICE_PROVIDER_CONFIG_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

# RFC 7643 §2.1 ATTRNAME = ALPHA *(nameChar); "$ref" is the one reserved exception (§2.4).
_ATTRNAME = re.compile(r"^(?:[A-Za-z][A-Za-z0-9_-]*|\$[Rr][Ee][Ff])$")


@dataclass(frozen=True, repr=False)
class Attribute:
    """One attribute definition (RFC 7643 §2.2 characteristics, §7 representation).

    ``minimum``/``maximum``/``pattern``/``canonical_only`` are connect-scim constraints that
    Connect itself enforces (e.g. after-contact-work limits, E.164 desk phones); checking them
    here turns a Connect-side failure into a precise SCIM 400 before any Connect call.
    ``note`` is appended to mutability errors so the client learns *why* (e.g. userName).
    """

    name: str
    type: AttrType = "string"
    multi_valued: bool = False
    required: bool = False
    case_exact: bool = False
    mutability: Mutability = "readWrite"
    returned: Returned = "default"
    uniqueness: Uniqueness = "none"
    canonical_values: tuple[str, ...] = ()
    reference_types: tuple[str, ...] = ()
    sub_attributes: tuple[Attribute, ...] = ()
    description: str = ""
    canonical_only: bool = False
    minimum: int | None = None
    maximum: int | None = None
    pattern: str | None = None
    note: str = ""

    def __repr__(self) -> str:
        return f"Attribute({self.name!r}, {self.type}{', multi' if self.multi_valued else ''})"

    def sub(self, name: str) -> Attribute | None:
        """The sub-attribute called ``name`` (any case), or None."""
        folded = name.lower()
        for sub in self.sub_attributes:
            if sub.name.lower() == folded:
                return sub
        return None

    @property
    def is_complex(self) -> bool:
        return self.type == "complex"

    @property
    def has_primary(self) -> bool:
        """Multi-valued complex attributes with a ``primary`` flag (RFC 7643 §2.4)."""
        return self.multi_valued and self.sub("primary") is not None


@dataclass(frozen=True)
class Schema:
    """A schema (RFC 7643 §7): its URN, display name and top-level attributes."""

    id: str
    name: str
    description: str
    attributes: tuple[Attribute, ...]

    def attribute(self, name: str) -> Attribute | None:
        folded = name.lower()
        for attr in self.attributes:
            if attr.name.lower() == folded:
                return attr
        return None


@dataclass(frozen=True)
class SchemaExtension:
    schema: Schema
    required: bool = False


@dataclass(frozen=True, repr=False)
class ResourcePath:
    """A resolved attribute path: which schema, which attribute, which sub-attribute.

    ``definition`` is the leaf (the sub-attribute when there is one), ``parent`` the top-level
    attribute. Names are canonical, so callers can use them as dict keys directly: core
    attributes live at the top of a resource, extension attributes under their schema URN.
    """

    schema: str
    attribute: str
    sub_attribute: str | None
    parent: Attribute
    definition: Attribute
    is_extension: bool

    def __repr__(self) -> str:
        return f"ResourcePath({str(self)!r})"

    def with_sub(self, sub: Attribute) -> ResourcePath:
        """The path to ``sub``, a sub-attribute of this (top-level) attribute."""
        return ResourcePath(self.schema, self.attribute, sub.name, self.parent, sub, self.is_extension)

    def __str__(self) -> str:
        short = self.attribute if self.sub_attribute is None else f"{self.attribute}.{self.sub_attribute}"
        return f"{self.schema}:{short}" if self.is_extension else short


@dataclass(frozen=True)
class ResourceType:
    """A resource type (RFC 7643 §6) together with every schema its resources may carry.

    This is the "schema set" the filter parser, PATCH engine, validator and projector work
    against: the core schema, the common attributes (``id``, ``externalId``, ``meta``,
    RFC 7643 §3.1) and the extensions, each with its URN.
    """

    id: str
    name: str
    endpoint: str
    description: str
    schema: Schema
    extensions: tuple[SchemaExtension, ...] = ()
    common: tuple[Attribute, ...] = field(default=())

    @property
    def schemas(self) -> tuple[Schema, ...]:
        return (self.schema, *(ext.schema for ext in self.extensions))

    def extension(self, urn: str) -> Schema | None:
        folded = urn.lower()
        for ext in self.extensions:
            if ext.schema.id.lower() == folded:
                return ext.schema
        return None

    def schema_by_urn(self, urn: str) -> Schema | None:
        if urn.lower() == self.schema.id.lower():
            return self.schema
        return self.extension(urn)

    def core_attribute(self, name: str) -> Attribute | None:
        """A top-level attribute of the core schema or a common attribute (any case).

        ``schemas`` resolves too, so filters such as RFC 7644's
        ``schemas eq "urn:...:enterprise:2.0:User"`` work; it is never written through PATCH.
        """
        folded = name.lower()
        if folded == "schemas":
            return SCHEMAS_ATTRIBUTE
        for attr in self.common:
            if attr.name.lower() == folded:
                return attr
        return self.schema.attribute(name)

    def core_attributes(self) -> Iterator[Attribute]:
        yield from self.common
        yield from self.schema.attributes

    def split_urn(self, text: str) -> tuple[Schema | None, str]:
        """Split a URN prefix off ``text``: (schema, rest). Longest URN wins.

        ``rest`` is ``""`` when ``text`` is exactly a schema URN. A text that starts with
        ``urn:`` but matches none of our schemas returns ``(None, text)``.
        """
        folded = text.lower()
        best: Schema | None = None
        for schema in self.schemas:
            urn = schema.id.lower()
            if (folded == urn or folded.startswith(urn + ":")) and (
                best is None or len(schema.id) > len(best.id)
            ):
                best = schema
        if best is None:
            return None, text
        return best, text[len(best.id) + 1 :]


class UnknownAttribute(InvalidPath):
    """An attribute path that is well-formed but names nothing we define.

    A subclass so PATCH can drop it when the policy ignores unknown attributes, while a
    malformed path is still refused.
    """


def resolve_path(
    resource_type: ResourceType,
    text: str,
    *,
    error: type[ScimError] = InvalidPath,
    within: Attribute | None = None,
    unknown: type[ScimError] | None = None,
) -> ResourcePath:
    """Resolve an ``attrPath`` (RFC 7644 §3.10) to canonical names and its definition.

    Accepts ``name``, ``name.sub``, and ``<schema URN>:name[.sub]`` for the core schema and
    every extension. ``within`` resolves relative to a complex attribute (the inside of a
    value filter such as ``emails[type eq "work"]``). Raises ``error`` (``InvalidPath`` by
    default, the filter parser passes ``InvalidFilter``) naming what is wrong; names that are
    well-formed but unknown raise ``unknown`` (default: ``UnknownAttribute`` when ``error`` is
    ``InvalidPath``, else ``error``).
    """
    if unknown is None:
        unknown = UnknownAttribute if error is InvalidPath else error
    if within is not None:
        sub = _sub_name(text, within, unknown)
        owner = _owner_schema(resource_type, within)
        return ResourcePath(
            schema=owner.id,
            attribute=within.name,
            sub_attribute=sub.name,
            parent=within,
            definition=sub,
            is_extension=owner is not resource_type.schema,
        )
    schema, rest = resource_type.split_urn(text)
    if schema is None and text.lower().startswith("urn:"):
        urns = ", ".join(schema.id for schema in resource_type.schemas)
        raise unknown(f"unknown schema URN in '{_clip(text)}'; a {resource_type.name} uses {urns}")
    if schema is not None and rest == "":
        raise error(f"'{_clip(text)}' names a schema, not an attribute; add ':<attribute>'")
    if schema is None:
        schema = resource_type.schema
    attr_name, _, sub_name = rest.partition(".")
    if not _ATTRNAME.match(attr_name) or (sub_name and not _ATTRNAME.match(sub_name)):
        raise error(f"'{_clip(text)}' is not a valid attribute path (RFC 7644 §3.10)")
    if schema is resource_type.schema:
        attr = resource_type.core_attribute(attr_name)
    else:
        attr = schema.attribute(attr_name)
    if attr is None:
        raise unknown(f"unknown attribute '{_clip(attr_name)}' in schema {schema.id}")
    definition = attr
    canonical_sub: str | None = None
    if sub_name:
        sub = _sub_name(sub_name, attr, unknown)
        definition = sub
        canonical_sub = sub.name
    return ResourcePath(
        schema=schema.id,
        attribute=attr.name,
        sub_attribute=canonical_sub,
        parent=attr,
        definition=definition,
        is_extension=schema is not resource_type.schema,
    )


def _sub_name(name: str, parent: Attribute, error: type[ScimError]) -> Attribute:
    if not parent.is_complex:
        raise error(
            f"'{parent.name}' has no sub-attributes, so '{_clip(parent.name + '.' + name)}' is unknown"
        )
    sub = parent.sub(name)
    if sub is None:
        raise error(f"unknown sub-attribute '{_clip(name)}' of '{parent.name}'")
    return sub


def _owner_schema(resource_type: ResourceType, attr: Attribute) -> Schema:
    for schema in resource_type.schemas:
        if any(a is attr for a in schema.attributes):
            return schema
    return resource_type.schema


def _clip(text: str, limit: int = 80) -> str:
    """Keep client-supplied names in error details short (they are echoed back)."""
    return text if len(text) <= limit else text[:limit] + "..."


# --- Definitions -------------------------------------------------------------------------


_META = Attribute(
    name="meta",
    type="complex",
    mutability="readOnly",
    description="Resource metadata (RFC 7643 §3.1); set by the service provider only.",
    sub_attributes=(
        Attribute(
            "resourceType", description="The resource type name.", mutability="readOnly", case_exact=True
        ),
        Attribute(
            "created", description="When the resource was created.", type="dateTime", mutability="readOnly"
        ),
        Attribute(
            "lastModified",
            description="When the resource last changed.",
            type="dateTime",
            mutability="readOnly",
        ),
        Attribute(
            "location",
            description="The resource's URI.",
            type="reference",
            reference_types=("uri",),
            mutability="readOnly",
            case_exact=True,
        ),
        Attribute(
            "version",
            description="The resource version (not supported: no ETags).",
            mutability="readOnly",
            case_exact=True,
        ),
    ),
)

SCHEMAS_ATTRIBUTE = Attribute(
    "schemas",
    description="The schema URNs the resource carries (RFC 7643 §3); managed by the server.",
    type="reference",
    multi_valued=True,
    mutability="readOnly",
    returned="always",
    reference_types=("uri",),
)

COMMON_ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute(
        "id",
        description="Unique identifier assigned by the service provider (the Connect UserId for users).",
        mutability="readOnly",
        returned="always",
        case_exact=True,
        uniqueness="server",
    ),
    Attribute(
        "externalId",
        description="Identifier assigned by the provisioning client.",
        case_exact=True,
    ),
    _META,
)


def _multi_complex(
    name: str,
    description: str,
    types: tuple[str, ...],
    *,
    value_desc: str,
    value_pattern: str | None = None,
) -> Attribute:
    return Attribute(
        name=name,
        type="complex",
        multi_valued=True,
        description=description,
        sub_attributes=(
            Attribute("value", description=value_desc, pattern=value_pattern),
            Attribute("display", description="A human-readable name, primarily used for display purposes."),
            Attribute(
                "type", description="A label indicating the attribute's function.", canonical_values=types
            ),
            Attribute(
                "primary",
                description="Whether this is the primary value; at most one may be (RFC 7643 §2.4).",
                type="boolean",
            ),
        ),
    )


_NAME = Attribute(
    name="name",
    type="complex",
    description="The components of the user's name. Connect stores givenName and familyName.",
    sub_attributes=(
        Attribute("formatted", description="The full name, formatted for display."),
        Attribute("familyName", description="The family (last) name; Connect's LastName."),
        Attribute("givenName", description="The given (first) name; Connect's FirstName."),
        Attribute("middleName", description="The middle name(s)."),
        Attribute("honorificPrefix", description="Honorific prefix, e.g. 'Ms.'."),
        Attribute("honorificSuffix", description="Honorific suffix, e.g. 'III'."),
    ),
)

USER_SCHEMA = Schema(
    id=CORE_USER,
    name="User",
    description="User account (an Amazon Connect user)",
    attributes=(
        Attribute(
            "userName",
            description=(
                "Unique identifier used to sign in: the Amazon Connect Username. "
                "Connect cannot rename a user, so it is immutable once set."
            ),
            required=True,
            uniqueness="server",
            mutability="immutable",
            # RFC 7643 §8.7.1 says "default"; IdPs match users on userName, so it always comes
            # back, even under attributes=... projections.
            returned="always",
            note="Amazon Connect cannot rename a user; create a new user with the new userName instead",
        ),
        _NAME,
        Attribute("displayName", description="The name of the user, suitable for display."),
        Attribute("nickName", description="The casual way to address the user."),
        Attribute("title", description="The user's title, such as 'Vice President'."),
        Attribute(
            "preferredLanguage",
            description="The user's preferred written or spoken language (RFC 7231 §5.3.5).",
        ),
        Attribute("locale", description="The user's default location for localisation (e.g. 'en-US')."),
        Attribute(
            "timezone", description="The user's time zone in IANA format (e.g. 'America/Los_Angeles')."
        ),
        Attribute(
            "active",
            description="The user's administrative status; false disables the Connect user (reversibly).",
            type="boolean",
        ),
        _multi_complex(
            "emails",
            "E-mail addresses for the user.",
            ("work", "home", "other"),
            value_desc="The e-mail address.",
        ),
        _multi_complex(
            "phoneNumbers",
            "Phone numbers for the user.",
            ("work", "home", "mobile", "fax", "pager", "other"),
            value_desc="The phone number; Connect's Mobile takes the mobile number in E.164.",
        ),
        _multi_complex(
            "entitlements",
            "Entitlements of the user (Okta profiles often map security profiles here).",
            (),
            value_desc="The entitlement.",
        ),
        _multi_complex(
            "roles",
            "Roles of the user (Okta profiles often map the routing profile here).",
            (),
            value_desc="The role.",
        ),
        Attribute(
            name="groups",
            type="complex",
            multi_valued=True,
            mutability="readOnly",
            description=(
                "The groups (Amazon Connect security profiles) the user holds, whether its attributes "
                "or a group membership gave them; change membership through the Group resource."
            ),
            sub_attributes=(
                Attribute("value", description="The group's id.", mutability="readOnly", case_exact=True),
                Attribute(
                    "$ref",
                    description="The URI of the group.",
                    type="reference",
                    reference_types=("User", "Group"),  # RFC 7643 §8.7.1 as written
                    mutability="readOnly",
                    case_exact=True,
                ),
                Attribute("display", description="The group's display name.", mutability="readOnly"),
                Attribute(
                    "type",
                    description="'direct' or 'indirect' membership.",
                    canonical_values=("direct", "indirect"),
                    mutability="readOnly",
                ),
            ),
        ),
    ),
)

ENTERPRISE_USER_SCHEMA = Schema(
    id=ENTERPRISE_USER,
    name="EnterpriseUser",
    description="Enterprise User (RFC 7643 §4.3)",
    attributes=(
        Attribute(
            "employeeNumber", description="Numeric or alphanumeric identifier assigned by the organisation."
        ),
        Attribute("costCenter", description="The name of a cost center."),
        Attribute("organization", description="The name of an organisation."),
        Attribute("division", description="The name of a division."),
        Attribute("department", description="The name of a department."),
        Attribute(
            name="manager",
            type="complex",
            description="The user's manager.",
            sub_attributes=(
                Attribute("value", description="The id of the manager's SCIM resource.", case_exact=True),
                Attribute(
                    "$ref",
                    description="The URI of the manager's SCIM resource.",
                    type="reference",
                    reference_types=("User",),
                    case_exact=True,
                ),
                Attribute("displayName", description="The manager's display name.", mutability="readOnly"),
            ),
        ),
    ),
)

# E.164: '+', country code 1-9, up to 15 digits in all (ITU-T E.164).
E164_PATTERN = r"^\+[1-9][0-9]{1,14}$"

CONNECT_USER_SCHEMA = Schema(
    id=CONNECT_USER,
    name="AmazonConnectUser",
    description="Amazon Connect settings of a user: profiles, hierarchy and phone configuration",
    attributes=(
        Attribute(
            "securityProfiles",
            description="Names of the user's Amazon Connect security profiles (at least one once created).",
            multi_valued=True,
        ),
        Attribute("routingProfile", description="Name of the user's Amazon Connect routing profile."),
        Attribute("hierarchyGroup", description="Name of the user's agent hierarchy group (empty: none)."),
        Attribute(
            "phoneType",
            description="Softphone or desk phone.",
            canonical_values=("SOFT_PHONE", "DESK_PHONE"),
            canonical_only=True,
            case_exact=True,
        ),
        Attribute(
            "autoAccept", description="Whether incoming contacts are accepted automatically.", type="boolean"
        ),
        Attribute(
            "afterContactWorkTimeLimit",
            description="After-contact work time limit, in seconds (0 means no limit).",
            type="integer",
            minimum=0,
            maximum=2_000_000,
        ),
        Attribute(
            "deskPhoneNumber",
            description="The desk phone number in E.164 format (required when phoneType is DESK_PHONE).",
            pattern=E164_PATTERN,
        ),
    ),
)

GROUP_SCHEMA = Schema(
    id=CORE_GROUP,
    name="Group",
    description="Group: an Amazon Connect security profile; its members are the users holding it",
    attributes=(
        Attribute(
            "displayName",
            description=(
                "The security profile's name. Groups are linked by name, never created or renamed "
                "through SCIM: create or rename the security profile in Amazon Connect."
            ),
            required=True,
            uniqueness="server",
            mutability="immutable",
            note="a group is an Amazon Connect security profile, which connect-scim never renames; "
            "rename it in Amazon Connect",
        ),
        Attribute(
            name="members",
            type="complex",
            multi_valued=True,
            description="The users holding the security profile (users only: profiles do not nest).",
            sub_attributes=(
                Attribute(
                    "value",
                    description="The id of the member user.",
                    mutability="immutable",
                    case_exact=True,
                ),
                Attribute(
                    "$ref",
                    description="The URI of the member user.",
                    type="reference",
                    reference_types=("User",),
                    mutability="immutable",
                    case_exact=True,
                ),
                Attribute("display", description="The member's userName.", mutability="readOnly"),
                Attribute(
                    "type",
                    description="The type of the member resource: always User.",
                    canonical_values=("User",),
                    mutability="immutable",
                ),
            ),
        ),
    ),
)

USER = ResourceType(
    id="User",
    name="User",
    endpoint="/Users",
    description="User Account",
    schema=USER_SCHEMA,
    extensions=(
        SchemaExtension(ENTERPRISE_USER_SCHEMA, required=False),
        SchemaExtension(CONNECT_USER_SCHEMA, required=False),
    ),
    common=COMMON_ATTRIBUTES,
)

GROUP = ResourceType(
    id="Group",
    name="Group",
    endpoint="/Groups",
    description="Group: an Amazon Connect security profile, its members the users holding it",
    schema=GROUP_SCHEMA,
    common=COMMON_ATTRIBUTES,
)

RESOURCE_TYPES: tuple[ResourceType, ...] = (USER, GROUP)
SCHEMAS: tuple[Schema, ...] = (USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_USER_SCHEMA, CONNECT_USER_SCHEMA)


def resource_type_for(name: str) -> ResourceType | None:
    """The resource type called ``name`` (``User``/``Group``, any case), or None."""
    folded = name.lower()
    for rt in RESOURCE_TYPES:
        if rt.id.lower() == folded:
            return rt
    return None
