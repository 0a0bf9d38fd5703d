"""A tyre's life history: found by every form of its identifier, in time order with stages;
the public sees stages, months and cities only; details follow the caller's event scope."""

from __future__ import annotations

from decimal import Decimal

import orjson
import pytest
from django.utils import translation

from tests.roles import DONGYING, QINGDAO
from tests.trace.documents import document, object_event
from tirebrain.orgs.models import Organisation
from tirebrain.products.gtin import check_digit
from tirebrain.products.services import ProductInput, save_product
from tirebrain.trace import epc
from tirebrain.trace.history import NotATyre, key_for
from tirebrain.trace.models import Location, LocationRole

pytestmark = pytest.mark.django_db

#: indicator 0, company prefix 0614141, item reference 12345, check digit
GTIN = "0061414112345" + check_digit("0061414112345")
VOC = "https://voc.tirebrain.sd.gov.cn/bizstep/"


@pytest.fixture
def places(world):
    city = {c.code: c for c in Organisation.objects.cities()}

    def place(n: int, role: str, code: str, name: str, ent=None) -> str:
        sgln = f"urn:epc:id:sgln:0299999.{n:05d}.0"
        Location.objects.create(
            identifier=sgln, name_zh=name, name_en=name, role=role, city=city[code], enterprise=ent
        )
        return sgln

    return {
        "factory": place(1, LocationRole.FACTORY, DONGYING, "一号工厂", world.ents["a1"]),
        "shop": place(2, LocationRole.RETAILER, QINGDAO, "青岛门店"),
        "collector": place(3, LocationRole.COLLECTOR, QINGDAO, "青岛回收站"),
        "recycler": place(4, LocationRole.RECYCLER, DONGYING, "东营再生胶厂"),
    }


@pytest.fixture
def tyre(epcis, places, world):
    """One tyre's life, reported by the province's hub in two spellings of its EPC."""
    gtin = GTIN
    urn = epc.sgtin_uri(gtin, "4711", 7)
    link = f"https://id.gs1.org/01/{gtin}/21/4711"
    steps = [
        ("2024-01-05T08:00:00+08:00", "commissioning", "active", "factory", urn),
        ("2024-01-20T08:00:00+08:00", "shipping", "in_transit", "factory", urn),
        ("2024-03-02T10:00:00+08:00", "retail_selling", "retail_sold", "shop", link),
        ("2024-03-02T11:00:00+08:00", "installing", "in_progress", "shop", link),
    ]
    events = [
        object_event(
            n,
            epcs=[ident],
            time=time,
            biz_step=step,
            disposition=disp,
            location=places[where],
            action="ADD" if step == "commissioning" else "OBSERVE",
        )
        for n, (time, step, disp, where, ident) in enumerate(steps, start=1)
    ]
    events.append(
        object_event(
            5,
            epcs=[link],
            time="2025-06-01T09:00:00+08:00",
            biz_step="collecting",
            disposition="inactive",
            location=places["collector"],
            action="OBSERVE",
        )
    )
    events.append(
        {
            "type": "TransformationEvent",
            "eventID": "urn:uuid:00000000-0000-4000-8000-000000000006",
            "eventTime": "2025-07-28T16:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "inputEPCList": [link, "https://id.gs1.org/01/" + gtin + "/21/4712"],
            "outputQuantityList": [
                {
                    "epcClass": "urn:epc:class:lgtin:0299999.000001.202507",
                    "quantity": 12.5,
                    "uom": "KGM",
                }
            ],
            "bizStep": VOC + "reclaiming",
            "readPoint": {"id": places["recycler"]},
            "bizLocation": {"id": places["recycler"]},
        }
    )
    epcis.job(epcis.capture(document(*events), role="province"), role="province")
    return {"gtin": gtin, "urn": urn, "link": link, "serial": "4711"}


STAGES = ["produced", "on_market", "sold", "fitted", "collected", "reclaimed_rubber"]


def stages_of(body: dict) -> list[str | None]:
    return [s["stage"] for s in body["steps"]]


