"""Fixtures of the messaging tests: a short topology in the test's namespace, and a broker
(in-process or RabbitMQ, by `broker_url`) connected to it, closed and cleaned up after."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from trusthub.messaging.broker import Broker
from trusthub.messaging.topology import Topology

from . import open_broker, short_topology


@pytest.fixture
def topology(namespace: str) -> Topology:
    return short_topology(namespace)


@pytest.fixture
async def broker(broker_url: str, topology: Topology) -> AsyncIterator[Broker]:
    async with open_broker(broker_url, topology) as connected:
        yield connected
