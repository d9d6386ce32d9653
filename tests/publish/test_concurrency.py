"""Racing publishers and readers against one real server."""

from __future__ import annotations

import hashlib
import threading

import requests
from publish_client import Api
from publish_samples import collection, risk_point

RACERS = 32
ROUNDS = 3


def test_racing_publishers_exactly_one_wins_each_round(api, server, token):
    clients = [Api(server.url, token) for _ in range(RACERS)]
    shas = []
    for i in range(RACERS):
        put = api.put_layer("risk_points", collection([risk_point(i, related_cases=i)]))
        shas.append(put.json()["sha256"])
    chain = [api.current_id()]
    for _round in range(ROUNDS):
        base = chain[-1]
        barrier = threading.Barrier(RACERS)
        statuses = [0] * RACERS
        bodies = [None] * RACERS

        def race(i: int, base: str = base, barrier: threading.Barrier = barrier,
                 statuses: list = statuses, bodies: list = bodies) -> None:
            barrier.wait()
            resp = clients[i].publish({"risk_points": shas[i]}, base, message=f"racer {i}")
            statuses[i] = resp.status_code
            bodies[i] = resp.json()

        threads = [threading.Thread(target=race, args=(i,)) for i in range(RACERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        winners = [i for i, s in enumerate(statuses) if s == 201]
        assert len(winners) == 1, statuses
        assert sorted(statuses) == [201] + [412] * (RACERS - 1)
        new_id = bodies[winners[0]]["release_id"]
        for i, body in enumerate(bodies):
            if i != winners[0]:
                assert body["current_release_id"] in (new_id,)
        chain.append(new_id)
    history = api.session.get(f"{server.url}/api/v1/releases?limit=100").json()["releases"]
    ids = [h["release_id"] for h in history]
    assert ids == list(reversed(chain))  # a straight chain, nothing lost
    for h in history[:-1]:
        assert h["parent_id"] == ids[ids.index(h["release_id"]) + 1]
    for c in clients:
        c.session.close()


def test_reader_never_sees_a_torn_release(api, server):
    stop = threading.Event()
    seen: set = set()
    problems: list = []

    def read() -> None:
        session = requests.Session()
        while not stop.is_set():
            manifest = session.get(f"{server.url}/data/manifest.json", timeout=10).json()
            for entry in manifest["layers"]:
                blob = session.get(f"{server.url}/data/{entry['blob']['href']}", timeout=10)
                if blob.status_code != 200 or (
                        hashlib.sha256(blob.content).hexdigest() != entry["blob"]["sha256"]):
                    problems.append((manifest["release_id"], entry["id"], blob.status_code))
            seen.add(manifest["release_id"])
        session.close()

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for n in range(200):
            resp = api.publish_layer("risk_points", collection([risk_point(n), risk_point(-1)]))
            assert resp.status_code == 201, resp.text
    finally:
        stop.set()
        reader.join()
    assert problems == []
    assert len(seen) > 1  # the reader really ran during the publishes
