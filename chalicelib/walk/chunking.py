"""How a run is cut into chunks: each fills at most one PutRecordBatch and is committed
before the next is walked (pure)."""
from chalicelib.walk import delivery, state
from chalicelib.walk.ticks import line_bytes


def chunks(due, ticks_per_minute, limit=delivery.MAX_BATCH_RECORD_BYTES):
    """Plan the run as [(position in due, minutes to walk)] chunks, in order.

    A chunk is whole 25-ticker groups (one BatchExecuteStatement each) whose lines should fill at
    most one PutRecordBatch. A group owing more than that is walked in slices of its
    minutes, each committed before the next, so memory stays flat at any catch-up.
    """
    def size(position, minutes):
        ticker = due[position][1]
        return len(minutes) * ticks_per_minute * line_bytes(ticker.name, ticker.kind)

    chunk, used = [], 0
    for start in range(0, len(due), state.BATCH_WRITE_MAX):
        group = range(start, min(start + state.BATCH_WRITE_MAX, len(due)))
        group_size = sum(size(p, due[p][2]) for p in group)
        if chunk and used + group_size > limit:
            yield chunk
            chunk, used = [], 0
        if group_size <= limit:
            chunk.extend((p, due[p][2]) for p in group)
            used += group_size
            continue
        slices = -(-group_size // limit)
        for k in range(slices):
            part = [(p, m[len(m) * k // slices:len(m) * (k + 1) // slices])
                    for p in group for m in [due[p][2]]]
            part = [(p, m) for p, m in part if m]
            if part:
                yield part
    if chunk:
        yield chunk
