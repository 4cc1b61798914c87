"""Writes of accounts: sign-up, profile and API tokens."""

from datetime import date

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from rest_framework.authtoken.models import Token

from accounts.models import User

PROFILE_FIELDS = ("first_name", "last_name", "phone_number", "date_of_birth", "primary_city")


def email_normalize(email: str) -> str:
    return User.objects.normalize_email(email.strip()).lower()


def _check_unique(*, email: str | None = None, phone_number: str | None = None, exclude_pk: int | None = None):
    errors = {}
    users = User.objects.exclude(pk=exclude_pk) if exclude_pk else User.objects.all()
    if email and users.filter(email__iexact=email).exists():
        errors["email"] = "A user with this email address already exists."
    if phone_number and users.filter(phone_number=phone_number).exists():
        errors["phone_number"] = "A user with this phone number already exists."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def user_register(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    phone_number: str | None,
    date_of_birth: date | None = None,
    primary_city: str = "",
) -> tuple[User, str]:
    """Create a consumer account and its API token. Returns (user, token key)."""
    email = email_normalize(email)
    phone_number = phone_number or None
    user = User(
        email=email,
        first_name=first_name,
        last_name=last_name,
        phone_number=phone_number,
        date_of_birth=date_of_birth,
        primary_city=primary_city,
    )
    errors: dict[str, list[str]] = {}
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        errors["password"] = exc.messages
    try:
        _check_unique(email=email, phone_number=phone_number)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        # Uniqueness was checked above with clearer messages; fields (E.164, email format) here.
        user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent sign-up with the same email or phone won the race
        _check_unique(email=email, phone_number=phone_number)
        raise ValidationError({"email": "A user with this email address already exists."}) from exc
    token = Token.objects.create(user=user)
    return user, token.key


def token_for_login(*, user: User) -> str:
    token, _ = Token.objects.get_or_create(user=user)
    return token.key


def token_revoke(*, user: User) -> None:
    """Log out: the token stops working (a new log-in issues a new one)."""
    Token.objects.filter(user=user).delete()


@transaction.atomic
def user_update(*, user: User, **changes) -> User:
    """Change the user's own profile fields (email and password are changed elsewhere)."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not profile fields: {sorted(unknown)}")
    if "phone_number" in changes:
        changes["phone_number"] = changes["phone_number"] or None
        _check_unique(phone_number=changes["phone_number"], exclude_pk=user.pk)
    for field, value in changes.items():
        setattr(user, field, value)
    user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    if changes:
        user.save(update_fields=list(changes))
    return user
