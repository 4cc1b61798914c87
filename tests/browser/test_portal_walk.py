"""Every portal page in Chromium, on a phone (390×844) and on a laptop (1366×768).

On each stop the walk saves a screenshot (`test-artifacts/walk-<viewport>-<stop>.png`), measures every
visible control (at least 44×44 CSS px; a checkbox or radio through the label that wraps it, the
target a thumb actually hits; the controls inside each "More" menu are measured with the menu open,
and the open menu must lie within the screen),
checks that nothing scrolls sideways, and runs axe-core: no `serious` or `critical` violation.

A new portal page is one more line in `STOPS`; `test_every_portal_page_is_a_stop` fails until it is
there (or, for a route that is no page, in `NOT_PAGES`).
"""

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.urls import URLPattern, get_resolver
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests import factories
from tests.browser.conftest import log_in, screenshot
from tests.factories import DEFAULT_PASSWORD
from trucks.models import ExceptionKind, OpeningHours, Photo, PlaceKind
from trucks.services import place_update
from vendors.models import CertificateKind, Role
from vendors.reminders import weekly_summary_unsubscribe_token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# (stop, url name, path: "{…}" filled from the seeded demo-like vendor, signed in?)
STOPS = [
    ("login", "login", "/portal/login/", False),
    ("password-reset", "password_reset", "/portal/password-reset/", False),
    ("password-reset-sent", "password_reset_done", "/portal/password-reset/sent/", False),
    ("password-reset-confirm", "password_reset_confirm", "/portal/password-reset/{uid}/{token}/", False),
    ("password-reset-done", "password_reset_complete", "/portal/password-reset/done/", False),
    ("signup", "signup", "/portal/signup/", False),
    ("summary-unsubscribe", "summary_unsubscribe", "/portal/email-settings/unsubscribe/{unsubscribe}/", False),
    ("dashboard", "dashboard", "/portal/", True),
    ("places", "places", "/portal/places/", True),
    ("place-new", "place_create", "/portal/places/new/", True),
    ("place-edit", "place_edit", "/portal/places/{place}/edit/", True),
    ("place-delete", "place_delete", "/portal/places/{place}/delete/", True),
    ("place-hours", "place_hours", "/portal/places/{place}/hours/", True),
    ("place-photos", "place_photos", "/portal/places/{place}/photos/", True),
    ("place-check-in", "place_check_in", "/portal/places/{place}/check-in/", True),
    ("place-calendar", "place_calendar", "/portal/places/{place}/calendar/", True),
    ("menus", "menus", "/portal/menus/", True),
    ("menu-new", "menu_create", "/portal/menus/new/", True),
    ("menu-edit", "menu_edit", "/portal/menus/{menu}/edit/", True),
    ("menu-delete", "menu_delete", "/portal/menus/{menu}/delete/", True),
    ("item-new", "item_create", "/portal/menus/{menu}/items/new/", True),
    ("item-edit", "item_edit", "/portal/items/{item}/edit/", True),
    ("item-delete", "item_delete", "/portal/items/{item}/delete/", True),
    ("certificates", "certificates", "/portal/certificates/", True),
    ("team", "team", "/portal/team/", True),
    ("reviews", "reviews", "/portal/reviews/", True),
    ("review-reply", "review_reply", "/portal/reviews/{review}/reply/", True),
    ("review-reply-delete", "review_reply_delete", "/portal/reviews/{review}/reply/delete/", True),
    ("review-report", "review_report", "/portal/reviews/{review}/report/", True),
    ("history", "history", "/portal/history/", True),
    ("email-settings", "email_settings", "/portal/email-settings/", True),
    ("analytics", "analytics", "/portal/analytics/", True),
]

