"""The signatures screen: filter a campaign's signatures, invalidate or restore them."""
