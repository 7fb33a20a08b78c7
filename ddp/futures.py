"""`ddp.futures` (torch.futures): the `Future` that communication hooks return and chain with `then`
(`ddp.parallel.comm_hooks.Future`), with `wait_all` and `collect_all`."""
from .parallel.comm_hooks import Future

__all__ = ["Future", "collect_all", "wait_all"]


def collect_all(futures):
    """A Future of the list of `futures`, done when all of them are."""
    futures = list(futures)

    def finish():
        for future in futures:
            future.wait()
        return futures

    return Future(wait=finish, test=lambda: all(f.done() for f in futures))


def wait_all(futures):
    """Wait for every Future; their values, in order."""
    return [f.wait() for f in futures]
