"""The bounds on what one source file may cost to ingest, defined once and imported everywhere."""

from __future__ import annotations

MB = 1024 * 1024

# Read before any parsing: bigger files are skipped by size alone.
MAX_FILE_BYTES = 64 * MB

# Text of one document after extraction. Embedding dominates the cost (about 30 chunks of 600
# characters per second on 2 CPU cores), so 2 million characters is a few minutes of work.
MAX_TEXT_CHARS = 2_000_000

# Zip-based formats (.docx), checked from the archive's directory before anything is unpacked.
# Python's zipfile never inflates a member beyond its declared size, so the declared sizes bound
# the work. A normal .docx has ratios below 35 (styles.xml) and a text part below 10.
MAX_ZIP_MEMBERS = 10_000
MAX_ZIP_UNPACKED_BYTES = 100 * MB  # all members together, images included
MAX_ZIP_XML_BYTES = 20 * MB  # the XML parts the parser builds a tree of
MAX_ZIP_RATIO = 100  # unpacked / packed size of one member ...
ZIP_RATIO_FROM_BYTES = 1 * MB  # ... once it unpacks to at least this much

# PDF streams (Flate, LZW, ...) are decompressed inside pypdf; these tighten its own limits.
MAX_PDF_PAGES = 2_000
MAX_PDF_STREAM_BYTES = 16 * MB  # one decompressed stream

# Markdown front matter: a few fields, not a document of its own.
MAX_FRONT_MATTER_CHARS = 20_000

# Text that is not text: NUL and other control characters (tab, newline, carriage return and
# form feed excepted) and U+FFFD replacement characters, as a share of all characters; a few
# strays (up to MAX_GARBAGE_CHARS) are always only removed.
MAX_GARBAGE_SHARE = 0.01
MAX_GARBAGE_CHARS = 10

# Sentence splitting (pysbd) costs the square of its input: it sees at most this many
# characters at once, and paragraphs longer than the second bound are cut by a linear regex.
SENTENCE_WINDOW_CHARS = 2_000
PYSBD_MAX_PARAGRAPH_CHARS = 20_000
