"""A hung async test fails within its deadline instead of stalling the run (#20 item 12).

The hang this reproduces: a socket test awaits an event that never comes while a background task
(a consumer's heartbeat) keeps the event loop busy. pytest-timeout's signal then fired inside that
task, asyncio kept the failure on the task, and the test awaited for ever (a fresh-clone ``make
test`` sat silent at 89 % for 20 minutes). The project conftest's deadline is copied into a
throwaway pytest run, so this exercises the real hook.
"""

from __future__ import annotations

from pathlib import Path

pytest_plugins = ["pytester"]

HANGING = """
import asyncio, pytest

@pytest.mark.timeout(3)
async def test_awaits_for_ever_beside_a_busy_task():
    async def heartbeat():
        while True:
            sum(range(100_000))
            await asyncio.sleep(0)
    task = asyncio.ensure_future(heartbeat())
    await asyncio.Event().wait()

def test_after_it_still_runs():
    assert True
"""


def _project_deadline_hook() -> str:
    source = (Path(__file__).resolve().parents[1] / "conftest.py").read_text(encoding="utf-8")
    return (
        "import asyncio, functools, inspect\nimport pytest\n\n"
        + source[source.index("def _deadline(item)") :]
    )


def test_a_hung_async_test_fails_and_the_run_goes_on(pytester):
    pytester.makeconftest(_project_deadline_hook())
    pytester.makepyfile(test_hang=HANGING)
    pytester.makeini("[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n")
    result = pytester.runpytest_subprocess("-p", "no:django", "-p", "no:cacheprovider", timeout=60)
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["*Timeout: the test awaited more than*"])


def test_no_helper_is_collected_as_a_test():
    """``test_connection_kept_open`` (a context manager in the fuzz tests) was collected and "passed"
    as a test; helpers decorated as context managers or fixtures must not be named ``test_*``."""
    import re

    helper = re.compile(
        r"@(?:contextlib\.)?(?:contextmanager|asynccontextmanager|pytest\.fixture)[^\n]*\n(?:async )?def (test_\w+)"
    )
    offenders = []
    for path in (Path(__file__).resolve().parents[1]).rglob("*.py"):
        offenders += [f"{path.name}::{name}" for name in helper.findall(path.read_text(encoding="utf-8"))]
    assert not offenders, offenders
