"""A traceability world: enterprises a1, a2 (Dongying) and b (Qingdao), a user and an API token
for every role, and helpers to post EPCIS documents and read the answers."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import orjson
import pytest

from tests.factories import enterprise, user
from tests.roles import DONGYING, QINGDAO, role_users
from tirebrain.accounts.services import create_token

GS1 = Path(__file__).parent / "gs1"


def gs1_json_documents() -> list[Path]:
    """Every official EPCIS 2.0 example capture document in JSON/JSON-LD: those under JSON/ and
    the one GS1 keeps beside its XML twins (XML/WithEventHashID/event_with_identical_hash_id_7)."""
    return sorted(
        p
        for p in GS1.rglob("*.json*")
        if orjson.loads(p.read_bytes()).get("type") == "EPCISDocument"
    )


@pytest.fixture
def world(plan):
    ents = {
        "a1": enterprise(1, DONGYING),
        "a2": enterprise(2, DONGYING),
        "b": enterprise(3, QINGDAO),
    }
    users = role_users(ents) | {"enterprise_b": user("firm-b", "enterprise", ents["b"].code)}
    keys = {role: create_token("tests", u.username, "tests") for role, u in users.items()}
    return SimpleNamespace(ents=ents, users=users, keys=keys)


class Epcis:
    """Posts to and reads from /epcis/v2 as one role of the world."""

    def __init__(self, client, world) -> None:
        self.client = client
        self.world = world

    def headers(self, role: str | None, **extra) -> dict[str, str]:
        auth = {"HTTP_AUTHORIZATION": f"Bearer {self.world.keys[role]}"} if role else {}
        return {**auth, **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in extra.items()}}

    def capture(self, doc, role: str = "enterprise", behaviour: str | None = None, **kw):
        body = doc if isinstance(doc, bytes) else orjson.dumps(doc)
        extra = {"GS1-Capture-Error-Behaviour": behaviour} if behaviour else {}
        return self.client.post(
            "/epcis/v2/capture",
            body,
            content_type=kw.pop("content_type", "application/ld+json"),
            **self.headers(role, **extra),
        )

    def job(self, response, role: str = "enterprise") -> dict:
        assert response.status_code == 202, response.content
        answer = self.client.get(response["Location"], **self.headers(role))
        assert answer.status_code == 200
        return answer.json()

    def query(self, role: str = "province", **params):
        return self.client.get("/epcis/v2/events", params, **self.headers(role))

    def events(self, role: str = "province", **params) -> list[dict]:
        response = self.query(role, perPage="1000", **params)
        assert response.status_code == 200, response.content
        return orjson.loads(response.content)["epcisBody"]["queryResults"]["resultsBody"][
            "eventList"
        ]


@pytest.fixture
def epcis(client, world) -> Epcis:
    return Epcis(client, world)
