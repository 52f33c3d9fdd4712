"""Bad input: encodings, HTML pages, broken files — clear errors, nothing lost, nothing half-written."""
from __future__ import annotations

import hashlib

import pytest
from click.testing import CliRunner
from opencc import OpenCC

from govkg import KnowledgeGraph
from govkg.builders.pipeline import build_bytes
from govkg.builders.text import DecodeError, decode
from govkg.cli import main
from govkg.kg.api import bundled_corpus
from govkg.kg.store import atomic_write

SAMPLE = ("宁夏回族自治区中卫市\n\n2020年,中卫市全面推行行政执法“三项制度”,"
          "全年办理行政复议案件113件,深化“放管服”改革。\n")


@pytest.mark.parametrize("encoding, text", [
    ("utf-8", SAMPLE), ("utf-8-sig", SAMPLE), ("gb18030", SAMPLE), ("gbk", SAMPLE), ("utf-16", SAMPLE),
    ("big5", OpenCC("s2t").convert(SAMPLE)),
])
def test_encodings_are_detected_and_give_the_same_facts(encoding, text):
    result = build_bytes(text.encode(encoding), f"r.{encoding}.txt")
    assert result.text == text
    assert result.facts.encoding.replace("-sig", "") in (encoding.replace("-sig", ""), "gb18030", "utf-16")
    adoptions = {(a.adopter, a.practice) for a in result.facts.adoptions}
    assert ("640500", "three-enforcement-systems") in adoptions and ("640500", "fang-guan-fu") in adoptions
    assert {(o.value, o.unit) for o in result.facts.outcomes} == {(113.0, "件")}
    assert f'"{result.facts.encoding}"' in "".join(result.nquads)


@pytest.mark.parametrize("data, message", [
    (b"", "empty"), (b"   \n\t ", "empty"), (bytes(range(256)) * 64, "binary"),
    (b"\x00\x01\x02\x03" * 500, "binary"),
])
def test_non_text_gives_a_clear_error_naming_the_file(data, message):
    with pytest.raises(DecodeError) as err:
        decode(data, "bad-file.txt")
    assert "bad-file.txt" in str(err.value)


HTML = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>兰州市多措并举推进法治政府建设工作</title>
<script>var tracker = "2019年,兰州市建立政府法律顾问制度";</script><style>p{}</style></head>
<body><nav><a href="/">首页</a> | <a href="/news">新闻中心</a> | 友情链接</nav>
<div class="article"><h1>兰州市多措并举推进法治政府建设工作</h1>
<p>2019年,兰州市把建设法治政府作为推进全面依法治国的重要任务,全面推行行政执法“三项制度”。</p>
<p>兰州市深化“放管服”改革,市政务服务中心共办理事项534.9万件,群众满意率达到99%。</p>
<p>兰州市坚持和发展新时代“枫桥经验”,共调解矛盾纠纷12907件,调解成功率达99%以上。</p></div>
<footer>版权所有：兰州市人民政府 联系电话：0931-1234567 扫一扫</footer></body></html>"""


def test_html_page_main_text_and_sidecar(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "lanzhou.html").write_text(HTML, encoding="utf-8")
    texts = tmp_path / "texts"
    kg = KnowledgeGraph.build([src], texts_dir=texts)
    rows = kg.query("adopters", practice="three-enforcement-systems")
    assert [r["division"] for r in rows] == ["兰州市"]
    saved = list(texts.iterdir())
    assert len(saved) == 1
    text = saved[0].read_text(encoding="utf-8")
    assert saved[0].stem == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert "tracker" not in text and "首页" not in text and "联系电话" not in text
    evidence = kg.store.query("""SELECT ?q ?s ?e WHERE { ?x gov:quote ?q ; gov:start ?s ; gov:end ?e }""").rows
    assert evidence and all(text[r["s"]:r["e"]] == r["q"] for r in evidence)


def test_oversized_files_are_skipped_with_a_reason(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text(SAMPLE * 100, encoding="utf-8")
    kg = KnowledgeGraph.build([big], max_bytes=1000)
    assert kg.summary["documents"] == 0
    assert "larger than 1000 bytes" in kg.report.skipped[0].reason


def test_an_interrupted_write_leaves_the_previous_output_intact(tmp_path):
    out = tmp_path / "govkg.ttl"
    out.write_text("previous graph\n", encoding="utf-8")

    def crash(f):
        f.write(b"half a graph")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(out, crash, 0)
    assert out.read_text(encoding="utf-8") == "previous graph\n"
    assert [p.name for p in tmp_path.iterdir()] == ["govkg.ttl"]


def test_a_failing_build_does_not_touch_the_previous_graph(tmp_path):
    out = tmp_path / "govkg.ttl"
    assert CliRunner().invoke(main, ["build", "--out", str(out)]).exit_code == 0
    before = out.read_bytes()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.txt").write_bytes(b"\x00" * 100)
    result = CliRunner().invoke(main, ["build", str(bad), "--strict", "--out", str(out)])
    assert result.exit_code == 1 and "x.txt" in result.output
    assert out.read_bytes() == before


@pytest.mark.parametrize("chars", [6, 8, 12, 30])
def test_short_gbk_texts_are_not_read_as_big5_or_cp949(chars):
    from govkg.builders.text import decode
    for p in sorted(bundled_corpus()):
        text = p.read_text(encoding="utf-8").strip()[:chars]
        decoded = decode(text.encode("gbk"), p.name)
        assert decoded.encoding == "gb18030" and decoded.text == text, (p.name, decoded.encoding, decoded.text)
    big5 = "臺灣地區法治政府建設報告，推動依法行政。"
    assert decode(big5.encode("big5")).text == big5          # real Big5 still reads as Big5


def test_one_bad_byte_in_utf8_is_replaced_with_a_warning_naming_its_position(tmp_path):
    data = SAMPLE.encode("utf-8")
    damaged = tmp_path / "damaged.txt"
    damaged.write_bytes(data[:30] + b"\xff" + data[30:])
    kg = KnowledgeGraph.build([damaged])
    assert kg.summary["documents"] == 1 and not kg.report.skipped
    assert kg.report.warnings == ["damaged.txt: 1 byte(s) not UTF-8, replaced with U+FFFD (first at byte 30)"]
    r = CliRunner().invoke(main, ["build", str(damaged), "--no-store", "--out", str(tmp_path / "g.ttl")])
    assert r.exit_code == 0 and "warning: damaged.txt" in r.output


def test_a_file_with_only_a_byte_order_mark_is_empty(tmp_path):
    import codecs
    bom = tmp_path / "bom.txt"
    bom.write_bytes(codecs.BOM_UTF8 + b"\n")
    kg = KnowledgeGraph.build([bom])
    assert kg.summary["documents"] == 0 and "empty file" in kg.report.skipped[0].reason
