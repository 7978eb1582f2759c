"""The HTTP service (``empathy-nlu serve``): one NLU for channels written in any language.

Needs the ``service`` extra (FastAPI, uvicorn, prometheus-client, psycopg); the library never
imports this package. See docs/service.md.
"""
