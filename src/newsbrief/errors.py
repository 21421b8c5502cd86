"""The one exception tree of newsbrief.

    NewsbriefError
    ├── ConfigError          a setting is unknown or has the wrong type
    ├── InputError           an input cannot be read as an article
    │   ├── EmptyInput       nothing left after cleaning
    │   ├── BinaryInput      the bytes are not text
    │   ├── InputTooLarge    above the size cap
    │   └── MetadataError    a sidecar or JSON line has bad metadata
    ├── ModelError           the language model cannot be loaded
    ├── StoreError           the database cannot be opened or written
    └── NotFound             an article or story id that the store does not hold

Messages say what was expected and what was found.
"""


class NewsbriefError(Exception):
    """Base of every error newsbrief raises on purpose."""


class ConfigError(NewsbriefError):
    """A setting is unknown or has the wrong type."""


class InputError(NewsbriefError):
    """An input cannot be read as an article."""


class EmptyInput(InputError):
    """The input holds no article text (after cleaning)."""


class BinaryInput(InputError):
    """The input's bytes are not text."""


class InputTooLarge(InputError):
    """The input is above the configured size cap."""


class MetadataError(InputError):
    """Metadata (sidecar, JSON line or CLI option) is malformed."""


class ModelError(NewsbriefError):
    """The language model cannot be loaded."""


class StoreError(NewsbriefError):
    """The database cannot be opened, migrated or written."""


class NotFound(NewsbriefError):
    """An id that the store does not hold."""
