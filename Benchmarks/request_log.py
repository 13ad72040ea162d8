"""Reads one run's request log from the emulator (`GET /_emulator/requests`): counts and the lower bound.

Each record is one request the emulator answered: `method`, `path`, `query` (decoded pairs), `status`,
`tokenEndpoint`, `fault`, and on newer emulators `responseBytes` and `batch` (true for a request that arrived
inside a `POST /v1.0/$batch`; the `$batch` POST itself is recorded with batch false).

Counts (see `summarize`):
- requests: HTTP requests on the wire, i.e. every record with batch false (the token request included);
- operations: what Graph meters and throttles, i.e. wire requests minus `$batch` envelopes plus their
  sub-requests;
- token, GET (collection pages and entity reads sent directly), $batch envelopes, sub-requests inside them,
  writes (POST/PATCH/PUT/DELETE on Graph, direct or inside a batch), 429 answers;
- bytes: the sum of responseBytes over wire requests (sub-requests are inside their envelope's bytes).

Lower bound (see `critical_chain`): the longest chain of requests that must happen one after another, times
the per-request latency. From the log of that run alone:
    1                       the token request: nothing can be read before it;
  + the longest nextLink chain of any one collection read: successful direct GETs grouped by path and
    the query options that select a different set ($filter, a shard key…; not $select/$top/$expand/$count
    and not the paging tokens), counting distinct pages ($skiptoken/$deltatoken values, the first page
    having none). Page n+1's URL is only known from page n's answer, so a chain cannot be parallelised;
    shards of one collection are separate chains, and a delta round is a chain like any other;
  + 1 if any $batch read round happened (its sub-requests need ids from a collection read);
  + 1 if any write happened (it needs what was read).
Everything else is assumed free: unbounded concurrency, zero server time, zero client CPU. Reads of
per-object collections sent outside $batch are not counted as a round, so for such clients the bound is, if
anything, too low, which makes the "wall / lower bound" ratio harder to meet, never easier.
"""
import json

WRITE_METHODS = {"POST", "PATCH", "PUT", "DELETE"}
# Options that shape a page but do not change which items a chain walks.
NON_SELECTING_OPTIONS = {"$select", "$top", "$expand", "$count", "$orderby", "$skiptoken", "$deltatoken", "$skip"}
PAGING_TOKENS = ("$skiptoken", "$deltatoken", "$skip")


def is_batch_envelope(record):
    return (not record.get("tokenEndpoint") and record["method"] == "POST"
            and record["path"].rstrip("/").lower().endswith("/$batch"))


def is_sub_request(record):
    return bool(record.get("batch"))


def is_write(record):
    return (not record.get("tokenEndpoint") and record["method"] in WRITE_METHODS
            and not is_batch_envelope(record))


def envelope_methods(record):
    """The methods inside a $batch body, for emulators that do not record sub-requests on their own."""
    try:
        return [item.get("method", "").upper() for item in json.loads(record.get("body") or "{}").get("requests", [])]
    except (ValueError, AttributeError):
        return []


def graph_path(record):
    """The path without /v1.0 and in lower case, so direct requests and $batch sub-requests compare equal."""
    path = record["path"].lower()
    return path[len("/v1.0"):] if path.startswith("/v1.0/") else path


def summarize(records):
    """Counts by kind; `bytes` is None when the emulator does not report responseBytes."""
    wire = [r for r in records if not is_sub_request(r)]
    subs = [r for r in records if is_sub_request(r)]
    envelopes = [r for r in wire if is_batch_envelope(r)]
    has_bytes = bool(wire) and all("responseBytes" in r for r in wire)
    return {
        "requests": len(wire),
        "operations": len(wire) - len(envelopes) + (len(subs) if subs else sum(len(envelope_methods(e)) for e in envelopes)),
        "token": sum(1 for r in wire if r.get("tokenEndpoint")),
        "get": sum(1 for r in wire if not r.get("tokenEndpoint") and r["method"] == "GET"),
        "batch": len(envelopes),
        "in_batch": len(subs),
        "writes": sum(1 for r in records if is_write(r)) + (
            0 if subs else sum(1 for e in envelopes for m in envelope_methods(e) if m in WRITE_METHODS)),
        "throttled": sum(1 for r in records if r.get("status") == 429),
        "bytes": sum(int(r["responseBytes"]) for r in wire) if has_bytes else None,
    }


def chain_key(record):
    query = record.get("query") or {}
    selecting = sorted((k.lower(), v) for k, v in query.items() if k.lower() not in NON_SELECTING_OPTIONS)
    return record["path"].rstrip("/").lower(), tuple(selecting)


def page_token(record):
    query = {k.lower(): v for k, v in (record.get("query") or {}).items()}
    return tuple(query.get(name) for name in PAGING_TOKENS)


def longest_collection_chain(records):
    """(pages, path) of the longest nextLink chain among successful direct GETs."""
    pages = {}
    for record in records:
        if record.get("tokenEndpoint") or is_sub_request(record) or record["method"] != "GET":
            continue
        if record.get("status") != 200:
            continue  # a throttled or failed page is retried; the retry is the link in the chain
        pages.setdefault(chain_key(record), set()).add(page_token(record))
    if not pages:
        return 0, None
    key, tokens = max(pages.items(), key=lambda item: len(item[1]))
    return len(tokens), key[0]


def critical_chain(records):
    """The lower bound's chain length, with its parts, per the definition in the module docstring."""
    chain, path = longest_collection_chain(records)
    envelopes = [r for r in records if is_batch_envelope(r) and not is_sub_request(r)]
    batched_read = any(is_sub_request(r) and r["method"] == "GET" for r in records) or any(
        "GET" in envelope_methods(e) for e in envelopes)
    wrote = any(is_write(r) for r in records) or any(
        m in WRITE_METHODS for e in envelopes for m in envelope_methods(e))
    token = 1 if any(r.get("tokenEndpoint") for r in records) else 0
    return {
        "length": token + chain + int(batched_read) + int(wrote),
        "token": token,
        "collection_pages": chain,
        "collection": path,
        "batch_read_round": batched_read,
        "write_round": wrote,
    }
