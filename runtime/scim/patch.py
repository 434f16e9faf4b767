"""SCIM PATCH (RFC 7644 §3.5.2): parse a PatchOp message and apply it to a resource dict.

``apply_patch`` works on a deep copy and returns it, so a failing operation leaves nothing
applied (RFC 7644 §3.5.2: "the operations are applied ... atomically"); the service then
turns the difference between old and new into Connect calls. Names in the result are
canonical, whatever case the client used.

IdP deviations are handled only where a ``ScimPolicy`` switch says so (see ``policy.py``):
capitalised ``op`` values, ``"False"`` strings, dotted/URN keys in path-less values,
``remove`` with a value, creating the element an unmatched ``[type eq "work"]`` filter
describes, read-only attributes in Okta group renames, unknown attributes.

Choices the RFC leaves open, made here on purpose:

* ``remove`` with a filter that matches nothing changes nothing (idempotent retries by
  Okta/Entra succeed); ``add``/``replace`` with such a filter is ``noTarget``.
* ``add`` to a multi-valued attribute skips values already present (same ``value`` and, when
  both sides have one, the same ``type``; sub-attributes the new value carries are merged).
* ``replace`` of an immutable attribute with its current value (compared per ``caseExact``)
  is accepted and keeps the stored spelling.
* ``replace`` with ``null`` (or ``[]``) unassigns the attribute (RFC 7643 §2.5).
* ``MAX_OPERATIONS`` (500) operations per request bound the work per call.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Literal

from runtime.scim.errors import InvalidPath, InvalidSyntax, InvalidValue, Mutability, NoTarget, ScimError
from runtime.scim.filter import And, Comparison, Filter, ValuePath, get_key, matches_element, parse_value_path
from runtime.scim.policy import ScimPolicy
from runtime.scim.schema import (
    PATCH_OP,
    Attribute,
    ResourcePath,
    ResourceType,
    UnknownAttribute,
    resolve_path,
)
from runtime.scim.values import (
    check_single,
    check_value,
    is_unassigned,
    values_equal,
)

MAX_OPERATIONS = 500

OpName = Literal["add", "remove", "replace"]
_OPS: tuple[OpName, ...] = ("add", "remove", "replace")


@dataclass(frozen=True)
class PatchOperation:
    """One parsed operation. ``path`` is None for path-less operations.

    ``schema`` is set instead of ``path`` when the path is a bare extension URN
    (``urn:...:enterprise:2.0:User``): the value is that extension's object.
    ``index`` is the position in ``Operations``, used in error details.
    """

    op: OpName
    path: ValuePath | None
    value: Any
    has_value: bool
    index: int
    schema: str | None = None

    @property
    def where(self) -> str:
        return f"Operations[{self.index}]"


def parse_patch(body: Any, resource_type: ResourceType, policy: ScimPolicy) -> tuple[PatchOperation, ...]:
    """Validate the PatchOp envelope and parse each operation's ``op`` and ``path``."""
    if not isinstance(body, dict):
        raise InvalidSyntax("the PATCH body must be a JSON object (a PatchOp message)")
    schemas = get_key(body, "schemas")
    if not isinstance(schemas, list) or not any(
        isinstance(s, str) and s.lower() == PATCH_OP.lower() for s in schemas
    ):
        raise InvalidSyntax(f"'schemas' must list {PATCH_OP} (RFC 7644 §3.5.2)")
    operations = get_key(body, "Operations")
    if not isinstance(operations, list) or not operations:
        raise InvalidSyntax("'Operations' must be a non-empty array of operations (RFC 7644 §3.5.2)")
    if len(operations) > MAX_OPERATIONS:
        raise InvalidValue(f"a PATCH request may carry at most {MAX_OPERATIONS} operations")
    parsed: list[PatchOperation] = []
    for index, raw in enumerate(operations):
        operation = _parse_operation(index, raw, resource_type, policy)
        if operation is not None:
            parsed.append(operation)
    return tuple(parsed)


