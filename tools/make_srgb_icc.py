#!/usr/bin/env python3
"""Writes assets/srgb.icc: the sRGB profile of the booklet's PDF/A output intent.

Run once by a developer (needs Pillow with littleCMS); the result is committed, so builds never
need Pillow. The profile's creation date is fixed so the file, and every booklet, is reproducible.
"""

from pathlib import Path

from PIL import ImageCms

profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
data = bytearray(profile)
data[24:36] = bytes([0x07, 0xE7, 0, 3, 0, 20, 0, 0, 0, 0, 0, 0])  # 2023-03-20 00:00:00
data[84:100] = bytes(16)  # profile ID (MD5) zeroed: "not computed", as ICC allows
out = Path(__file__).resolve().parent.parent / "assets" / "srgb.icc"
out.write_bytes(bytes(data))
print(f"{out}: {len(data)} bytes")
