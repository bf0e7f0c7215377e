"""Running calls at the same moment on their own database connections, for race tests (which need
@pytest.mark.django_db(transaction=True) so each thread sees committed rows)."""

import threading

from django.db import connection


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
