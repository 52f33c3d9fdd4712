"""Decode and clean: bytes → report text, a length-preserving matching text, zones and sentences.

Offsets everywhere in govkg are offsets into the *report text as read* (the decoded, HTML-extracted
text).  Matching runs on a normalised copy of exactly the same length — full-width forms folded to
ASCII, traditional characters folded to simplified one character at a time — so that an offset found
in the copy points at the same characters in the original, and quotes stay verbatim.
"""
from __future__ import annotations

import codecs
import hashlib
import io
import re
import zipfile
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser

import charset_normalizer

from govkg.builders import vocab


class DecodeError(ValueError):
    """A file whose bytes are not text in any encoding govkg can detect."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    html: bool
    warnings: tuple[str, ...] = ()
    pages: tuple[int, ...] = ()     # a PDF's page starts: offsets into `text` where pages 1, 2 … begin

    @property
    def derived(self) -> bool:
        """The text differs from the file's bytes read as UTF-8 (an HTML page, a PDF, a GB18030 file …), so
        evidence offsets point into a text that has to be kept."""
        return self.html or self.encoding not in ("utf-8", "ascii")


@dataclass(frozen=True)
class ReportInputs:
    """What is known of a report from outside its text: where its pages start (a PDF's), and what a
    metadata sidecar says (reporting division, year, title, publisher, URL), which overrides detection."""
    pages: tuple[int, ...] = ()
    division: str | None = None       # GB/T 2260 code
    year: int | None = None
    title: str | None = None
    publisher: str | None = None
    url: str | None = None            # where the report was published: the report's dcterms:source


def page_of(pages: tuple[int, ...], offset: int) -> int | None:
    """The 1-based page an offset falls on, given the page starts of `Decoded.pages` (None without pages)."""
    if not pages:
        return None
    return max(1, bisect_right(pages, offset))


_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html|<\?xml[^>]*>\s*<(!doctype\s+)?html)", re.I)


def decode(data: bytes, name: str = "<bytes>") -> Decoded:
    """Decode report bytes: BOMs first, then strict UTF-8 (a few bad bytes in otherwise valid UTF-8 are
    replaced with U+FFFD and named in a warning), then GB18030 when the bytes read as common simplified
    Chinese, then a detected encoding (Big5 …)."""
    if not data.strip():
        raise DecodeError(f"{name}: empty file")
    lower = name.lower()
    if data.startswith(b"%PDF-"):
        return _decode_pdf(data, name)
    if data.startswith(_OLE) or lower.endswith(".doc"):
        raise DecodeError(f"{name}: a legacy Word (.doc) file is not read; save it as .docx or text")
    if data.startswith(b"PK\x03\x04") and (lower.endswith(".docx") or _is_docx(data)):
        return _decode_docx(data, name)
    if lower.endswith((".pdf", ".docx")):
        raise DecodeError(f"{name}: not a {lower.rsplit('.', 1)[1].upper()} file (its bytes do not start as one)")
    encoding = None
    warnings: tuple[str, ...] = ()
    errors = "strict"
    for bom, enc in _BOMS:
        if data.startswith(bom):
            encoding = enc
            break
    if encoding is None:
        try:
            data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError as e:
            bad = _bad_utf8(data)
            if bad is not None:
                encoding, errors = "utf-8", "replace"
                warnings = (f"{name}: {len(bad)} byte(s) not UTF-8, replaced with U+FFFD (first at byte "
                            f"{e.start})",)
            elif _reads_as_gbk(data):
                encoding = "gb18030"
            else:
                best = charset_normalizer.from_bytes(data).best()
                if best is None:
                    raise DecodeError(f"{name}: not text in any detectable encoding") from None
                encoding = best.encoding
                # GBK and GB2312 are subsets of GB18030; decoding as the superset loses nothing.
                if encoding in ("gbk", "gb2312", "cp936"):
                    encoding = "gb18030"
    try:
        text = data.decode(encoding, errors)
    except (UnicodeDecodeError, LookupError) as e:
        raise DecodeError(f"{name}: cannot decode as {encoding}: {e}") from None
    if not text.lstrip("\ufeff").strip():
        raise DecodeError(f"{name}: empty file (nothing but a byte order mark and white space)")
    if "\x00" in text:
        raise DecodeError(f"{name}: binary content (NUL characters after decoding as {encoding})")
    is_html = bool(_HTML_START.match(data[:512].lstrip(codecs.BOM_UTF8))) or name.lower().endswith(
        (".html", ".htm", ".xhtml"))
    if is_html:
        text = html_to_text(text)
    return Decoded(text.lstrip("\ufeff"), encoding, is_html, warnings)


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"        # the compound-file header of .doc (and .xls …)
# What a page's text layer must hold at least, on average, for a PDF to count as having text: a scanned PDF
# has none, or only a page number or a watermark per page.
_MIN_CHARS_PER_PAGE = 20


def _decode_pdf(data: bytes, name: str) -> Decoded:
    """A PDF's text layer, page by page (pages separated by a blank line; their starts kept in `pages`).
    A PDF without one (a scan) is refused: reading it needs OCR, which govkg does not do."""
    import logging

    import pypdf
    logging.getLogger("pypdf").setLevel(logging.ERROR)   # damaged-but-readable PDFs warn on every object
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")                           # permissions-only encryption opens with no password
        texts = [(page.extract_text() or "").replace("\x00", "") for page in reader.pages]
    except Exception as e:  # noqa: BLE001 - pypdf raises many kinds of errors on broken or locked files
        raise DecodeError(f"{name}: cannot read PDF: {type(e).__name__}: {str(e)[:120]}") from None
    texts = [_reflow(_tidy_lines(t)) for t in texts]
    if sum(len(t.strip()) for t in texts) < _MIN_CHARS_PER_PAGE * max(1, len(texts)) / 2:
        raise DecodeError(f"{name}: PDF without a text layer ({len(texts)} page(s), a scan?): OCR it first")
    parts, starts, pos = [], [], 0
    for t in texts:
        starts.append(pos)
        parts.append(t)
        pos += len(t) + 2
    return Decoded("\n\n".join(parts).rstrip() + "\n", "pdf", False, (), tuple(starts))


_LINE_END = re.compile(r"[。！？；：!?;:」』”)）]$")


def _reflow(page: str) -> str:
    """Join the lines a PDF wrapped inside a paragraph: a line as long as the page's full lines (within a
    few characters) that does not end a sentence runs on into the next.  Text lines are where the layout
    broke them, not where the author did; unjoined, every wrapped sentence would be cut in two."""
    lines = page.split("\n")
    full = max((len(line.strip()) for line in lines), default=0)
    out: list[str] = []
    joining = False
    for line in lines:
        if joining and line.strip():
            glue = " " if out[-1][-1:].isascii() and out[-1][-1:].isalnum() and line.lstrip()[:1].isascii() else ""
            out[-1] += glue + line.lstrip()
        else:
            out.append(line)
        last = out[-1].rstrip()
        joining = bool(last) and full >= 15 and len(last.strip()) >= full - 3 and not _LINE_END.search(last)
    return "\n".join(out)


def _is_docx(data: bytes) -> bool:
    try:
        return "word/document.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        return False


def _decode_docx(data: bytes, name: str) -> Decoded:
    """A Word document's paragraphs and table cells, in document order, one per line."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # noqa: BLE001 - a damaged or mislabelled package raises many kinds of errors
        raise DecodeError(f"{name}: cannot read DOCX: {type(e).__name__}: {str(e)[:120]}") from None
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(block, document).text)
        elif tag == "tbl":
            for row in Table(block, document).rows:
                lines.append(" | ".join(cell.text.strip() for cell in row.cells))
    text = _tidy_lines("\n".join(lines))
    if not text.strip():
        raise DecodeError(f"{name}: DOCX without text")
    return Decoded(text.strip("\n") + "\n", "docx", False)


