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

class Kernel:
    """The block-resampling kernel of a support; Python validates every argument first."""

    @staticmethod
    def from_codes(
        cards: list[int],
        codes: npt.NDArray[np.uint64],
        probs: npt.NDArray[np.float64],
        blocks: list[list[int]],
        budget: int,
    ) -> Kernel: ...
    @staticmethod
    def from_rows(
        cards: list[int],
        rows: npt.NDArray[np.uint32],
        probs: npt.NDArray[np.float64],
        blocks: list[list[int]],
        budget: int,
    ) -> Kernel: ...
    def __len__(self) -> int: ...
    @property
    def n_blocks(self) -> int: ...
    def fibre_counts(self) -> list[int]: ...
    def propagate(self, mu: npt.NDArray[np.float64], scan: str) -> npt.NDArray[np.float64]: ...
    def apply(self, f: npt.NDArray[np.float64], scan: str) -> npt.NDArray[np.float64]: ...
    def apply_symmetric(self, v: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]: ...
    def dense(self, scan: str, budget: int) -> npt.NDArray[np.float64]: ...
    def dense_symmetric(self, budget: int) -> npt.NDArray[np.float64]: ...
    def kl_from_starts(
        self,
        starts: npt.NDArray[np.uint32],
        steps: npt.NDArray[np.uint64],
        scan: str,
        budget: int,
    ) -> npt.NDArray[np.float64]: ...
    def kl_from_laws(
        self,
        laws: npt.NDArray[np.float64],
        steps: npt.NDArray[np.uint64],
        scan: str,
        budget: int,
    ) -> npt.NDArray[np.float64]: ...
