"""Shapes of the account endpoints: sign-up, log-in, profile and the consumer's preferences."""

from rest_framework import serializers

from accounts.models import User, e164_validator


class UserSerializer(serializers.ModelSerializer):
    dob = serializers.DateField(source="date_of_birth", allow_null=True)

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "phone_number", "dob", "primary_city", "date_joined"]


class RegisterInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, max_length=128, style={"input_type": "password"}
    )
    first_name = serializers.CharField(max_length=150)
    last_name = serializers.CharField(max_length=150)
    phone_number = serializers.CharField(
        max_length=16, validators=[e164_validator], help_text="E.164, e.g. +14155550123."
    )
    dob = serializers.DateField(required=False, allow_null=True, help_text="Date of birth, YYYY-MM-DD.")
    primary_city = serializers.CharField(required=False, allow_blank=True, max_length=100)


class RegisterOutputSerializer(serializers.Serializer):
    user = UserSerializer()
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")


class LoginInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(trim_whitespace=False, max_length=128, style={"input_type": "password"})


class LoginOutputSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")
    user = UserSerializer()


class ProfileUpdateInputSerializer(serializers.Serializer):
    first_name = serializers.CharField(required=False, max_length=150)
    last_name = serializers.CharField(required=False, max_length=150)
    phone_number = serializers.CharField(
        required=False,
        allow_null=True,
        max_length=16,
        validators=[e164_validator],
        help_text="E.164, e.g. +14155550123.",
    )
    dob = serializers.DateField(required=False, allow_null=True)
    primary_city = serializers.CharField(required=False, allow_blank=True, max_length=100)
