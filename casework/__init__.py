"""The coach's work on a case, on top of the case record.

The pages a coach works in (caseload, registration, reassignment, the
participant page with its forms and timeline), the admin of participants and
placements, the placements CSV import and export, and every write that spans
several kinds of record (``services``: ending a placement opens its
follow-up). The domain apps below know nothing of this floor.
"""
