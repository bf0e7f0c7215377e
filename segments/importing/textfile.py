"""Opening an upload as text while keeping count of how much of it has been read."""

import io
from pathlib import Path


class Position:
    """How far through the file the reader is, for the job's progress bar."""

    def __init__(self) -> None:
        self.fraction = 0.0


class _CountingFile(io.RawIOBase):
    def __init__(self, path: Path, position: Position) -> None:
        self.file, self.position = open(path, "rb"), position  # noqa: SIM115 - closed by close()
        self.size = max(1, path.stat().st_size)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self.file.seek(offset, whence)

    def readinto(self, buffer) -> int:
        count = self.file.readinto(buffer)
        self.position.fraction = self.file.tell() / self.size
        return count

    def close(self) -> None:
        self.file.close()
        super().close()


def open_text(path: Path, encoding: str, position: Position) -> io.TextIOWrapper:
    raw = io.BufferedReader(_CountingFile(path, position), 1 << 20)
    return io.TextIOWrapper(raw, encoding=encoding, newline="")
