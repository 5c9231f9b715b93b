"""The soak: the whole system under steady load while its parts are killed and its database
restarted, then every acknowledged write counted (``python -m bench.soak``, ``make soak``)."""
