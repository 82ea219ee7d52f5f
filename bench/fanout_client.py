"""The subscribers of the fan-out benchmark, as one process: `python bench/fanout_client.py
WS_URL API_KEY COUNT`. Opens COUNT graphql-transport-ws connections, each subscribed to
`statusChanged` for the whole account; prints `ready` once every connection is acknowledged
and subscribed; records when each event reaches each connection (the receive time is taken
before the message is parsed) until a line `stop` arrives on stdin; then prints, as JSON, per
event (subject, status): how many connections got it, the first and last receive times, and the
event's `occurredAt`."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import datetime
from typing import Any

import websockets

WATCH = (
    "subscription { statusChanged { eventId subjectId previousStatus status sequence occurredAt "
    "reasons { code field message } } }"
)
CONNECT_PARALLEL = 50
TIMEOUT = 30.0


async def subscriber(url: str, key: str) -> Any:
    ws = await websockets.connect(
        url, subprotocols=["graphql-transport-ws"], open_timeout=TIMEOUT, ping_interval=None
    )
    await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": key}}))
    ack = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
    assert ack["type"] == "connection_ack", ack
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": WATCH}}))
    return ws


async def listen(ws: Any, log: list[tuple[float, str | bytes]]) -> None:
    try:
        async for raw in ws:
            log.append((time.time(), raw))
    except websockets.ConnectionClosed:
        pass


async def main(url: str, api_key: str, count: int) -> None:
    key = f"Bearer {api_key}"
    log: list[tuple[float, str | bytes]] = []
    gate = asyncio.Semaphore(CONNECT_PARALLEL)

    async def opened() -> Any:
        async with gate:
            return await subscriber(url, key)

    sockets = await asyncio.gather(*(opened() for _ in range(count)))
    listeners = [asyncio.create_task(listen(ws, log)) for ws in sockets]
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    while (await loop.run_in_executor(None, sys.stdin.readline)).strip() not in ("stop", ""):
        pass
    for ws in sockets:
        await ws.close()
    for task in listeners:
        task.cancel()
    await asyncio.gather(*listeners, return_exceptions=True)
    events: dict[str, list[Any]] = {}
    other = 0
    for at, raw in log:
        message = json.loads(raw)
        if message.get("type") != "next":
            other += 1
            continue
        event = message["payload"]["data"]["statusChanged"]
        occurred = datetime.fromisoformat(event["occurredAt"]).timestamp()
        entry = events.setdefault(f"{event['subjectId']}/{event['status']}", [0, at, at, occurred])
        entry[0] += 1
        entry[1], entry[2] = min(entry[1], at), max(entry[2], at)
    print(json.dumps({"connections": count, "events": events, "other_messages": other}))


if __name__ == "__main__":
    import uvloop

    uvloop.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
