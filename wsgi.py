"""Production entry point: ``gunicorn wsgi:app``.

Once the app is built, everything made so far (modules, the app, SQLAlchemy's tables and mappers: about 140,000
objects) is moved out of the garbage collector's reach with ``gc.freeze()``. It lives as long as the process, so
the collector would only re-examine it: a full collection walked it in 90 ms in each gunicorn worker (measured
under bench/attempt_flow.py, both workers at once, holding up every request in flight), and walks the ~10,000
objects made afterwards in 2-3 ms. It also keeps the collector from writing into those objects' pages.
"""

import gc

from quizapp import create_app

app = create_app()
gc.freeze()
