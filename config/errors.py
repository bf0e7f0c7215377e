"""Refusals every app shares, free of any framework so that services can raise them."""


class ChangedMeanwhile(Exception):
    """A write refused because what it was based on changed meanwhile: someone saved, decided or merged
    first. The API answers 409 (config.api.error_response); pages show the message beside the form."""
