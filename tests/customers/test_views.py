import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.core.models import AuditEvent
from kefu.customers.models import Card
from tests.factories import (
    BrokerageAccountFactory,
    CardAccountFactory,
    CardApplicationFactory,
    CardFactory,
    CustomerFactory,
    IdentityDocumentFactory,
    StatementFactory,
    TransactionFactory,
)

pytestmark = pytest.mark.django_db


def rich_customer(accounts: int, mobile="13911110001", id_number="110105197803150315"):
    customer = CustomerFactory(name="张伟", mobile=mobile)
    IdentityDocumentFactory(customer=customer, number=id_number)
    for i in range(accounts):
        account = CardAccountFactory(customer=customer)
        card = CardFactory(account=account)
        supplementary = CardFactory(
            account=account, holder=CustomerFactory(), role=Card.Role.SUPPLEMENTARY
        )
        for month in range(1, 4):
            statement = StatementFactory(account=account, period=f"2026-0{month}")
            TransactionFactory(account=account, card=card, statement=statement)
        TransactionFactory(account=account, card=supplementary)  # unbilled
        CardApplicationFactory(customer=customer, product=f"卡{i}")
        BrokerageAccountFactory(customer=customer)
    return customer


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


def test_the_360_page_query_count_does_not_grow_with_the_data(role_users, client_for):
    client = client_for(role_users["agent"])
    small = rich_customer(accounts=1)
    large = rich_customer(accounts=3, mobile="13911110002", id_number="440304198007220429")
    client.get(f"/customers/{small.pk}/")  # warm the session and permission caches

    queries_small = count_queries(client, f"/customers/{small.pk}/")
    queries_large = count_queries(client, f"/customers/{large.pk}/")

    assert queries_small == queries_large
    # session, user, permissions (1), customer, audit insert, 12 for the 360 data,
    # groups for the header, session save (3); one per timeline source: tickets (+1)
    # and one per 360 timeline source: IVR calls (+1)
    # and one for the callbacks timeline source (+1)
    assert queries_large == 24


def test_the_360_page_shows_masked_numbers_only(role_users, client_for):
    customer = rich_customer(accounts=1)
    card = customer.cards.get()

    response = client_for(role_users["agent"]).get(f"/customers/{customer.pk}/")

    html = response.content.decode()
    assert card.masked_number in html
    assert card.number not in html
    assert "139****0001" in html
    assert "13911110001" not in html
    assert "1101**********0315" in html
    assert "110105197803150315" not in html
    assert "揭示" not in html and "Reveal" not in html  # agents have no reveal button


def test_the_360_page_offers_reveal_to_a_supervisor(role_users, client_for):
    customer = rich_customer(accounts=1)

    response = client_for(role_users["supervisor"]).get(f"/customers/{customer.pk}/")

    assert f'hx-post="/customers/{customer.pk}/reveal/"' in response.content.decode()


def test_opening_the_360_page_is_audited(role_users, client_for):
    customer = rich_customer(accounts=1)

    client_for(role_users["agent"]).get(f"/customers/{customer.pk}/")

    event = AuditEvent.objects.get(action="customer.viewed")
    assert (event.actor, event.object_id) == (role_users["agent"], str(customer.pk))


def test_search_page_finds_a_customer_by_mobile(role_users, client_for):
    customer = rich_customer(accounts=1)

    response = client_for(role_users["agent"]).get("/customers/", {"q": "13911110001"})

    html = response.content.decode()
    assert f'href="/customers/{customer.pk}/"' in html
    assert "139****0001" in html


def test_search_page_explains_an_input_that_is_no_number(role_users, client_for):
    response = client_for(role_users["agent"]).get("/customers/", {"q": "abc!"})

    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()


def test_search_page_htmx_request_returns_only_the_results(role_users, client_for):
    rich_customer(accounts=1)

    response = client_for(role_users["agent"]).get(
        "/customers/", {"q": "13911110001"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert "<html" not in html
    assert "139****0001" in html


@pytest.mark.parametrize("role", ["partner", "admin", "telephony"])
def test_roles_without_customer_access_are_refused(role, role_users, client_for):
    customer = rich_customer(accounts=1)
    client = client_for(role_users[role])

    assert client.get("/customers/", {"q": "13911110001"}).status_code == 403
    assert client.get(f"/customers/{customer.pk}/").status_code == 403
    assert not AuditEvent.objects.filter(action="customer.viewed").exists()


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get("/customers/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/customers/"


def test_reveal_shows_the_full_number_to_a_supervisor_and_audits_it(role_users, client_for):
    customer = rich_customer(accounts=1)
    card = customer.cards.get()

    response = client_for(role_users["supervisor"]).post(
        f"/customers/{customer.pk}/reveal/", {"field": "card", "item_id": card.pk}
    )

    assert response.status_code == 200
    assert card.number in response.content.decode()
    assert (
        AuditEvent.objects.filter(
            action="customer.pii.revealed", data__field=f"card:{card.pk}"
        ).count()
        == 1
    )


def test_reveal_is_refused_to_an_agent_and_nothing_is_recorded(role_users, client_for):
    customer = rich_customer(accounts=1)

    response = client_for(role_users["agent"]).post(
        f"/customers/{customer.pk}/reveal/", {"field": "mobile"}
    )

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="customer.pii.revealed").exists()


def test_reveal_of_another_customers_card_is_not_found(role_users, client_for):
    customer = rich_customer(accounts=1)
    stranger_card = CardFactory()

    response = client_for(role_users["supervisor"]).post(
        f"/customers/{customer.pk}/reveal/", {"field": "card", "item_id": stranger_card.pk}
    )

    assert response.status_code == 404
    assert stranger_card.number not in response.content.decode()
    assert not AuditEvent.objects.filter(action="customer.pii.revealed").exists()
