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

class GibbsChains:
    fast: bool
    steps_per_sweep: int
    sweeps_done: int
    def __init__(
        self,
        cards: list[int],
        scope_vars: npt.NDArray[np.uint32],
        scope_lens: npt.NDArray[np.uint32],
        tables: npt.NDArray[np.float64],
        block_vars: npt.NDArray[np.uint32],
        block_lens: npt.NDArray[np.uint32],
        scan: str,
        init: npt.NDArray[np.uint16],
        seed: int,
        threads: int | None = None,
        fast: bool = True,
    ) -> None: ...
    def advance(self, sweeps: int) -> None: ...
    def write_states_u8(self, out: npt.NDArray[np.uint8]) -> None: ...
    def write_states_u16(self, out: npt.NDArray[np.uint16]) -> None: ...
    def magnetization(self, out: npt.NDArray[np.float64]) -> None: ...
    def majority(self, out: npt.NDArray[np.uint8]) -> None: ...
    def joint_code(self, vars: list[int], out: npt.NDArray[np.uint64]) -> None: ...

def gibbs_ancestral(
    cards: list[int],
    scope_vars: npt.NDArray[np.uint32],
    scope_lens: npt.NDArray[np.uint32],
    tables: npt.NDArray[np.float64],
    order: list[int],
    own: list[int],
    chains: int,
    seed: int,
    threads: int | None = None,
) -> npt.NDArray[np.uint16]: ...