def _parse_operation(
    index: int, raw: Any, resource_type: ResourceType, policy: ScimPolicy
) -> PatchOperation | None:
    where = f"Operations[{index}]"
    if not isinstance(raw, dict):
        raise InvalidSyntax(f"{where} must be a JSON object with 'op', 'path' and 'value'")
    op_raw = get_key(raw, "op")
    if not isinstance(op_raw, str):
        raise InvalidSyntax(f"{where}.op must be one of: add, remove, replace")
    op_text = op_raw.lower() if policy.case_insensitive_patch_op else op_raw
    if op_text not in _OPS:
        hint = " (lower case, RFC 7644 §3.5.2)" if op_raw.lower() in _OPS else ""
        raise InvalidSyntax(f"{where}.op must be one of: add, remove, replace{hint}")
    op: OpName = op_text
    has_value = any(isinstance(k, str) and k.lower() == "value" for k in raw)
    value = get_key(raw, "value")
    path_raw = get_key(raw, "path")
    if path_raw is not None and not isinstance(path_raw, str):
        raise InvalidPath(f"{where}.path must be a string")
    if op == "remove" and has_value and value is not None and not policy.remove_with_value:
        raise InvalidValue(
            f"{where}: 'remove' takes its target from 'path' alone (RFC 7644 §3.5.2.2); "
            'use a filter such as members[value eq "..."]'
        )
    if op != "remove" and (not has_value or (op == "add" and value is None)):
        raise InvalidValue(f"{where}: '{op}' needs a 'value'")
    if path_raw is None or path_raw == "":
        if op == "remove":
            raise NoTarget(f"{where}: 'remove' needs a 'path' (RFC 7644 §3.5.2.2)")
        return PatchOperation(op, None, value, has_value, index)
    schema, rest = resource_type.split_urn(path_raw)
    if schema is not None and rest == "":
        return PatchOperation(op, None, value, has_value, index, schema=schema.id)
    try:
        path = parse_value_path(path_raw, resource_type, policy)
    except UnknownAttribute as exc:
        if policy.ignore_unknown_attributes:
            return None
        raise UnknownAttribute(f"{where}: {exc.detail}") from None
    except ScimError as exc:
        raise type(exc)(f"{where}: {exc.detail}") from None
    return PatchOperation(op, path, value, has_value, index)


def apply_patch(
    resource: dict[str, Any],
    operations: tuple[PatchOperation, ...] | list[PatchOperation],
    resource_type: ResourceType,
    policy: ScimPolicy,
) -> dict[str, Any]:
    """Apply ``operations`` in order to a copy of ``resource`` and return the copy."""
    result = canonical_copy(resource, resource_type)
    engine = _Engine(result, resource_type, policy)
    for operation in operations:
        engine.apply(operation)
    return finish_resource(result, resource_type)


def patch_resource(
    resource: dict[str, Any], body: Any, resource_type: ResourceType, policy: ScimPolicy
) -> dict[str, Any]:
    """Parse a PatchOp body and apply it: the one call most services need."""
    return apply_patch(resource, parse_patch(body, resource_type, policy), resource_type, policy)


def canonical_copy(resource: dict[str, Any], resource_type: ResourceType) -> dict[str, Any]:
    """Deep copy with known attribute names and extension URNs in their canonical spelling."""
    out: dict[str, Any] = {}
    for key, value in resource.items():
        if key.lower() == "schemas":
            out["schemas"] = copy.deepcopy(value)
            continue
        schema = resource_type.extension(key)
        if schema is not None:
            ext: dict[str, Any] = {}
            if isinstance(value, dict):
                for sub_key, sub_value in value.items():
                    attr = schema.attribute(sub_key)
                    ext[attr.name if attr else sub_key] = _canonical_value(attr, sub_value)
            out[schema.id] = ext
            continue
        attr = resource_type.core_attribute(key)
        out[attr.name if attr else key] = _canonical_value(attr, value)
    return out


def _canonical_value(attr: Attribute | None, value: Any) -> Any:
    if attr is None or not attr.is_complex:
        return copy.deepcopy(value)

    def one(item: Any) -> Any:
        if not isinstance(item, dict):
            return copy.deepcopy(item)
        return {(s.name if (s := attr.sub(k)) else k): copy.deepcopy(v) for k, v in item.items()}

    if isinstance(value, list):
        return [one(item) for item in value]
    return one(value)