def _tidy_lines(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"[ \t\f\v]+\n", "\n", text)


def _bad_utf8(data: bytes) -> list[int] | None:
    """Offsets of the bytes that are not UTF-8, when they are a few in a text that is otherwise UTF-8
    (a damaged byte, a truncated copy); None when the text is not UTF-8 at all."""
    bad: list[int] = []
    start = 0
    while True:
        try:
            data[start:].decode("utf-8")
            break
        except UnicodeDecodeError as e:
            bad.append(start + e.start)
            if len(bad) > 3:
                return None
            start += e.end
    multibyte = sum(1 for b in data if b >= 0xC0)        # lead bytes of valid multi-byte sequences
    return bad if multibyte >= 10 * len(bad) else None


def _reads_as_gbk(data: bytes) -> bool:
    """The bytes decode as GB18030 and their Chinese characters are nearly all among the 3,755 most common
    ones (GB 2312 level 1).  Short GBK texts are otherwise detected as Big5 or CP949; Big5 or CP949 bytes
    read as GBK give rare characters about half the time."""
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    han = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if len(han) < 2:
        return False
    common = 0
    for c in han:
        try:
            common += 0xB0 <= c.encode("gb2312")[0] <= 0xD7
        except UnicodeEncodeError:
            pass
    return common >= 0.8 * len(han)


