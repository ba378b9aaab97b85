"""The local loop in Python: settings files, the template reader, services, runs and CI."""
