"""The page's favicon, served from the app itself: an inline SVG data URL, so a page view asks no outside host
(Streamlit fetches a ":material/…:" icon from fonts.gstatic.com)."""
from __future__ import annotations

import base64

# A building with lit windows on the title band's blue (our own drawing, 64×64).
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
       '<rect width="64" height="64" rx="12" fill="#1f3b73"/>'
       '<path d="M14 54V18l18-6v42zM34 54V26l16 5v23z" fill="#fff"/>'
       '<path d="M19 22h4v4h-4zM25 20h4v4h-4zM19 30h4v4h-4zM25 28h4v4h-4zM19 38h4v4h-4zM25 36h4v4h-4z'
       'M38 33h3v3h-3zM44 35h3v3h-3zM38 40h3v3h-3zM44 42h3v3h-3zM22 46h6v8h-6z" fill="#1f3b73"/>'
       '<rect x="8" y="53" width="48" height="3" rx="1.5" fill="#ffb300"/></svg>')
ICON = "data:image/svg+xml;base64," + base64.b64encode(SVG.encode("utf-8")).decode("ascii")
