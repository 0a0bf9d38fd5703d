"""Synthetic tyre lives for the demo, as EPCIS 2.0 documents (``tirebrain trace simulate``).

Tyres of the demo enterprises' registered products are made in production batches, tagged
(SGTIN-96, reported as pure-identity URNs by the factories' RFID readers), shipped to a
distributor, sold and fitted one by one (retailers report GS1 Digital Links from the sidewall
QR code), removed after a life that depends on the tyre type, collected, and then either
retreaded for a second life (truck and bus tyres) or recycled — reclaimed rubber, crumb rubber or
pyrolysis — in TransformationEvents that consume many tyres and output material by weight.
Only what has happened by ``until`` is reported.

Deterministic: one ``random.Random(seed)``, fixed iteration order, no clock. The places are
demo master data (``Location``, names marked 示例/demo), created once.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from tirebrain.demo.generator import DEMO_SUFFIX_EN, DEMO_SUFFIX_ZH
from tirebrain.orgs.models import Enterprise, Organisation
from tirebrain.products.models import Product
from tirebrain.trace.epc import sgtin_uri
from tirebrain.trace.lifecycle import lifecycle
from tirebrain.trace.models import Location, LocationRole

CST = timezone(timedelta(hours=8))
#: GS1 prefix for the demo's locations (02x: restricted circulation, never a real company).
DEMO_GCP = "0299999"
#: The demo's GTINs are restricted-circulation numbers; encode them with this prefix length.
DEMO_GCP_LENGTH = 7
CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]
MATERIAL_ITEMS = {"reclaimed_rubber": "000001", "crumb_rubber": "000002", "pyrolysis": "000003"}
#: Partner places per city: (role, how many, zh, en).
PARTNERS = (
    (LocationRole.DISTRIBUTOR, 2, "轮胎经销中心", "tyre distribution centre"),
    (LocationRole.RETAILER, 4, "轮胎服务门店", "tyre service shop"),
    (LocationRole.FLEET, 1, "物流车队", "logistics fleet"),
    (LocationRole.COLLECTOR, 1, "废旧轮胎回收站", "end-of-life tyre collection point"),
)
RETREADER_CITIES = 8
RECYCLER_ROUTES = ("reclaimed_rubber", "crumb_rubber", "pyrolysis")


@dataclass
class Places:
    factories: dict[int, Location]
    by_city: dict[str, dict[str, list[Location]]]
    retreaders: list[Location]
    recyclers: list[tuple[Location, str]]  # (place, route)

    def pick(self, rng: random.Random, city: str, role: str) -> Location:
        here = self.by_city[city][role]
        return here[rng.randrange(len(here))]


def _sgln(n: int) -> str:
    return f"urn:epc:id:sgln:{DEMO_GCP}.{n:05d}.0"


def ensure_places() -> Places:
    """The demo's locations: one factory per demo enterprise, partners in every city."""
    cities = list(Organisation.objects.cities())
    enterprises = list(
        Enterprise.objects.filter(is_demo=True).select_related("city").order_by("pk")
    )
    wanted: list[Location] = []
    n = 0
    for ent in enterprises:
        n += 1
        # The demo enterprise's name carries the demo marker already: the place's, once.
        zh = (ent.short_zh or ent.name_zh).removesuffix(DEMO_SUFFIX_ZH)
        en = (ent.name_en or ent.code).removesuffix(DEMO_SUFFIX_EN)
        wanted.append(
            Location(
                identifier=_sgln(n),
                name_zh=f"{zh}工厂{DEMO_SUFFIX_ZH}",
                name_en=f"{en} factory{DEMO_SUFFIX_EN}",
                role=LocationRole.FACTORY,
                city=ent.city,
                enterprise=ent,
                is_demo=True,
            )
        )
    for i, city in enumerate(cities):
        short = city.short_zh or city.name_zh
        roles = list(PARTNERS)
        if i < RETREADER_CITIES:
            roles.append((LocationRole.RETREADER, 1, "轮胎翻新厂", "retreading plant"))
        if i < 2 * len(RECYCLER_ROUTES):
            roles.append((LocationRole.RECYCLER, 1, "废旧轮胎综合利用厂", "tyre recycling plant"))
        for role, count, zh, en in roles:
            for k in range(1, count + 1):
                n += 1
                wanted.append(
                    Location(
                        identifier=_sgln(n),
                        name_zh=f"{short}{zh}{k}{DEMO_SUFFIX_ZH}",
                        name_en=f"{city.name_en} {en} {k}{DEMO_SUFFIX_EN}",
                        role=role,
                        city=city,
                        is_demo=True,
                    )
                )
    existing = {
        loc.identifier: loc
        for loc in Location.objects.filter(identifier__startswith=f"urn:epc:id:sgln:{DEMO_GCP}.")
    }
    Location.objects.bulk_create([w for w in wanted if w.identifier not in existing])
    # Demo places named before the names changed (a doubled demo marker) are renamed.
    renamed = []
    for w in wanted:
        old = existing.get(w.identifier)
        if old is not None and old.is_demo and (old.name_zh, old.name_en) != (w.name_zh, w.name_en):
            old.name_zh, old.name_en = w.name_zh, w.name_en
            renamed.append(old)
    Location.objects.bulk_update(renamed, ["name_zh", "name_en"])
    return _places()


