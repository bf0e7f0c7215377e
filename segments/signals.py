"""What the segments app announces to the apps above it, which it may not import.

people_erasing: sent inside an erasure's transaction, before the profiles are deleted, with
`profile_ids` (every profile of the person). A receiver removes what its app keeps of them beyond the
rows that the deletion cascades to; an error in it undoes the whole erasure.

person_exporting: sent while an access request is answered, with `profile_ids`. A receiver returns
a dict of what its app holds on the person (top-level keys of the export, JSON-ready), and nothing
about anyone else.
"""

from django.dispatch import Signal

people_erasing = Signal()
person_exporting = Signal()
