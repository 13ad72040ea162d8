#!/usr/bin/env python3
"""Checks request_log's counts and lower-bound chain on hand-written request logs.

Run: python3 -m unittest discover -s Benchmarks -p 'test_*.py'
"""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import request_log  # noqa: E402  (a sibling module, found through the path set just above)


def get(path, status=200, batch=False, size=100, **query):
    return {"method": "GET", "path": path, "query": query, "status": status, "tokenEndpoint": False,
            "batch": batch, "responseBytes": size}


def write(method, path, status=204, batch=False):
    return {"method": method, "path": path, "query": {}, "status": status, "tokenEndpoint": False,
            "batch": batch, "responseBytes": 0}


TOKEN = {"method": "POST", "path": "/contoso/oauth2/v2.0/token", "query": {}, "status": 200, "tokenEndpoint": True,
         "batch": False, "responseBytes": 1000}


def envelope(methods, recorded_inner=True):
    body = json.dumps({"requests": [{"id": str(i), "method": m, "url": "/x"} for i, m in enumerate(methods)]})
    return {"method": "POST", "path": "/v1.0/$batch", "query": {}, "status": 200, "tokenEndpoint": False,
            "batch": False, "responseBytes": 5000, "body": body}


class CriticalChainTests(unittest.TestCase):
    def test_pages_of_one_collection_make_the_chain_and_a_throttled_page_is_not_a_link(self):
        records = [TOKEN,
                   get("/v1.0/users", **{"$select": "id", "$top": "999"}),
                   get("/v1.0/users", status=429, **{"$select": "id", "$top": "999", "$skiptoken": "p2"}),
                   get("/v1.0/users", **{"$select": "id", "$top": "999", "$skiptoken": "p2"}),
                   get("/v1.0/users", **{"$select": "id", "$top": "999", "$skiptoken": "p3"}),
                   get("/v1.0/devices", **{"$top": "999"})]
        chain = request_log.critical_chain(records)
        self.assertEqual(chain["collection_pages"], 3)
        self.assertEqual(chain["collection"], "/v1.0/users")
        self.assertEqual(chain["length"], 4)

    def test_shards_by_filter_are_separate_chains(self):
        records = [TOKEN]
        for shard in ("a", "b", "c"):
            records.append(get("/v1.0/devices", **{"$filter": f"startswith(id,'{shard}')"}))
            records.append(get("/v1.0/devices", **{"$filter": f"startswith(id,'{shard}')", "$skiptoken": shard + "2"}))
        self.assertEqual(request_log.critical_chain(records)["collection_pages"], 2)

    def test_a_delta_round_is_a_chain_and_reading_it_twice_does_not_lengthen_it(self):
        round_pages = [get("/v1.0/users/delta", **{"$deltatoken": "d1"}),
                       get("/v1.0/users/delta", **{"$skiptoken": "s2"})]
        chain = request_log.critical_chain([TOKEN, *round_pages, *round_pages])
        self.assertEqual((chain["collection_pages"], chain["length"]), (2, 3))

    def test_batch_read_round_and_write_round_add_one_each(self):
        records = [TOKEN, get("/v1.0/users"), envelope(["GET", "GET"]),
                   get("/users/1/appRoleAssignments", batch=True), get("/users/2/appRoleAssignments", batch=True),
                   envelope(["POST"]), write("POST", "/users/1/revokeSignInSessions", status=200, batch=True)]
        chain = request_log.critical_chain(records)
        self.assertEqual((chain["batch_read_round"], chain["write_round"], chain["length"]), (True, True, 4))

    def test_sub_requests_are_not_collection_links(self):
        records = [TOKEN, envelope(["GET"] * 3)] + [
            get("/users/1/appRoleAssignments", batch=True, **{"$skiptoken": str(n)}) for n in range(3)]
        self.assertEqual(request_log.critical_chain(records)["collection_pages"], 0)

    def test_reads_only_have_no_write_round(self):
        chain = request_log.critical_chain([TOKEN, get("/v1.0/users")])
        self.assertEqual((chain["write_round"], chain["length"]), (False, 2))


class SummaryTests(unittest.TestCase):
    def test_counts_wire_requests_operations_and_bytes(self):
        records = [TOKEN, get("/v1.0/users", size=300), get("/v1.0/users", status=429, size=50),
                   envelope(["GET", "POST"]), get("/users/1/registeredDevices", batch=True, size=999),
                   write("POST", "/users/1/revokeSignInSessions", status=200, batch=True),
                   write("PATCH", "/v1.0/devices/9", status=400)]
        self.assertEqual(request_log.summarize(records), {
            "requests": 5, "operations": 6, "token": 1, "get": 2, "batch": 1, "in_batch": 2, "writes": 2,
            "throttled": 1, "bytes": 1000 + 300 + 50 + 5000 + 0})

    def test_older_emulators_without_sub_request_records_count_from_the_envelope_body(self):
        old = [dict(r) for r in (TOKEN, envelope(["GET", "PATCH", "PATCH"]))]
        for record in old:
            del record["batch"], record["responseBytes"]
        summary = request_log.summarize(old)
        self.assertEqual((summary["operations"], summary["writes"], summary["bytes"]), (4, 2, None))
        self.assertTrue(request_log.critical_chain(old)["write_round"])

    def test_graph_path_compares_direct_and_batched_writes(self):
        self.assertEqual(request_log.graph_path(write("POST", "/v1.0/users/A/revokeSignInSessions")),
                         request_log.graph_path(write("POST", "/users/a/revokesigninsessions", batch=True)))


if __name__ == "__main__":
    unittest.main()
