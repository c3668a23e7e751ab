# Builds fonts/NotoSansCJKsc-Minyi.otf (+ charset.txt), the kiosk's Noto Sans CJK SC subset; --check verifies coverage.
#
# Usage (Debian 12: apt-get install fonts-noto-cjk python3-fonttools opencc):
#   python3 fonts/make-subset.py            rebuild the font and charset.txt
#   python3 fonts/make-subset.py --check    exit 1 if a character of the forms/strings is missing from the font
# Only the standard library and fontTools are used. The output is byte-identical for the same inputs.

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

try:
    from fontTools import subset, version as fonttools_version
    from fontTools.ttLib import TTFont
except ImportError:
    sys.exit("make-subset.py: fontTools is missing (apt-get install python3-fonttools; "
             "run it with /usr/bin/python3 if another python3 comes first on PATH)")

ROOT = Path(__file__).resolve().parent.parent
FONT_DIR = ROOT / "fonts"
OUT_FONT = FONT_DIR / "NotoSansCJKsc-Minyi.otf"
OUT_CHARSET = FONT_DIR / "charset.txt"
SCAN_GLOBS = ["assets/forms/*.json", "assets/strings/*.json"]

SOURCE_TTC = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")  # Debian fonts-noto-cjk
SOURCE_FACE = 2                                    # face 2 of the collection is Noto Sans CJK SC Regular
SOURCE_PSNAME = "NotoSansCJKsc-Regular"            # guard: fail loudly if the face order ever changes
OPENCC_DIR = Path("/usr/share/opencc")             # Debian opencc

# Fixed character lists (DESIGN.md §5): Latin for the Latin keyboard and English UI, CJK punctuation, fullwidth forms.
ASCII = "".join(chr(c) for c in range(0x20, 0x7F))
LATIN1_PUNCT = "".join(chr(c) for c in range(0xA0, 0xC0)) + "×÷"   # NBSP..¿ (punctuation and signs), × ÷
GENERAL_PUNCT = "‐–—―‘’“”…•‰€™"                                    # typographic marks English texts use
CJK_PUNCT = "，。？！、：；“”‘’（）《》【】…—·「」『』〈〉〔〕〖〗～　"       # U+3000 ideographic space last
FULLWIDTH = "".join(chr(c) for c in range(0xFF01, 0xFF5F))          # fullwidth ！..～: digits, letters, punctuation
FIXED = ASCII + LATIN1_PUNCT + GENERAL_PUNCT + CJK_PUNCT + FULLWIDTH


def gb2312_chars():
    """Every character of GB2312 (6763 hanzi + 682 symbols), found by decoding all double-byte codes."""
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                pass  # unassigned code point
    return chars


