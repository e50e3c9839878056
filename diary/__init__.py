"""The diary: episodes and everything logged beside them, their catalogues, REST and sync APIs."""
