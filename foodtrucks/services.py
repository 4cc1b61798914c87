"""Helpers shared by the domain apps' services (the ground layer: no domain rule lives here)."""

from typing import Any, TypeVar

from django.db.models import Model

M = TypeVar("M", bound=Model)


def model_update(*, instance: M, fields: list[str], data: dict[str, Any]) -> tuple[M, bool]:
    """Set those of `fields` that `data` gives a new value, then full_clean and save only them.

    Answers the instance and whether anything changed (nothing changed: no query at all). A key of
    `data` that is not in `fields` is a TypeError: a typo or a new form field never vanishes silently.
    Fields with `auto_now` (`updated_at`) are saved along with any change.
    """
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise TypeError(f"{type(instance).__name__} cannot be updated with: {', '.join(unknown)}.")
    changed = [name for name in fields if name in data and getattr(instance, name) != data[name]]
    if not changed:
        return instance, False
    for name in changed:
        setattr(instance, name, data[name])
    instance.full_clean()
    auto_now = [field.name for field in instance._meta.concrete_fields if getattr(field, "auto_now", False)]
    instance.save(update_fields=[*changed, *auto_now])
    return instance, True
