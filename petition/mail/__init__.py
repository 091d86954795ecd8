"""Mail: queued in the outbox with the data it is about, sent by `flask outbox run`."""
