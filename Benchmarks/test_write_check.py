#!/usr/bin/env python3
"""Checks write_check's reading of writes from a request log and its verdicts.

Run: python3 -m unittest discover -s Benchmarks -p 'test_*.py'
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import write_check  # noqa: E402  (a sibling module, found through the path set just above)


def record(method, path, status, batch=False):
    return {"method": method, "path": path, "query": {}, "status": status, "tokenEndpoint": False, "batch": batch}


MANIFEST = {"disabledUserIds": ["U1", "U2"], "expectedRevocations": ["U1"], "expectedDeviceDisables": ["D1", "D2"],
            "nonWindowsLeftoverDevices": ["D2"], "syncedLeftoverDevices": ["D3"]}


def night(records, exit_status=2):
    return {"exit": exit_status, "writes": len(records), "write_targets": write_check.write_targets(records)}


class WriteCheckTests(unittest.TestCase):
    def test_direct_and_batched_writes_and_retries_collapse_into_targets(self):
        targets = write_check.write_targets([
            record("POST", "/v1.0/users/U1/revokeSignInSessions", 429),
            record("POST", "/users/u1/revokeSignInSessions", 200, batch=True),
            record("PATCH", "/v1.0/devices/D1", 204), record("PATCH", "/devices/d2", 400, batch=True),
            record("GET", "/v1.0/devices/D9", 200), record("POST", "/v1.0/$batch", 200)])
        self.assertEqual(targets, {"revoke_attempted": ["u1"], "revoke_ok": ["u1"],
                                   "disable_attempted": ["d1", "d2"], "disable_ok": ["d1"]})

    def test_a_first_night_that_matches_the_manifest_has_no_problem(self):
        a = night([record("POST", "/v1.0/users/U1/revokeSignInSessions", 200), record("PATCH", "/v1.0/devices/D1", 204),
                   record("PATCH", "/v1.0/devices/D2", 400)])
        _, problems = write_check.describe({"a": a}, MANIFEST)
        self.assertEqual(problems, [])

    def test_manifest_lists_of_objects_are_ignored(self):
        manifest = dict(MANIFEST, provisioningJobIssues=[{"servicePrincipalId": "sp1", "state": "Quarantine"}])
        a = night([record("POST", "/v1.0/users/U1/revokeSignInSessions", 200), record("PATCH", "/v1.0/devices/D1", 204),
                   record("PATCH", "/v1.0/devices/D2", 400)])
        _, problems = write_check.describe({"a": a}, manifest)
        self.assertEqual(problems, [])

    def test_a_missed_revocation_and_a_patched_synced_device_are_problems(self):
        a = night([record("PATCH", "/v1.0/devices/D1", 204), record("PATCH", "/v1.0/devices/D2", 400),
                   record("PATCH", "/v1.0/devices/D3", 400)])
        _, problems = write_check.describe({"a": a}, MANIFEST)
        self.assertEqual(problems, ["sessions revoked", "devices PATCHed"])

    def test_the_storm_is_held_to_the_same_manifest_and_its_retries_collapse(self):
        good = night([record("POST", "/users/U1/revokeSignInSessions", 429, batch=True),
                      record("POST", "/users/U1/revokeSignInSessions", 204, batch=True),
                      record("PATCH", "/devices/D1", 204, batch=True), record("PATCH", "/devices/D2", 400, batch=True)])
        lines, problems = write_check.describe({"d": good}, MANIFEST)
        self.assertEqual(problems, [])
        self.assertIn("429 storm (d), exit 2: 4 write requests", lines)
        throttled_away = night([record("POST", "/users/U1/revokeSignInSessions", 429, batch=True),
                                record("PATCH", "/devices/D1", 204, batch=True), record("PATCH", "/devices/D2", 400, batch=True)])
        _, problems = write_check.describe({"d": throttled_away}, MANIFEST)
        self.assertEqual(problems, ["storm: sessions revoked"])

    def test_the_sdk_script_may_revoke_more_but_must_disable_the_same_devices(self):
        a = night([record("POST", "/v1.0/users/U1/revokeSignInSessions", 200), record("PATCH", "/v1.0/devices/D1", 204)])
        e = night([record("POST", "/v1.0/users/U1/revokeSignInSessions", 200),
                   record("POST", "/v1.0/users/U2/revokeSignInSessions", 200)], exit_status=0)
        e["sdk_summary"] = {"devices_refused_400": 0, "failures": 0}
        lines, problems = write_check.describe({"a": a, "e": e}, None)
        self.assertEqual(problems, ["devices disabled, SDK script vs LeaverSweep"])
        self.assertIn("all among the script's", "\n".join(lines))


if __name__ == "__main__":
    unittest.main()
