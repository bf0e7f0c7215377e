"""Opening an upload as text while keeping count of how much of it has been read."""

import io
from pathlib import Path

from segments.importing.formats import ImportFileError

# Past this, a line is not a record: parsed whole, it would take many times its size in memory.
MAX_LINE_BYTES = 64 * 1024 * 1024


class Position:
    """How far through the file the reader is, for the job's progress bar."""

    def __init__(self) -> None:
        self.fraction = 0.0


class _CountingFile(io.RawIOBase):
    """The file's bytes, counted for progress, refusing a line longer than MAX_LINE_BYTES."""

    def __init__(self, path: Path, position: Position, name: str) -> None:
        self.file, self.position = open(path, "rb"), position  # noqa: SIM115 - closed by close()
        self.size = max(1, path.stat().st_size)
        self.name, self.line_bytes = name, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self.file.seek(offset, whence)

    def readinto(self, buffer) -> int:
        count = self.file.readinto(buffer)
        self.position.fraction = self.file.tell() / self.size
        block = memoryview(buffer)[:count].tobytes()
        ends = max(block.rfind(b"\n"), block.rfind(b"\r"))
        self.line_bytes = count - ends - 1 if ends >= 0 else self.line_bytes + count
        if self.line_bytes > MAX_LINE_BYTES:
            raise ImportFileError(
                f"A line runs over {MAX_LINE_BYTES // 1024**2} MB without ending: "
                "that is not a table of records.",
                file_name=self.name,
            )
        return count

    def close(self) -> None:
        self.file.close()
        super().close()


def open_text(path: Path, encoding: str, position: Position, *, name: str) -> io.TextIOWrapper:
    raw = io.BufferedReader(_CountingFile(path, position, name), 1 << 20)
    return io.TextIOWrapper(raw, encoding=encoding, newline="")
