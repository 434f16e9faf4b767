"""How far a client may depart from RFC 7643/7644: named, documented quirk switches.

The design follows scim2-models' ``ScimPolicy``: every switch defaults to the strict reading
of the RFCs, and each tolerance has a name, a reason and a source, so a reviewer can see
exactly which IdP behaviour a lenient code path exists for. IdP differences are data (a preset
picked by the mapping profile), not copies of code. We do not import scim2-models itself: it
pulls pydantic-core into a Lambda archive that must stay under 256 KiB and start fast.

Forms the RFC already allows need no switch and are always accepted, whatever the preset:

* path-less ``replace`` with an object value, e.g. Okta's deactivation
  ``{"op": "replace", "value": {"active": false}}`` (RFC 7644 §3.5.2.3; Okta SCIM 2.0
  reference, "Update a specific User (PATCH)"). Named here because the Okta spec test depends
  on it; see ``OKTA_PATHLESS_ACTIVE``.
* value-path sub-attributes in filters, ``emails[type eq "work"].value eq "x"`` (Entra sends
  it; it cannot be mistaken for anything else, so it is read as
  ``emails[type eq "work" and value eq "x"]``).
* an extension URN as a PATCH ``path`` or as a key of a path-less value, with an object value.

Sources (cited by key in the field docstrings):

* [ENTRA-COMPAT] https://learn.microsoft.com/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility
* [ENTRA-SCIM] https://learn.microsoft.com/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
* [OKTA-SCIM] https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
* [ISSUE-MANAGER] Captain-P-Goldfish/SCIM-SDK#686, apache/directory-scimple#1244 (Entra's
  string manager, captured from real Entra requests)
* [S2M] scim2-models ``policy.py`` (``RemoveValue.apply``, ``UnmatchedPathFilter.create``)
"""

from __future__ import annotations

from dataclasses import dataclass, fields

OKTA_PATHLESS_ACTIVE = (
    "Okta deactivates with {'op': 'replace', 'value': {'active': false}}: an RFC 7644 §3.5.2.3 "
    "path-less replace, accepted under every policy (STRICT included), so it needs no switch."
)


