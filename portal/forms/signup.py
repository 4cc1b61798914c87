"""The public vendor sign-up form: the business, and its owner's account."""

from django import forms

from vendors.time_zones import STATE_CHOICES


class VendorSignUpForm(forms.Form):
    business_name = forms.CharField(max_length=200, label="Business name")
    primary_city = forms.CharField(max_length=100, label="City", help_text="Where you usually trade.")
    primary_state = forms.ChoiceField(
        choices=[("", "Choose a state"), *STATE_CHOICES],
        label="State",
        help_text="New places start in its time zone (you can change it per place).",
    )
    first_name = forms.CharField(max_length=150, label="Your first name")
    last_name = forms.CharField(max_length=150, label="Your last name")
    email = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"})
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not only digits, not a common password.",
    )
