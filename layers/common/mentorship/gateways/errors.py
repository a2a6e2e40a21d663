class DeliveryFailed(Exception):
    """A message could not be handed to its channel. `retryable`: throttling, an outage;
    otherwise the channel refused the message itself (e.g. an address SES rejects)."""

    def __init__(self, message: str, retryable: bool):
        super().__init__(message)
        self.retryable = retryable
