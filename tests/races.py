"""Running calls at the same moment on their own database connections, for race tests (which need
@pytest.mark.django_db(transaction=True) so each thread sees committed rows)."""

import threading

from django.db import connection, transaction


def race(*calls) -> list[object]:
    """Each call's return value, or the exception it raised, in the order given."""
    start, outcomes = threading.Barrier(len(calls)), [None] * len(calls)

    def run(index, call):
        start.wait()
        try:
            outcomes[index] = call()
        except Exception as error:  # the outcome is what the test inspects
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def delete_during_write(write, delete) -> list[object]:
    """`write()` runs in a transaction held open while `delete()` starts on another connection, then
    commits: race()'s outcomes, the delete's being True when it had to wait for the write."""
    written, release = threading.Event(), threading.Event()

    def write_and_hold():
        with transaction.atomic():
            write()
            written.set()
            release.wait(timeout=10)

    def delete_when_written():
        written.wait(timeout=10)
        threading.Timer(0.5, release.set).start()  # let the delete reach the lock first
        delete()
        return release.is_set()

    return race(write_and_hold, delete_when_written)
