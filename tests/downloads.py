"""Reading a download in a test: CSV files stream and begin with a UTF-8 byte-order mark (see core.csv)."""


def download_text(response) -> str:
    """The body as text, without the byte-order mark; a CSV without the mark fails the test."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8")
    if response["Content-Type"].startswith("text/csv"):
        assert text.startswith("\ufeff"), "a CSV download must begin with a UTF-8 byte-order mark"
    return text.removeprefix("\ufeff")
