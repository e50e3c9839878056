"""Weekly email summaries: who is due, exactly-once sends, content, unsubscribe, preview."""
