"""The exceptions a caller can expect from boilerplate."""


class InputError(ValueError):
    """The page given cannot be read as text or HTML (binary data, undecodable bytes, too large...)."""


class ModelError(ValueError):
    """A model file is missing, corrupt, or does not match this version's features."""


class LabelError(ValueError):
    """A labeled article in `labeled/` is missing, malformed, or disagrees with its page."""
