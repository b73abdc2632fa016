"""The report pages council members and citizens read. Who sees what: `council.access`."""
