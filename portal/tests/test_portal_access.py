"""The portal's permission matrix: every portal view × every kind of visitor, in one table."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from portal.access import SESSION_VENDOR_KEY
from tests import factories
from trucks.models import Photo, ScheduleException
from vendors.models import Role, VendorMember

ROLES = ("owner", "manager", "staff", "other_vendor", "consumer", "anonymous")
LOGIN = "login"  # an anonymous visitor is sent to the login page


def png_bytes(size=(4, 3), color=(200, 80, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def world(s3, vendor_a, owner_a, manager_a, staff_a, owner_b, place_a, place_b, consumer):
    """Vendor A with one of everything; vendor B's owner is the stranger."""
    menu = factories.MenuFactory(vendor=vendor_a, name="Lunch")
    menu.places.set([place_a])
    item = factories.MenuItemFactory(menu=menu, name="Al pastor")
    factories.MenuItemFactory(menu=menu, name="Horchata")
    photo = Photo.objects.create(
        place=place_a, image=SimpleUploadedFile("a.png", png_bytes(), content_type="image/png"), position=0
    )
    exception = ScheduleException.objects.create(place=place_a, date=date(2030, 1, 1), kind="closed")
    staff_membership = VendorMember.objects.get(user=staff_a, vendor=vendor_a)
    return LazyWorld(
        {
            "users": {
                "owner": owner_a,
                "manager": manager_a,
                "staff": staff_a,
                "other_vendor": owner_b,
                "consumer": consumer,
                "anonymous": None,
            },
            "place": place_a,
            "menu": menu,
            "item": item,
            "photo": photo,
            "exception": exception,
            "member": staff_membership,
            "vendor": vendor_a,
        }
    )


class LazyWorld(dict):
    """The world's rows; the certificate (an upload to S3) is made only by the rows that use it."""

    def __missing__(self, key):
        if key != "certificate":
            raise KeyError(key)
        self[key] = factories.BusinessCertificateFactory(vendor=self["vendor"])
        return self[key]


def _place(w):
    return {"pk": w["place"].pk}


# url name, method, kwargs, POST data, expected for (owner, manager, staff, other vendor, consumer, anonymous)
MATRIX = [
    ("dashboard", "get", None, None, (200, 200, 200, 200, 403, LOGIN)),
    ("places", "get", None, None, (200, 200, 200, 200, 403, LOGIN)),
    ("place_create", "get", None, None, (200, 200, 403, 200, 403, LOGIN)),
    ("place_edit", "get", _place, None, (200, 200, 403, 404, 403, LOGIN)),
    ("place_delete", "get", _place, None, (200, 200, 403, 404, 403, LOGIN)),
    ("place_delete", "post", _place, {}, (302, 302, 403, 404, 403, LOGIN)),
    ("place_hours", "get", _place, None, (200, 200, 403, 404, 403, LOGIN)),
    (
        "place_exception_create",
        "post",
        _place,
        {"date": "2030-02-01", "kind": "closed"},
        (302, 302, 403, 404, 403, LOGIN),
    ),
    (
        "place_exception_delete",
        "post",
        lambda w: {"pk": w["place"].pk, "exception_pk": w["exception"].pk},
        {},
        (302, 302, 403, 404, 403, LOGIN),
    ),
    ("place_photos", "get", _place, None, (200, 200, 403, 404, 403, LOGIN)),
    (
        "place_photo_move",
        "post",
        lambda w: {"pk": w["place"].pk, "photo_pk": w["photo"].pk},
        {"direction": "down"},
        (302, 302, 403, 404, 403, LOGIN),
    ),
    (
        "place_photo_delete",
        "post",
        lambda w: {"pk": w["place"].pk, "photo_pk": w["photo"].pk},
        {},
        (302, 302, 403, 404, 403, LOGIN),
    ),
    ("place_check_in", "get", _place, None, (200, 200, 200, 404, 403, LOGIN)),
    ("place_check_in", "post", _place, {"is_open": "1"}, (302, 302, 302, 404, 403, LOGIN)),
    ("menus", "get", None, None, (200, 200, 200, 200, 403, LOGIN)),
    ("menu_create", "get", None, None, (200, 200, 403, 200, 403, LOGIN)),
    ("menu_edit", "get", lambda w: {"pk": w["menu"].pk}, None, (200, 200, 403, 404, 403, LOGIN)),
    ("menu_delete", "post", lambda w: {"pk": w["menu"].pk}, {}, (302, 302, 403, 404, 403, LOGIN)),
    ("menu_move", "post", lambda w: {"pk": w["menu"].pk}, {"direction": "up"}, (302, 302, 403, 404, 403, LOGIN)),
    ("item_create", "get", lambda w: {"pk": w["menu"].pk}, None, (200, 200, 403, 404, 403, LOGIN)),
    ("item_edit", "get", lambda w: {"pk": w["item"].pk}, None, (200, 200, 403, 404, 403, LOGIN)),
    ("item_delete", "post", lambda w: {"pk": w["item"].pk}, {}, (302, 302, 403, 404, 403, LOGIN)),
    ("item_move", "post", lambda w: {"pk": w["item"].pk}, {"direction": "down"}, (302, 302, 403, 404, 403, LOGIN)),
    (
        "item_availability",
        "post",
        lambda w: {"pk": w["item"].pk},
        {"available": "0"},
        (302, 302, 302, 404, 403, LOGIN),
    ),
    ("certificates", "get", None, None, (200, 403, 403, 200, 403, LOGIN)),
    ("certificate_open", "get", lambda w: {"pk": w["certificate"].pk}, None, (302, 403, 403, 404, 403, LOGIN)),
    ("certificate_delete", "post", lambda w: {"pk": w["certificate"].pk}, {}, (302, 403, 403, 404, 403, LOGIN)),
    ("team", "get", None, None, (200, 403, 403, 200, 403, LOGIN)),
    (
        "member_role",
        "post",
        lambda w: {"pk": w["member"].pk},
        {"role": "manager"},
        (302, 403, 403, 404, 403, LOGIN),
    ),
    ("member_remove", "post", lambda w: {"pk": w["member"].pk}, {}, (302, 403, 403, 404, 403, LOGIN)),
    ("analytics", "get", None, None, (200, 200, 403, 200, 403, LOGIN)),
    ("analytics_csv", "get", None, None, (200, 200, 403, 200, 403, LOGIN)),
    (
        "switch_vendor",
        "post",
        None,
        lambda w: {"vendor": w["vendor"].pk},
        (302, 302, 302, 404, 403, LOGIN),
    ),
]

