"""The audit trail's one writer: services call `audit_record` in the transaction of their change.

Our own table (vendors.AuditEntry) rather than django-simple-history or django-auditlog: the History
page needs "who checked in, changed the hours, a price, the team", by place, in words; a row copy per
save (simple-history) or per-model signals (auditlog) would record bulk replacements (the week's hours),
miss the check-in's single UPDATE, and know neither the vendor nor the place of a menu item.
"""

from typing import Any

from django.db.models import Model

from foodtrucks.audit_context import current_actor
from vendors.models import AuditEntry


def _plain(value: Any) -> Any:
    if isinstance(value, Model):
        return str(value)
    if isinstance(value, list | tuple | set):
        return sorted(_plain(item) for item in value) if isinstance(value, set) else [_plain(v) for v in value]
    return value


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list]:
    """{field: [old, new]} of the fields whose value differs (model instances by their name)."""
    return {
        name: [_plain(before.get(name)), _plain(value)]
        for name, value in after.items()
        if _plain(before.get(name)) != _plain(value)
    }


def audit_record(
    *,
    vendor_id: int,
    action: str,
    obj: Model | None = None,
    summary: str,
    changes: dict | None = None,
    place: Model | None = None,
    actor: Any = None,
) -> AuditEntry:
    """One entry; the actor is `actor`, else the current request's user (foodtrucks.audit_context)."""
    actor = actor or current_actor()
    return AuditEntry.objects.create(
        vendor_id=vendor_id,
        actor=actor,
        actor_email=getattr(actor, "email", "") if actor else "",
        action=action,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=obj.pk if obj is not None else None,
        place_id=place.pk if place is not None else None,
        place_name=getattr(place, "name", "")[:120] if place is not None else "",
        summary=summary[:255],
        changes=changes or {},
    )


def audit_changes(
    *, vendor_id: int, action: str, obj: Model, label: str, changes: dict[str, list], place: Model | None = None
) -> AuditEntry | None:
    """The entry of an edit, "Changed <fields> of <label>", when `changes` (changed_fields) holds any."""
    if not changes:
        return None
    summary = f"Changed {', '.join(changes)} of {label}"
    return audit_record(vendor_id=vendor_id, action=action, obj=obj, place=place, summary=summary, changes=changes)
