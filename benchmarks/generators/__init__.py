"""Data generators of the benchmarks: clean utterances wrapped as raw channel input (seeded).

``channel_wrap.wrap_all(texts, channel, seed)`` for e-mail, voice, SMS and social; the committed
sample ``channel_samples.jsonl`` comes from ``channel_wrap.write_samples``
(``benchmarks/channels.py --samples PATH``).
"""
