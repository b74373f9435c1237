"""Errors raised by the assistant and the shared index layer; each carries a Dutch message."""

from __future__ import annotations


class LeerstadError(Exception):
    """Base class: ``str(error)`` is a Dutch message that says what happened and what to do."""


class ConfigError(LeerstadError):
    """A setting has a value that cannot work."""


class UnknownBackendError(ConfigError):
    """A backend name that is not registered."""


class EmbeddingModelError(LeerstadError):
    """The embedding model cannot be loaded or failed its checksum."""


class IndexMissingError(LeerstadError):
    """No index has been built yet."""


class IndexIncompleteError(IndexMissingError):
    """The only index there is was interrupted while being built."""


class ModelMismatchError(LeerstadError):
    """The index was built with another embedding model than the one configured."""


class IndexLockedError(LeerstadError):
    """Another process is writing to the embedded index."""


class VectorStoreUnavailableError(LeerstadError):
    """The configured Chroma server cannot be reached."""


class LLMUnavailableError(LeerstadError):
    """The configured language model could not produce an answer."""