def finish_resource(resource: dict[str, Any], resource_type: ResourceType) -> dict[str, Any]:
    """Drop empty values and extension objects, and list exactly the schemas in use."""
    for key in list(resource):
        if key != "schemas" and is_unassigned(resource[key]):
            del resource[key]
    present = [ext.schema.id for ext in resource_type.extensions if ext.schema.id in resource]
    resource["schemas"] = [resource_type.schema.id, *present]
    return resource


class _Engine:
    def __init__(self, resource: dict[str, Any], resource_type: ResourceType, policy: ScimPolicy) -> None:
        self.resource = resource
        self.resource_type = resource_type
        self.policy = policy

    # -- dispatch ---------------------------------------------------------------------------

    def apply(self, operation: PatchOperation) -> None:
        if operation.schema is not None:
            self.apply_schema_object(operation, operation.schema)
        elif operation.path is None:
            self.apply_pathless(operation, operation.value, self.resource_type.schema.id)
        else:
            self.apply_path(operation, operation.path, operation.value)

    def apply_schema_object(self, operation: PatchOperation, urn: str) -> None:
        """A bare schema URN as path: the value is that schema's object (or remove it all)."""
        if operation.op == "remove":
            if urn == self.resource_type.schema.id:
                raise Mutability(f"{operation.where}: the core schema cannot be removed")
            self.resource.pop(urn, None)
            return
        self.apply_pathless(operation, operation.value, urn)

    def apply_pathless(self, operation: PatchOperation, value: Any, urn: str) -> None:
        """RFC 7644 §3.5.2.1/§3.5.2.3 without ``path``: each key of the object is a target."""
        if not isinstance(value, dict):
            raise InvalidValue(f"{operation.where}: without a 'path' the 'value' must be a JSON object")
        core = urn == self.resource_type.schema.id
        for key, item in value.items():
            if not isinstance(key, str):  # pragma: no cover - JSON keys are strings
                continue
            if core and key.lower() == "schemas":
                continue  # the server keeps 'schemas' in step with the extensions in use
            schema, rest = self.resource_type.split_urn(key)
            if schema is not None and rest == "":
                if not core:
                    self.unknown(operation, f"'{key}' cannot be nested inside another schema's object")
                    continue
                self.apply_pathless(operation, item, schema.id)
                continue
            if (schema is not None or "." in key) and not self.policy.pathless_dotted_keys:
                raise InvalidPath(
                    f"{operation.where}: keys of a path-less value must be attribute names; "
                    f"'{_clip(key)}' is a path (RFC 7644 §3.5.2.1)"
                )
            text = key if core or schema is not None else f"{urn}:{key}"
            try:
                path = resolve_path(self.resource_type, text, unknown=UnknownAttribute)
            except UnknownAttribute as exc:
                self.unknown(operation, exc.detail)
                continue
            self.apply_path(operation, ValuePath(path, None), item)

    def unknown(self, operation: PatchOperation, detail: str) -> None:
        if not self.policy.ignore_unknown_attributes:
            raise UnknownAttribute(f"{operation.where}: {detail}")

    def apply_path(self, operation: PatchOperation, vpath: ValuePath, value: Any) -> None:
        path = vpath.path
        if path.parent.mutability == "readOnly" or path.definition.mutability == "readOnly":
            if self.policy.ignore_read_only_in_patch:
                return
            raise Mutability(f"{operation.where}: '{path}' is read-only (RFC 7643 §2.2)")
        if vpath.filter is not None:
            self.apply_filtered(operation, path, vpath.filter, value)
        elif path.sub_attribute is not None:
            self.apply_sub(operation, path, value)
        else:
            self.apply_attribute(operation, path, value)

    # -- containers -------------------------------------------------------------------------

    def container(self, path: ResourcePath, create: bool) -> dict[str, Any] | None:
        if not path.is_extension:
            return self.resource
        ext = self.resource.get(path.schema)
        if not isinstance(ext, dict):
            if not create:
                return None
            ext = {}
            self.resource[path.schema] = ext
        return ext

    # -- whole attributes -------------------------------------------------------------------

    def apply_attribute(self, operation: PatchOperation, path: ResourcePath, value: Any) -> None:
        attr = path.parent
        where = f"{operation.where}: '{path}'"
        box = self.container(path, create=operation.op != "remove")
        existing = box.get(attr.name) if box is not None else None
        if operation.op == "remove":
            if operation.has_value and not is_unassigned(operation.value) and attr.multi_valued:
                self.remove_values(operation, path, box, existing, operation.value)
                return
            self.unassign(operation, path, box, existing)
            return
        value = self.unwrap(attr, value)
        if is_unassigned(value):
            if operation.op == "replace":
                self.unassign(operation, path, box, existing)
            return
        assert box is not None
        if attr.multi_valued:
            items = value if isinstance(value, list) else [value]
            checked = check_value(attr, items, self.policy, str(path), unknown_error=UnknownAttribute)
            old = existing if isinstance(existing, list) else []
            base = [] if operation.op == "replace" else [copy.deepcopy(e) for e in old]
            merged, touched = _merge_values(attr, base, checked)
            _settle_primary(attr, merged, touched, where)
            self.check_immutable_list(operation, path, old, merged)
            box[attr.name] = merged
        elif attr.is_complex:
            checked = check_single(attr, value, self.policy, str(path), unknown_error=UnknownAttribute)
            old_obj = existing if isinstance(existing, dict) else {}
            for sub_name, sub_value in checked.items():
                sub = attr.sub(sub_name)
                assert sub is not None
                self.check_immutable(operation, path.with_sub(sub), old_obj.get(sub_name), sub_value)
            box[attr.name] = {**old_obj, **checked}
        else:
            checked = check_single(attr, value, self.policy, str(path))
            if self.check_immutable(operation, path, existing, checked):
                return
            box[attr.name] = checked

    def unwrap(self, attr: Attribute, value: Any) -> Any:
        """Entra's ``[{"value": X}]`` for a single-valued simple attribute (policy switch)."""
        if (
            self.policy.unwrap_single_value_lists
            and not attr.multi_valued
            and not attr.is_complex
            and isinstance(value, list)
            and len(value) == 1
            and isinstance(value[0], dict)
            and len(value[0]) == 1
            and str(next(iter(value[0]))).lower() == "value"
        ):
            return next(iter(value[0].values()))
        return value

    def unassign(
        self, operation: PatchOperation, path: ResourcePath, box: dict[str, Any] | None, existing: Any
    ) -> None:
        attr = path.parent
        if attr.required:
            raise Mutability(
                f"{operation.where}: '{path}' is required and cannot be removed (RFC 7644 §3.5.2.2)"
            )
        if attr.mutability == "immutable" and not is_unassigned(existing):
            raise Mutability(f"{operation.where}: '{path}' is immutable and cannot be removed{_note(attr)}")
        if box is not None:
            box.pop(attr.name, None)

    def remove_values(
        self,
        operation: PatchOperation,
        path: ResourcePath,
        box: dict[str, Any] | None,
        existing: Any,
        value: Any,
    ) -> None:
        """Entra's ``remove`` with a value list: drop the listed values (policy switch)."""
        attr = path.parent
        items = value if isinstance(value, list) else [value]
        selectors = check_value(attr, items, self.policy, str(path), unknown_error=UnknownAttribute)
        if box is None or not isinstance(existing, list):
            return
        kept = [e for e in existing if not any(_selects(attr, sel, e) for sel in selectors)]
        if kept:
            box[attr.name] = kept
        else:
            self.unassign(operation, path, box, existing)

    # -- sub-attributes without a filter ----------------------------------------------------

    def apply_sub(self, operation: PatchOperation, path: ResourcePath, value: Any) -> None:
        attr, sub = path.parent, path.definition
        box = self.container(path, create=operation.op != "remove")
        existing = box.get(attr.name) if box is not None else None
        if attr.multi_valued:
            # ``emails.value`` without a filter addresses every element (RFC 7644 §3.5.2).
            elements = existing if isinstance(existing, list) else []
            if not elements:
                if operation.op == "remove":
                    return
                raise NoTarget(f"{operation.where}: '{path}' has no values to change")
            self.write_elements(operation, path, elements, value)
            self.tidy(path, box, elements)
            return
        obj = existing if isinstance(existing, dict) else {}
        if operation.op == "remove" or is_unassigned(value):
            if operation.op == "add":
                return
            if sub.required:
                raise Mutability(f"{operation.where}: '{path}' is required and cannot be removed")
            if sub.mutability == "immutable" and obj.get(sub.name) is not None:
                raise Mutability(
                    f"{operation.where}: '{path}' is immutable and cannot be removed{_note(sub)}"
                )
            obj.pop(sub.name, None)
            if box is not None and not obj:
                box.pop(attr.name, None)
            return
        assert box is not None
        checked = check_single(sub, self.unwrap(sub, value), self.policy, str(path))
        if self.check_immutable(operation, path, obj.get(sub.name), checked):
            return
        obj = dict(obj)
        obj[sub.name] = checked
        box[attr.name] = obj

    # -- value filters ----------------------------------------------------------------------

    def apply_filtered(self, operation: PatchOperation, path: ResourcePath, flt: Filter, value: Any) -> None:
        attr = path.parent
        box = self.container(path, create=operation.op != "remove")
        existing = box.get(attr.name) if box is not None else None
        elements: list[Any] = existing if isinstance(existing, list) else []
        matched = [e for e in elements if isinstance(e, dict) and matches_element(flt, e)]
        if not matched:
            if operation.op == "remove":
                return  # idempotent: nothing matched, nothing to remove
            template = _template(flt) if self.policy.unmatched_filter_create else None
            if template is None:
                raise NoTarget(f"{operation.where}: the filter in '{attr.name}[...]' matched no value")
            created = check_single(attr, template, self.policy, str(path))
            assert box is not None
            elements = [*elements, created]
            box[attr.name] = elements
            matched = [created]
        if operation.op == "remove":
            if path.sub_attribute is None:
                ids = {id(e) for e in matched}
                remaining = [e for e in elements if id(e) not in ids]
                self.tidy(path, box, remaining)
                return
            self.write_elements(operation, path, matched, None)
            self.tidy(path, box, elements)
            return
        if path.sub_attribute is not None:
            self.write_elements(operation, path, matched, value, all_elements=elements)
            self.tidy(path, box, elements)
            return
        # A whole element: ``add`` merges into each match, ``replace`` swaps each match.
        new = check_single(attr, value, self.policy, str(path), unknown_error=UnknownAttribute)
        ids = {id(e) for e in matched}
        fresh: list[Any] = []
        result: list[Any] = []
        for element in elements:
            if id(element) in ids:
                replacement = {**element, **new} if operation.op == "add" else dict(new)
                for sub_name in replacement:
                    sub = attr.sub(sub_name)
                    if sub is not None:
                        self.check_immutable(
                            operation, path.with_sub(sub), element.get(sub_name), replacement[sub_name]
                        )
                fresh.append(replacement)
                result.append(replacement)
            else:
                result.append(element)
        _settle_primary(attr, result, {id(e) for e in fresh}, str(path))
        self.tidy(path, box, result)

    def write_elements(
        self,
        operation: PatchOperation,
        path: ResourcePath,
        targets: list[Any],
        value: Any,
        all_elements: list[Any] | None = None,
    ) -> None:
        """Set (or remove, when ``value`` is None or the op is remove) a sub-attribute on targets."""
        sub = path.definition
        name = sub.name
        removing = operation.op == "remove" or is_unassigned(value)
        checked = None if removing else check_single(sub, self.unwrap(sub, value), self.policy, str(path))
        for element in targets:
            if removing:
                if sub.required:
                    raise Mutability(f"{operation.where}: '{path}' is required and cannot be removed")
                if sub.mutability == "immutable" and element.get(name) is not None:
                    raise Mutability(f"{operation.where}: '{path}' is immutable{_note(sub)}")
                element.pop(name, None)
            elif not self.check_immutable(operation, path, element.get(name), checked):
                element[name] = checked
        if checked is True and name == "primary" and all_elements is not None:
            _settle_primary(path.parent, all_elements, {id(e) for e in targets}, str(path))

    def tidy(self, path: ResourcePath, box: dict[str, Any] | None, elements: list[Any]) -> None:
        """Store ``elements`` without empty entries; an empty list unassigns the attribute."""
        if box is None:
            return
        kept = [e for e in elements if not is_unassigned(e)]
        if kept:
            box[path.parent.name] = kept
        else:
            box.pop(path.parent.name, None)

    # -- mutability -------------------------------------------------------------------------

    def check_immutable(self, operation: PatchOperation, path: ResourcePath, old: Any, new: Any) -> bool:
        """Refuse changing an immutable value; True means "same value, keep the stored one"."""
        definition = path.definition
        if definition.mutability != "immutable" or is_unassigned(old):
            return False
        if values_equal(definition, old, new):
            return True
        raise Mutability(f"{operation.where}: '{path}' is immutable and cannot be changed{_note(definition)}")

    def check_immutable_list(
        self, operation: PatchOperation, path: ResourcePath, old: list[Any], new: list[Any]
    ) -> None:
        attr = path.parent
        if attr.mutability == "immutable" and old and not _same_list(attr, old, new):
            raise Mutability(f"{operation.where}: '{path}' is immutable and cannot be changed{_note(attr)}")


