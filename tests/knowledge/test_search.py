"""KB-2 search: segmentation with the banking dictionary, synonyms, ranking, expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kefu.knowledge import selectors, services
from kefu.knowledge.analysis import Analyzer, Lexicon
from kefu.knowledge.models import SearchDocument

pytestmark = pytest.mark.django_db


def titles(results) -> list[str]:
    return [h.version.title for h in results.hits]


def test_the_banking_dictionary_keeps_banking_words_whole():
    plain = Analyzer(Lexicon())
    banking = Analyzer()

    assert "最低还款额" not in plain.segment("本期最低还款额是多少")
    assert "最低还款额" in banking.segment("本期最低还款额是多少")
    assert "账单分期" in banking.segment("我想办理账单分期")


@pytest.mark.parametrize("segmenter", ["rjieba", "jieba"])
def test_both_segmenters_read_synonyms_as_the_standard_term(segmenter):
    analyzer = Analyzer(segmenter=segmenter)

    assert "挂失" in analyzer.analyze("我的卡丢了咋办").words
    assert "怎么办" in analyzer.analyze("我的卡丢了咋办").words
    assert "额度" in analyzer.analyze("信用额度多少").words


def test_particles_are_dropped_and_full_width_is_normalised():
    analysis = Analyzer().analyze("ＡＴＭ取现吗？")

    assert analysis.words == ["atm", "取现"]


def test_a_colloquial_question_finds_the_lost_card_article_first(publish):
    publish("信用卡挂失办理", answer="<p>请立即致电客服热线办理挂失。</p>")
    publish("信用卡激活方法", answer="<p>可通过手机银行激活。</p>")
    publish("账单分期手续费", answer="<p>分期手续费按期收取。</p>")

    results = selectors.search_articles(q="卡丢了咋办")

    assert titles(results)[0] == "信用卡挂失办理"
    assert "<mark>挂失</mark>" in results.hits[0].title_html


def test_ranking_order_on_a_small_fixed_set(publish):
    publish("自动还款设置", similar=["怎么设置自动还款", "绑定还款账户"])
    publish("更换还款银行卡", similar=["还款卡怎么换", "我还款银行怎么更换"])
    publish("最低还款额说明", similar=["最低还多少"])
    publish("提前还款", similar=["可以提前还清吗"])

    assert titles(selectors.search_articles(q="我还款银行怎么更换"))[0] == "更换还款银行卡"
    assert titles(selectors.search_articles(q="自动扣款怎么弄"))[0] == "自动还款设置"
    assert titles(selectors.search_articles(q="最低还款是多少"))[0] == "最低还款额说明"
    assert titles(selectors.search_articles(q="一次性还清"))[0] == "提前还款"


def test_a_typo_still_finds_the_article_through_characters_and_sounds(publish):
    publish("手机银行登录失败")
    publish("信用卡年费标准")

    assert titles(selectors.search_articles(q="手机银行登陆不上"))[0] == "手机银行登录失败"


def test_filters_by_category_including_subcategories(publish):
    card = services.category_ensure(path=["信用卡", "还款"])
    fund = services.category_ensure(path=["基金"])
    publish("还款方式", category=card)
    publish("基金还款? 不存在的", category=fund)

    card_root = card.parent
    results = selectors.search_articles(q="还款", category_id=card_root.pk)

    assert titles(results) == ["还款方式"]


def test_expired_and_future_articles_are_never_found(publish):
    now = timezone.now()
    publish(
        "旧版年费政策",
        expires_at=now - dt.timedelta(minutes=1),
        effective_from=now - dt.timedelta(days=30),
    )
    publish("新版年费政策", effective_from=now + dt.timedelta(days=1))
    publish("年费减免规则")

    assert titles(selectors.search_articles(q="年费")) == ["年费减免规则"]
    later = now + dt.timedelta(days=2)
    assert set(titles(selectors.search_articles(q="年费", now=later))) == {
        "新版年费政策",
        "年费减免规则",
    }


def test_the_expiry_job_takes_expired_articles_out_of_the_index(publish):
    soon = timezone.now() + dt.timedelta(hours=1)
    article = publish("限时活动", expires_at=soon)

    assert services.articles_expire_due(now=soon + dt.timedelta(seconds=1)) == 1

    assert SearchDocument.objects.get(article=article).live is False
    assert article.events.filter(action="knowledge.article.expired").count() == 1
    assert services.articles_expire_due(now=soon + dt.timedelta(seconds=2)) == 0


@pytest.mark.parametrize("q", ["", "   ", "？？！！"])
def test_empty_or_punctuation_only_queries_get_a_message_not_an_error(publish, q):
    publish("信用卡挂失办理")

    results = selectors.search_articles(q=q)

    assert results.hits == []
    assert results.error or results.notice


def test_a_very_long_query_is_cut_to_200_characters_with_a_notice(publish):
    publish("信用卡挂失办理")

    results = selectors.search_articles(q="我的信用卡丢了" * 60)

    assert results.notice
    assert titles(results) == ["信用卡挂失办理"]


def test_a_non_chinese_query_searches_latin_words(publish):
    publish("ATM取现手续费")
    publish("信用卡年费标准")

    assert titles(selectors.search_articles(q="ATM"))[0] == "ATM取现手续费"
    assert selectors.search_articles(q="hello world").hits == []


def test_another_process_sees_a_publish_without_restarting(publish):
    from kefu.knowledge.search import DatabaseBackend

    other = DatabaseBackend()
    publish("信用卡挂失办理")
    _a, before = other.search(text="挂失", limit=5)
    article = publish("补卡进度查询", similar=["挂失后补卡多久到"])

    _a, after = other.search(text="挂失 补卡", limit=5)

    assert len(before) == 1
    assert article.pk in [h.article_id for h in after]
    services.article_archive(article=article, by=None)
    _a, archived = other.search(text="挂失 补卡", limit=5)
    assert article.pk not in [h.article_id for h in archived]
