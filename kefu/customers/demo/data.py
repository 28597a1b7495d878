"""Reference data of the demo: staff, the fixed customers of issue 10, regions, merchants.

The fixed customers' numbers are used by the documentation, the training material and
other features: change them only together with those.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from kefu.customers.models import (
    Card,
    CardAccount,
    CardApplication,
    Customer,
    Holding,
    IdentityDocument,
    Segment,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEMO_PASSWORD = "Kefu#2026"  # noqa: S105  (published in the README for demonstrations)
TELEPHONY_USERNAME = "telephony"
TELEPHONY_TOKEN_NAME = "demo"  # noqa: S105  (a label, not a secret)
DEFAULT_CUSTOMERS = 3000
CHUNK = 2000
MAX_BULK_CUSTOMERS = 5_000_000
BULK_STATEMENTS = 3

# --- demo staff ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoStaff:
    username: str
    role: str
    role_zh: str  # SPEC §0: the role's name as the centre says it
    display_name: str


DEMO_STAFF = (
    DemoStaff("agent", "agent", "客服专员", "演示坐席 王晓"),
    DemoStaff("callback", "callback", "回访专员", "演示回访 李倩"),
    DemoStaff("complaint", "complaint", "投诉专员", "演示投诉 周敏"),
    DemoStaff("tech", "tech", "技术型客服", "演示技术 吴涛"),
    DemoStaff("supervisor", "supervisor", "客服主管", "演示主管 郑红"),
    DemoStaff("qa", "qa", "质检员", "演示质检 冯雪"),
    DemoStaff("manager", "manager", "客服部经理", "演示经理 陈刚"),
    DemoStaff("admin", "admin", "系统管理员", "演示管理员 林峰"),
)
TELEPHONY_ROLE_ZH = "话务平台（服务账号）"

# --- the fixed customers (issue 10): numbers used by docs, training and other features --------


@dataclass(frozen=True)
class FixedCustomer:
    key: str
    name: str
    mobile: str
    doc_type: str
    document: str
    card: str
    card_role: str
    card_status: str
    query_password: str
    gender: str
    birth_date: dt.date
    segment: str

    @property
    def external_id(self) -> str:
        return f"demo-fixed-{self.key}"


RESIDENT_ID = IdentityDocument.Type.RESIDENT_ID
FIXED_CUSTOMERS = (
    FixedCustomer(
        "zhangwei",
        "张伟",
        "13911110001",
        RESIDENT_ID,
        "110105197803150315",
        "6288880000000013",
        "primary",
        "active",
        "135790",
        "M",
        dt.date(1978, 3, 15),
        Segment.GOLD,
    ),
    FixedCustomer(
        "lina",
        "李娜",
        "13911110002",
        RESIDENT_ID,
        "440304198007220429",
        "6288880000000021",
        "supplementary",
        "active",
        "246802",
        "F",
        dt.date(1980, 7, 22),
        Segment.GOLD,
    ),
    FixedCustomer(
        "wangfang",
        "王芳",
        "13911110003",
        IdentityDocument.Type.PASSPORT,
        "E12345678",
        "6288880000000039",
        "primary",
        "active",
        "907531",
        "F",
        dt.date(1990, 4, 12),
        Segment.STANDARD,
    ),
    FixedCustomer(
        "liuyang",
        "刘洋",
        "13911110004",
        RESIDENT_ID,
        "530102199511300172",
        "6288880000000047",
        "primary",
        "inactive",
        "",
        "M",
        dt.date(1995, 11, 30),
        Segment.STANDARD,
    ),
    FixedCustomer(
        "chenjing",
        "陈静",
        "13911110005",
        RESIDENT_ID,
        "320106199202291029",
        "6288880000000054",
        "primary",
        "active",
        "112358",
        "F",
        dt.date(1992, 2, 29),
        Segment.STANDARD,
    ),
    FixedCustomer(
        "zhaolei",
        "赵磊",
        "13911110006",
        RESIDENT_ID,
        "110108200001010015",
        "6288880000000062",
        "primary",
        "lost",
        "314159",
        "M",
        dt.date(2000, 1, 1),
        Segment.PLATINUM,
    ),
)
FIXED_BY_KEY = {f.key: f for f in FIXED_CUSTOMERS}
# 刘洋's card before the replacement that now waits for activation: the account's history.
LIUYANG_OLD_CARD = "6288880000000070"
FIXED_STATEMENTS = 13
LARGE_TRANSFER_OUT = Decimal("680000.00")

# --- reference data ------------------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    code: str
    name: str


# County-level codes of GB/T 2260, the first six digits of a resident ID.
REGIONS = tuple(
    Region(code, name)
    for code, name in (
        ("110101", "北京市东城区"),
        ("110102", "北京市西城区"),
        ("110105", "北京市朝阳区"),
        ("110106", "北京市丰台区"),
        ("110108", "北京市海淀区"),
        ("110114", "北京市昌平区"),
        ("120101", "天津市和平区"),
        ("120103", "天津市河西区"),
        ("130102", "河北省石家庄市长安区"),
        ("140105", "山西省太原市小店区"),
        ("150102", "内蒙古自治区呼和浩特市新城区"),
        ("210102", "辽宁省沈阳市和平区"),
        ("210202", "辽宁省大连市中山区"),
        ("220102", "吉林省长春市南关区"),
        ("230102", "黑龙江省哈尔滨市道里区"),
        ("310101", "上海市黄浦区"),
        ("310104", "上海市徐汇区"),
        ("310105", "上海市长宁区"),
        ("310106", "上海市静安区"),
        ("310107", "上海市普陀区"),
        ("310110", "上海市杨浦区"),
        ("310115", "上海市浦东新区"),
        ("320102", "江苏省南京市玄武区"),
        ("320106", "江苏省南京市鼓楼区"),
        ("320506", "江苏省苏州市吴中区"),
        ("320508", "江苏省苏州市姑苏区"),
        ("330102", "浙江省杭州市上城区"),
        ("330106", "浙江省杭州市西湖区"),
        ("330203", "浙江省宁波市海曙区"),
        ("340104", "安徽省合肥市蜀山区"),
        ("350102", "福建省福州市鼓楼区"),
        ("350203", "福建省厦门市思明区"),
        ("360102", "江西省南昌市东湖区"),
        ("370102", "山东省济南市历下区"),
        ("370202", "山东省青岛市市南区"),
        ("410105", "河南省郑州市金水区"),
        ("420102", "湖北省武汉市江岸区"),
        ("420106", "湖北省武汉市武昌区"),
        ("430102", "湖南省长沙市芙蓉区"),
        ("430104", "湖南省长沙市岳麓区"),
        ("440103", "广东省广州市荔湾区"),
        ("440104", "广东省广州市越秀区"),
        ("440106", "广东省广州市天河区"),
        ("440303", "广东省深圳市罗湖区"),
        ("440304", "广东省深圳市福田区"),
        ("440305", "广东省深圳市南山区"),
        ("440604", "广东省佛山市禅城区"),
        ("450103", "广西壮族自治区南宁市青秀区"),
        ("460105", "海南省海口市秀英区"),
        ("500103", "重庆市渝中区"),
        ("500105", "重庆市江北区"),
        ("510104", "四川省成都市锦江区"),
        ("510107", "四川省成都市武侯区"),
        ("520102", "贵州省贵阳市南明区"),
        ("530102", "云南省昆明市五华区"),
        ("610102", "陕西省西安市新城区"),
        ("610113", "陕西省西安市雁塔区"),
        ("620102", "甘肃省兰州市城关区"),
        ("640104", "宁夏回族自治区银川市兴庆区"),
        ("650102", "新疆维吾尔自治区乌鲁木齐市天山区"),
    )
)
REGION_BY_CODE = {r.code: r for r in REGIONS}
BIRTH_FIRST = dt.date(1950, 1, 1)
BIRTH_DAYS = (dt.date(2005, 12, 31) - BIRTH_FIRST).days + 1
# Mainland mobile prefixes; 1391111xxxx is kept for the fixed customers.
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "175",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "184",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
)
# Fictional card BINs of the demo bank, by product.
CARD_PRODUCTS = {
    Segment.STANDARD: ("628888", "标准信用卡"),
    Segment.GOLD: ("628888", "金卡"),
    Segment.PLATINUM: ("628886", "白金卡"),
    Segment.PRIVATE: ("628889", "私人银行无限卡"),
}
CREDIT_LIMITS = {  # thousands of CNY, low and high
    Segment.STANDARD: (5, 30),
    Segment.GOLD: (30, 80),
    Segment.PLATINUM: (80, 200),
    Segment.PRIVATE: (200, 1000),
}
MERCHANTS = (
    ("京东商城", "网上消费", 3000, 150000),
    ("天猫超市", "网上消费", 2000, 60000),
    ("美团外卖", "网上消费", 1500, 12000),
    ("星巴克咖啡", "消费", 2800, 9000),
    ("中国石化加油站", "消费", 20000, 60000),
    ("盒马鲜生", "消费", 5000, 40000),
    ("携程旅行网", "网上消费", 30000, 500000),
    ("滴滴出行", "网上消费", 1000, 8000),
    ("万达影城", "消费", 4000, 20000),
    ("永辉超市", "消费", 3000, 50000),
    ("海底捞火锅", "消费", 15000, 80000),
    ("苏宁易购", "网上消费", 20000, 900000),
    ("国家电网电费", "缴费", 5000, 40000),
    ("中国移动话费", "缴费", 5000, 30000),
    ("华住酒店", "消费", 25000, 120000),
    ("优衣库", "消费", 10000, 80000),
)
EMAIL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "139.com", "foxmail.com")
FUND_PRODUCTS = (
    ("KF0001", "稳健增利债券A", Holding.ProductType.FUND),
    ("KF0002", "价值精选混合", Holding.ProductType.FUND),
    ("KF0003", "沪深300指数增强", Holding.ProductType.FUND),
    ("KF0004", "中证500ETF联接C", Holding.ProductType.FUND),
    ("KF0005", "现金宝货币A", Holding.ProductType.FUND),
    ("KW0101", "季季红理财90天", Holding.ProductType.WEALTH),
    ("KW0102", "稳利理财30天", Holding.ProductType.WEALTH),
    ("KB0201", "记账式国债2601", Holding.ProductType.BOND),
)
BANKS = ("工商银行", "建设银行", "农业银行", "中国银行", "交通银行", "招商银行")
BRANCHES = ("北京海淀营业部", "上海浦东营业部", "深圳福田营业部", "广州天河营业部",
            "杭州西湖营业部", "成都武侯营业部")  # fmt: skip
LOGIN_IPS = tuple(f"203.0.113.{n}" for n in range(1, 200)) + tuple(
    f"198.51.100.{n}" for n in range(1, 60)
)
APPLICATION_STATES = (
    (CardApplication.Status.SUBMITTED, "申请已受理"),
    (CardApplication.Status.REVIEWING, "资料审核中"),
    (CardApplication.Status.APPROVED, "审批通过，卡片制作中"),
    (CardApplication.Status.MAILED, "卡片已寄出，请留意签收"),
    (CardApplication.Status.REJECTED, "综合评分不足，未能通过"),
)
ACCOUNT_MANAGERS = 24

# Demo-only shortcut: argon2 per bulk card would take more than a day at a million
# customers, so bulk cards share the hashes of this small pool. Real query passwords are
# always hashed one by one (kefu.core.crypto.hash_secret); never copy this into an import.
BULK_QUERY_PASSWORDS = ("258036", "369147", "802461", "571093", "640285", "913572")


class Weighted:
    """A weighted choice, drawing one random number."""

    def __init__(self, *pairs: tuple[object, int]):
        self.values = [value for value, _weight in pairs]
        self.bounds = list(itertools.accumulate(weight for _value, weight in pairs))

    def pick(self, rng: random.Random):
        return self.values[bisect.bisect_right(self.bounds, rng.random() * self.bounds[-1])]


SEGMENTS = Weighted(
    (Segment.STANDARD, 70), (Segment.GOLD, 20), (Segment.PLATINUM, 8), (Segment.PRIVATE, 2)
)
CHANNELS = Weighted(("phone", 45), ("app", 25), ("wechat", 15), ("sms", 10), ("email", 5))
CARD_STATUSES = Weighted(
    (Card.Status.ACTIVE, 88),
    (Card.Status.INACTIVE, 4),
    (Card.Status.LOST, 3),
    (Card.Status.FROZEN, 3),
    (Card.Status.CLOSED, 2),
)
DELIVERIES = Weighted(
    (CardAccount.Delivery.EMAIL, 60),
    (CardAccount.Delivery.PAPER, 15),
    (CardAccount.Delivery.BOTH, 25),
)
RISK_LEVELS = tuple(Customer.RiskLevel.values)
