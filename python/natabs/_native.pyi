# Type stubs for the private Rust extension. Python validates every argument first.
# Checked against the built module by .ci/check_stub.sh (mypy.stubtest).
from typing import final

import numpy as np
import numpy.typing as npt

__all__ = [
    "__version__",
    "duplicate_codes",
    "duplicate_rows",
    "components_codes",
    "components_rows",
    "GibbsChains",
    "GibbsSampler",
    "gibbs_ancestral",
    "Kernel",
    "marginal_entropies",
    "gf2_rref",
    "gf2_rank",
    "gf2_kernel",
    "gf2_transpose",
    "gf2_local_rank",
    "gf2_low_weight_rank",
    "gf2_weight_profile",
]

__version__: str

def duplicate_codes(cards: list[int], codes: npt.NDArray[np.uint64]) -> tuple[int, int] | None: ...
def duplicate_rows(cards: list[int], rows: npt.NDArray[np.uint32]) -> tuple[int, int] | None: ...
def components_codes(
    cards: list[int], codes: npt.NDArray[np.uint64], blocks: list[tuple[int, ...]]
) -> tuple[npt.NDArray[np.uint32], int]: ...
def components_rows(
    cards: list[int], rows: npt.NDArray[np.uint32], blocks: list[tuple[int, ...]]
) -> tuple[npt.NDArray[np.uint32], int]: ...

@final
class GibbsSampler:
    def __new__(
        cls,
        cards: list[int],
        scope_vars: npt.NDArray[np.uint32],
        scope_lens: npt.NDArray[np.uint32],
        tables: npt.NDArray[np.float64],
        block_vars: npt.NDArray[np.uint32],
        block_lens: npt.NDArray[np.uint32],
        fast: bool = True,
    ) -> GibbsSampler: ...

@final
class GibbsChains:
    """Independent block-Gibbs chains on one factor graph and block family."""

    def __new__(
        cls,
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
        first_chain: int = 0,
    ) -> GibbsChains: ...
    @property
    def fast(self) -> bool: ...
    @property
    def path(self) -> str: ...
    @staticmethod
    def start(
        sampler: GibbsSampler,
        scan: str,
        init: npt.NDArray[np.uint16],
        seed: int,
        threads: int | None = None,
        first_chain: int = 0,
    ) -> GibbsChains: ...
    @staticmethod
    def start_uniform(
        sampler: GibbsSampler,
        scan: str,
        chains: int,
        seed: int,
        init_seed: int,
        threads: int | None = None,
        first_chain: int = 0,
    ) -> GibbsChains: ...
    def reseed(self, seed: int) -> None: ...
    @property
    def steps_per_sweep(self) -> int: ...
    @property
    def sweeps_done(self) -> int: ...
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

@final
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
    def compile_symmetric(self) -> bool: ...
    def apply_symmetric(self, v: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]: ...
    def apply_symmetric_block(
        self, v: npt.NDArray[np.float64], threads: int | None = None
    ) -> npt.NDArray[np.float64]: ...
    def apply_symmetric_into(
        self,
        v: npt.NDArray[np.float64],
        out: npt.NDArray[np.float64],
        work: npt.NDArray[np.float64] | None = None,
        power: int = 1,
        threads: int | None = None,
    ) -> None: ...
    def chebyshev_step_into(
        self,
        v: npt.NDArray[np.float64],
        w: npt.NDArray[np.float64],
        out: npt.NDArray[np.float64],
        alpha: float,
        beta: float,
        gamma: float,
        threads: int | None = None,
    ) -> None: ...
    def dense(self, scan: str, budget: int) -> npt.NDArray[np.float64]: ...
    def dense_symmetric(self, budget: int) -> npt.NDArray[np.float64]: ...
    def kl_from_starts(
        self,
        starts: npt.NDArray[np.uint32],
        steps: npt.NDArray[np.uint64],
        scan: str,
        budget: int,
        threads: int | None = None,
    ) -> npt.NDArray[np.float64]: ...
    def kl_from_laws(
        self,
        laws: npt.NDArray[np.float64],
        steps: npt.NDArray[np.uint64],
        scan: str,
        budget: int,
    ) -> npt.NDArray[np.float64]: ...

def marginal_entropies(
    cards: list[int],
    codes: npt.NDArray[np.uint64],
    probs: npt.NDArray[np.float64],
    sets: list[list[int]],
    budget_bytes: int,
) -> list[float]: ...

# GF(2)-linear systems (rust/py/src/gf2.rs): (rows, words) uint64 bit-packed matrices.
def gf2_rref(rows: npt.NDArray[np.uint64], n: int) -> tuple[npt.NDArray[np.uint64], list[int]]: ...
def gf2_rank(rows: npt.NDArray[np.uint64], n: int) -> int: ...
def gf2_kernel(rows: npt.NDArray[np.uint64], n: int) -> npt.NDArray[np.uint64]: ...
def gf2_transpose(rows: npt.NDArray[np.uint64], n: int) -> npt.NDArray[np.uint64]: ...
def gf2_local_rank(
    cols: npt.NDArray[np.uint64],
    n: int,
    m: int,
    members: npt.NDArray[np.uint32],
    starts: npt.NDArray[np.uint64],
    target: int,
) -> int: ...
def gf2_low_weight_rank(
    cols: npt.NDArray[np.uint64], n: int, m: int, k: int, target: int
) -> int: ...
def gf2_weight_profile(gen: npt.NDArray[np.uint64], n: int) -> list[int]: ...
