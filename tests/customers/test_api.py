import pytest

from kefu.core.models import AuditEvent
from tests.factories import CardFactory, IdentityDocumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhang():
    card = CardFactory(
        account__customer__name="张伟",
        account__customer__mobile="13911110001",
        number="6288880000000013",
    )
    IdentityDocumentFactory(customer=card.holder, number="110105197803150315")
    return card.holder


@pytest.mark.parametrize(
    "q",
    [
        "13911110001",
        "110105197803150315",
        "6288880000000013",
        "6288 8800 0000 0013",
        "+86 139 1111 0001",
    ],
)
def test_search_finds_by_mobile_id_or_card(zhang, role_users, api_client_for, q):
    response = api_client_for(role_users["agent"]).get("/api/customers/search", {"q": q})

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == [zhang.pk]
    assert results[0]["mobile"] == "139****0001"
    assert results[0]["cards"] == ["628888******0013"]
    assert results[0]["document"] == "1101**********0315"


def test_search_rejects_text_that_is_no_number(role_users, api_client_for):
    response = api_client_for(role_users["agent"]).get("/api/customers/search", {"q": "张伟"})

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "q"


def test_search_refuses_a_role_without_customer_access(zhang, role_users, api_client_for):
    response = api_client_for(role_users["telephony"]).get(
        "/api/customers/search", {"q": "13911110001"}
    )

    assert response.status_code == 403


def test_search_needs_authentication(client):
    response = client.get("/api/customers/search", {"q": "13911110001"})

    assert response.status_code == 401


def test_detail_is_masked_and_audited(zhang, role_users, api_client_for):
    response = api_client_for(role_users["agent"]).get(f"/api/customers/{zhang.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["cards"][0]["number"] == "628888******0013"
    assert "6288880000000013" not in response.content.decode()
    assert "110105197803150315" not in response.content.decode()
    assert AuditEvent.objects.filter(action="customer.viewed", object_id=str(zhang.pk)).count() == 1


def test_reveal_needs_the_reveal_permission(zhang, role_users, api_client_for):
    response = api_client_for(role_users["agent"]).post(
        f"/api/customers/{zhang.pk}/reveal", {"field": "mobile"}, content_type="application/json"
    )

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="customer.pii.revealed").exists()


def test_reveal_returns_the_number_and_writes_an_audit_event(zhang, role_users, api_client_for):
    response = api_client_for(role_users["supervisor"]).post(
        f"/api/customers/{zhang.pk}/reveal",
        {"field": "card", "item_id": zhang.cards.get().pk},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json() == {"field": "card", "value": "6288880000000013"}
    event = AuditEvent.objects.get(action="customer.pii.revealed")
    assert event.actor == role_users["supervisor"]
    assert event.object_id == str(zhang.pk)
