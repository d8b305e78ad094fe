"""The annual report (redovisning av Stockholmsjobb): its tables, and building them.

The tables follow the city's report (``domain/000_…``): each is numbered and
titled as there, in Swedish, whatever the language of the person who asks for
it, so that the same data always gives the same files. Every figure is an
aggregate counted by the database in a bounded number of grouped queries: the
number of queries does not grow with the data. Small cells are suppressed as
DESIGN §4 says (a denominator of 1 to SMALL_CELL_THRESHOLD − 1 shows no share
and its counts as ``<5``), and where a table shows a total beside its parts,
so is a part the total would give away (``reports.disclosure``, secondary
suppression). That is done in the stored tables themselves, so the workbook,
the CSV files and the HTML page show the same cells.

One module per table or job, each importing only those above it in this list:

- ``shape``: ``ReportTable`` and its cells, shown or hidden; ``statistics``:
  means and percentiles; ``years``: the years a report covers and can be made for.
- The tables: ``places`` (1), ``outcomes`` (2, 3), ``characteristics`` (4),
  ``register`` (6-8, SCB), ``survey``, ``support`` (studies, internships,
  learning goals), ``subsidies`` (wage subsidies).
- ``xlsx``: the workbook, the CSV files and the print page's cells.
- ``build``: every table and the workbook, the function the Celery task
  ``reports.annual.tasks.build_annual_report_task`` runs.
- ``services``: the request, which sends that task; ``views`` and ``urls``:
  the pages under /reports/.
"""
