"""Fixtures of the interop suite: a real `brook serve` process per test module, the Debian kcat
binary, and a hook that prints the broker's own log under any failing test.

Each module gets a fresh broker on an ephemeral port with a temporary data directory; tests that
kill or restart a broker start their own (`broker_factory`). The broker's stdout and stderr go to
a log file; when a test fails, the tail of every broker log of that module is added to the
report. Brokers die with the test process (PR_SET_PDEATHSIG), so an interrupted run leaves no
orphan listening on the machine.

Environment:
  BROOK_BIN        path of the `brook` binary (scripts/interop-test.sh sets it).
  BROOK_BOOTSTRAP  host:port of an already running broker: no brook is started, and the tests
                   that must kill or restart the broker are skipped. Useful to check the harness
                   against a peer broker (e.g. Tansu from ../shared/bench/peer-broker).
  BROOK_KCAT       kcat binary (default: `kcat` on PATH, i.e. Debian's, librdkafka 2.0.2).
  BROOK_KCAT_LIBRARY_PATH  LD_LIBRARY_PATH for kcat only; for checking the harness against a
                   broker Debian's librdkafka cannot talk to (Tansu). Never set it for Brook.
"""

import os
import pytest

from interop_support import BrokerProcess, Kcat, start_broker


_brokers_of_module = {}


def _external_bootstrap():
    return os.environ.get("BROOK_BOOTSTRAP") or None


class ExternalBroker:
    """A broker this suite did not start: only its address is known."""

    def __init__(self, bootstrap):
        self.bootstrap = bootstrap
        self.data_dir = None
        self.log_path = None
        self.process = None

    def log_tail(self, line_count=80):
        return ""

    def is_running(self):
        return True


class BrokerFactory:
    """Starts brooks for one test module; stops every one of them at the end."""

    def __init__(self, tmp_path_factory, module_name):
        self.tmp_path_factory = tmp_path_factory
        self.module_name = module_name
        self.brokers = []

    def start(self, settings=None, data_dir=None):
        if _external_bootstrap():
            pytest.skip("BROOK_BOOTSTRAP is set: this test must start and kill its own broker")
        if data_dir is None:
            data_dir = self.tmp_path_factory.mktemp(self.module_name + "-data")
        log_dir = self.tmp_path_factory.mktemp(self.module_name + "-log")
        broker = start_broker(data_dir, log_dir / "brook.log", settings or {})
        self.brokers.append(broker)
        return broker

    def stop_all(self):
        failures = []
        for broker in self.brokers:
            if broker.process.poll() is None:
                return_code = broker.stop()
                if return_code != 0:
                    failures.append(f"{broker.log_path}: exit status {return_code} after SIGTERM")
        return failures


@pytest.fixture(scope="module")
def broker_factory(request, tmp_path_factory):
    factory = BrokerFactory(tmp_path_factory, request.module.__name__.rsplit(".", 1)[-1])
    _brokers_of_module[request.module.__name__] = factory
    yield factory
    failures = factory.stop_all()
    _brokers_of_module.pop(request.module.__name__, None)
    # A broker that ignores SIGTERM or crashes on the way down breaks the CLI's contract.
    assert not failures, "brook did not shut down cleanly: " + "; ".join(failures)


@pytest.fixture(scope="module")
def broker(broker_factory):
    """The module's broker, with the default configuration."""
    external = _external_bootstrap()
    if external:
        return ExternalBroker(external)
    return broker_factory.start()


@pytest.fixture(scope="module")
def bootstrap(broker):
    return broker.bootstrap


@pytest.fixture(scope="session")
def kcat():
    return Kcat.locate()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        factory = _brokers_of_module.get(item.module.__name__)
        for index, broker in enumerate(factory.brokers if factory else []):
            status = "running" if broker.process.poll() is None else f"exited {broker.process.returncode}"
            report.sections.append(
                (f"brook log #{index} ({status}, {broker.log_path})", broker.log_tail()))
    return report


def pytest_report_header(config):
    external = _external_bootstrap()
    if external:
        return f"interop target: external broker at {external} (BROOK_BOOTSTRAP); kill/restart tests skipped"
    return f"interop target: {os.environ.get('BROOK_BIN', '<BROOK_BIN unset>')}"
