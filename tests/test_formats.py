"""PDF and DOCX reports, made here with Chinese text, and the metadata sidecar: the facts that come out."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from govkg import KnowledgeGraph
from govkg.builders.pipeline import build_bytes
from govkg.builders.text import DecodeError, decode
from govkg.cli import main
from govkg.kg.api import bundled_corpus

NOTO = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")   # Debian's fonts-noto-cjk
TITLE = "中卫市2018年法治政府建设情况报告"
PILOT = "2017年,中卫市被国务院确定为行政执法“三项制度”改革全国试点。"
PAGE_ONE = TITLE + "\n一、全面推进依法行政。我市坚持以法治思维推动各项工作落实。"
PAGE_TWO = "二、深化行政执法体制改革,全面落实行政执法责任制,严格规范公正文明执法。" + PILOT


def _truetype_subset(text: str, out: Path) -> Path:
    """A TrueType font holding `text`'s characters, from the CFF-based Noto Sans CJK SC.

    PDF writers embed CFF fonts through a custom encoding that text extractors do not read back; a TrueType
    font is embedded as Identity-H, the way office suites and government publishing systems write CJK."""
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(NOTO, fontNumber=2, lazy=True)        # 2: the simplified-Chinese face of the collection
    options = subset.Options()
    options.layout_features, options.name_IDs, options.notdef_outline = [], ["*"], True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    order, glyph_set, glyphs = font.getGlyphOrder(), font.getGlyphSet(), {}
    for name in order:                                  # cubic CFF outlines → quadratic TrueType outlines
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, glyphs
    font["loca"] = newTable("loca")
    for table in ("CFF ", "VORG"):
        if table in font:
            del font[table]
    font["head"].indexToLocFormat = font["head"].glyphDataFormat = 0
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions", "maxComponentElements", "maxPoints",
                  "maxContours", "maxCompositePoints", "maxCompositeContours", "maxComponentDepth"):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    post = font["post"]
    post.formatType, post.extraNames, post.mapping, post.glyphOrder = 2.0, [], {}, order
    font.sfntVersion = "\x00\x01\x00\x00"
    font.save(out)
    return out


@pytest.fixture(scope="module")
def pdf_bytes(tmp_path_factory) -> bytes:
    if not NOTO.exists():
        pytest.skip("fonts-noto-cjk is not installed")
    from fpdf import FPDF
    folder = tmp_path_factory.mktemp("pdf")
    font = _truetype_subset(PAGE_ONE + PAGE_TWO, folder / "cjk.ttf")
    pdf = FPDF()
    pdf.add_font("cjk", fname=str(font))
    pdf.set_font("cjk", size=12)
    for page in (PAGE_ONE, PAGE_TWO):
        pdf.add_page()
        pdf.multi_cell(0, 8, page)
    return bytes(pdf.output())


def _docx_bytes(tmp_path: Path) -> bytes:
    import docx
    document = docx.Document()
    document.add_heading(TITLE, level=1)
    document.add_paragraph("一、全面推进依法行政。")
    document.add_paragraph(PILOT)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "发布机构", "中卫市司法局"
    path = tmp_path / "report.docx"
    document.save(path)
    return path.read_bytes()


def test_pdf_text_layer_is_read_with_its_pages(pdf_bytes):
    decoded = decode(pdf_bytes, "中卫.pdf")
    assert decoded.encoding == "pdf" and decoded.derived
    assert len(decoded.pages) == 2
    assert decoded.text[decoded.pages[1]:].startswith("二、深化行政执法体制改革")
    assert PILOT in decoded.text
    result = build_bytes(pdf_bytes, "中卫.pdf")
    assert result.facts.division == "640500" and result.facts.year == 2018
    pilots = [a for a in result.facts.adoptions if a.practice == "three-enforcement-systems"]
    assert [(a.adopter, str(a.mode), a.year) for a in pilots] == [("640500", "piloted", 2017)]
    quote = pilots[0].evidence
    # The sentence wrapped onto a second line of the page; the lines are joined again, so it is quoted whole.
    assert result.text[quote.start:quote.end] == quote.quote == PILOT
    node = f"<https://w3id.org/govkg/id/evidence/{result.sha256[:16]}/{quote.start}-{quote.end}>"
    pages = [line for line in result.nquads if line.startswith(node) and "schema.org/pageStart" in line]
    assert len(pages) == 1 and '"2"^^' in pages[0]


def test_docx_paragraphs_and_tables_are_read(tmp_path):
    data = _docx_bytes(tmp_path)
    decoded = decode(data, "report.docx")
    assert decoded.encoding == "docx" and "发布机构 | 中卫市司法局" in decoded.text
    result = build_bytes(data, "report.docx")
    assert result.facts.division == "640500"
    assert ("640500", "piloted", 2017) in {(a.adopter, str(a.mode), a.year) for a in result.facts.adoptions}
    assert not any("pageStart" in line for line in result.nquads)     # no pages in a Word file


def test_legacy_doc_and_scanned_pdf_are_skipped_with_their_reason(tmp_path, pdf_bytes):
    from fpdf import FPDF
    scan = FPDF()
    scan.add_page()
    scan.rect(20, 20, 120, 160)                      # a page with no text layer, as a scanner makes
    (tmp_path / "scan.pdf").write_bytes(bytes(scan.output()))
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024))
    (tmp_path / "report.pdf").write_bytes(pdf_bytes)
    (tmp_path / "report.docx").write_bytes(_docx_bytes(tmp_path / ".."))
    with pytest.raises(DecodeError, match="without a text layer"):
        decode((tmp_path / "scan.pdf").read_bytes(), "scan.pdf")
    kg = KnowledgeGraph.build([tmp_path])
    reasons = {Path(s.path).name: s.reason for s in kg.report.skipped}
    assert "legacy Word (.doc)" in reasons["old.doc"] and "OCR" in reasons["scan.pdf"]
    assert kg.report.built == 2
    rows = kg.query("adopters", practice="three-enforcement-systems")
    assert {(r["division"], r["mode"], r["year"]) for r in rows} == {("中卫市", "piloted", 2017)}


def _sidecar(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, ["file", "division_code", "year", "url", "publisher", "title"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def _report(kg: KnowledgeGraph, name: str) -> dict:
    rows = kg.query("""
        PREFIX gov: <https://w3id.org/govkg/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?name ?year ?division ?source ?publisher ?title WHERE {
          GRAPH ?g { ?r gov:sourceName ?name .
            OPTIONAL { ?r gov:reportYear ?year } OPTIONAL { ?r gov:aboutDivision ?division }
            OPTIONAL { ?r dcterms:source ?source } OPTIONAL { ?r dcterms:publisher ?publisher }
            OPTIONAL { ?r dcterms:title ?title } } }""", name=name)
    assert len(rows) == 1
    return rows[0]


def test_sidecar_overrides_the_year_and_gives_the_source(tmp_path):
    corpus = bundled_corpus()
    name = "001_71049110a64369f6.txt"                  # 同心县2020年法治政府建设情况的报告
    before = _report(KnowledgeGraph.build(corpus), name)
    assert before["year"] == 2020 and before.get("source") is None
    url = "http://www.nxtx.gov.cn/xxgk/fzzfjs/202103/t20210327_1.html"
    meta = _sidecar(tmp_path / "files.csv", [{"file": name, "year": "2019", "url": url}])
    store = tmp_path / "store"
    result = CliRunner().invoke(main, ["build", *map(str, corpus), "--metadata", str(meta), "--out",
                                       str(tmp_path / "g.nq"), "--store", str(store)])
    assert result.exit_code == 0, result.output
    kg = KnowledgeGraph.open(store)
    after = _report(kg, name)
    assert after["year"] == 2019 and str(after["source"]) == url
    assert after["division"].endswith("/640324")     # what the sidecar leaves empty is still detected
    # Building again with another sidecar rebuilds the report already in the store.
    meta2 = _sidecar(tmp_path / "files2.csv", [{"file": name, "year": "2018"}])
    result = CliRunner().invoke(main, ["build", *map(str, corpus), "--metadata", str(meta2), "--out",
                                       str(tmp_path / "g.nq"), "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert "changed: " + name in result.output
    again = _report(KnowledgeGraph.open(store), name)
    assert again["year"] == 2018 and again.get("source") is None


def test_sidecar_names_the_division_a_text_does_not(tmp_path):
    text = tmp_path / "notice.txt"
    text.write_text("关于本年度法治政府建设情况的报告\n我市全面推行行政执法公示制度、执法全过程记录制度、"
                    "重大执法决定法制审核制度。\n", encoding="utf-8")
    assert _report(KnowledgeGraph.build([text]), "notice.txt").get("division") is None
    path = _sidecar(tmp_path / "files.csv", [{"file": "notice.txt", "division_code": "640500", "year": "2021",
                                              "publisher": "中卫市人民政府", "title": "中卫市2021年法治政府建设情况报告"}])
    from govkg.kg.api import read_metadata
    meta = read_metadata(path)
    kg = KnowledgeGraph.build([text], metadata=meta)
    row = _report(kg, "notice.txt")
    assert row["division"].endswith("/640500") and row["year"] == 2021
    assert row["publisher"] == "中卫市人民政府" and row["title"] == "中卫市2021年法治政府建设情况报告"
    # The division and year reach the builder: the report's own "我市" and its undated facts take them.
    rows = kg.query("adopters", practice="three-enforcement-systems")
    assert {(r["division"], r["year"]) for r in rows} == {("中卫市", 2021)}


@pytest.mark.parametrize("row, message", [
    ({"file": "a.txt", "division_code": "999999"}, "not a GB/T 2260 code"),
    ({"file": "a.txt", "year": "20x1"}, "not a four-digit year"),
    ({"file": "a.txt", "url": "ftp://x"}, "not an http(s) URL"),
    ({"file": ""}, "no file name"),
])
def test_sidecar_errors_are_one_line(tmp_path, row, message):
    meta = _sidecar(tmp_path / "files.csv", [row])
    result = CliRunner().invoke(main, ["build", "--metadata", str(meta), "--out", str(tmp_path / "g.nt"),
                                       "--no-store"])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