def _places() -> Places:
    factories: dict[int, Location] = {}
    by_city: dict[str, dict[str, list[Location]]] = defaultdict(lambda: defaultdict(list))
    retreaders, recyclers = [], []
    for loc in Location.objects.filter(is_demo=True).select_related("city").order_by("identifier"):
        by_city[loc.city.code][loc.role].append(loc)
        if loc.role == LocationRole.FACTORY:
            factories[loc.enterprise_id] = loc
        elif loc.role == LocationRole.RETREADER:
            retreaders.append(loc)
        elif loc.role == LocationRole.RECYCLER:
            recyclers.append((loc, RECYCLER_ROUTES[len(recyclers) % len(RECYCLER_ROUTES)]))
    return Places(factories, by_city, retreaders, recyclers)


@dataclass
class Tyre:
    uri: str
    link: str
    truck: bool
    kg: float
    city: str


@dataclass
class Lives:
    """Events built so far, and the tyres waiting for a recycler (grouped per plant and month)."""

    until: datetime
    events: list[dict] = field(default_factory=list)
    to_recycle: dict[tuple[str, str, str], list[Tyre]] = field(
        default_factory=lambda: defaultdict(list)
    )


def _time(moment: datetime) -> str:
    return moment.astimezone(CST).isoformat(timespec="seconds")


def _event(
    kind: str, moment: datetime, step: str, disposition: str | None, place: Location, **fields
) -> dict:
    event = {
        "type": kind,
        "eventTime": _time(moment),
        "eventTimeZoneOffset": "+08:00",
        **fields,
        "bizStep": step,
        "readPoint": {"id": place.identifier},
        "bizLocation": {"id": place.identifier},
    }
    if disposition:
        event["disposition"] = disposition
    return event


def _vocabulary(code: str) -> str:
    return next(s.biz_step for s in lifecycle().stages if s.code == code)


def simulate_events(
    tyres: int, *, seed: int = 2024, until: date = date(2026, 10, 31)
) -> Iterator[dict]:
    """EPCIS events for about ``tyres`` tyres, in event-time order."""
    rng = random.Random(seed)
    places = ensure_places()
    products = list(
        Product.objects.filter(
            is_demo=True, enterprise_id__in=list(places.factories), gtin__isnull=False
        )
        .exclude(gtin="")
        .select_related("product_line", "enterprise__city")
        .order_by("pk")
    )
    if not products:
        return iter(())
    lives = Lives(until=datetime(until.year, until.month, until.day, 18, tzinfo=CST))
    serials: dict[str, int] = defaultdict(lambda: 100000)
    start = datetime(2021, 1, 4, 8, tzinfo=CST)
    span = (lives.until - start).days - 30
    made = 0
    while made < tyres:
        product = products[rng.randrange(len(products))]
        size = min(rng.randint(8, 40), tyres - made)
        made += size
        produced = start + timedelta(days=rng.randrange(span), minutes=rng.randrange(600))
        batch = []
        truck = product.product_line.code == "all_steel_radial"
        for _ in range(size):
            serials[product.gtin] += 1
            serial = serials[product.gtin]
            batch.append(
                Tyre(
                    uri=sgtin_uri(product.gtin, str(serial), DEMO_GCP_LENGTH),
                    link=f"https://id.gs1.org/01/{product.gtin}/21/{serial}",
                    truck=truck,
                    kg=55.0 if truck else 9.5,
                    city=product.enterprise.city.code,
                )
            )
        _batch_life(rng, lives, places, places.factories[product.enterprise_id], batch, produced)
    _recycling(rng, lives)
    return iter(sorted(lives.events, key=lambda e: e["eventTime"]))


