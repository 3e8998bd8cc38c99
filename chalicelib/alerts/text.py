"""ASCII folding shared by alert subjects (SNS wants ASCII) and resource names."""
import unicodedata

# Latin letters that have no Unicode decomposition into an ASCII base letter.
_SPECIAL = str.maketrans({
    "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
    "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
    "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i", "ħ": "h", "Ħ": "H",
})


def ascii_fold(text, unknown="?"):
    """Transliterate to ASCII: accents are stripped from their letters, never the letters dropped.

    Characters with no ASCII form (other scripts, emoji) become `unknown`.
    """
    decomposed = unicodedata.normalize("NFKD", str(text).translate(_SPECIAL))
    out = []
    for ch in decomposed:
        if ch.isascii():
            out.append(ch)
        elif not unicodedata.combining(ch):
            out.append(unknown)
    return "".join(out)


def single_line(text):
    """Collapse every run of whitespace and control characters into one space."""
    cleaned = "".join(" " if (ch.isspace() or unicodedata.category(ch)[0] == "C") else ch
                      for ch in str(text))
    return " ".join(cleaned.split())
