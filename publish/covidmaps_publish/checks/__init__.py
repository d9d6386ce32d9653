"""Server-side checks of uploaded data; never trust the client."""