def _batch_life(rng, lives: Lives, places: Places, factory, batch: list[Tyre], made) -> None:
    emit = lives.events.append
    uris = [t.uri for t in batch]
    emit(
        _event("ObjectEvent", made, "commissioning", "active", factory, epcList=uris, action="ADD")
    )
    shipped = made + timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 8))
    if shipped > lives.until:
        return
    cities = list(places.by_city)
    city = factory.city.code if rng.random() < 0.5 else cities[rng.randrange(len(cities))]
    distributor = places.pick(rng, city, LocationRole.DISTRIBUTOR)
    emit(
        _event(
            "ObjectEvent",
            shipped,
            "shipping",
            "in_transit",
            factory,
            epcList=uris,
            action="OBSERVE",
        )
    )
    received = shipped + timedelta(days=rng.randint(1, 4))
    if received > lives.until:
        return
    emit(
        _event(
            "ObjectEvent",
            received,
            "receiving",
            "in_progress",
            distributor,
            epcList=uris,
            action="OBSERVE",
        )
    )
    for tyre in batch:
        _tyre_life(rng, lives, places, city, tyre, received, first_life=True)


def _tyre_life(rng, lives: Lives, places: Places, city, tyre: Tyre, since, first_life) -> None:
    emit = lives.events.append
    sold = since + timedelta(days=rng.randint(5, 150), hours=rng.randint(0, 9))
    if sold > lives.until:
        return
    where = places.pick(rng, city, LocationRole.FLEET if tyre.truck else LocationRole.RETAILER)
    if first_life:
        emit(
            _event(
                "ObjectEvent",
                sold,
                "retail_selling",
                "retail_sold",
                where,
                epcList=[tyre.link],
                action="OBSERVE",
            )
        )
    fitted = sold + timedelta(hours=1)
    emit(
        _event(
            "ObjectEvent",
            fitted,
            "installing",
            "in_progress",
            where,
            epcList=[tyre.link],
            action="OBSERVE",
        )
    )
    years = rng.uniform(1.2, 3.0) if tyre.truck else rng.uniform(2.5, 6.0)
    removed = fitted + timedelta(days=int(years * 365))
    if removed > lives.until:
        return
    emit(
        _event(
            "ObjectEvent",
            removed,
            "removing",
            "needs_replacement",
            where,
            epcList=[tyre.link],
            action="OBSERVE",
        )
    )
    if rng.random() > 0.8:  # a fifth never reaches the collection network
        return
    collected = removed + timedelta(days=rng.randint(2, 60))
    if collected > lives.until:
        return
    collector = places.pick(rng, city, LocationRole.COLLECTOR)
    emit(
        _event(
            "ObjectEvent",
            collected,
            "collecting",
            "inactive",
            collector,
            epcList=[tyre.link],
            action="OBSERVE",
        )
    )
    if tyre.truck and first_life and places.retreaders and rng.random() < 0.55:
        retreader = places.retreaders[rng.randrange(len(places.retreaders))]
        retreaded = collected + timedelta(days=rng.randint(10, 60))
        if retreaded > lives.until:
            return
        emit(
            _event(
                "ObjectEvent",
                retreaded,
                _vocabulary("retreaded"),
                "active",
                retreader,
                epcList=[tyre.link],
                action="OBSERVE",
            )
        )
        _tyre_life(rng, lives, places, city, tyre, retreaded, first_life=False)
        return
    plant, route = places.recyclers[rng.randrange(len(places.recyclers))]
    when = collected + timedelta(days=rng.randint(15, 90))
    if when <= lives.until:
        lives.to_recycle[(plant.identifier, route, f"{when:%Y-%m}")].append(tyre)


