"""Join Now: an invited customer opens the emailed link and signs up."""