CASES = [
    pytest.param(name, method, kwargs, data, role, expected[i], id=f"{method}-{name}-{role}")
    for name, method, kwargs, data, expected in MATRIX
    for i, role in enumerate(ROLES)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "kwargs", "data", "role", "expected"), CASES)
def test_portal_view_answers_each_kind_of_visitor_as_the_matrix_says(
    client, world, name, method, kwargs, data, role, expected
):
    # given a visitor of that kind
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    url = reverse(f"portal:{name}", kwargs=kwargs(world) if kwargs else None)
    payload = data(world) if callable(data) else data

    # when they open the page or press the button
    response = client.post(url, payload) if method == "post" else client.get(url)

    # then the answer is the matrix's
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(f"{reverse('portal:login')}?next=")
    else:
        assert response.status_code == expected


@pytest.mark.django_db
def test_object_of_another_vendor_is_404_even_when_the_stranger_is_its_owner_elsewhere(client, world, owner_b):
    # given vendor B's owner, and vendor A's place id
    client.force_login(owner_b)

    # when they ask for vendor A's place, and for an id that does not exist at all
    foreign = client.get(reverse("portal:place_edit", kwargs={"pk": world["place"].pk}))
    missing = client.get(reverse("portal:place_edit", kwargs={"pk": 999_999}))

    # then both answers are the same 404: existence is never revealed
    assert (foreign.status_code, missing.status_code) == (404, 404)


@pytest.mark.django_db
def test_opening_another_vendors_object_switches_the_current_vendor_of_a_member_of_both(client, world, vendor_b):
    # given vendor A's owner is also staff at vendor B, working for vendor B
    owner = world["users"]["owner"]
    factories.VendorMemberFactory(vendor=vendor_b, user=owner, role=Role.STAFF)
    client.force_login(owner)
    client.post(reverse("portal:switch_vendor"), {"vendor": vendor_b.pk})
    assert client.session[SESSION_VENDOR_KEY] == vendor_b.pk

    # when they open vendor A's place
    response = client.get(reverse("portal:place_edit", kwargs={"pk": world["place"].pk}))

    # then the page opens with their owner role at vendor A, which became the current vendor
    assert response.status_code == 200
    assert client.session[SESSION_VENDOR_KEY] == world["vendor"].pk


@pytest.mark.django_db
def test_role_denied_page_says_why(client, world):
    client.force_login(world["users"]["staff"])

    response = client.get(reverse("portal:team"))

    assert response.status_code == 403
    assert "Your role (staff) at Vendor A does not allow this page." in response.content.decode()


@pytest.mark.django_db
def test_navigation_shows_only_what_the_role_may_open(client, world):
    client.force_login(world["users"]["staff"])

    html = client.get(reverse("portal:dashboard")).content.decode()

    assert reverse("portal:menus") in html
    assert reverse("portal:team") not in html
    assert reverse("portal:certificates") not in html
    assert reverse("portal:analytics") not in html
    assert reverse("portal:place_edit", kwargs={"pk": world["place"].pk}) not in html
    assert reverse("portal:place_check_in", kwargs={"pk": world["place"].pk}) in html


@pytest.mark.django_db
def test_consumer_who_reaches_the_portal_is_told_why_and_offered_to_log_out(client, consumer):
    client.force_login(consumer)

    response = client.get(reverse("portal:dashboard"))

    html = response.content.decode()
    assert response.status_code == 403
    assert "This account is not a member of any vendor." in html
    assert "Log out and use another account" in html
    assert 'id="portal-nav"' not in html


@pytest.mark.django_db
def test_role_denied_page_keeps_the_portal_navigation(client, world):
    client.force_login(world["users"]["manager"])

    response = client.get(reverse("portal:certificates"))

    html = response.content.decode()
    assert response.status_code == 403
    assert 'id="portal-nav"' in html
    assert "Back to the dashboard" in html
