"""Portal forms of the reviews inbox: the filter, a reply, a report to staff."""

from decimal import Decimal

from django import forms

from ratings.models import ALLOWED_STARS, REPLY_MAX_LENGTH, REPORT_NOTE_MAX_LENGTH, ReportReason


class ReviewFilterForm(forms.Form):
    """?place=&stars=&unanswered=1 — any value outside the choices is a field error (400), never a 500."""

    place = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Truck or stand")
    stars = forms.TypedChoiceField(
        required=False,
        coerce=Decimal,
        empty_value=None,
        choices=[("", "Any stars"), *[(f"{stars:.1f}", f"{stars:.1f} ★") for stars in reversed(ALLOWED_STARS)]],
    )
    unanswered = forms.BooleanField(required=False, label="Only reviews without a reply")

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [("", "All trucks and stands"), *[(place.pk, place.name) for place in places]]


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="Your public reply",
        max_length=REPLY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"Shown to everyone under the review, with your business name. Up to {REPLY_MAX_LENGTH} characters.",
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(choices=[("", "Choose a reason"), *ReportReason.choices])
    note = forms.CharField(
        required=False,
        label="Note for our staff",
        max_length=REPORT_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: what is wrong with this review. Only our staff read it.",
    )
