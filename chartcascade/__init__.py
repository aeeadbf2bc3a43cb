"""chartcascade: the Soundcharts chart cascade."""

__version__ = "0.1.0"
