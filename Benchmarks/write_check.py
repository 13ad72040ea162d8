"""Checks that a measured run did the right writes: against the tenant's manifest, and LeaverSweep against the SDK.

A fast run that writes the wrong things proves nothing, so every benchmark table ends with this check. Writes are
read from the emulator's request log (direct requests and $batch sub-requests alike); retries collapse into one
target. The manifest (`GET /_emulator/manifest`) is what a correct first night does to the generated tenant:
`expectedRevocations` (disabled users whose sessions predate their disable), `expectedDeviceDisables` (enabled,
cloud-mastered devices of disabled users) of which Graph refuses `nonWindowsLeftoverDevices` with 400, and
`syncedLeftoverDevices` (mastered on-premises: flagged for a person, never PATCHed).
"""
import request_log


def write_targets(records):
    """Ids revoked and devices disabled: attempted (any answer) and succeeded (2xx)."""
    found = {"revoke_attempted": set(), "revoke_ok": set(), "disable_attempted": set(), "disable_ok": set()}
    for record in records:
        if not request_log.is_write(record):
            continue
        segments = [s for s in request_log.graph_path(record).split("/") if s]
        ok = 200 <= record.get("status", 0) < 300
        if record["method"] == "POST" and len(segments) == 3 and segments[0] == "users" \
                and segments[2] == "revokesigninsessions":
            kind = "revoke"
        elif record["method"] == "PATCH" and len(segments) == 2 and segments[0] == "devices":
            kind = "disable"
        else:
            continue
        found[f"{kind}_attempted"].add(segments[1])
        if ok:
            found[f"{kind}_ok"].add(segments[1])
    return {key: sorted(ids) for key, ids in found.items()}


def same(label, measured, expected, problems, agreement="as expected"):
    measured, expected = set(measured), set(expected)
    if measured == expected:
        return f"{label}: {len(measured)}, {agreement}"
    problems.append(label)
    return (f"{label}: {len(measured)}, WRONG: {len(expected - measured)} expected but missing, "
            f"{len(measured - expected)} not expected")


def describe(rows, manifest):
    """(lines, problems): each run's writes, the first night's against the manifest, the SDK's against ours.

    `problems` names every check that failed; empty when all writes were the expected ones.
    """
    lines, problems = [], []
    # Lists of ids only; the manifest also holds lists of objects (provisioning issues) that no write check uses.
    lower = {key: {i.lower() for i in value} for key, value in (manifest or {}).items()
             if isinstance(value, list) and all(isinstance(i, str) for i in value)}
    expected_ok = set(lower.get("expectedDeviceDisables", [])) - set(lower.get("nonWindowsLeftoverDevices", []))
    if manifest:
        lines.append(f"tenant: {len(lower['disabledUserIds'])} disabled users, {len(lower['expectedRevocations'])} of "
                     f"them still signed in since their disable; {len(lower['expectedDeviceDisables'])} enabled "
                     f"cloud devices of disabled users ({len(lower['nonWindowsLeftoverDevices'])} non-Windows, which "
                     f"Graph refuses) and {len(lower['syncedLeftoverDevices'])} synced from on-premises (not PATCHable)")
    a, c, e = rows.get("a"), rows.get("c"), rows.get("e")
    # The storm runs on a fresh emulator with the same seed and clock, so the same manifest holds for it: throttling
    # may delay writes and repeat them on the wire, but must not change which ones land.
    for key, name, prefix in (("a", "first night (a)", ""), ("d", "429 storm (d)", "storm: ")):
        run = rows.get(key)
        if not run:
            continue
        targets = run["write_targets"]
        lines.append(f"{name}, exit {run['exit']}: {run['writes']} write requests")
        if manifest:
            lines.append("  " + same(f"{prefix}sessions revoked", targets["revoke_ok"], lower["expectedRevocations"], problems))
            lines.append("  " + same(f"{prefix}devices PATCHed", targets["disable_attempted"], lower["expectedDeviceDisables"], problems))
            lines.append("  " + same(f"{prefix}devices disabled (2xx)", targets["disable_ok"], expected_ok, problems))
    if c and c.get("churn"):
        churn, targets = c["churn"], c["write_targets"]
        newly = {i.lower() for i in churn.get("newlyDisabled", [])}
        lines.append(f"churn: {churn.get('changedUsers')} users changed, {len(newly)} newly disabled, "
                     f"{churn.get('changedDevices')} devices changed; churn night (c), exit {c['exit']}: "
                     f"{len(targets['revoke_ok'])} revoked, {len(targets['disable_ok'])} devices disabled")
        lines.append("  " + same("sessions revoked on the churn night", targets["revoke_ok"], newly, problems))
    if e:
        targets, summary = e["write_targets"], e.get("sdk_summary") or {}
        lines.append(f"SDK script (e), exit {e['exit']}: {e['writes']} write requests, "
                     f"{len(targets['revoke_ok'])} revoked, {len(targets['disable_ok'])} devices disabled, "
                     f"{summary.get('devices_refused_400', '?')} device PATCHes refused with 400 (expected), "
                     f"{summary.get('failures', '?')} failures")
        if manifest:
            lines.append("  " + same("devices disabled (2xx)", targets["disable_ok"], expected_ok, problems))
        if summary.get("failures"):
            problems.append("SDK script failures")
        if a:
            ours, theirs = set(a["write_targets"]["revoke_ok"]), set(targets["revoke_ok"])
            lines.append("  " + same("devices disabled, SDK script vs LeaverSweep", targets["disable_ok"],
                                     a["write_targets"]["disable_ok"], problems, agreement="the same devices"))
            if ours <= theirs:
                lines.append(f"  sessions revoked, SDK script vs LeaverSweep: {len(theirs)} vs {len(ours)}, LeaverSweep's "
                             "all among the script's: the script also revokes users already revoked since their disable")
            else:
                lines.append("  " + same("sessions revoked, SDK script vs LeaverSweep", theirs, ours, problems))
    return lines, problems
