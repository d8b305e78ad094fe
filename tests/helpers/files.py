"""Files for the import tests."""

import io


class BlockReader(io.BytesIO):
    """A file that refuses to be read whole, and remembers the size of every read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.sizes: list[int] = []

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            raise AssertionError("the whole file was read at once")
        self.sizes.append(size)
        return super().read(size)
