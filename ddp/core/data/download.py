"""Downloading a file from a list of mirrors, MD5-verified and written atomically."""
import hashlib
import http.client
import os
import urllib.request
from pathlib import Path

from .dataset import DatasetError
from .files import temp_path


def _fetch(url, dest, md5, timeout):
    tmp = temp_path(dest)
    try:
        digest = hashlib.md5(usedforsecurity=False)
        request = urllib.request.Request(url, headers={"User-Agent": "ddp"})
        with open(tmp, "xb") as f, urllib.request.urlopen(request, timeout=timeout) as response:
            size, announced = 0, response.headers.get("Content-Length")
            while chunk := response.read(1 << 20):
                digest.update(chunk)
                f.write(chunk)
                size += len(chunk)
        if announced is not None and size != int(announced):
            raise ValueError(f"transfer cut short: received {size} of {announced} bytes")
        if digest.hexdigest() != md5:
            raise ValueError(f"checksum mismatch: MD5 {digest.hexdigest()}, expected {md5}")
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def download_url(urls, dest, md5, timeout=30.0):
    """Fetch `dest` from the first of `urls` that serves it with MD5 `md5`.

    Each try streams into a temp file beside `dest` and renames it only once the checksum matches, so an
    interrupted or corrupt download never leaves a file that looks complete.

    Args:
        urls: the file's URL on each mirror, tried in order.
        dest: where to put it (its folder is created).
        md5: the published MD5 hex digest.
        timeout: seconds to wait on each connection.
    Returns:
        `dest` as a Path.
    Raises:
        DatasetError: if every mirror failed; the message lists each mirror's failure.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    failures = []
    for url in urls:
        try:
            _fetch(url, dest, md5, timeout)
            return dest
        except (OSError, ValueError, http.client.HTTPException) as e:  # URLError, HTTPError, timeouts, IncompleteRead
            failures.append(f"  {url}: {type(e).__name__}: {e}")
    raise DatasetError(f"could not download {dest.name} from any mirror:\n" + "\n".join(failures) +
                       f"\nCheck the network connection, or fetch the file by hand and save it as {dest}.")
