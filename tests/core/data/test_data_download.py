"""MNIST download against a local HTTP server on 127.0.0.1: mirrors fall through, checksums hold, no partial files."""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from ddp.core.data import MNIST, DatasetError, read_idx
from ddp.core.data.download import download_url

SERVED = ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-labels-idx1-ubyte.gz"]


def corrupt(b):
    return b[:1000] + bytes([b[1000] ^ 1]) + b[1001:]


class Mirror(BaseHTTPRequestHandler):
    """Serves /MODE/NAME: good, corrupt (one bit flipped), short (half, honest length), lying (half, full
    length announced, connection closed), slow (answers after a delay); anything else is a 404."""

    files, log = {}, []
    release = threading.Event()  # a slow mirror answers only once the test sets this (or after 10 s)

    def do_GET(self):
        mode, _, name = self.path.strip("/").partition("/")
        self.log.append(self.path)
        body = self.files.get(name)
        if body is None or mode not in ("good", "corrupt", "short", "lying", "slow"):
            self.send_error(404)
            return
        if mode == "slow":
            self.release.wait(10)
        payload = {"corrupt": corrupt(body), "short": body[: len(body) // 2], "lying": body[: len(body) // 2]}
        payload = payload.get(mode, body)
        self.send_response(200)
        self.send_header("Content-Length", str(len(body) if mode == "lying" else len(payload)))
        self.end_headers()
        try:
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(mnist_src):
    Mirror.files = {name: (mnist_src / name).read_bytes() for name in SERVED}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Mirror)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def mirrors(server, monkeypatch):
    """Point MNIST at the local server: set_mirrors("missing", "good") uses those modes in order."""
    monkeypatch.delenv("DDP_MNIST_MIRROR", raising=False)
    Mirror.log.clear()

    def set_mirrors(*modes):
        monkeypatch.setattr(MNIST, "mirrors", [f"{server}/{m}/" for m in modes])
    return set_mirrors


def leftovers(folder):
    return sorted(p.name for p in folder.rglob("*") if p.name.startswith("."))


def test_download_falls_through_bad_mirrors(mirrors, tmp_path, mnist_src):
    mirrors("missing", "corrupt", "short", "lying", "good")
    ds = MNIST(tmp_path, train=False, download=True)
    assert len(ds) == 10000
    np.testing.assert_array_equal(ds.data, read_idx(mnist_src / "t10k-images-idx3-ubyte.gz"))
    assert [p for p in Mirror.log if "images" in p] == [
        f"/{m}/t10k-images-idx3-ubyte.gz" for m in ("missing", "corrupt", "short", "lying", "good")]
    raw = tmp_path / "MNIST" / "raw"
    assert (raw / "t10k-images-idx3-ubyte.gz").read_bytes() == (mnist_src / "t10k-images-idx3-ubyte.gz").read_bytes()
    assert (raw / "t10k-images-idx3-ubyte").stat().st_size == 16 + 10000 * 784  # decompressed copy
    assert leftovers(tmp_path) == []  # no partial download remains
    assert not (raw / "train-images-idx3-ubyte.gz").exists()  # only the asked-for split


def test_download_skips_files_present(mirrors, tmp_path):
    mirrors("good")
    MNIST(tmp_path, train=False, download=True)
    Mirror.log.clear()
    assert len(MNIST(tmp_path, train=False, download=True)) == 10000 and Mirror.log == []


def test_every_mirror_failing_lists_each_failure(mirrors, tmp_path, mnist_src):
    size = (mnist_src / "t10k-images-idx3-ubyte.gz").stat().st_size
    mirrors("corrupt", "short", "lying", "missing")
    with pytest.raises(DatasetError) as e:
        MNIST(tmp_path, train=False, download=True)
    msg = str(e.value)
    assert "could not download t10k-images-idx3-ubyte.gz from any mirror" in msg
    assert msg.count("checksum mismatch") == 2 and "HTTP Error 404" in msg
    assert f"cut short: received {size // 2} of {size} bytes" in msg
    assert "/corrupt/t10k-images-idx3-ubyte.gz" in msg and "save it as" in msg
    assert not (tmp_path / "MNIST" / "raw" / "t10k-images-idx3-ubyte.gz").exists()
    assert leftovers(tmp_path) == []


def test_train_images_unavailable_offline(mirrors, tmp_path):
    mirrors("good")
    with pytest.raises(DatasetError, match=r"train-images-idx3-ubyte.gz from any mirror:\n.*/good/.*404"):
        MNIST(tmp_path, train=True, download=True)


def test_env_var_overrides_mirrors(mirrors, server, tmp_path, monkeypatch):
    mirrors("missing")
    monkeypatch.setenv("DDP_MNIST_MIRROR", f"http://127.0.0.1:1/,{server}/good")
    assert len(MNIST(tmp_path, train=False, download=True)) == 10000
    assert Mirror.log and all(p.startswith("/good/") for p in Mirror.log)


def test_timeout_moves_on(server, tmp_path, mnist_src):
    """The slow mirror holds its answer until the download has returned: only the timeout gets past it."""
    name = "t10k-labels-idx1-ubyte.gz"
    md5 = MNIST.md5["t10k-labels-idx1-ubyte"]
    Mirror.log.clear()
    Mirror.release.clear()
    try:
        dest = download_url([f"{server}/slow/{name}", f"{server}/good/{name}"], tmp_path / name, md5, timeout=0.2)
    finally:
        Mirror.release.set()
    assert Mirror.log == [f"/slow/{name}", f"/good/{name}"]  # gave up on the slow one, took the next
    assert dest.read_bytes() == (mnist_src / name).read_bytes()
    assert leftovers(tmp_path) == []


def test_published_checksums_match_shared_files(mnist_src):
    sums = dict(reversed(line.split()) for line in (mnist_src / "MD5SUMS").read_text().splitlines() if line.strip())
    for name, md5 in sums.items():
        assert MNIST.md5[name.removesuffix(".gz")] == md5
