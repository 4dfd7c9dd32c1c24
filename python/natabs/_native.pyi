# Type stubs for the private Rust extension. Python validates every argument first.
import numpy as np
import numpy.typing as npt

__version__: str

def duplicate_codes(cards: list[int], codes: npt.NDArray[np.uint64]) -> tuple[int, int] | None: ...
def duplicate_rows(cards: list[int], rows: npt.NDArray[np.uint32]) -> tuple[int, int] | None: ...
def components_codes(
    cards: list[int], codes: npt.NDArray[np.uint64], blocks: list[tuple[int, ...]]
) -> tuple[npt.NDArray[np.uint32], int]: ...
def components_rows(
    cards: list[int], rows: npt.NDArray[np.uint32], blocks: list[tuple[int, ...]]
) -> tuple[npt.NDArray[np.uint32], int]: ...