@dataclass(frozen=True)
class ScimPolicy:
    """What connect-scim tolerates from the payloads it reads. All False = strict RFC."""

    case_insensitive_patch_op: bool = False
    """Accept ``"op": "Replace"``/``"Add"``/``"Remove"`` in any case.

    Entra's provisioning service capitalises ``op`` values ([ENTRA-COMPAT], "Update user"
    rows; [ENTRA-SCIM] request examples). RFC 7644 §3.5.2 lists them in lower case.
    """

    boolean_strings: bool = False
    """Accept ``"True"``/``"False"`` (any case) where a boolean is expected.

    Entra sends ``{"op": "Replace", "path": "active", "value": "False"}`` unless the tenant URL
    carries ``aadOptscim062020`` ([ENTRA-COMPAT], "Flags to alter the SCIM behavior").
    Also applies to filter values compared with boolean attributes.
    """

    unwrap_single_value_lists: bool = False
    """Accept ``[{"value": X}]`` as X for a single-valued simple attribute.

    Entra's older PATCH shape wraps simple values, e.g. ``"value": [{"value": "False"}]`` for
    ``active`` ([ENTRA-COMPAT], the pre-``aadOptscim062020`` examples). Combined with
    ``boolean_strings`` this reads Entra's list-wrapped ``"False"``.
    """

    string_for_complex_value: bool = False
    """Accept a bare value for a complex attribute that has a ``value`` sub-attribute.

    Entra sets the manager with ``{"op": "Add", "path":
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": "<id>"}``
    ([ISSUE-MANAGER]); RFC 7643 §4.3 defines ``manager`` as complex, so strict mode answers
    ``invalidValue``. With the switch the string is read as ``{"value": "<id>"}``.
    """

    pathless_dotted_keys: bool = False
    """Accept attribute paths as keys of a path-less PATCH value.

    Entra sends ``{"op": "Add", "value": {"name.givenName": "Barbara"}}`` and URN-qualified
    keys such as ``"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"``
    inside one value ([ENTRA-SCIM], "Update user [Multi-valued properties]"); RFC 7644
    §3.5.2.1 expects attribute names only.
    """

    remove_with_value: bool = False
    """Let a ``remove`` operation's ``value`` select what to remove.

    Entra removes group members with ``{"op": "Remove", "path": "members",
    "value": [{"value": "<id>"}]}`` ([ENTRA-SCIM], "Update Group [Remove Members]"; [S2M]
    ``RemoveValue.apply``). Strictly (RFC 7644 §3.5.2.2) the target is in ``path`` alone, and
    reading such a request as "remove all members" would be destructive, so strict mode refuses
    it with ``invalidValue`` instead.
    """

    unmatched_filter_create: bool = False
    """Create the element a value filter describes when ``add``/``replace`` matches nothing.

    Entra sends ``{"op": "Add", "path": "emails[type eq \\"work\\"].value", "value": "x"}`` to
    users that have no work e-mail yet ([ENTRA-SCIM]; [S2M] ``UnmatchedPathFilter.create``).
    Only ``eq`` comparisons joined by ``and`` describe an element; anything else is still
    ``noTarget`` (RFC 7644 §3.5.2.3).
    """

    unquoted_filter_values: bool = False
    """Accept bare words as string values in filters, e.g. ``externalId eq 5a8c-...``.

    Entra has sent unquoted ``externalId`` values ([ENTRA-SCIM] issue threads, see
    MicrosoftDocs/azure-docs#83855; anchors doc §3 item 3). RFC 7644 §3.4.2.2 compValues are
    JSON literals, so strict mode answers ``invalidFilter``.
    """

    ignore_unknown_attributes: bool = False
    """Drop attributes and extension URNs that no schema defines instead of refusing them.

    Entra's default attribute mappings send ``addresses`` ([ENTRA-SCIM], "Design your user and
    group schema") and Okta sends ``password`` when password sync is on ([OKTA-SCIM], "Create
    the User"); refusing them would fail every provisioning cycle. Strict mode answers
    ``invalidPath`` (PATCH) or ``invalidValue`` (POST/PUT), as the SCIM interoperability
    profile asks.
    """

    ignore_read_only_in_patch: bool = False
    """Silently drop read-only attributes named in a PATCH instead of ``mutability``.

    Okta renames a pushed group with a path-less replace whose value carries the read-only
    ``id`` next to ``displayName`` ([OKTA-SCIM], "Update a specific Group name").
    """

    def enabled(self) -> tuple[str, ...]:
        """Names of the switches that are on (for logs and diagnostics)."""
        return tuple(f.name for f in fields(self) if getattr(self, f.name))


STRICT = ScimPolicy()
"""RFC 7643/7644 only."""

OKTA = ScimPolicy(ignore_unknown_attributes=True, ignore_read_only_in_patch=True)
"""What Okta's SCIM 2.0 client needs: read-only ``id`` in group renames, custom attributes."""

ENTRA = ScimPolicy(
    case_insensitive_patch_op=True,
    boolean_strings=True,
    unwrap_single_value_lists=True,
    string_for_complex_value=True,
    pathless_dotted_keys=True,
    remove_with_value=True,
    unmatched_filter_create=True,
    unquoted_filter_values=True,
    ignore_unknown_attributes=True,
    ignore_read_only_in_patch=True,
)
"""What Microsoft Entra's provisioning service needs, with or without ``aadOptscim062020``."""

GENERIC = ScimPolicy(**{f.name: True for f in fields(ScimPolicy)})
"""Every tolerance on: for clients we have not profiled. No switch makes one valid request
mean something else, so turning all of them on only accepts more, never misreads."""

PRESETS: dict[str, ScimPolicy] = {"strict": STRICT, "okta": OKTA, "entra": ENTRA, "generic": GENERIC}
