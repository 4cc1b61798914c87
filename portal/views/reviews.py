"""Portal reviews inbox: the reviews of the vendor's places, one public reply each, reports to staff.

Access through portal.access (action "reviews"), reads in ratings.selectors, writes in ratings.services.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse

from portal.access import PortalView
from portal.forms.reviews import ReplyForm, ReportForm, ReviewFilterForm
from portal.forms_flow import PortalFormView
from ratings import services
from ratings.selectors import get_review_for_member_or_404, reviews_for_member
from trucks.selectors import places_for_member

REVIEWS_PER_PAGE = 20


class ReviewObjectMixin:
    permission = "reviews"

    def resolve_object(self):
        return get_review_for_member_or_404(self.request.user, self.kwargs["pk"], action="view")

    def object_vendor_id(self, obj):
        return obj.place.vendor_id


class ReviewInboxView(PortalView):
    permission = "reviews"

    def get(self, request):
        places = list(places_for_member(request.user, self.vendor.pk, action="reviews").order_by("name"))
        form = ReviewFilterForm(request.GET or None, places=places)
        filters = form.cleaned_data if form.is_valid() else {}
        reviews = reviews_for_member(
            request.user,
            self.vendor.pk,
            place_id=filters.get("place"),
            stars=filters.get("stars"),
            unanswered=filters.get("unanswered", False),
        )
        page = Paginator(reviews, REVIEWS_PER_PAGE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context = self.get_context_data(filter_form=form, page=page, query=query.urlencode(), places=places)
        return render(request, "portal/reviews/inbox.html", context, status=400 if form.errors else 200)


class ReviewReplyView(ReviewObjectMixin, PortalFormView):
    template_name = "portal/reviews/reply.html"
    form_class = ReplyForm

    def get_form_kwargs(self):
        reply = getattr(self.object, "reply", None)
        return {"initial": {"text": reply.text}} if reply else {}

    def get_context_data(self, **kwargs):
        return super().get_context_data(review=self.object, **kwargs)

    def perform(self, form):
        return services.review_reply_save(
            rating=self.object, membership=self.membership, text=form.cleaned_data["text"]
        )

    def success_message(self, form, result):
        _reply, created = result
        return "Your reply is published under the review." if created else "Your reply was changed."

    def success_url(self, form, result):
        return f"{reverse('portal:reviews')}#review-{self.object.pk}"


class ReviewReplyDeleteView(ReviewObjectMixin, PortalView):
    def get(self, request, pk):
        context = self.get_context_data(
            object_label="your reply",
            warning="The reply disappears from the review at once; you can write a new one later.",
            cancel_url=reverse("portal:reviews"),
        )
        return render(request, "portal/confirm_delete.html", context)

    def post(self, request, pk):
        if services.review_reply_delete(rating=self.object):
            messages.success(request, "Your reply was deleted.")
        else:
            messages.info(request, "This review had no reply.")
        return redirect(f"{reverse('portal:reviews')}#review-{self.object.pk}")


class ReviewReportView(ReviewObjectMixin, PortalFormView):
    template_name = "portal/reviews/report.html"
    form_class = ReportForm
    invalid_message = "The report was not sent: please correct the fields marked below."

    def get_context_data(self, **kwargs):
        return super().get_context_data(review=self.object, **kwargs)

    def perform(self, form):
        return services.review_report(rating=self.object, membership=self.membership, **form.cleaned_data)

    def success_message(self, form, result):
        return "Thank you: our staff will look at this review. It stays visible until they decide."

    def success_url(self, form, result):
        return f"{reverse('portal:reviews')}#review-{self.object.pk}"
