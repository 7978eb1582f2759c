"""The sections of ``RESULTS.md``, by capability; ``benchmarks/report.py`` puts them in order.

``format.py`` holds what every section shares; each other module renders a few sections, one
function per section (see the list in ``report.py``).
"""
