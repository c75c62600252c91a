"""Card images kept once drawn: in this process's memory and in a file cache under the instance folder."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Hashable
from pathlib import Path

from flask import current_app

from quizapp.cache import kept_images
from quizapp.sharing.cards import Card, draw


def card_png(key: Hashable, card: Card) -> bytes:
    """The card's PNG: from memory, else from the file cache (another worker may have drawn it), else drawn."""
    return kept_images().get_or_compute(key, lambda: _from_file_or_drawn(card))


def card_folder() -> Path:
    return Path(current_app.config.get("CARD_CACHE_FOLDER") or Path(current_app.instance_path) / "cards")


def _from_file_or_drawn(card: Card) -> bytes:
    # Named by the digest of everything drawn, so a file is right for as long as it exists.
    folder = card_folder()
    path = folder / f"{card.digest()}.png"
    try:
        return path.read_bytes()
    except OSError:
        pass
    png = draw(card)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: a worker reading at the same moment sees the whole file or none.
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(png)
        os.replace(temporary, path)
    except OSError:
        current_app.logger.warning("card cache folder %s is not writable; cards are kept in memory only", folder)
    return png
