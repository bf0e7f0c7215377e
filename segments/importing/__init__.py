"""Reading uploaded files and records for import: formats and encodings (formats), rows in chunks
(readers, records), which field each column fills (mapping, detection) and per-column checks and
conversions (validation, converters). Pure pandas: the database side is segments.services."""
