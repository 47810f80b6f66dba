from collections.abc import Iterator

import pytest

from tests.api.live import LiveApi, live_api_start


@pytest.fixture(scope="session")
def live_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApi]:
    yield from live_api_start(tmp_path_factory.mktemp("api"))