# Routes that answer no page of their own: POST-only actions, downloads, redirects to a file.
NOT_PAGES = {
    "logout",
    "switch_vendor",
    "certificate_open",
    "certificate_delete",
    "certificate_file",
    "member_role",
    "member_remove",
    "place_exception_create",
    "place_exception_delete",
    "place_photo_move",
    "place_photo_delete",
    "menu_move",
    "item_move",
    "item_availability",
    "analytics_csv",
    "place_calendar_sync",
    "place_calendar_remove",
}

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
LAPTOP = {"viewport": {"width": 1366, "height": 768}}
MIN_TARGET = 44
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"

# Every control a thumb can hit: buttons, links styled as buttons, form fields, nav links, menu toggles.
CONTROLS_JS = """
(minimum) => {
  const selector = 'a.button, button, input:not([type=hidden]), select, textarea, summary, nav a, .topbar a';
  const visible = (el) => {
    const style = getComputedStyle(el);
    return el.getClientRects().length > 0 && style.visibility !== 'hidden' && style.display !== 'none';
  };
  const describe = (el) => {
    const id = el.id ? '#' + el.id : '';
    const name = el.getAttribute('name') ? `[name=${el.getAttribute('name')}]` : '';
    const cls = el.classList.length ? '.' + Array.from(el.classList).join('.') : '';
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40);
    return `${el.tagName.toLowerCase()}${id}${name}${cls} "${text}"`;
  };
  const target = (el) => {
    // a checkbox or radio is tapped through its label: the label is the target
    if (el.matches('input[type=checkbox], input[type=radio]')) {
      return el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`)) || el;
    }
    return el;
  };
  const offenders = new Set();
  const measure = (root) => {
    root.querySelectorAll(selector).forEach((el) => {
      if (!visible(el)) { return; }
      const box = target(el).getBoundingClientRect();
      if (box.width < minimum - 0.5 || box.height < minimum - 0.5) {
        offenders.add(`${describe(el)} is ${Math.round(box.width)}×${Math.round(box.height)}`);
      }
    });
  };
  measure(document);
  document.querySelectorAll('details').forEach((menu) => {
    const was = menu.open;
    menu.open = true;
    measure(menu);
    const list = menu.querySelector('.overflow__menu');
    const box = list && list.getBoundingClientRect();
    if (box && (box.left < 0 || box.right > document.documentElement.clientWidth)) {
      const where = `${Math.round(box.left)}–${Math.round(box.right)}`;
      offenders.add(`${describe(menu.querySelector('summary'))} opens a menu off the screen (${where})`);
    }
    menu.open = was;
  });
  return Array.from(offenders);
}
"""

AXE_JS = """
async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
}
"""