def walk_strings(node):
    """All strings of a JSON document, keys included (texts may sit under any key)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield k
            yield from walk_strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from walk_strings(v)


def scanned_chars():
    """Characters of the forms and UI string tables -> {char: first file using it}. Control characters are skipped."""
    found = {}
    for pattern in SCAN_GLOBS:
        for path in sorted(ROOT.glob(pattern)):
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)  # parse rather than read raw, so \uXXXX escapes count as characters
            for s in walk_strings(doc):
                for ch in s:
                    if unicodedata.category(ch) != "Cc":
                        found.setdefault(ch, path.relative_to(ROOT).as_posix())
    return found


def opencc_table(name, tmpdir):
    """Read an OpenCC dictionary as {key: [values]}; Debian ships only .ocd2, so convert it with opencc_dict."""
    txt = OPENCC_DIR / (name + ".txt")
    if not txt.exists():
        ocd2 = OPENCC_DIR / (name + ".ocd2")
        tool = shutil.which("opencc_dict")
        if not ocd2.exists() or tool is None:
            return None
        txt = Path(tmpdir) / (name + ".txt")
        subprocess.run([tool, "-i", str(ocd2), "-o", str(txt), "-f", "ocd2", "-t", "text"], check=True)
    table = {}
    with open(txt, encoding="utf-8") as f:
        for line in f:
            key, _, values = line.rstrip("\n").partition("\t")
            if key and values:
                table[key] = values.split(" ")
    return table


def traditional_variants(simplified):
    """Traditional counterparts of the given simplified characters: every STCharacters candidate (发 -> 發 髮)
    plus its Taiwan form from TWVariants (the zh-TW UI uses Taiwan forms). None if OpenCC data is absent."""
    with tempfile.TemporaryDirectory() as tmp:
        st = opencc_table("STCharacters", tmp)
        tw = opencc_table("TWVariants", tmp)
    if st is None or tw is None:
        return None
    out = set()
    for ch in simplified:
        for t in st.get(ch, []):
            out.add(t)
            out.update(tw.get(t, []))
    return {c for c in out if len(c) == 1}


def is_bmp(ch):
    return ord(ch) <= 0xFFFF  # ImWchar is 16-bit in Debian's ImGui 1.86: nothing above U+FFFF can be drawn


def required_chars():
    """The characters the atlas must hold whatever the source font: GB2312, the fixed lists, forms and strings."""
    scanned = scanned_chars()
    return set(FIXED) | gb2312_chars() | set(scanned), scanned


def report_non_bmp(scanned):
    bad = sorted((c for c in scanned if not is_bmp(c)))
    for c in bad:
        print(f"  U+{ord(c):05X} {c}  ({scanned[c]}): above U+FFFF, ImGui 1.86 cannot draw it", file=sys.stderr)
    return bool(bad)


def check(font_path):
    """CI mode: the committed font must map every required character. Writes nothing."""
    needed, scanned = required_chars()
    font = TTFont(font_path, lazy=True)
    have = set(map(chr, font.getBestCmap()))
    missing = sorted(needed - have, key=ord)
    bad = report_non_bmp(scanned)
    for c in missing:
        if is_bmp(c):
            where = scanned.get(c, "GB2312/fixed list")
            print(f"  U+{ord(c):04X} {c}  ({where}): not in {font_path.name}", file=sys.stderr)
    if OUT_CHARSET.exists() and font_path == OUT_FONT:
        listed = set(OUT_CHARSET.read_text(encoding="utf-8")[:-1])  # drop only the final "\n": the line starts with a space
        if listed != have:
            print(f"  {OUT_CHARSET.name} does not match the font's cmap: rerun make-subset.py", file=sys.stderr)
            bad = True
    if missing or bad:
        print(f"make-subset.py --check: FAILED ({len(missing)} missing); run python3 fonts/make-subset.py",
              file=sys.stderr)
        return 1
    print(f"make-subset.py --check: OK, {len(needed)} required characters present ({len(have)} in font)")
    return 0


def build(source, use_opencc):
    needed, scanned = required_chars()
    if report_non_bmp(scanned):
        return 1

    font = TTFont(source, fontNumber=SOURCE_FACE, recalcTimestamp=False)  # keep head.modified: deterministic
    psname = font["name"].getDebugName(6)
    if psname != SOURCE_PSNAME:
        sys.exit(f"make-subset.py: face {SOURCE_FACE} of {source} is {psname}, expected {SOURCE_PSNAME}")
    cmap = font.getBestCmap()

    absent = sorted((c for c in needed if ord(c) not in cmap), key=ord)
    if absent:
        for c in absent:
            print(f"  U+{ord(c):04X} {c}  ({scanned.get(c, 'GB2312/fixed list')}): not in the source font",
                  file=sys.stderr)
        return 1

    extra = set()
    if use_opencc:
        variants = traditional_variants({c for c in gb2312_chars() if unicodedata.category(c) == "Lo"})
        if variants is None:
            sys.exit("make-subset.py: OpenCC data not found (apt-get install opencc), or pass --no-opencc")
        # Rare variants outside the BMP or the font are optional: drop them rather than fail.
        extra = {c for c in variants if is_bmp(c) and ord(c) in cmap} - needed
        print(f"OpenCC Traditional variants: {len(variants)} candidates, {len(extra)} added "
              f"({len(variants - extra - needed)} skipped: outside BMP/font)")
    chars = needed | extra

    # Variation-sequence cmap (format 14) is unused by ImGui and would pull extra glyphs into the subset.
    font["cmap"].tables = [t for t in font["cmap"].tables if t.format != 14]

    opts = subset.Options()
    opts.layout_features = []  # ImGui 1.86 does no shaping (no GSUB/GPOS, no kerning): layout tables are dead weight
    opts.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "vhea", "vmtx", "VORG"]  # horizontal text only
    opts.hinting = False        # body text is >= 32 px; unhinted CFF renders fine and is smaller
    opts.notdef_outline = True  # a visible box for .notdef
    opts.name_IDs = ["*"]       # keep copyright, licence and URL names (OFL: notice must travel with the font)
    opts.recalc_timestamp = False
    subsetter = subset.Subsetter(opts)
    subsetter.populate(unicodes=sorted(map(ord, chars)))
    subsetter.subset(font)
    # The collection shares one CFF whose name is the JP face's; name it after the SC face it now belongs to.
    font["CFF "].cff.fontNames = [SOURCE_PSNAME]

    tmp_font = OUT_FONT.with_suffix(".otf.tmp")
    font.save(tmp_font, reorderTables=True)
    os.replace(tmp_font, OUT_FONT)

    included = sorted(TTFont(OUT_FONT, lazy=True).getBestCmap())
    OUT_CHARSET.write_text("".join(map(chr, included)) + "\n", encoding="utf-8")
    glyphs = TTFont(OUT_FONT, lazy=True)["maxp"].numGlyphs
    print(f"wrote {OUT_FONT.relative_to(ROOT)}: {OUT_FONT.stat().st_size} bytes, {glyphs} glyphs, "
          f"{len(included)} characters (GB2312+fixed+forms/strings {len(needed)}, OpenCC {len(extra)}); "
          f"fontTools {fonttools_version}")
    return 0


def main():
    ap = argparse.ArgumentParser(description="Make or check the kiosk's Noto Sans CJK SC subset.")
    ap.add_argument("--check", action="store_true",
                    help="verify the committed font covers the current forms/strings; write nothing")
    ap.add_argument("--font", type=Path, default=OUT_FONT, help="font to check (default: %(default)s)")
    ap.add_argument("--source", type=Path, default=SOURCE_TTC, help="Noto Sans CJK collection (default: %(default)s)")
    ap.add_argument("--no-opencc", action="store_true",
                    help="leave out the Traditional variants of GB2312 (when OpenCC is not installed)")
    args = ap.parse_args()
    if args.check:
        return check(args.font.resolve())
    return build(args.source, not args.no_opencc)


if __name__ == "__main__":
    sys.exit(main())