# --- helpers ----------------------------------------------------------------------------------


def _note(attr: Attribute) -> str:
    return f": {attr.note}" if attr.note else ""


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _same_element(attr: Attribute, left: Any, right: Any) -> bool:
    """Whether two values of a multi-valued attribute denote the same value (for de-duplication)."""
    if not attr.is_complex:
        return values_equal(attr, left, right)
    if not isinstance(left, dict) or not isinstance(right, dict):
        return False
    value_def = attr.sub("value")
    if value_def is None or "value" not in left or "value" not in right:
        return bool(left == right)
    if not values_equal(value_def, left["value"], right["value"]):
        return False
    type_def = attr.sub("type")
    if type_def is not None and "type" in left and "type" in right:
        return values_equal(type_def, left["type"], right["type"])
    return True


def _same_list(attr: Attribute, old: list[Any], new: list[Any]) -> bool:
    return len(old) == len(new) and all(any(_same_element(attr, o, n) for n in new) for o in old)


def _merge_values(attr: Attribute, base: list[Any], additions: list[Any]) -> tuple[list[Any], set[int]]:
    """Append ``additions`` to ``base``, merging into values that are already there.

    Returns the list and the ids of the elements the additions created or changed.
    """
    out = list(base)
    touched: set[int] = set()
    for item in additions:
        for index, current in enumerate(out):
            if _same_element(attr, current, item):
                if isinstance(current, dict):
                    out[index] = {**current, **item}
                    touched.add(id(out[index]))
                break
        else:
            out.append(item)
            touched.add(id(item))
    return out, touched