@pytest.fixture
def demo_owner(db, s3):
    """A vendor as the demo seeds one: a truck with hours, exceptions, photos, a menu with items, a
    certificate, a teammate, and a week of analytics."""
    vendor = factories.VendorFactory(business_name="Rolling Tacos")
    owner = factories.UserFactory(email="owner@rolling.example", first_name="Rosa", last_name="Diaz")
    membership = factories.VendorMemberFactory(vendor=vendor, user=owner, role=Role.OWNER)
    factories.VendorMemberFactory(
        vendor=vendor, user=factories.UserFactory(email="cook@rolling.example"), role=Role.STAFF
    )
    place = factories.PlaceFactory(vendor=vendor, name="Taco Rocket", address="Congress Ave & 6th St", is_open=True)
    factories.PlaceFactory(vendor=vendor, name="Market Stand", kind=PlaceKind.STAND, address="1100 E 5th St")
    for weekday in range(5):
        OpeningHours.objects.create(place=place, weekday=weekday, opens="11:00", closes="15:00")
    OpeningHours.objects.create(place=place, weekday=4, opens="20:00", closes="02:00", address="Rainey St")
    today = timezone.localdate()
    factories.ScheduleExceptionFactory(
        place=place, date=today + timedelta(days=3), kind=ExceptionKind.CLOSED, note="Closed for the family reunion"
    )
    factories.ScheduleExceptionFactory(
        place=place,
        date=today + timedelta(days=9),
        kind=ExceptionKind.SPECIAL_HOURS,
        opens="17:00",
        closes="23:00",
        note="Late night at the ACL festival grounds, bring cash for the parking lot",
    )
    for position in range(2):
        photo = Photo(place=place, caption=f"Front {position}", position=position)
        photo.image.save("front.png", ContentFile(_png()), save=True)
    menu = factories.MenuFactory(vendor=vendor, name="Lunch")
    menu.places.add(place)
    factories.MenuFactory(vendor=vendor, name="Drinks")
    item = factories.MenuItemFactory(menu=menu, name="Al pastor", price=Decimal("4.50"), is_vegan=True)
    factories.MenuItemFactory(menu=menu, name="Carnitas", price=Decimal("4.75"), is_available=False)
    factories.MenuItemFactory(menu=menu, name="Horchata", price=Decimal("3.00"))
    factories.BusinessCertificateFactory(
        vendor=vendor, kind=CertificateKind.HEALTH_PERMIT, expires_on=today + timedelta(days=20)
    )
    for offset in range(7):
        factories.DailyPlaceStatsFactory(place=place, date=today - timedelta(days=offset), views=10 + offset)
    factories.RatingFactory(place=place, stars=Decimal("4.5"))
    review = factories.RatingFactory(place=place, stars=Decimal("2"), review="Waited forty minutes for two tacos.")
    place_update(place=place, data={"description": "Tacos al pastor off the trompo, late on Fridays."})
    ids = {
        "place": place.pk,
        "menu": menu.pk,
        "item": item.pk,
        "uid": urlsafe_base64_encode(force_bytes(owner.pk)),
        "token": default_token_generator.make_token(owner),
        "review": review.pk,
        "unsubscribe": weekly_summary_unsubscribe_token(membership),
    }
    return owner, ids


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (64, 48), (217, 72, 15)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_every_portal_page_is_a_stop():
    resolver = get_resolver().url_patterns
    portal = next(p for p in resolver if getattr(p, "namespace", None) == "portal")
    names = {p.name for p in portal.url_patterns if isinstance(p, URLPattern)}
    assert names - NOT_PAGES == {name for _, name, _, _ in STOPS}


@pytest.mark.parametrize("device", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_every_portal_page_fits_thumbs_and_passes_axe(new_page, demo_owner, device):
    owner, ids = demo_owner
    axe_source = AXE.read_text()
    # Playwright adds axe as an inline <script>: the portal's CSP (no inline scripts) would refuse it,
    # so this context bypasses the policy; foodtrucks/tests/test_security_headers.py checks the policy.
    page = new_page(bypass_csp=True, **device)
    width = device["viewport"]["width"]
    label = "phone" if device is PHONE else "laptop"
    problems: dict[str, list] = {}

    signed_in = False
    for stop, _, path, needs_login in STOPS:
        if needs_login and not signed_in:
            log_in(page, owner.email, DEFAULT_PASSWORD)
            signed_in = True
        response = page.goto(path.format(**ids))
        assert response.status == 200, f"{stop}: {path} answered {response.status}"
        page.wait_for_load_state("load")
        if stop == "analytics":
            page.wait_for_selector("html[data-charts-drawn]")
        screenshot(page, f"walk-{label}-{stop}")
        more = page.locator("details[data-overflow] > summary")
        if more.count():
            more.first.click()  # the first row's "More" menu, open, in a second shot
            screenshot(page, f"walk-{label}-{stop}-more")
            page.keyboard.press("Escape")
            assert not page.locator("details[data-overflow][open]").count(), f"{stop}: Escape left a menu open"

        found = []
        small = page.evaluate(CONTROLS_JS, MIN_TARGET)
        if small:
            found.append({"under 44 px": small})
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            found.append({"scrolls sideways": f"{scroll_width} px wide in a {width} px viewport"})
        page.add_script_tag(content=axe_source)
        violations = page.evaluate(AXE_JS)
        if violations:
            found.append({"axe": violations})
        if found:
            problems[stop] = found

    assert not problems, json.dumps(problems, indent=2, ensure_ascii=False)
