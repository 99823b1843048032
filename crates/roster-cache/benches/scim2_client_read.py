"""Reads every user of a SCIM server with the PyPI scim2-client, the way a
Python tool would: discovery, then pages of `count` users one after another.
Prints `seconds users` on one line. Used by benches/cache.rs for comparison.

usage: python scim2_client_read.py BASE_URL TOKEN [COUNT]
"""

import sys
import time

import httpx2
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_models import SearchRequest


def main() -> None:
    base_url, token = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    started = time.perf_counter()
    http = httpx2.Client(
        base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60
    )
    client = SyncSCIMClient(http)
    client.discover()
    user_model = client.get_resource_model("User")
    users = 0
    start = 1
    while True:
        page = client.query(
            user_model, query_parameters=SearchRequest(start_index=start, count=count)
        )
        got = len(page.resources or [])
        users += got
        if got == 0 or start + got > page.total_results:
            break
        start += got
    print(f"{time.perf_counter() - started:.3f} {users}")


if __name__ == "__main__":
    main()
