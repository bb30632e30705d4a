"""Streams between processes: the bus contract, its two engines, the names, the consumer loop.

::

    bus.py          Bus (the contract), Delivery (an entry that acks itself), GroupInfo
    memory_bus.py   MemoryBus: Redis Streams semantics in one process (the embedded default)
    redis_bus.py    RedisBus: Redis Streams, on one server or a Redis Cluster
    names.py        every stream, consumer group and Socket.IO event, in one place
    consumer.py     ConsumerLoop: claim stale, read, isolate poison, dead-letter, ack, stop
    entries.py      reading an entry anyone could have written: JSON object, row ids
    dead_letters.py the dead-letter entry: where it failed, why, and the original bytes
    dead_letter_box.py  dead letters listed, counted by reason, replayed once
    metrics.py      the dead-letter counter every process with a consumer loop exports

The API gateway and the pipeline both sit on this package and never import
each other: what they share (the contract, the names, the loop) lives here.
"""
