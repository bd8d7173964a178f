"""Natural keys for imported lines, so a re-import adds nothing twice (vectorised)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kam.services.importing.parsing import text_series


def occurrence(keys: pd.Series) -> pd.Series:
    """1 for a key's first appearance, 2 for its second, and so on."""
    sorted_count = _occurrence_if_sorted(keys)
    if sorted_count is not None:
        return sorted_count
    codes, distinct = pd.factorize(keys)
    if len(distinct) == len(keys):
        return pd.Series(1, index=keys.index, dtype="int64")
    if (codes < 0).any():
        return keys.groupby(keys).cumcount() + 1
    count = pd.Series(codes, index=keys.index).groupby(codes).cumcount() + 1
    return count.astype("int64")


def _occurrence_if_sorted(keys: pd.Series) -> pd.Series | None:
    """`occurrence` without hashing, for text keys in sorted order (orders exported by order
    number): equal keys are then adjacent. None when the keys are not sorted text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(keys) < 2 or not isinstance(keys.dtype, pd.StringDtype) or keys.hasnans:
        return None
    cells = pa.array(keys, type=pa.large_string(), from_pandas=True)
    if isinstance(cells, pa.ChunkedArray):
        cells = cells.combine_chunks()
    before, after = cells[:-1], cells[1:]
    if not pc.all(pc.less_equal(before, after)).as_py():
        return None
    starts = np.flatnonzero(np.r_[True, pc.not_equal(before, after).to_numpy(zero_copy_only=False)])
    first = np.repeat(starts, np.diff(np.r_[starts, len(keys)]))
    return pd.Series(np.arange(len(keys)) - first + 1, index=keys.index, dtype="int64")


def repeated_lines(keys: pd.Series, orders: pd.Series, lines: pd.Series) -> np.ndarray:
    """Which rows repeat an earlier row's key (its order and line). A file sorted by order
    with each order's lines rising (how ERPs export) has none, which is told by comparing
    neighbours, without hashing a million keys."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(keys) > 1 and isinstance(orders.dtype, pd.StringDtype) and not orders.hasnans:
        cells = pa.array(orders, type=pa.large_string(), from_pandas=True)
        if isinstance(cells, pa.ChunkedArray):
            cells = cells.combine_chunks()
        before, after = cells[:-1], cells[1:]
        if pc.all(pc.less_equal(before, after)).as_py():
            same_order = pc.equal(before, after).to_numpy(zero_copy_only=False)
            numbers = lines.to_numpy()
            if bool(np.all(~same_order | (numbers[1:] > numbers[:-1]))):
                return np.zeros(len(keys), dtype=bool)
    return keys.duplicated(keep="first").to_numpy()


def content_key(frame: pd.DataFrame) -> pd.Series:
    """ "h:" + each row's 64-bit content hash in hex + "#" + its occurrence among identical
    rows."""
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy(dtype=np.uint64)
    occurrence_no = occurrence(pd.Series(hashed, index=frame.index))  # as of its hex text
    return joined("h:", _hex(hashed, frame.index), "#", occurrence_no, index=frame.index)


def cost_keys(
    customer: pd.Series, incurred: pd.Series, category: pd.Series, amount: pd.Series,
    note: pd.Series,
) -> pd.Series:  # fmt: skip
    """The keys of cost-to-serve lines, which carry no id of their own: each line's content
    (customer id, day, category, amount, note) as `content_key` hashes it. Every way lines
    come in (an import, the demo) keys them so, and a file of exported costs imports back
    as lines already present."""
    content = pd.DataFrame({
        "c": customer.fillna(-1).astype("int64"),
        "d": incurred.astype("datetime64[us]").astype("int64"),
        "k": category.fillna("").astype(object),
        "a": amount.astype(float),
        "n": note.astype(object),
    })  # fmt: skip
    return content_key(content)


#: "00".."ff" as the two bytes of one uint16 each, in memory order.
_HEX_PAIRS = np.frombuffer("".join(f"{i:02x}" for i in range(256)).encode(), dtype=np.uint16)


def _hex(values: np.ndarray, index: pd.Index) -> pd.Series:
    """uint64 values as 16 lower-case hex digits ("{:016x}")."""
    big_endian = values.astype(">u8").view(np.uint8).reshape(-1, 8)
    digits = _HEX_PAIRS[big_endian].view(np.uint8).reshape(-1, 16)
    return text_series(_fixed_width_text(digits), index)


def _fixed_width_text(chars: np.ndarray) -> Any:
    """An (n, width) uint8 array of ASCII as an Arrow string array of n cells."""
    import pyarrow as pa

    count, width = chars.shape
    offsets = np.arange(0, (count + 1) * width, width, dtype=np.int64)
    data = np.ascontiguousarray(chars).tobytes()
    return pa.Array.from_buffers(
        pa.large_string(), count, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )


def joined(*parts: pd.Series | str, index: pd.Index) -> pd.Series:
    """Text cells and literals joined row by row ("h:" + hash + "#" + number)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.large_string()
    cells = [
        pa.scalar(p, text) if isinstance(p, str)
        else pc.cast(pa.array(p.to_numpy(), from_pandas=True), text)
        if p.dtype.kind in "iu"
        else pa.array(p, type=text, from_pandas=True)
        for p in parts
    ]  # fmt: skip
    return text_series(pc.binary_join_element_wise(*cells, pa.scalar("", text)), index)