def _settle_primary(attr: Attribute, values: list[Any], touched: set[int], where: str) -> None:
    """RFC 7643 §2.4: at most one primary. A value this operation made primary wins; the
    others lose the flag. Two values made primary by one operation are refused."""
    if not attr.has_primary:
        return
    winners = [v for v in values if isinstance(v, dict) and v.get("primary") is True and id(v) in touched]
    if len(winners) > 1:
        raise InvalidValue(f"'{where}': more than one value with primary true (RFC 7643 §2.4)")
    if not winners:
        return
    for value in values:
        if isinstance(value, dict) and value is not winners[0] and value.get("primary") is True:
            value["primary"] = False


def _selects(attr: Attribute, selector: Any, element: Any) -> bool:
    """Does a ``remove`` value item (Entra form) select ``element``?"""
    if not attr.is_complex:
        return values_equal(attr, selector, element)
    if not isinstance(selector, dict) or not isinstance(element, dict) or not selector:
        return False
    for key, wanted in selector.items():
        sub = attr.sub(key)
        if sub is None or not values_equal(sub, element.get(sub.name), wanted):
            return False
    return True


def _template(flt: Filter) -> dict[str, Any] | None:
    """The element an ``eq``/``and``-only value filter describes, or None (policy create)."""
    if isinstance(flt, Comparison):
        if flt.op != "eq" or flt.value is None or flt.path.sub_attribute is None:
            return None
        return {flt.path.sub_attribute: flt.value}
    if isinstance(flt, And):
        left, right = _template(flt.left), _template(flt.right)
        if left is None or right is None or set(left) & set(right):
            return None
        return {**left, **right}
    return None
