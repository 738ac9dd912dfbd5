from broadsheet.tests.topology import collected_static, private_redis, topology_database

__all__ = ["collected_static", "private_redis", "topology_database"]
