"""SR-2: suggest a ticket's type and business category from what the customer said.

A weighted lexicon, not a trained model: every suggestion can be explained by the words
that led to it (shown beside the form), and a supervisor can read and change the lists
below. Each term counts once per text; the type or category with the highest total wins;
without any match the type is an inquiry and the category "other". The accuracy on a
labelled set of customer utterances is measured in tests/tickets/test_classifier.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from kefu.tickets.classification import Category, Kind

# (term, weight). Stronger words carry more weight; question words are weak.
KIND_TERMS: dict[str, tuple[tuple[str, float], ...]] = {
    Kind.COMPLAINT: (
        ("投诉", 4),
        ("不满", 2.5),
        ("太差", 2.5),
        ("很差", 2),
        ("差劲", 2.5),
        ("恶劣", 3),
        ("乱收费", 3),
        ("乱扣", 3),
        ("乱扣费", 1),
        ("凭什么", 2.5),
        ("赔偿", 2.5),
        ("曝光", 3),
        ("监管", 2.5),
        ("12378", 3),
        ("人民银行", 2),
        ("举报", 3),
        ("欺骗", 2.5),
        ("忽悠", 2.5),
        ("误导", 2),
        ("没人处理", 2.5),
        ("没人管", 2.5),
        ("没有人处理", 2.5),
        ("推来推去", 3),
        ("踢皮球", 3),
        ("骚扰", 2.5),
        ("维权", 2.5),
        ("说法", 2),
        ("擅自", 2.5),
        ("未经我同意", 2.5),
        ("没经过我同意", 2.5),
        ("不合理", 1.5),
        ("气愤", 2.5),
        ("生气", 2),
        ("过分", 2.5),
        ("太离谱", 2.5),
        ("离谱", 2),
        ("还我", 2),
        ("退还", 1.5),
        ("退回来", 1.5),
        ("一直没有", 1.5),
        ("一直没", 1.5),
        ("拖了", 1.5),
        ("到现在还没", 2),
        ("还没到账", 1.5),
        ("挂电话", 2),
        ("不耐烦", 2.5),
        ("态度", 1.5),
        ("强制", 1.5),
        ("强行", 2),
        ("捆绑", 2),
        ("虚假", 2.5),
        ("被骗", 1.5),
        ("不认可", 2),
        ("不接受", 2),
        ("威胁", 2.5),
        ("泄露", 2),
        ("多扣", 2.5),
        ("重复扣款", 2.5),
        ("扣了两次", 2.5),
        ("莫名其妙", 2),
        ("不给解决", 2.5),
        ("解决不了", 1.5),
        ("坑", 1.5),
    ),
    Kind.SUGGESTION: (
        ("建议", 4),
        ("提个意见", 3),
        ("提个建议", 1),
        ("希望你们", 2.5),
        ("希望能", 2),
        ("希望可以", 2),
        ("能不能增加", 2.5),
        ("可以增加", 2),
        ("增加一个", 2),
        ("加一个", 1.5),
        ("最好能", 2),
        ("最好可以", 2),
        ("可以考虑", 2.5),
        ("考虑一下", 2),
        ("改进", 2.5),
        ("改善", 2),
        ("优化", 2.5),
        ("如果能", 2),
        ("要是能", 2),
        ("更方便", 2),
        ("不太方便", 1.5),
        ("体验", 1.5),
        ("应该提供", 2),
        ("应该增加", 2.5),
        ("多开", 1.5),
        ("延长", 1),
        ("开通一个", 1.5),
        ("支持一下", 1.5),
    ),
    Kind.INQUIRY: (
        ("请问", 2),
        ("咨询", 2),
        ("想问", 2),
        ("问一下", 2),
        ("查一下", 2),
        ("查询", 1.5),
        ("怎么", 1),
        ("如何", 1),
        ("多少", 1),
        ("什么时候", 1),
        ("哪里", 1),
        ("哪些", 1),
        ("能否", 1),
        ("是否", 1),
        ("可不可以", 1),
        ("可以吗", 1),
        ("吗", 0.8),
        ("呢", 0.5),
        ("？", 0.5),
        ("?", 0.5),
        ("几天", 1),
        ("需要什么", 1.5),
        ("帮我看", 1.5),
        ("了解一下", 2),
        ("告诉我", 1),
    ),
    Kind.OTHER: (
        ("表扬", 4),
        ("感谢", 2.5),
        ("谢谢你们", 2),
        ("点赞", 3),
        ("锦旗", 4),
        ("表示感谢", 2),
        ("修改地址", 3),
        ("改一下地址", 3),
        ("更新联系方式", 3),
        ("更改手机号", 2.5),
        ("换个手机号", 2.5),
        ("证明", 2),
        ("开具", 2.5),
        ("盖章", 2),
        ("打错了", 3),
        ("拨错", 3),
        ("没事了", 2.5),
        ("不用了", 2),
        ("注销", 1),
    ),
}

CATEGORY_TERMS: dict[str, tuple[tuple[str, float], ...]] = {
    Category.BILL: (
        ("账单", 3),
        ("对账单", 3),
        ("出账", 2),
        ("账单日", 2),
        ("应还", 2),
        ("本期", 1.5),
        ("最低还款", 1.5),
        ("消费明细", 2.5),
        ("交易明细", 2.5),
        ("流水", 1.5),
    ),
    Category.LIMIT: (
        ("额度", 3),
        ("提额", 3.5),
        ("调额", 3.5),
        ("降额", 3.5),
        ("临时额度", 2),
        ("固定额度", 2),
        ("可用额度", 1.5),
    ),
    Category.CARD_LOSS: (
        ("挂失", 4),
        ("丢了", 3),
        ("丢失", 3),
        ("弄丢", 3),
        ("被偷", 3),
        ("找不到卡", 3),
        ("补卡", 3),
        ("换卡", 2),
        ("卡片损坏", 2.5),
        ("吞卡", 3),
    ),
    Category.ACTIVATION: (
        ("激活", 4),
        ("开卡", 4),
        ("启用", 2),
    ),
    Category.PASSWORD: (
        ("密码", 3.5),
        ("重置", 1.5),
        ("锁了", 1.5),
        ("被锁", 2),
        ("忘记", 1),
    ),
    Category.INSTALLMENT: (
        ("分期", 4),
        ("账单分期", 1),
        ("现金分期", 1),
        ("期数", 2),
        ("手续费率", 1),
    ),
    Category.REPAYMENT: (
        ("还款", 3),
        ("还钱", 2.5),
        ("自动还款", 2),
        ("逾期", 2.5),
        ("还不上", 2.5),
        ("延期还款", 2),
        ("停息挂账", 3),
        ("溢缴款", 3),
        ("已经还了", 2),
        ("还了", 1),
    ),
    Category.FEES: (
        ("年费", 4),
        ("手续费", 2.5),
        ("利息", 3),
        ("违约金", 3.5),
        ("滞纳金", 3.5),
        ("收费", 2.5),
        ("扣费", 2.5),
        ("扣了", 1.5),
        ("管理费", 2.5),
        ("短信费", 3),
        ("服务费", 2.5),
        ("会员费", 2.5),
    ),
    Category.POINTS: (
        ("积分", 4),
        ("兑换", 2),
        ("里程", 2.5),
        ("权益", 2.5),
        ("机场贵宾", 3),
        ("贵宾厅", 3),
        ("礼品", 2),
        ("活动奖励", 2),
        ("返现", 2.5),
        ("优惠券", 2),
    ),
    Category.APPLICATION: (
        ("申请", 2),
        ("办卡", 3.5),
        ("办一张", 3),
        ("申请进度", 3),
        ("审批", 2.5),
        ("审核", 2),
        ("进度", 1.5),
        ("没批", 3),
        ("被拒", 3),
        ("寄卡", 2),
        ("新卡", 1.5),
        ("附属卡", 2),
    ),
    Category.DISPUTE: (
        ("盗刷", 4.5),
        ("不是我刷的", 4),
        ("不是本人", 3),
        ("没有消费", 3),
        ("没消费过", 3),
        ("莫名", 1.5),
        ("陌生交易", 3.5),
        ("异常交易", 3),
        ("被刷", 3.5),
        ("冻结", 1.5),
        ("退款", 2),
        ("商户", 1.5),
        ("拒付", 3),
        ("争议", 2.5),
        ("诈骗", 2.5),
        ("骗", 1),
    ),
    Category.PAYMENT: (
        ("转账", 3.5),
        ("汇款", 3.5),
        ("到账", 3),
        ("跨行", 2.5),
        ("收款", 2),
        ("付款", 1.5),
        ("支付", 2),
        ("快捷支付", 2),
        ("微信支付", 2),
        ("支付宝", 2),
        ("限额", 2),
        ("扫码", 2),
        ("代扣", 2.5),
        ("绑卡", 2),
    ),
    Category.DEPOSIT: (
        ("存款", 3.5),
        ("定期", 3),
        ("活期", 3),
        ("储蓄", 3),
        ("大额存单", 4),
        ("存折", 3.5),
        ("取款", 2.5),
        ("取钱", 2.5),
        ("存钱", 2.5),
        ("借记卡", 2),
        ("储蓄卡", 2.5),
        ("销户", 1.5),
    ),
    Category.LOAN: (
        ("贷款", 4),
        ("房贷", 4),
        ("车贷", 4),
        ("按揭", 3.5),
        ("提前还款", 2),
        ("借款", 2.5),
        ("放款", 3),
        ("利率", 1.5),
        ("LPR", 3),
        ("征信", 2),
        ("信用报告", 2),
        ("消费贷", 3.5),
        ("经营贷", 3.5),
    ),
    Category.WEALTH: (
        ("理财", 4),
        ("基金", 4),
        ("净值", 3),
        ("收益", 2.5),
        ("赎回", 3),
        ("申购", 3),
        ("保险", 2.5),
        ("亏损", 2),
        ("亏了", 2),
        ("风险评估", 2),
        ("风险等级", 2),
        ("定投", 3),
    ),
    Category.BROKERAGE: (
        ("股票", 3.5),
        ("证券", 3.5),
        ("股东账户", 3.5),
        ("资金账户", 3),
        ("炒股", 3.5),
        ("开户", 2),
        ("佣金", 3),
        ("银证转账", 4),
        ("融资融券", 4),
        ("两融", 4),
        ("创业板", 4),
        ("科创板", 4),
        ("交易软件", 2),
        ("委托", 1.5),
        ("客户经理", 1),
    ),
    Category.E_CHANNEL: (
        ("APP", 3),
        ("app", 3),
        ("手机银行", 3.5),
        ("网银", 3.5),
        ("网上银行", 3.5),
        ("掌上", 2.5),
        ("闪退", 4),
        ("登录不", 3),
        ("登不上", 3.5),
        ("登陆不", 3),
        ("打不开", 3),
        ("验证码", 2.5),
        ("系统", 1.5),
        ("升级", 1.5),
        ("页面", 2),
        ("报错", 3.5),
        ("卡顿", 3),
        ("小程序", 2.5),
        ("公众号", 2),
        ("人脸识别", 2.5),
        ("U盾", 3),
        ("自助", 1.5),
        ("ATM", 2),
    ),
    Category.COLLECTION: (
        ("催收", 4.5),
        ("催款", 4),
        ("催还款", 4),
        ("打电话给我家人", 4),
        ("联系我家人", 3.5),
        ("通讯录", 3),
        ("爆通讯录", 4),
        ("上门", 2),
    ),
    Category.SERVICE: (
        ("客服", 1.5),
        ("态度", 3),
        ("服务", 1.5),
        ("柜员", 3),
        ("网点", 3),
        ("大堂经理", 3),
        ("排队", 3),
        ("工作人员", 2.5),
        ("营业厅", 2.5),
        ("等了", 1.5),
        ("接通", 2),
        ("人工", 1.5),
        ("挂电话", 2),
        ("热线", 1.5),
    ),
    Category.PERSONAL_INFO: (
        ("个人信息", 4),
        ("信息泄露", 4.5),
        ("泄露", 3),
        ("隐私", 3.5),
        ("身份证复印件", 2.5),
        ("营销电话", 3),
        ("推销电话", 3),
        ("骚扰电话", 3),
        ("手机号", 1),
        ("地址", 1),
        ("联系方式", 1.5),
    ),
}


@dataclass
class Suggestion:
    kind: str
    category: str
    kind_terms: list[str] = field(default_factory=list)
    category_terms: list[str] = field(default_factory=list)
    kind_scores: dict[str, float] = field(default_factory=dict)
    category_scores: dict[str, float] = field(default_factory=dict)

    @property
    def kind_label(self) -> str:
        from kefu.tickets.classification import Kind

        return str(Kind(self.kind).label) if self.kind in Kind.values else self.kind

    @property
    def category_label(self) -> str:
        from kefu.tickets.classification import Category

        return str(Category(self.category).label) if self.category in Category.values else ""

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "category": self.category,
            "kind_terms": self.kind_terms,
            "category_terms": self.category_terms,
        }


def _score(text: str, table: dict[str, tuple[tuple[str, float], ...]]):
    scores: dict[str, float] = {}
    hits: dict[str, list[str]] = {}
    for label, terms in table.items():
        total = 0.0
        matched = []
        for term, weight in terms:
            if term in text:
                total += weight
                matched.append(term)
        if total:
            scores[label] = round(total, 2)
            hits[label] = matched
    return scores, hits


def _best(scores: dict[str, float], order: Sequence[str], default: str) -> str:
    if not scores:
        return default
    # ties go to the label listed first (complaint before suggestion before inquiry)
    return max(order, key=lambda label: (scores.get(label, 0.0), -order.index(label)))


_KIND_ORDER = [Kind.COMPLAINT, Kind.SUGGESTION, Kind.OTHER, Kind.INQUIRY]
_CATEGORY_ORDER = list(CATEGORY_TERMS)


def suggest(text: str) -> Suggestion:
    """The likely type and category of ``text`` and the words that led to each."""
    text = text or ""
    kind_scores, kind_hits = _score(text, KIND_TERMS)
    category_scores, category_hits = _score(text, CATEGORY_TERMS)
    kind = _best(kind_scores, _KIND_ORDER, Kind.INQUIRY)
    category = _best(category_scores, _CATEGORY_ORDER, Category.OTHER)
    return Suggestion(
        kind=str(kind),
        category=str(category),
        kind_terms=kind_hits.get(kind, []),
        category_terms=category_hits.get(category, []),
        kind_scores={str(k): v for k, v in kind_scores.items()},
        category_scores={str(k): v for k, v in category_scores.items()},
    )
