"""Languages and scripts: what a text is written in, so every stage can treat it accordingly.

``scripts``: which writing systems a text uses (character ranges, no model); ``detect``: the
language of a message with a confidence (a model shipped inside a wheel, never downloaded).
"""
