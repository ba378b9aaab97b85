"""What every part of the layer stands on: settings, error categories, logging, secrets."""
