"""``kefu kb import``: CSV and JSON Lines, updates by external id, row-level errors."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kefu.knowledge import selectors
from kefu.knowledge.models import Article

pytestmark = pytest.mark.django_db


def run(path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("kb", "import", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write_jsonl(tmp_path, rows, name="faq.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    return path


def test_jsonl_rows_become_published_searchable_articles(tmp_path):
    path = write_jsonl(
        tmp_path,
        [
            {
                "id": "FAQ-1",
                "question": "信用卡丢了怎么办",
                "answer": "请立即挂失。",
                "similar": ["卡丢了咋办"],
                "category": "信用卡/挂失",
            },
            {"id": "FAQ-2", "question": "年费怎么收", "answer": "首年免年费。"},
        ],
    )

    out, _err = run(path)

    assert "新建文章 2 篇" in out
    article = Article.objects.get(external_id="FAQ-1")
    assert article.status == "published"
    assert article.category.name == "挂失" and article.category.parent.name == "信用卡"
    assert article.published_version.answer_html == "<p>请立即挂失。</p>"
    assert selectors.search_articles(q="卡丢了").hits[0].article == article


def test_importing_again_updates_and_never_duplicates(tmp_path):
    run(
        write_jsonl(tmp_path, [{"id": "FAQ-1", "question": "年费怎么收", "answer": "首年免年费。"}])
    )

    out, _err = run(
        write_jsonl(
            tmp_path,
            [
                {"id": "FAQ-1", "question": "年费怎么收", "answer": "首年免年费，刷卡6次免次年。"},
                {"id": "FAQ-1b", "question": "积分怎么兑换", "answer": "在手机银行兑换。"},
            ],
        )
    )

    assert "新建文章 1 篇，更新 1 篇" in out
    assert Article.objects.filter(external_id="FAQ-1").count() == 1
    article = Article.objects.get(external_id="FAQ-1")
    assert article.published_version.number == 2
    assert "刷卡6次" in article.published_version.answer_html
    out, _err = run(
        write_jsonl(
            tmp_path,
            [{"id": "FAQ-1", "question": "年费怎么收", "answer": "首年免年费，刷卡6次免次年。"}],
        )
    )
    assert "未变更 1 篇" in out


def test_csv_with_bom_and_similar_separated_by_bars(tmp_path):
    path = tmp_path / "faq.csv"
    path.write_text(
        "\ufeffid,question,answer,similar,category\n"
        "C-1,怎么激活信用卡,拨打热线按4#激活。,开卡怎么弄|新卡激活,信用卡\n",
        "utf-8",
    )

    out, _err = run(path)

    assert "新建文章 1 篇" in out
    version = Article.objects.get(external_id="C-1").published_version
    assert version.similar_questions == ["开卡怎么弄", "新卡激活"]


def test_rows_without_question_or_answer_are_reported_by_line_and_skipped(tmp_path):
    path = tmp_path / "faq.jsonl"
    path.write_text(
        '{"id": "A", "question": "年费", "answer": "免"}\n'
        '{"id": "B", "question": "", "answer": "x"}\n'
        "not json\n"
        '{"id": "C", "question": "积分", "answer": ""}\n'
        '{"id": "A", "question": "重复", "answer": "y"}\n'
        '{"id": "D", "question": "有效", "answer": "好", "similar": "not a list"}\n',
        "utf-8",
    )

    with pytest.raises(CommandError) as caught:
        run(path)

    assert caught.value.returncode == 1
    assert list(Article.objects.values_list("external_id", flat=True)) == ["A"]


def test_the_error_lines_are_printed(tmp_path, capsys):
    path = write_jsonl(tmp_path, [{"id": "B", "question": "", "answer": "x"}])
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("kb", "import", str(path), stdout=StringIO(), stderr=err)

    assert "第 1 行，question" in err.getvalue() + capsys.readouterr().err


def test_a_csv_without_the_required_columns_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("title,text\na,b\n", "utf-8")

    with pytest.raises(CommandError):
        run(path)
    assert Article.objects.count() == 0


def test_a_missing_file_exits_2(tmp_path):
    with pytest.raises(CommandError) as caught:
        run(tmp_path / "nope.jsonl")
    assert caught.value.returncode == 2


def test_html_answers_are_sanitised(tmp_path):
    run(
        write_jsonl(
            tmp_path, [{"id": "H", "question": "q", "answer": "<p>ok<script>x()</script></p>"}]
        )
    )

    assert Article.objects.get(external_id="H").published_version.answer_html == "<p>ok</p>"
