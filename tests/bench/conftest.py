def pytest_configure(config):
    config.addinivalue_line(
        "markers", "load: starts the real app and drives it with browserless sessions (bench/load.py)")
