"""Made-up photos for the document tests: noise, so JPEG cannot shrink them much (a camera photo's size)."""

from __future__ import annotations

import io
import random

from PIL import Image


def jpeg_photo(width: int, height: int, *, quality: int = 90, seed: int = 1) -> bytes:
    noise = random.Random(seed).randbytes(width * height * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), noise).save(out, "JPEG", quality=quality)
    return out.getvalue()
