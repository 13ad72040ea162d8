#!/usr/bin/env python3
"""The leaver procedure as admins script it today, with Microsoft's Graph SDK for Python (msgraph-sdk).

This is the baseline LeaverSweep is measured against: the straightforward, sequential script an admin writes
from the SDK's documentation, one awaited call after another.

1. Get an app-only token with client credentials (a small azure-core credential, below).
2. List every user with `$select=id,userPrincipalName,accountEnabled&$top=999`, following `@odata.nextLink`
   with the SDK's `PageIterator`.
3. For each disabled user:
   - list their devices (`GET /users/{id}/registeredDevices`, paged);
   - revoke their sign-in sessions (`POST /users/{id}/revokeSignInSessions`);
   - disable each device still enabled (`PATCH /devices/{id}` with `{"accountEnabled": false}`). Graph answers
     400 for non-Windows and on-premises-synced devices; that is expected, counted, and the script goes on;
   - list their app role assignments (`GET /users/{id}/appRoleAssignments`, paged) for the admin to review.

Retries of 429/503 are left to the SDK's own RetryHandler (kiota's default middleware), as such scripts do.
Any other error is counted as a failure and the script moves on to the next call.

Note: Graph documents `GET /users/{id}/registeredDevices` as delegated-only; an app-only script against real
Graph would have to read owners from the device side instead. The emulator serves it app-only so the baseline
can follow the procedure as admins write it (usually run interactively), one round trip per disabled user.

Prints one JSON line: users seen, disabled, revoked, devices disabled, refusals, failures, wall seconds.
Only talks to the loopback emulator: `--base http://127.0.0.1:PORT`. The client secret comes from the
environment variable named by `--client-secret-env` (default GRAPH_CLIENT_SECRET), never from the command line.
"""
import argparse
import asyncio
import json
import os
import sys
import time
from urllib.parse import urlparse

import httpx
from azure.core.credentials import AccessToken
from kiota_abstractions.api_error import APIError
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_authentication_azure.azure_identity_authentication_provider import AzureIdentityAuthenticationProvider
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.models.device import Device
from msgraph.generated.users.users_request_builder import UsersRequestBuilder
from msgraph_core.tasks.page_iterator import PageIterator

GRAPH_SCOPE = "https://graph.microsoft.com/.default"


class ClientSecretTokenCredential:
    """An azure-core async TokenCredential for the v2.0 client-credentials grant against a given authority.

    azure-identity's ClientSecretCredential goes through MSAL, which insists on an https authority and asks
    login.microsoftonline.com for instance metadata; the emulator is plain http on loopback and nothing else
    may be contacted. This does the same grant with one form POST and caches the token until near expiry.
    """

    def __init__(self, authority, tenant, client_id, client_secret):
        self._url = f"{authority.rstrip('/')}/{tenant}/oauth2/v2.0/token"
        self._client_id = client_id
        self._client_secret = client_secret
        self._token = None
        self._http = httpx.AsyncClient(timeout=30)
        self.requests = 0

    async def get_token(self, *scopes, **_kwargs):
        # Refresh five minutes early, as MSAL does, so a token never expires mid-request.
        if self._token and self._token.expires_on - 300 > time.time():
            return self._token
        self.requests += 1
        response = await self._http.post(self._url, data={
            "grant_type": "client_credentials", "client_id": self._client_id,
            "client_secret": self._client_secret, "scope": " ".join(scopes) or GRAPH_SCOPE,
        })
        body = response.json()
        if response.status_code != 200:
            raise RuntimeError(f"token endpoint answered {response.status_code}: {body.get('error_description', body)}")
        self._token = AccessToken(body["access_token"], int(time.time()) + int(body["expires_in"]))
        return self._token

    async def close(self):
        await self._http.aclose()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *_exc):
        await self.close()


def graph_client(credential, base):
    host = urlparse(base).hostname
    auth = AzureIdentityAuthenticationProvider(credential, scopes=[GRAPH_SCOPE], allowed_hosts=[host])
    client = GraphServiceClient(request_adapter=GraphRequestAdapter(auth))
    client.request_adapter.base_url = f"{base.rstrip('/')}/v1.0"
    return client


async def all_items(client, first_page):
    """Every item of a paged collection, following nextLinks with the SDK's PageIterator."""
    items = []
    if first_page is None or first_page.value is None:
        return items

    def collect(item):
        items.append(item)
        return True  # PageIterator stops at the first falsy return

    # The iterator parses later pages as the first page's type.
    await PageIterator(first_page, client.request_adapter).iterate(collect)
    return items


def status_of(error):
    return getattr(error, "response_status_code", None)


async def leaver_sweep(client, summary):
    query = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
        select=["id", "userPrincipalName", "accountEnabled"], top=999)
    first = await client.users.get(request_configuration=RequestConfiguration(query_parameters=query))
    users = await all_items(client, first)
    summary["users"] = len(users)
    disabled = [user for user in users if user.account_enabled is False]
    summary["disabled"] = len(disabled)

    for user in disabled:
        person = client.users.by_user_id(user.id)
        try:
            devices = await all_items(client, await person.registered_devices.get())
        except APIError as error:
            summary["failures"] += 1
            report(f"listing devices of {user.user_principal_name} failed: HTTP {status_of(error)}")
            devices = []
        summary["devices_seen"] += len(devices)

        try:
            await person.revoke_sign_in_sessions.post()
            summary["revoked"] += 1
        except APIError as error:
            summary["failures"] += 1
            report(f"revoking sessions of {user.user_principal_name} failed: HTTP {status_of(error)}")

        for device in devices:
            enabled = device.account_enabled if isinstance(device, Device) else \
                (device.additional_data or {}).get("accountEnabled")
            if enabled is False:
                continue
            try:
                await client.devices.by_device_id(device.id).patch(Device(account_enabled=False))
                summary["devices_disabled"] += 1
            except APIError as error:
                if status_of(error) == 400:
                    summary["devices_refused_400"] += 1  # non-Windows or synced from on-premises: expected
                else:
                    summary["failures"] += 1
                    report(f"disabling device {device.id} failed: HTTP {status_of(error)}")

        try:
            assignments = await all_items(client, await person.app_role_assignments.get())
            summary["app_role_assignments"] += len(assignments)
        except APIError as error:
            summary["failures"] += 1
            report(f"listing app role assignments of {user.user_principal_name} failed: HTTP {status_of(error)}")


def report(line):
    print(f"sdk_leaver_script: {line}", file=sys.stderr)


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="emulator base URL, http://127.0.0.1:PORT")
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret-env", default="GRAPH_CLIENT_SECRET")
    args = parser.parse_args()
    if urlparse(args.base).hostname not in ("127.0.0.1", "::1", "localhost"):
        parser.error("--base must be a loopback URL: this script only ever talks to the emulator")
    secret = os.environ.get(args.client_secret_env)
    if not secret:
        parser.error(f"set the client secret in ${args.client_secret_env}")

    summary = {"users": 0, "disabled": 0, "revoked": 0, "devices_seen": 0, "devices_disabled": 0,
               "devices_refused_400": 0, "app_role_assignments": 0, "failures": 0}
    started = time.monotonic()
    async with ClientSecretTokenCredential(args.base, args.tenant, args.client_id, secret) as credential:
        await leaver_sweep(graph_client(credential, args.base), summary)
        summary["token_requests"] = credential.requests
    summary["wall_seconds"] = round(time.monotonic() - started, 3)
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
