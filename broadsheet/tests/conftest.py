"""The production-topology fixtures (broadsheet/tests/topology.py) for the tests here; tests
elsewhere import them the same way."""

from .topology import collected_static, private_redis, topology_database

__all__ = ["collected_static", "private_redis", "topology_database"]