def _recycling(rng, lives: Lives) -> None:
    """One TransformationEvent per plant and month: the tyres in, the material out by weight."""
    plants = {p.identifier: p for p in Location.objects.filter(role=LocationRole.RECYCLER)}
    for (plant_id, route, month), tyres in sorted(lives.to_recycle.items()):
        year, mon = map(int, month.split("-"))
        moment = datetime(year, mon, 28, 16, tzinfo=CST)
        moment = min(moment, lives.until)
        kg = round(sum(t.kg for t in tyres) * rng.uniform(0.55, 0.7), 1)
        material = f"urn:epc:class:lgtin:{DEMO_GCP}.{MATERIAL_ITEMS[route]}.{year}{mon:02d}"
        lives.events.append(
            _event(
                "TransformationEvent",
                moment,
                _vocabulary(route),
                None,
                plants[plant_id],
                inputEPCList=[t.link for t in tyres],
                outputQuantityList=[{"epcClass": material, "quantity": kg, "uom": "KGM"}],
            )
        )


def documents(events: Iterator[dict], size: int = 1000) -> Iterator[dict]:
    """EPCISDocuments of at most ``size`` events each, dated by their last event."""
    chunk: list[dict] = []
    for event in events:
        chunk.append(event)
        if len(chunk) == size:
            yield _document(chunk)
            chunk = []
    if chunk:
        yield _document(chunk)


def _document(events: list[dict]) -> dict:
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": events[-1]["eventTime"],
        "epcisBody": {"eventList": events},
    }


HUB_USER = "trace-hub"


def hub_user():
    """The provincial traceability hub's service account, which relays partners' events
    (created once, with no password: it only ever uses API tokens)."""
    from django.contrib.auth import get_user_model

    from tirebrain.accounts.services import create_user

    existing = get_user_model().objects.filter(username=HUB_USER).first()
    return existing or create_user("trace simulate", HUB_USER, role="province")[0]


def send_in_process(docs: Iterator[dict], token: str) -> Iterator[dict]:
    """POST each document to /epcis/v2/capture through Django's whole request stack (URL
    routing, middleware, token check, the view) without a server, and yield each capture job.
    Django's test client is the tool made for exactly that."""
    import orjson
    from django.conf import settings
    from django.test import Client

    host = next((h for h in settings.ALLOWED_HOSTS if h and "*" not in h), "localhost")
    if settings.STATIC_ROOT:  # WhiteNoise warns about a missing one; `serve` fills it later
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    client = Client(HTTP_HOST=host.lstrip("."))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    for doc in docs:
        response = client.post(
            "/epcis/v2/capture",
            orjson.dumps(doc),
            content_type="application/ld+json",
            secure=settings.SECURE_SSL_REDIRECT,
            **auth,
        )
        if response.status_code != 202:
            raise RuntimeError(f"capture refused ({response.status_code}): {response.content!r}")
        yield client.get(response["Location"], secure=settings.SECURE_SSL_REDIRECT, **auth).json()


def send_http(docs: Iterator[dict], base_url: str, token: str) -> Iterator[dict]:
    """POST each document to a running TireBrain (or any EPCIS 2.0 repository)."""
    import urllib.request
    from urllib.parse import urljoin

    import orjson

    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/ld+json"}
    for doc in docs:
        request = urllib.request.Request(
            urljoin(base_url, "/epcis/v2/capture"), orjson.dumps(doc), headers, method="POST"
        )
        with urllib.request.urlopen(request) as response:
            location = response.headers["Location"]
        job = urllib.request.Request(urljoin(base_url, location), headers=headers)
        with urllib.request.urlopen(job) as response:
            yield orjson.loads(response.read())