class _TextExtractor(HTMLParser):
    """Block-aware text of an HTML page, without scripts, styles, navigation, headers and footers."""

    SKIP = {"script", "style", "nav", "footer", "header", "noscript", "template", "iframe", "svg", "select"}
    BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
             "table", "ul", "ol", "blockquote", "title", "td"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skip_depth += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip_depth:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The main text of a page: trafilatura drops navigation, headers and footers; when it finds no main
    text (a bare fragment), a block-aware stdlib extraction without scripts and navigation is used."""
    main = None
    try:
        import trafilatura
        main = trafilatura.extract(html, include_comments=False, include_tables=True, include_links=False,
                                   include_images=False, deduplicate=False, favor_precision=True)
    except Exception:  # noqa: BLE001 - a page the extractor cannot parse falls back to the plain extraction
        main = None
    if main and len(main.strip()) >= 20:
        title = _html_title(html)
        text = main if not title or title in main[:200] else title + "\n\n" + main
        return text.strip() + "\n"
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t\r\f\v]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _html_title(html: str) -> str:
    m = re.search(r"<title[^>]*>(.*?)</title>", html, re.I | re.S)
    if not m:
        return ""
    import html as htmllib
    return re.sub(r"\s+", " ", htmllib.unescape(m.group(1))).strip()


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------ normalisation (length-preserving)

@lru_cache(maxsize=1)
def _t2s_table() -> dict[int, str]:
    """Traditional → simplified, one character to one character, from OpenCC's TSCharacters table.

    Phrase-level conversion would change lengths and break offsets; character level is enough to match.
    """
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("opencc")
    if spec is None or not spec.submodule_search_locations:
        return {}
    table: dict[int, str] = {}
    path = Path(list(spec.submodule_search_locations)[0]) / "dictionary" / "TSCharacters.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and len(parts[0]) == 1:
            simp = parts[1].split(" ")[0]
            if len(simp) == 1 and simp != parts[0]:
                table[ord(parts[0])] = simp
    return table


def _width_table() -> dict[int, str]:
    table = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
    table[0x3000] = " "      # ideographic space
    table[0x00A0] = " "      # no-break space
    table[0xFF5F] = "("
    table[0xFF60] = ")"
    table[0x3014] = "["     # 〔 in document numbers
    table[0x3015] = "]"
    return table


_WIDTH = _width_table()


def normalise(text: str) -> str:
    """Matching text: same length as `text`, full-width folded, traditional folded to simplified."""
    out = text.translate(_WIDTH)
    if any("\u4e00" <= ch <= "\u9fff" for ch in out[:2000]):
        t2s = _t2s_table()
        if t2s:
            out = out.translate(t2s)
    assert len(out) == len(text)
    return out


# ------------------------------------------------------------------ zones and sentences

@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    zone: str           # body | problems | plans | furniture | heading
    paragraph: int


FURNITURE = vocab.pattern("furniture")
HEADING = vocab.pattern("heading")
PROBLEM_HEAD = vocab.pattern("problem_heading")
PROBLEM_LEAD = vocab.pattern("problem_lead")
PLAN_HEAD = vocab.pattern("plan_heading")
PLAN_LEAD = vocab.pattern("plan_lead")


def zones(norm: str) -> list[tuple[int, int, str, int]]:
    """Split the matching text into paragraphs labelled body, heading, problems, plans or furniture."""
    out: list[tuple[int, int, str, int]] = []
    state = "body"
    pos = 0
    for i, line in enumerate(norm.split("\n")):
        start, end = pos, pos + len(line)
        pos = end + 1
        stripped = line.strip()
        if not stripped:
            continue
        short = len(stripped) <= 40
        if FURNITURE.search(stripped) and (short or "|" in stripped):
            out.append((start, end, "furniture", i))
            continue
        is_heading = short and (HEADING.match(stripped) is not None or not re.search(r"[。;,]", stripped))
        if is_heading and PLAN_HEAD.search(stripped) or PLAN_LEAD.match(stripped):
            state = "plans"
        elif is_heading and PROBLEM_HEAD.search(stripped) or (state == "body" and PROBLEM_LEAD.search(stripped[:80])):
            state = "problems"
        elif is_heading and HEADING.match(stripped) and state == "problems":
            state = "body"
        out.append((start, end, "heading" if is_heading and state == "body" else state, i))
    return out


def sentences(norm: str) -> list[Sentence]:
    """Sentences with offsets, trimmed of surrounding white space; paragraph zones carried over."""
    out: list[Sentence] = []
    for pstart, pend, zone, para in zones(norm):
        cursor = pstart
        for m in re.finditer(r"[。!?;！？；]+", norm[pstart:pend]):
            _push(out, norm, cursor, pstart + m.end(), zone, para)
            cursor = pstart + m.end()
        _push(out, norm, cursor, pend, zone, para)
    return out


def _push(out: list[Sentence], norm: str, start: int, end: int, zone: str, para: int) -> None:
    while start < end and norm[start] in " \t\r\u3000\xa0":
        start += 1
    while end > start and norm[end - 1] in " \t\r\u3000\xa0":
        end -= 1
    if end - start >= 2:
        out.append(Sentence(start, end, zone, para))
