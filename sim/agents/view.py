"""A Mesa agent that is a view on its row of one of the model's tables (:mod:`sim.state`).

Reading an attribute named like a column reads the row; writing one writes it (``uid``,
the unique id, is read-only). Subclasses name their table and declare how raw values
become the Python types users expect (enums, None for "never").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, ClassVar

import numpy as np

from sim.mesa_import import mesa

if TYPE_CHECKING:
    from sim.model import RevolvingDoorModel


class RowView(mesa.Agent):
    """A Mesa agent whose attributes are the columns of row ``row`` of a model table."""

    #: the model attribute holding the table (``families``, ``children_table``)
    table: ClassVar[str] = ""
    #: the table's column names
    columns: ClassVar[frozenset[str]] = frozenset()
    #: column -> what turns its raw value into what users see (an enum, None for "never");
    #: other columns give plain Python values (lists for array columns)
    convert: ClassVar[dict[str, Callable[[Any], Any]]] = {}

    def __init__(self, model: "RevolvingDoorModel", row: int) -> None:
        super().__init__(model)
        self.row = row
        self.unique_id = int(getattr(model, self.table).uid[row])

    def __getattr__(self, name: str) -> Any:
        if name in self.columns:
            value = getattr(getattr(self.__dict__["model"], self.table), name)[
                self.__dict__["row"]]
            to = self.convert.get(name)
            if to is not None:
                return to(value)
            if isinstance(value, np.ndarray):
                return value.tolist()
            return value.item() if hasattr(value, "item") else value
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.columns and name != "uid":
            getattr(getattr(self.model, self.table), name)[self.row] = value
        else:
            object.__setattr__(self, name, value)
