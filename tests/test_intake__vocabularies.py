"""What a customer may choose: web or e-mail only on the public faces, the staff's channels
through the staff API, customer types and regions from the code of conduct's lists."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import update

from complaints.api.web import create_web_app
from complaints.app import App
from complaints.conduct import load_conduct
from complaints.models import Complaint
from complaints.reporting.report import build, to_html
from complaints.reporting.sql import Scope
from complaints.services import intake, staff
from complaints.services.views import show
from tests.conftest import intake as sample
from tests.test_api__intake import BODY
from tests.web import FORM, complaints_stored, csrf

CONDUCT = Path(__file__).parents[1] / "config" / "conduct.toml"


@pytest.fixture
def client(fake_app: App) -> Iterator[TestClient]:
    fake_app.settings.intake_burst = 10_000
    with TestClient(create_web_app(fake_app)) as client:
        yield client


def member(app: App) -> dict[str, str]:
    return {"Authorization": f"Bearer {staff.add(app=app, name='Nadia', role='agent')}"}


def post_form(client: TestClient, lang: str = "fr", **changes: str) -> httpx.Response:
    page = client.get(f"/?lang={lang}").text
    data = {**FORM, **changes, "csrf": csrf(page)}
    return client.post(f"/?lang={lang}", data=data, follow_redirects=False)


@pytest.mark.parametrize("channel", ["phone", "letter", "in_person", "pigeon"])
def test_the_public_api_takes_no_staff_channel(
    client: TestClient, fake_app: App, channel: str
) -> None:
    response = client.post("/api/complaints", json={**BODY, "channel": channel})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "channel"] and "web or email" in error["msg"]
    assert complaints_stored(fake_app) == 0


def test_the_public_api_documents_web_and_email_only(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]["PublicIntake"]
    assert schema["properties"]["channel"]["enum"] == ["web", "email"]


@pytest.mark.parametrize(("field", "value"), [("customer_type", "martian"), ("region", "Mars")])
def test_unlisted_customer_type_or_region_is_422_in_one_line(
    client: TestClient, fake_app: App, field: str, value: str
) -> None:
    response = client.post("/api/complaints", json={**BODY, field: value})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith(f"{field}: {value!r} is not one of: ") and "\n" not in detail
    assert complaints_stored(fake_app) == 0


def test_a_listed_value_may_be_named_by_its_words(client: TestClient, fake_app: App) -> None:
    body = {**BODY, "region": "brittany", "customer_type": "Professionnel"}
    reference = client.post("/api/complaints", json=body).json()["reference"]
    stored = show(app=fake_app, reference=reference)
    assert (stored["region"], stored["customer_type"]) == ("Bretagne", "professional")


def test_staff_record_a_phone_complaint_with_its_own_promise(
    client: TestClient, fake_app: App
) -> None:
    body = {**BODY, "channel": "phone"}
    assert client.post("/api/staff/complaints", json=body).status_code == 401
    response = client.post("/api/staff/complaints", json=body, headers=member(fake_app))
    assert response.status_code == 201, response.text
    public = client.post("/api/complaints", json={**BODY, "channel": "web"}).json()
    by_phone = datetime.fromisoformat(response.json()["answer_by"])
    by_web = datetime.fromisoformat(public["answer_by"])
    assert (by_web - by_phone).days == 5  # 10 days by phone, 15 on the web
    assert show(app=fake_app, reference=response.json()["reference"])["channel"] == "phone"


def test_staff_record_a_letter_from_its_day_of_receipt_and_lists_still_hold(
    client: TestClient, fake_app: App
) -> None:
    headers = member(fake_app)
    received_on = date.today() - timedelta(days=3)
    letter = {**BODY, "channel": "letter", "received_on": received_on.isoformat()}
    created = client.post("/api/staff/complaints", json=letter, headers=headers)
    assert created.status_code == 201, created.text
    assert show(app=fake_app, reference=created.json()["reference"])["received_at"].startswith(
        (received_on - timedelta(days=1)).isoformat()  # its day began the night before, in UTC
    )
    martian = {**letter, "customer_type": "martian"}
    refused = client.post("/api/staff/complaints", json=martian, headers=headers)
    assert refused.status_code == 422 and "customer_type" in refused.json()["detail"]
    assert complaints_stored(fake_app) == 1


def test_the_form_offers_the_lists_in_the_visitors_language(client: TestClient) -> None:
    fr, en = client.get("/").text, client.get("/?lang=en").text
    assert '<select id="region" name="region"' in fr and '<option value="Bretagne"' in fr
    assert ">Particulier</option>" in fr and ">Choisissez votre région</option>" in fr
    assert ">Brittany</option>" in en and ">Private individual</option>" in en
    assert "Particulier" not in en and "Brittany" not in fr


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"channel": "phone"}, "channel", "le téléphone, le courrier et l&#39;accueil"),
        ({"region": "Mars"}, "region", "Choisissez une valeur de la liste."),
        ({"region": ""}, "region", "Ce champ est obligatoire."),
        ({"customer_type": "martian"}, "customer_type", "Choisissez une valeur de la liste."),
    ],
)
def test_the_form_refuses_what_it_does_not_offer(
    client: TestClient, fake_app: App, changes: dict[str, str], field: str, words: str
) -> None:
    response = post_form(client, **changes)
    assert response.status_code == 422
    assert f'href="#{field}"' in response.text and words in response.text
    assert complaints_stored(fake_app) == 0


def test_the_form_takes_an_email_channel_and_says_so_in_english(
    client: TestClient, fake_app: App
) -> None:
    refused = post_form(client, "en", channel="letter")
    assert refused.status_code == 422
    assert "phone, letter and in-person complaints are recorded by our team" in refused.text
    assert post_form(client, "en", channel="email").status_code == 303
    assert complaints_stored(fake_app) == 1


def test_the_report_shows_words_and_keeps_values_stored_before_the_lists(fake_app: App) -> None:
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    kept = intake.receive(app=fake_app, intake=sample(region="Corse"), at=at).reference
    intake.receive(app=fake_app, intake=sample(customer_type="professional"), at=at)
    with fake_app.db.transaction() as session:  # a value typed freely before the lists
        session.execute(update(Complaint).where(Complaint.reference == kept).values(region="Var"))
    report = build(app=fake_app, scope=Scope(since=at, until=at.replace(day=30)), now=at)
    en, fr = to_html(fake_app, report, lang="en"), to_html(fake_app, report, lang="fr")
    assert "Brittany" in en and "Private individual" in en and "Professional" in en
    assert "Bretagne" in fr and "Particulier" in fr and "Professionnel" in fr
    assert ">Var<" in en and ">Var<" in fr
    assert ">individual<" not in en + fr and ">professional<" not in en + fr


def test_the_lists_are_configuration(tmp_path: Path) -> None:
    mine = tmp_path / "mine.toml"
    jura = "{ key = 'Jura', fr = 'Jura', en = 'Jura' }"
    mine.write_text(f"[intake]\nregions = [{jura}]\n")
    # What a complaint by e-mail is taken to come from must be in the list too, said clearly.
    with pytest.raises(ValidationError, match=r"intake\.email: region 'Non précisée' is not"):
        load_conduct(CONDUCT, mine)
    mine.write_text(f"[intake]\nregions = [{jura}]\n[intake.email]\nregion = 'Jura'\n")
    assert [c.key for c in load_conduct(CONDUCT, mine).intake.regions] == ["Jura"]
    mine.write_text(f"[intake]\nregions = [{jura}, {jura}]\n[intake.email]\nregion = 'Jura'\n")
    with pytest.raises(ValidationError, match="same key"):
        load_conduct(CONDUCT, mine)


def test_each_customer_type_says_whether_the_consumer_mediator_applies(tmp_path: Path) -> None:
    mine = tmp_path / "mine.toml"
    kinds = (
        "{ key = 'individual', fr = 'Particulier', en = 'Individual', consumer = true }, "
        "{ key = 'association', fr = 'Association', en = 'Association', consumer = false }"
    )
    mine.write_text(f"[intake]\ncustomer_types = [{kinds}]\n")
    rules = load_conduct(CONDUCT, mine).intake
    assert rules.consumer("individual") and not rules.consumer("association")
    assert rules.consumer("no longer listed")  # the law requires telling a consumer: by default
    mine.write_text("[intake]\ncustomer_types = [{ key = 'x', fr = 'X', en = 'X' }]\n")
    with pytest.raises(ValidationError, match="consumer"):  # never guessed from its name
        load_conduct(CONDUCT, mine)
