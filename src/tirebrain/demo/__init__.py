"""The deterministic synthetic demo data set (示例数据) and its scalable generator."""