@pytest.mark.parametrize("form", ["urn", "link", "gtin_serial", "hex", "tag_uri"])
def test_every_form_of_the_identifier_finds_the_same_history(client, tyre, form):
    if form == "gtin_serial":
        params = {"gtin": tyre["gtin"], "serial": tyre["serial"]}
    elif form in ("hex", "tag_uri"):
        tag = epc.encode(tyre["gtin"], tyre["serial"], 7)
        params = {"id": tag.hex if form == "hex" else tag.tag_uri}
    else:
        params = {"id": tyre[form]}
    response = client.get("/api/v1/tyres/history", params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert stages_of(body) == STAGES
    assert body["current_stage"] == "reclaimed_rubber"
    assert body["gtin"] == tyre["gtin"] and body["serial"] == "4711"


def test_the_public_sees_no_detail(client, tyre):
    body = client.get("/api/v1/tyres/history", {"id": tyre["urn"]}).json()
    assert all(not s["detailed"] for s in body["steps"])
    assert all(s["event_id"] is None and s["location"] is None for s in body["steps"])
    assert [s["city"] for s in body["steps"]] == [
        DONGYING,
        DONGYING,
        QINGDAO,
        QINGDAO,
        QINGDAO,
        DONGYING,
    ]
    page = client.get("/trace/tyre/", {"id": tyre["urn"]}).content.decode()
    assert "一号工厂" not in page and "urn:uuid" not in page
    assert "2024-01" in page and "2024-01-05" not in page


def test_a_provincial_officer_sees_every_detail(epcis, tyre):
    response = epcis.client.get(
        "/api/v1/tyres/history", {"id": tyre["link"]}, **epcis.headers("province")
    )
    steps = response.json()["steps"]
    assert all(s["detailed"] for s in steps)
    assert steps[0]["location_name"] == "一号工厂"
    assert steps[0]["event_id"] == "urn:uuid:00000000-0000-4000-8000-000000000001"


def test_a_city_sees_details_of_events_at_its_places_only(epcis, tyre):
    steps = epcis.client.get(
        "/api/v1/tyres/history", {"id": tyre["link"]}, **epcis.headers("qingdao")
    ).json()["steps"]
    assert [s["detailed"] for s in steps] == [False, False, True, True, True, False]


def test_the_maker_sees_its_own_tyres_through_their_whole_life(epcis, tyre, world):
    save_product(
        "tests",
        ProductInput(
            enterprise=world.ents["a1"].code,
            brand="示例",
            pattern="EcoA",
            size="205/55 R16 91V",
            product_line="semi_steel_radial",
            rolling_resistance=Decimal("6.5"),
            wet_grip=Decimal("1.55"),
            noise_db=68,
            gtin=tyre["gtin"],
        ),
    )
    steps = epcis.client.get(
        "/api/v1/tyres/history", {"id": tyre["urn"]}, **epcis.headers("enterprise")
    ).json()["steps"]
    assert all(s["detailed"] for s in steps)
    other = epcis.client.get(
        "/api/v1/tyres/history", {"id": tyre["urn"]}, **epcis.headers("enterprise_b")
    ).json()["steps"]
    assert not any(s["detailed"] for s in other)


def test_the_sidewall_digital_link_opens_the_public_page(client, tyre):
    response = client.get(f"/01/{tyre['gtin']}/21/4711")
    assert response.status_code == 200
    assert "collected" in response.content.decode() or "回收" in response.content.decode()


def test_a_bad_identifier_is_explained(client, world):
    response = client.get("/api/v1/tyres/history", {"id": "urn:epc:id:sgtin:0614141.81234.1"})
    assert response.status_code == 400
    assert orjson.loads(response.content)["detail"]
    page = client.get("/trace/tyre/", {"id": "3074257BF7194E400000XXXX"})
    assert page.status_code == 200
    assert 'role="alert"' in page.content.decode()


NOT_TYRES = [
    "foo",
    "hello world",
    "urn:epc:id:sscc:0614141.1234567890",  # an EPC, but of a pallet
    "https://id.gs1.org/01/09506000134352",  # a Digital Link of a GTIN, no serial
    "urn:epc:idpat:sgtin:0614141.812345.*",
]


@pytest.mark.parametrize("text", NOT_TYRES)
def test_a_text_that_names_no_tyre_is_refused_with_the_codecs_reason(text):
    with translation.override("en"):
        with pytest.raises(epc.EpcError) as codec:
            epc.decode(text)
        with pytest.raises(NotATyre) as caught:
            key_for(text)
    assert caught.value.reason == str(codec.value)
    assert str(caught.value) == (
        f"Not a valid tyre identifier ({codec.value}). A tyre is named by its EPC URN "
        "(urn:epc:id:sgtin:…), its tag URI (urn:epc:tag:sgtin-96:… or sgtin-198:…), the RFID "
        "tag's hex, the GS1 Digital Link of its sidewall QR code (…/01/…/21/…), or its GTIN "
        "and serial number."
    )


def test_a_bad_gtin_is_refused_the_same_way():
    with translation.override("en"), pytest.raises(NotATyre) as caught:
        key_for(gtin="12345", serial="1")
    assert str(caught.value).startswith("Not a valid tyre identifier (")


@pytest.mark.parametrize("text", ["foo", "urn:epc:id:sscc:0614141.1234567890"])
def test_the_api_refuses_a_text_that_names_no_tyre(client, world, text):
    response = client.get("/api/v1/tyres/history", {"id": text}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    with translation.override("en"), pytest.raises(NotATyre) as caught:
        key_for(text)
    assert orjson.loads(response.content) == {"detail": str(caught.value)}
    zh = client.get("/api/v1/tyres/history", {"id": text}).json()["detail"]
    assert zh.startswith("不是有效的轮胎标识")


def test_the_page_says_a_text_names_no_tyre(client, world):
    for lang, said in (("zh-hans", "不是有效的轮胎标识"), ("en", "Not a valid tyre identifier")):
        html = client.get("/trace/tyre/", {"id": "foo"}, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        alert = html[html.index('role="alert"') :]
        assert said in alert[: alert.index("</p>")], lang
        assert "“foo”" in alert[: alert.index("</p>")]
        assert 'class="empty"' not in html  # no empty history for it


def test_an_unknown_tyre_has_an_empty_history(client, world):
    body = client.get("/api/v1/tyres/history", {"gtin": GTIN, "serial": "1"}).json()
    assert body["steps"] == [] and body["current_stage"] is None
