"""Every exception boilerplate raises on purpose, in one place (each a ValueError or RuntimeError with one
line naming what is wrong)."""


class InputError(ValueError):
    """The page given cannot be read as text or HTML (binary data, undecodable bytes, too large...)."""


class ModelError(ValueError):
    """A model file is missing, corrupt, or does not match this version's features."""


class LabelError(ValueError):
    """A labeled article in `labeled/` is missing, malformed, or disagrees with its page."""


class CorpusError(ValueError):
    """A corpus directory is missing or in neither known layout."""


class InputFileError(ValueError):
    """An input of `boilerplate run` is of an unknown type or cannot be opened."""


class RunError(RuntimeError):
    """The run itself cannot go on (another run holds the output directory, the manifest cannot be
    written): exit code 3."""


class FetchError(InputError):
    """A page could not be fetched: the host unknown, a refused connection, an HTTP error status, a
    timeout, too many redirects, or a body over the size limit."""
