"""Reading a DAG with conditional probability tables (the home of this code is
:mod:`natabs.systems`; this path is kept for code that imported it)."""

from __future__ import annotations

from .systems._dag import MAX_DAG_STATES, DagSpec, check_dag, system_from_dag

__all__ = ["DagSpec", "check_dag", "system_from_dag", "MAX_DAG_STATES"]
