# ruff: noqa: E501
"""Write and check tests/data/labelled.jsonl, the hand-labelled owner messages.

The texts below were written by hand (one entry per message); this script only does the
bookkeeping: it numbers the entries per language (zh-001, es-001, en-001, ...), writes the
JSON Lines file, and checks it (enums, unique ids, minimum counts, location parts present in
the text). Edit the entries here, then run

    python tests/data/make_labelled.py          # write labelled.jsonl, then check it
    python tests/data/make_labelled.py --check  # only check the existing labelled.jsonl

Location convention: ``building`` = 栋/幢/号楼, Torre, Bloque, Block, Building, Tower (a
Spanish "Portal N" on its own is the building; with a Bloque/Torre it is the entrance);
``unit`` = the entrance/stairwell within a building (单元, portal/escalera after a bloque);
``room`` = the flat (室, 5ºB, 2º izq., bajo C, Apt 12B, flat 904; an English "Unit 1502"
is the flat). Each part is copied as written in the text; absent parts are null; location
is null when the text names no place.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "labelled.jsonl"

LANGUAGES = ("zh", "es", "en")
KINDS = ("complaint", "repair_request", "inquiry", "suggestion", "praise")
CATEGORIES = (
    "repair",
    "construction_quality",
    "design",
    "property_service",
    "billing",
    "sales_contract",
    "other",
)
SEVERITIES = ("general", "important", "major")

MIN_TOTAL = 240
MIN_PER_CATEGORY = 25
MIN_PER_KIND = 20
MIN_MAJOR = 40
MIN_TRICKY = 30
LANGUAGE_SHARE = {"zh": (0.35, 0.45), "es": (0.25, 0.35), "en": (0.25, 0.35)}

ENTRIES: list[dict] = []


def add(language, subject, body, kind, category, severity, loc=None, notes=None):
    if loc is not None:
        building, unit, room = loc
        loc = {"building": building, "unit": unit, "room": room}
    entry = {
        "language": language,
        "subject": subject,
        "body": body,
        "kind": kind,
        "category": category,
        "severity": severity,
        "location": loc,
    }
    if notes:
        entry["notes"] = notes
    ENTRIES.append(entry)


# fmt: off
# ---------------------------------------------------------------------------------------
# Chinese
# ---------------------------------------------------------------------------------------

# zh / repair
add("zh", "卫生间漏水",
    "你好，我是3栋2单元1502的业主，卫生间天花板从昨晚开始滴水，应该是楼上的管道问题，麻烦尽快安排师傅上门看看。谢谢！",
    "repair_request", "repair", "general", ("3", "2", "1502"))
add("zh", "厨房水龙头关不紧",
    "厨房水龙头关不紧，一直滴水，晚上听着滴答滴答的睡不着。请问什么时候能派人来修？5号楼802",
    "repair_request", "repair", "general", ("5", None, "802"))
add("zh", "报修：入户门锁芯坏了",
    "入户门的锁芯坏了，钥匙插进去转不动，现在只能从里面反锁，出门都不敢关门。\n12幢1单元301室，下午两点以后家里有人。",
    "repair_request", "repair", "general", ("12", "1", "301"))
add("zh", "第三次报修了！！！",
    "热水器坏了已经报修三次了，每次都说师傅明天来，结果一直没人来。家里有两岁的小孩，这么冷的天没热水洗澡，你们到底管不管？？\n7栋1单元602",
    "complaint", "repair", "important", ("7", "1", "602"),
    "Repeated unresolved repair with a small child affected: important, not major.")
add("zh", "楼道灯不亮",
    "物业你们好，我们单元5楼到8楼的楼道灯都不亮了，晚上上下楼黑乎乎的，麻烦换一下灯泡，谢谢。",
    "repair_request", "repair", "general")
add("zh", "可视对讲没声音",
    "楼下按门铃我家对讲机没有声音，画面也是黑的，快递员每次都进不来，只能我跑下去开门。麻烦安排检修，2号楼3单元1101。",
    "repair_request", "repair", "general", ("2", "3", "1101"))
add("zh", "表扬王师傅",
    "昨天报修的卫生间漏水，王师傅当天下午就来了，半个小时就修好了，还把地面擦干净了。服务很到位，特此表扬！\n—— 9栋601 李女士",
    "praise", "repair", "general", ("9", None, "601"),
    "Praise that mentions a leak and a repair: kind praise, category repair, general.")
add("zh", "回复：阳台下水管漏水",
    "上周说的阳台下水管漏水，师傅换了接头以后现在已经没有漏水了，谢谢你们。",
    "praise", "repair", "general", None,
    "Negation: 没有漏水了 is a thank-you, not a leak report.")
add("zh", "插座冒火花！！急！！",
    "厨房的插座刚才插电饭煲的时候冒火花，还有一股焦糊味，我已经把总闸拉了。请马上派电工来！！\n6栋2单元402",
    "repair_request", "repair", "major", ("6", "2", "402"),
    "Electrical sparks: major even though the kind is a repair request.")
add("zh", "地下室水管爆裂，储藏室被淹",
    "15号楼地下室的水管爆了，水一直往外喷，已经淹到我家储藏室了，值班电话也打不通！储藏室里的东西全泡了，损失少说也有五六千。",
    "complaint", "repair", "important", ("15", None, None),
    "Damage worth several thousand yuan: important; flooding alone is no danger to people.")
add("zh", "卧室窗户关不严",
    "卧室的推拉窗滑轨坏了，窗户关不严，晚上风呼呼地往里灌。麻烦有空派人看一下，不着急。",
    "repair_request", "repair", "general")
add("zh", "马桶一直流水",
    "马桶水箱一直在流水，按钮按下去弹不上来，水费都多了不少。请问这个是免费维修还是要收费？8-1-1203 张",
    "repair_request", "repair", "general", ("8", "1", "1203"),
    "Location written as 8-1-1203 (building-unit-room); the fee question is secondary to the repair.")
add("zh", "报修快一个月了没人管",
    "上个月15号报修的淋浴花洒漏水，到现在快一个月了，管家每次都说在安排。我都打了四五个电话了，再这样我就打12345投诉你们。",
    "complaint", "repair", "major", None,
    "Threat to call the 12345 government hotline makes it major.")
add("zh", "漏水不是我家的问题",
    "物业说楼下的漏水是我家造成的，可是我家卫生间地面一直是干的，师傅也查过我家的管道，没有问题。漏水不是我家的！请不要再让我赔钱了，去查一下公共管道吧。",
    "complaint", "repair", "general", None,
    "Negation: the owner denies the leak comes from their flat; a complaint, not a repair request.")
add("zh", "厨房下水道堵了，急",
    "厨房下水道堵了，水下不去，用了管道疏通剂也没用，今晚家里还要请客，能不能今天派人来通一下？急！！谢谢\n4栋1单元201",
    "repair_request", "repair", "general", ("4", "1", "201"),
    "急 but no danger to anyone: general.")
add("zh", "暖气不热，老人冻感冒了",
    "暖气片一直不热，摸上去冰凉的，家里老人已经冻感冒了。报了两次修都说是系统问题，让我们等。\n10号楼2单元502",
    "complaint", "repair", "important", ("10", "2", "502"))
add("zh", "燃气热水器有煤气味！",
    "厨房燃气热水器一打开就有很重的煤气味，我已经关了燃气总阀、开了窗，现在全家在楼下等着。请马上派人来！！13栋1单元1601",
    "repair_request", "repair", "major", ("13", "1", "1601"))
add("zh", "电表箱冒烟",
    "我们楼道的电表箱刚才冒黑烟，还有噼里啪啦的声音，整栋楼都停电了，已经打了119，物业的人快过来！20栋",
    "repair_request", "repair", "major", ("20", None, None),
    "Smoke from the meter box: an emergency report, major.")
add("zh", "不是燃气泄漏，是下水道返味",
    "刚才家里闻到一股怪味，吓了一跳，燃气公司的师傅来检测过了，不是燃气泄漏，是卫生间下水道返味。麻烦物业派人给地漏加个防臭芯，谢谢。",
    "repair_request", "repair", "general", None,
    "Negation: gas was checked and ruled out; only a drain smell remains, not major.")
add("zh", "阳台PVC排水管裂了",
    "阳台的PVC排水管裂了一道缝，一下雨就往楼下滴水，楼下阿姨已经来敲过两次门了。3号楼1单元802室",
    "repair_request", "repair", "general", ("3", "1", "802"),
    "Chinese with an English abbreviation (PVC).")
add("zh", "water heater漏水",
    "Hi，我家的water heater一直漏水，floor都湿了，能不能请plumber今天来一下？Building 6, 1203. Thanks!",
    "repair_request", "repair", "general", ("6", None, "1203"),
    "Mixed Chinese and English; the sentences are Chinese, so language zh.")
add("zh", "电视信号没有了",
    "客厅的有线电视插座没信号，其他房间是好的，应该是线路问题，麻烦派人检查一下。",
    "repair_request", "repair", "general", None,
    "电视 is a TV socket here, not a threat to call a TV station.")

# zh / construction_quality
add("zh", "墙面空鼓两个月没处理",
    "收房的时候发现客厅和主卧的墙面有好几处空鼓，用手敲是空的声音，当时已经写在验房单上了，说一个月内整改，现在两个月了还没人来。3栋1单元1802",
    "complaint", "construction_quality", "important", ("3", "1", "1802"),
    "Deadline promised at handover was missed: important.")
add("zh", "外墙渗水",
    "每次下雨，次卧靠外墙的那面墙就湿一大片，墙纸都发霉了。应该是外墙防水没做好，请工程部派人来看一下。",
    "repair_request", "construction_quality", "general")
add("zh", "地面不平",
    "客厅地面明显不平，放个玻璃球能滚到墙角，铺木地板的师傅说高低差超过1厘米了。请问这是你们的交房标准吗？",
    "complaint", "construction_quality", "general")
add("zh", "承重墙出现大裂缝，请马上派人鉴定",
    "我家客厅承重墙上出现了一条很长的斜裂缝，从天花板一直裂到地面，最宽的地方能塞进一枚硬币，而且这几天还在变宽。我们一家人都不敢住了，请马上派人来鉴定！！\n11栋2单元703 陈先生",
    "complaint", "construction_quality", "major", ("11", "2", "703"),
    "Large widening crack in a load-bearing wall: structural danger.")
add("zh", "裂缝问题再不解决我就找电视台",
    "我们家墙上的裂缝反映了半年，你们一直拖。再不给说法，我就打电话给电视台，让记者来拍一拍你们开发商盖的是什么房子！",
    "complaint", "construction_quality", "major", None,
    "Threat to call the TV station about cracks: major, construction_quality.")
add("zh", "卫生间墙砖脱落",
    "卫生间墙砖掉下来好几块，差点砸到我家孩子的脚，幸好没受伤。剩下的砖敲起来也是空的，随时可能掉。5幢1202",
    "complaint", "construction_quality", "important", ("5", None, "1202"),
    "Indoor tiles falling, child nearly hit but not hurt: important (child affected), not major.")
add("zh", "8号楼外墙瓷砖掉落！！",
    "今天早上8号楼外墙的瓷砖从十几楼掉下来，砸在楼下的人行道上，碎了一地，当时旁边就有小孩在玩！请马上拉警戒线，把外墙全部检查一遍。",
    "complaint", "construction_quality", "major", ("8", None, None))
add("zh", "顶楼又漏雨了",
    "我家是顶楼，一下大雨天花板就漏水，接了三个盆。楼顶防水层肯定有问题，去年修过一次，今年又漏了。\n18栋2单元2601",
    "complaint", "construction_quality", "important", ("18", "2", "2601"),
    "Roof leak from a waterproofing defect, repeated after a repair: construction_quality, important.")
add("zh", "2号楼全体业主联名：地下车库渗水",
    "我们2号楼全体业主联名反映：地下车库墙面大面积渗水、发霉，好几处墙皮剥落，交房一年多了一直没有解决。请开发商尽快给出整改方案和时间表。\n附：签名业主46户",
    "complaint", "construction_quality", "major", ("2", None, None),
    "Group complaint (联名, 全体业主): major without any physical danger.")
add("zh", "窗框渗水",
    "窗户和墙之间的缝隙没打好胶，一刮风下雨水就从窗框下面渗进来，窗台下面的墙已经泡软了。",
    "complaint", "construction_quality", "general")
add("zh", "卫生间防水是不是开发商的责任？",
    "楼下邻居说他家卫生间天花板发霉，师傅检查说是我家卫生间防水层没做好。这是开发商的责任吧？保修期内应该免费处理吧？",
    "inquiry", "construction_quality", "general")
add("zh", "吊顶塌了！",
    "客厅吊顶的石膏板昨晚突然塌了一大块下来，正好砸在沙发上，幸亏当时没人坐。现在上面还有一块在往下垂，随时会掉！！",
    "complaint", "construction_quality", "major", None,
    "Collapsing ceiling: structural danger.")
add("zh", "表扬工程部小刘",
    "感谢工程部的小刘，上次反映的墙面空鼓已经全部铲掉重新抹灰了，效果很好，一点也看不出来。",
    "praise", "construction_quality", "general", None,
    "Praise that mentions 空鼓.")
add("zh", "墙角细裂纹正常吗",
    "新房刷完乳胶漆后墙角出现几条头发丝一样的细裂纹，请问这种属于正常现象吗？需要报修吗？",
    "inquiry", "construction_quality", "general", None,
    "Hairline cracks in paint, not structural: not major.")
add("zh", "建议闭水试验通知业主",
    "建议以后交房前做闭水试验的时候通知业主到场，我们也好放心，不然住进来才发现漏水就麻烦了。",
    "suggestion", "construction_quality", "general")
add("zh", "木地板起拱",
    "住进来不到一年，客厅靠阳台的木地板就起拱了，师傅说是找平层没干透就铺了地板，这算精装修的质量问题吧？",
    "complaint", "construction_quality", "general")

# zh / design
add("zh", "主卧采光太差",
    "买房的时候看的样板间很亮，住进来才发现主卧窗户正对着隔壁楼，白天也要开灯，这个户型设计太不合理了。",
    "complaint", "design", "general")
add("zh", "厨房没有窗户，油烟散不出去",
    "厨房没有窗户，油烟机开着整个房子还是一股油烟味，通风设计有问题。请问能不能加装排风口？",
    "complaint", "design", "general", None,
    "油烟 is cooking fumes, not smoke from a fire; a design complaint with a question in it.")
add("zh", "二期户型的建议",
    "看到二期要开盘了，建议二期的户型多考虑一下收纳空间，一期的房子没有储藏间，东西根本没地方放。",
    "suggestion", "design", "general")
add("zh", "卫生间门正对餐桌",
    "我们家卫生间门正对着餐桌，吃饭的时候很尴尬，老人也说不吉利。请问当初为什么这样设计？有没有改门的方案？",
    "inquiry", "design", "general")
add("zh", "次卧窗户太高",
    "次卧的窗户开在离地1米8的位置，小孩根本看不到外面，像个牢房一样。这种窗户位置是怎么通过设计审查的？",
    "complaint", "design", "general")
add("zh", "阳台太小",
    "阳台进深只有80公分，洗衣机放进去人就过不去了，晾衣服都转不开身，设计的时候没人试过吗",
    "complaint", "design", "general")
add("zh", "主卧紧挨电梯井",
    "主卧紧挨着电梯井，晚上电梯一上一下嗡嗡响，根本睡不着。这种设计卖房时也没告诉我们。",
    "complaint", "design", "general",
    None, "Mentions the lift but the problem is the layout: design, not property_service.")
add("zh", "单面朝北不通风",
    "我们这个户型是单面朝北的，南北不通透，夏天闷热得要命，空调开一天电费吓死人。",
    "complaint", "design", "general", None,
    "要命 / 吓死人 are figures of speech and 电费 is not a billing dispute.")
add("zh", "给设计师点个赞",
    "住了一年，觉得咱们小区的户型设计真的不错，南北通透，采光也好，客厅很大。给设计师点个赞！",
    "praise", "design", "general")
add("zh", "厨房插座太少",
    "设计图上厨房只有两个插座，而且都在冰箱后面，微波炉电饭煲都没地方插，设计的时候没考虑实际使用吗？",
    "complaint", "design", "general")
add("zh", "楼间距问题",
    "小区新建的那几栋楼离我们楼太近了，冬天下午两点以后客厅就晒不到太阳。请问规划的楼间距是多少？符合日照标准吗？",
    "inquiry", "design", "general")
add("zh", "三期车库设计建议",
    "建议三期的地下车库层高再高一点，现在一期的车库SUV进出都很勉强，有些地方也太暗了。",
    "suggestion", "design", "general")
add("zh", "暗卫太潮",
    "主卫是暗卫，没有窗户，排气扇开着也有味道，潮得很，镜子永远是雾的。12栋1单元901",
    "complaint", "design", "general", ("12", "1", "901"))
add("zh", "客厅的梁太低",
    "我们家living room和dining area之间那根梁太低了，才2米2，个子高的朋友来了都碰头。这个design真的很不人性化。",
    "complaint", "design", "general", None,
    "Chinese mixed with English words.")
add("zh", "户型改造咨询",
    "想把书房和客厅之间的墙打掉做成开放式，请问这面墙是不是承重墙？有没有结构图可以看？三号楼二单元1001",
    "inquiry", "design", "general", ("三", "二", "1001"),
    "承重墙 is mentioned but nothing is cracked: a general inquiry. Building and unit in Chinese numerals.")

# zh / property_service
add("zh", "电梯夹伤孩子",
    "今天下午4点左右，我女儿（6岁）在3号楼2单元的电梯里，电梯门突然关上把她的手臂夹住了，门没有自动弹开，现在手臂肿了，已经去医院拍片。这部电梯上个月就报过故障！",
    "complaint", "property_service", "major", ("3", "2", None),
    "Lift complaint with an injured child: major.")
add("zh", "地下车库有很重的煤气味",
    "地下车库B2靠近7号楼电梯口那里有很重的煤气味，闻着头晕，请赶快派人来查一下是不是燃气管道漏了！",
    "repair_request", "repair", "major", ("7", None, None),
    "Gas smell in the garage: major; a gas pipe is a repair matter even in a common area.")
add("zh", "楼道一个星期没人打扫",
    "我们单元的楼道已经一个星期没人打扫了，地上都是垃圾和烟头，楼梯扶手一摸一手灰。物业费交了是干什么的？",
    "complaint", "property_service", "general", None,
    "Mentions the management fee rhetorically; the complaint is about cleaning.")
add("zh", "楼上装修太早",
    "楼上1602从早上7点就开始电钻，周末也不停，规定不是8点以后才能装修吗？物业管不管？我家有刚出生的宝宝。",
    "complaint", "property_service", "important", (None, None, "1602"),
    "Renovation noise with a newborn affected: important. The location is the noisy neighbour's flat.")
add("zh", "遛狗不牵绳",
    "小区里很多人遛狗不牵绳，昨天晚上一条大狗冲过来，吓了我一跳。还有狗屎到处都是，草坪都不敢走。",
    "complaint", "property_service", "general")
add("zh", "关于小区安全的建议",
    "建议晚上10点以后小区门口的保安查一下进出人员，最近发现有外卖员和陌生人随便进出，不太安全。另外东门的监控好像坏了，也请看一下。",
    "suggestion", "property_service", "general", None,
    "Suggestion that mentions security and safety: not a complaint, not major.")
add("zh", "车位又被占了",
    "我的固定车位又被别人的车占了，已经是这个月第四次了，打电话给保安也只是说联系不上车主。请物业想想办法！车位号B-136",
    "complaint", "property_service", "important", None,
    "Repeated problem: important. B-136 is a parking space, not a flat.")
add("zh", "电梯停了三天了",
    "5栋2单元的电梯停运三天了，我们家住22楼，我父亲80多岁腿脚不好，这几天都下不了楼，连医院都去不了。什么时候能修好？？",
    "complaint", "property_service", "important", ("5", "2", None),
    "No lift for days with an elderly resident: important.")
add("zh", "中心花园没人打理",
    "小区中心花园的草坪都枯黄了，树也好久没修剪了，一楼的窗户都被挡住。麻烦安排园林工修剪一下。",
    "complaint", "property_service", "general")
add("zh", "垃圾桶两天没清",
    "垃圾桶满了两天了都没人清，夏天臭得要命，苍蝇满天飞，住在旁边的一楼业主窗户都不敢开。",
    "complaint", "property_service", "general", None,
    "臭得要命 is a figure of speech.")
add("zh", "表扬保安小张",
    "昨天晚上我钥匙忘在家里，保安小张帮我联系了开锁师傅，还一直陪我等到十二点，非常感谢！希望物业能表扬一下他。",
    "praise", "property_service", "general")
add("zh", "消防演练要每户参加吗",
    "看到电梯里贴的消防演练通知，请问这周六的演练需要每户都参加吗？家里有老人行动不便，可以不下楼吗？",
    "inquiry", "property_service", "general", None,
    "消防演练 is a fire drill: fire in a harmless sense.")
add("zh", "灭火器什么时候年检",
    "请问楼道里的灭火器什么时候年检？我看我们楼层的灭火器压力表指针好像已经在红区了。",
    "inquiry", "property_service", "general", None,
    "Fire extinguisher inspection: inquiry, general.")
add("zh", "快递又丢了",
    "快递柜经常满，快递员就把包裹放在门岗，结果我的快递已经丢了两次。物业能不能增加快递柜或者安排人管一下？",
    "complaint", "property_service", "important", None,
    "Repeated loss: important.")
add("zh", "游泳池开放时间",
    "请问会所游泳池今年什么时候开放？开放时间有没有变化？",
    "inquiry", "property_service", "general")
add("zh", "楼上每天晚上很吵",
    "楼上邻居每天晚上十一二点还在跳绳、拖椅子，跟他们说了几次都没用，物业能不能出面协调一下？17栋2单元1103",
    "complaint", "property_service", "general", ("17", "2", "1103"))
add("zh", "楼道有人抽烟",
    "楼道里有人抽烟，烟味从门缝飘进家里，呛得很。能不能在楼道贴个禁烟标识，提醒一下大家？",
    "suggestion", "property_service", "general", None,
    "烟 is cigarette smoke, not a fire.")
add("zh", "我妈在门口摔倒骨折了",
    "我妈今天早上在9号楼门口的台阶上滑倒了，台阶上的冰两天都没人清理，现在手腕骨折在医院。物业必须给个说法！",
    "complaint", "property_service", "major", ("9", None, None),
    "Injury: someone fell and was hurt.")
add("zh", "垃圾站的事我要发抖音",
    "小区的垃圾站臭了一个夏天了，反映了无数次都没用。我已经拍了视频，今晚就发抖音和小红书，让大家看看你们物业是怎么管的。",
    "complaint", "property_service", "major", None,
    "Threat of social media exposure.")
add("zh", "建议会所装WiFi",
    "建议会所大堂装个免费WiFi，业主等人或者带小孩去玩的时候可以用，信号现在很差。",
    "suggestion", "property_service", "general")
add("zh", "门禁卡补办",
    "门禁卡丢了，请问补办一张要多久？需要带什么证件去前台？",
    "inquiry", "property_service", "general")

# zh / billing
add("zh", "物业费是怎么计算的？",
    "请问物业费是按建筑面积还是套内面积计算的？我家建筑面积98平，每月收了312元，想确认一下单价。",
    "inquiry", "billing", "general", None,
    "How is the fee calculated: inquiry, not complaint.")
add("zh", "滞纳金不合理",
    "我物业费只晚交了5天，你们就收了我200块滞纳金，合同里根本没有这一条！请退还。",
    "complaint", "billing", "general")
add("zh", "重复扣款",
    "这个月的物业费我用微信缴了一次，结果银行卡又自动扣了一次，重复扣了1850元，请尽快退款。",
    "complaint", "billing", "general")
add("zh", "装修押金三个月没退",
    "装修早就完工验收了，5000元装修押金三个月了还没退，打了几次电话都说在走流程。",
    "complaint", "billing", "important", None,
    "Refund of 5000 yuan, repeatedly chased: important.")
add("zh", "发票又开错了",
    "物业费发票的抬头又开错了，这是第二次了！应该开公司名称，不是个人，麻烦重新开一张。",
    "complaint", "billing", "important", None,
    "Wrong invoice for the second time: repeated, important.")
add("zh", "公摊电费为什么翻倍",
    "为什么这个月的公摊电费比上个月多了一倍？电梯、路灯都没增加，请公布一下明细。",
    "complaint", "billing", "general", None,
    "电费 is a utility charge, not an electrical danger.")
add("zh", "水费不对",
    "我家上个月出差根本没人住，水费却显示用了35吨，是不是水表有问题？麻烦核实一下。",
    "complaint", "billing", "general")
add("zh", "车位管理费多少钱",
    "请问地下车位的管理费每月多少钱？可以按年交吗，按年交有没有优惠？",
    "inquiry", "billing", "general")
add("zh", "空置房物业费",
    "我的房子一直空置，没有装修也没有入住，请问空置期间物业费可以打折吗？",
    "inquiry", "billing", "general")
add("zh", "物业费违规涨价",
    "你们今年把物业费从2.2元涨到2.8元一平米，没有召开业主大会，也没有公示，这是违规的。我已经咨询了律师，如果不退还多收的部分，我们会起诉。",
    "complaint", "billing", "major", None,
    "律师 / 起诉: threat of legal action.")
add("zh", "燃气费在哪交",
    "请问燃气费在哪里交？是交给物业还是直接交给燃气公司？新搬来的不太清楚。",
    "inquiry", "billing", "general", None,
    "燃气 in a harmless sense (paying the gas bill).")
add("zh", "感谢财务部陈小姐",
    "上次多交的物业费财务很快就退回来了，效率很高，谢谢财务部的陈小姐。",
    "praise", "billing", "general")
add("zh", "建议开通支付宝缴费",
    "建议开通支付宝缴物业费，现在只能微信或者去前台，很多老人不会用微信支付。",
    "suggestion", "billing", "general")
add("zh", "交房时一次性收费八千多",
    "交房时被要求一次性交一年的物业费，加上垃圾清运费、装修管理费，一共八千多，这合理吗？有没有收费依据？",
    "complaint", "billing", "important", None,
    "Money above a few thousand: important.")
add("zh", "物业费 invoice 问题",
    "您好，我需要去年全年物业费的电子发票，公司报销用，能发到我邮箱吗？谢谢！16栋1单元303",
    "inquiry", "billing", "general", ("16", "1", "303"))

# zh / sales_contract
add("zh", "房产证两年了还没办",
    "交房已经两年多了，房产证到现在还没办下来，问销售说在办，问物业说不归他们管，到底谁负责？",
    "complaint", "sales_contract", "important", None,
    "Certificate long overdue: deadline missed by the company.")
add("zh", "延期交房的违约金",
    "合同上写的交房日期是2024年6月30日，现在已经推迟三个月了，没有任何书面通知。按合同开发商应该支付违约金吧？",
    "complaint", "sales_contract", "important")
add("zh", "实测面积少了3.2平",
    "实测面积比合同面积少了3.2平方米，超过了3%，按照合同约定应该退还差价，请问什么时候处理？",
    "complaint", "sales_contract", "important", None,
    "Area discrepancy worth tens of thousands: important.")
add("zh", "学区虚假宣传",
    "当初销售说小区对口XX实验小学，现在才知道根本不是一个学区。这是虚假宣传！我们好几十户都是冲着学区买的，已经联名写了材料，准备找媒体曝光。",
    "complaint", "sales_contract", "major", None,
    "Group complaint plus media exposure threat.")
add("zh", "公积金贷款进度",
    "请问公积金贷款的审批进度怎么查？银行说材料还在开发商这边没有递交。",
    "inquiry", "sales_contract", "general")
add("zh", "交了定金还没网签",
    "定金交了一个多月了还没网签，销售一直推说系统问题，我有点担心，请给个准话。",
    "complaint", "sales_contract", "general")
add("zh", "赠送的入户花园没了",
    "销售承诺的赠送入户花园，交房时被封起来算成公共部分了，和当初说的完全不一样。",
    "complaint", "sales_contract", "general")
add("zh", "延期交房，准备起诉",
    "你们延期交房半年，违约金一分钱不给，我已经委托律师，下周向法院提起诉讼。\n3栋1单元2002业主 赵某",
    "complaint", "sales_contract", "major", ("3", "1", "2002"))
add("zh", "房产证加名字",
    "想在房产证上加上我爱人的名字，请问需要准备什么材料？在哪里办？",
    "inquiry", "sales_contract", "general")
add("zh", "感谢置业顾问小林",
    "感谢置业顾问小林，在办理按揭和网签的过程中非常耐心，帮我们跑了好多趟银行。",
    "praise", "sales_contract", "general")
add("zh", "精装修标准不符，要去消协",
    "合同附件里的精装修标准写的是品牌橱柜和进口卫浴，实际交付的全是杂牌。再不处理我们就去消协投诉。",
    "complaint", "sales_contract", "major", None,
    "Consumer association (消协) threat.")
add("zh", "交房资料的建议",
    "建议交房时把《住宅质量保证书》和《住宅使用说明书》的电子版也发给业主，纸质的容易丢。",
    "suggestion", "sales_contract", "general")
add("zh", "契税完税证明",
    "请问契税完税证明什么时候可以领？办房产证要用。",
    "inquiry", "sales_contract", "general")
add("zh", "车位只有使用权，要求退款",
    "买车位时说的是产权车位，签合同才发现只是20年使用权，和当初宣传的不一样，要求退款！车位款十几万呢。",
    "complaint", "sales_contract", "important")
add("zh", "急！贷款合同",
    "急急急，银行说今天下班前要拿到购房合同的复印件，不然放款要推迟，能不能麻烦销售部帮忙传真过去？谢谢谢谢",
    "inquiry", "sales_contract", "general", None,
    "Urgent tone, no danger and no threat: general.")

# zh / other
add("zh", "中秋还有猜灯谜吗",
    "今年中秋节小区还有猜灯谜活动吗？去年孩子玩得特别开心。",
    "inquiry", "other", "general")
add("zh", "寻物：黑色钱包",
    "昨天在小区篮球场丢了一个黑色钱包，里面有身份证，如果有人捡到交到前台，请联系我，谢谢！",
    "inquiry", "other", "general")
add("zh", "亲子运动会办得好",
    "上周末的亲子运动会组织得很好，孩子们玩得很开心，辛苦工作人员了！",
    "praise", "other", "general")
add("zh", "附近幼儿园",
    "请问小区附近有没有幼儿园？是公立的还是私立的？我们刚搬来，不太熟悉。",
    "inquiry", "other", "general")
add("zh", "多组织老年人活动",
    "建议物业多组织一些老年人的活动，比如书法班、合唱团，现在老人们下楼都没地方去。",
    "suggestion", "other", "general")
add("zh", "居住证明怎么开",
    "孩子上学需要居住证明，物业能开吗？还是要去派出所开？",
    "inquiry", "other", "general")
add("zh", "谁泄露了我的电话",
    "请问是谁把我的电话给了装修公司？最近每天都接到好几个装修推销电话，烦死了。",
    "complaint", "other", "general", None,
    "烦死了 is a figure of speech.")
add("zh", "发错了",
    "不好意思，这封邮件是要发给银行客服的，发错了，请忽略。",
    "inquiry", "other", "general", None,
    "Misdirected mail with no request.")
add("zh", "业主群怎么加",
    "请问小区有没有业主微信群？怎么加入？",
    "inquiry", "other", "general")
add("zh", "出租房子要备案吗",
    "我想把房子出租，物业有没有推荐的中介？租客入住需要在物业备案吗？",
    "inquiry", "other", "general")
add("zh", "想做志愿者",
    "我是退休教师，想在小区做志愿者，周末给孩子辅导功课，不知道能不能借用一个活动室？",
    "suggestion", "other", "general")
add("zh", "春节客服中心上班时间",
    "请问春节期间客服中心几点上班？初三想去办事。",
    "inquiry", "other", "general")
add("zh", "谢谢年货",
    "收到物业送的春联和福字了，很贴心，祝大家新年快乐！——14栋的老业主",
    "praise", "other", "general", ("14", None, None))

# ---------------------------------------------------------------------------------------
# Spanish
# ---------------------------------------------------------------------------------------

# es / repair
add("es", "Fuga en el techo del baño",
    "Buenos días, les escribo porque desde ayer hay una fuga en el techo del baño, parece que viene del piso de arriba. Vivo en Torre 2, 5ºB. ¿Pueden mandar a alguien lo antes posible?\nGracias. Un saludo, Marta",
    "repair_request", "repair", "general", ("2", None, "5ºB"))
add("es", "grifo cocina",
    "El grifo de la cocina gotea sin parar y ya he cambiado la goma yo misma. Portal 3, 2º izq. Necesito un fontanero",
    "repair_request", "repair", "general", ("3", None, "2º izq."))
add("es", "Telefonillo no funciona",
    "Hola, el telefonillo no funciona, no oigo cuando llaman desde abajo y el repartidor se va. Bloque 4, bajo C. Gracias",
    "repair_request", "repair", "general", ("4", None, "bajo C"))
add("es", "4 DIAS SIN AGUA CALIENTE",
    "Llevamos 4 días sin agua caliente, el termo no enciende. Tengo dos niños pequeños y mi madre mayor vive con nosotros. Ya llamé el lunes y el miércoles y nadie ha venido!!!",
    "complaint", "repair", "important", None,
    "No hot water for days, children and elderly, repeated calls: important.")
add("es", "URGENTE enchufe con chispas",
    "URGENTE: el enchufe del salón ha echado chispas y ahora huele a quemado. He bajado los plomos. Por favor que venga un electricista hoy. Bloque 2, 3ºA",
    "repair_request", "repair", "major", ("2", None, "3ºA"),
    "Electrical sparks and burning smell: major.")
add("es", "Persiana atascada",
    "La persiana del dormitorio se ha quedado atascada a mitad y no sube ni baja. ¿Cuándo podrían venir a mirarla? Por las mañanas estoy en casa.",
    "repair_request", "repair", "general")
add("es", "Gracias al fontanero",
    "Solo queria dar las gracias al fontanero que vino ayer, arregló la fuga de la cocina en media hora y dejó todo limpio. Da gusto asi.",
    "praise", "repair", "general", None,
    "Praise that mentions a leak (fuga); accents missing as typed.")
add("es", "Re: fuga baño",
    "Les confirmo que ya no hay ninguna fuga en el baño desde que cambiaron la tubería. Muchas gracias por la rapidez.",
    "praise", "repair", "general", None,
    "Negation: ya no hay ninguna fuga.")
add("es", "Caldera hace ruido",
    "No hay olor a gas ni nada raro, tranquilos, pero la caldera hace un ruido muy fuerte al encenderse y a veces se apaga sola. ¿Pueden revisarla esta semana?",
    "repair_request", "repair", "general", None,
    "Negation: no hay olor a gas, so not major.")
add("es", "OLOR A GAS",
    "Huele muchísimo a gas en la cocina desde esta mañana, he cerrado la llave y abierto las ventanas. Los vecinos del 4ºD también lo notan. Torre 1, 4ºC. Por favor vengan YA.",
    "repair_request", "repair", "major", ("1", None, "4ºC"),
    "Gas smell in a flat: major.")
add("es", "Puerta del portal",
    "La puerta del portal no cierra bien, se queda abierta y entra cualquiera. Ya lo avisé hace dos semanas y sigue igual.",
    "complaint", "repair", "important", None,
    "Repeated unresolved problem.")
add("es", "La fuga NO es nuestra",
    "El administrador dice que la mancha de humedad del vecino de abajo es culpa nuestra, pero el fontanero ya revisó nuestro baño y la fuga NO viene de nuestro piso. Exijo que se revise la bajante comunitaria.",
    "complaint", "repair", "general", None,
    "Negation: the leak is not from the writer's flat.")
add("es", "Luces del garaje",
    "Buenas, en el garaje hay varios fluorescentes fundidos en la zona de las plazas 30 a 40, no se ve nada al aparcar. Un saludo",
    "repair_request", "repair", "general")
add("es", "Cisterna",
    "La cisterna del baño pequeño no para de cargar agua, se oye toda la noche. Escalera B, 1º dcha. Cuando puedan.",
    "repair_request", "repair", "general", (None, "B", "1º dcha."),
    "Only an escalera (entrance) and a flat are given.")

# es / construction_quality
add("es", "Grietas en salón",
    "En el salón han aparecido varias grietas en la pared y en el techo desde hace un mes. Portal 1, 6º dcha. Quiero que venga un técnico a valorarlo.",
    "complaint", "construction_quality", "general", ("1", None, "6º dcha."),
    "Cracks in a wall and ceiling, but nothing says load-bearing, large or dangerous: general.")
add("es", "Humedades en la fachada",
    "Tenemos humedades en la pared del dormitorio que da a la fachada, cada vez que llueve sale una mancha negra de moho. La vivienda es nueva, tiene dos años. Eso es un defecto de la impermeabilización.",
    "complaint", "construction_quality", "general")
add("es", "Baldosas huecas",
    "Se han levantado varias baldosas del pasillo, suenan huecas al pisar y una se ha partido. Pido que lo cubra la garantía.",
    "repair_request", "construction_quality", "general")
add("es", "Goteras en el ático otra vez",
    "Vivo en el ático y cada vez que llueve tengo goteras en el dormitorio. Ya han venido tres veces a 'sellar' la terraza de arriba y sigue entrando agua. Esto es un defecto de construcción, no un arreglo.",
    "complaint", "construction_quality", "important", None,
    "Roof leak from a construction defect, repeated: important.")
add("es", "Se ha caído parte de la fachada",
    "Esta mañana se ha desprendido un trozo de la fachada del Bloque 5 y ha caído a la acera, justo donde los niños esperan el autobús del colegio. Hay que vallar la zona inmediatamente.",
    "complaint", "construction_quality", "major", ("5", None, None),
    "Falling facade.")
add("es", "Grietas del garaje - última vez que aviso",
    "Llevo un año reclamando por las grietas del garaje y nadie hace nada. Si en diez días no tengo respuesta voy a llamar a la televisión y a la prensa para que vean cómo construyen ustedes.",
    "complaint", "construction_quality", "major", None,
    "Threat to go to TV and press about cracks.")
add("es", "Reclamación conjunta Torre 3 - filtraciones",
    "Varios vecinos de la Torre 3 firmamos esta reclamación: las filtraciones en el garaje son constantes, hay charcos y el techo está lleno de manchas. Adjuntamos 23 firmas.",
    "complaint", "construction_quality", "major", ("3", None, None),
    "Group complaint (varios vecinos firmamos).")
add("es", "Desnivel en el suelo",
    "El suelo del salón tiene un desnivel de casi 2 cm, lo hemos medido con un nivel láser. Al poner el parquet se nota muchísimo. ¿Esto entra en la garantía?",
    "complaint", "construction_quality", "general")
add("es", "Consulta sobre garantía",
    "Buenas tardes, queria preguntar qué plazo de garantía tienen los defectos de construcción, porque nos están saliendo fisuras pequeñas en los azulejos de la cocina.",
    "inquiry", "construction_quality", "general", None,
    "Small tile fissures in a question: not major.")
add("es", "Agradecimiento postventa",
    "Quiero agradecer al equipo de postventa la reparación de las humedades del dormitorio. Picaron e impermeabilizaron la pared y desde entonces ni una mancha.",
    "praise", "construction_quality", "general", None,
    "Praise mentioning damp (humedades).")
add("es", "SE HA CAÍDO EL TECHO DEL BAÑO",
    "Ha caído un trozo grande de escayola del techo del baño, de casi medio metro, y mi hijo acababa de salir de la ducha. Hay más zona abombada que puede caer en cualquier momento. Portal 2, 1ºA",
    "complaint", "construction_quality", "major", ("2", None, "1ºA"),
    "Collapsing ceiling.")
add("es", "Sugerencia ventanas",
    "Sugiero que en la próxima promoción revisen mejor el sellado de las ventanas antes de entregar; en nuestro bloque casi todos hemos tenido entrada de agua por los marcos.",
    "suggestion", "construction_quality", "general")
add("es", "Mortero que se cae",
    "En la terraza se está desconchando el mortero del pretil y salen trozos sueltos. De momento caen dentro de la terraza, no a la calle. Bloque 6, 7ºB",
    "repair_request", "construction_quality", "general", ("6", None, "7ºB"),
    "Pieces fall inside the terrace, not onto the street: no danger to people stated, general.")

# es / design
add("es", "Salón sin luz",
    "El salón es muy oscuro, la única ventana da a un patio interior de metro y medio. En los planos parecía otra cosa. Estamos todo el día con la luz encendida.",
    "complaint", "design", "general")
add("es", "Cocina sin salida de humos",
    "La cocina no tiene ventana ni salida de humos directa al exterior, la campana solo recircula el aire. Todo huele a fritura durante horas.",
    "complaint", "design", "general", None,
    "humos means cooking fumes, not a fire.")
add("es", "Propuesta trasteros fase 2",
    "Para la segunda fase les sugeriría incluir trasteros en el sótano; en la nuestra no hay y muchos vecinos guardamos las bicis en la terraza.",
    "suggestion", "design", "general")
add("es", "Baño sin ventana",
    "¿Es normal que el baño principal no tenga ventana ni extractor? Se acumula humedad y el espejo siempre está empañado.",
    "inquiry", "design", "general", None,
    "humedad from condensation in a windowless room: design, not construction_quality.")
add("es", "Dormitorio de 6 m2",
    "El segundo dormitorio tiene 6 m², no cabe ni una cama de 90 con un armario. Me parece un diseño muy poco práctico, la verdad.",
    "complaint", "design", "general")
add("es", "Enhorabuena a los arquitectos",
    "Enhorabuena a los arquitectos: la distribución del piso es muy práctica, la terraza orientada al sur es una maravilla y en verano corre el aire por toda la casa.",
    "praise", "design", "general")
add("es", "Ventana detrás de la placa",
    "La ventana de la cocina está justo detrás de la placa de inducción, no se puede abrir sin quemarse el brazo. ¿Quién diseñó esto?",
    "complaint", "design", "general", None,
    "quemarse is a figure of speech, not a fire.")
add("es", "Planos de instalaciones",
    "¿Podrían enviarme los planos de instalaciones de mi vivienda? Quiero saber por dónde pasan las tuberías antes de colgar unos muebles. Bloque 3, portal 2, 4ºB",
    "inquiry", "design", "general", ("3", "2", "4ºB"),
    "Bloque + portal + floor/door: portal is the entrance (unit).")
add("es", "Rampas en los portales",
    "Sugiero que en el diseño de las zonas comunes de la nueva fase pongan rampas en todos los portales; mi marido va en silla de ruedas y en nuestro portal solo hay escalones.",
    "suggestion", "design", "important", None,
    "Suggestion, but a disabled resident is affected now: important.")
add("es", "Cocina abierta",
    "No me gusta nada que la cocina sea abierta al salón sin ninguna puerta; el olor llega hasta los dormitorios y no hay forma de aislarla.",
    "complaint", "design", "general")
add("es", "Ruido del ascensor en el dormitorio",
    "El dormitorio principal comparte pared con el hueco del ascensor y se oye el motor cada vez que alguien sube. Es un fallo de diseño evidente.",
    "complaint", "design", "general", None,
    "Lift mentioned, but the layout is the problem: design.")
add("es", "Pregunta orientación",
    "Hola!! estamos pensando en comprar en la fase 3, ¿los áticos tendrán la misma orientación que los de la fase 1 o los han girado? Es que en verano los nuestros son un horno.",
    "inquiry", "design", "general")

# es / property_service
add("es", "Limpieza escalera",
    "La limpieza de la escalera del Portal 6 deja mucho que desear: llevan dos semanas sin fregar y hay bolsas de basura en el rellano.",
    "complaint", "property_service", "general", ("6", None, None))
add("es", "Ascensor parado 5 días",
    "El ascensor de la Torre 4 lleva cinco días parado. Vivo en el 9º con mi padre de 87 años, que no puede bajar las escaleras. ¿Para cuándo?",
    "complaint", "property_service", "important", ("4", None, None),
    "No lift for days with an elderly resident.")
add("es", "Mi hijo se hizo daño en el ascensor",
    "Ayer mi hijo de 7 años se quedó con la mano atrapada en la puerta del ascensor del Bloque 2 y tuvo que ir a urgencias con dos dedos fracturados. El ascensor lleva semanas haciendo cosas raras y nadie lo ha revisado.",
    "complaint", "property_service", "major", ("2", None, None),
    "Lift complaint with an injured child.")
add("es", "Obras del vecino",
    "El vecino del 3ºA lleva un mes de obras, empiezan a las 7:30 y siguen los sábados. ¿No hay horario? Me está matando el ruido.",
    "complaint", "property_service", "general", (None, None, "3ºA"),
    "me está matando is a figure of speech. The location is the neighbour's flat.")
add("es", "Excrementos de perro",
    "Hay vecinos que dejan a los perros hacer sus necesidades en los jardines y no lo recogen. Propongo poner un par de papeleras con bolsas y algún cartel.",
    "suggestion", "property_service", "general")
add("es", "Propuesta vigilancia garaje",
    "Les propongo reforzar la vigilancia nocturna en el garaje, últimamente han forzado dos trasteros. Quizá con más cámaras o una ronda más del vigilante.",
    "suggestion", "property_service", "general", None,
    "Suggestion that mentions security and break-ins.")
add("es", "Horario piscina",
    "¿Cuándo abre la piscina este verano y hasta qué hora? ¿Los invitados pueden entrar?",
    "inquiry", "property_service", "general")
add("es", "Revisión extintores",
    "Buenas, ¿cuándo toca la revisión de los extintores del garaje? El que está junto a mi plaza tiene la etiqueta de 2022.",
    "inquiry", "property_service", "general", None,
    "Fire extinguisher inspection: harmless fire.")
add("es", "Simulacro de incendio",
    "He visto el cartel del simulacro de incendio del jueves. ¿Tenemos que salir todos a la calle o basta con los que estén en casa? Estoy teletrabajando.",
    "inquiry", "property_service", "general", None,
    "Fire drill: harmless fire.")
add("es", "Felicitación al conserje",
    "Quería felicitar a Manolo, el conserje del turno de tarde. Siempre amable, y desde que tengo la pierna escayolada me sube los paquetes a casa. Un 10.",
    "praise", "property_service", "general", None,
    "An existing injury is mentioned, but no incident happened here: praise, general.")
add("es", "Plaza ocupada otra vez",
    "Por tercera vez este mes hay un coche aparcado en mi plaza. El vigilante dice que no puede hacer nada. Plaza 45, sótano -2.",
    "complaint", "property_service", "important", None,
    "Repeated problem; a parking space is not a flat.")
add("es", "Aspersores",
    "Los aspersores del jardín se encienden a las 3 de la tarde en pleno agosto y media agua se evapora. Sugiero programarlos de noche.",
    "suggestion", "property_service", "general")
add("es", "Ruido del bar - firmamos 30 familias",
    "Los vecinos del Bloque 1 (firmamos 30 familias) estamos hartos del ruido del bar de los bajos: música hasta las 3 de la mañana y gente gritando en la puerta. Exigimos que la administración actúe.",
    "complaint", "property_service", "major", ("1", None, None),
    "Group complaint with signatures.")
add("es", "FUEGO EN LOS CONTENEDORES",
    "Están ardiendo los contenedores de basura junto al Portal 4 y el humo entra por las ventanas del primero. Ya hemos llamado a los bomberos.",
    "complaint", "property_service", "major", ("4", None, None),
    "Fire and smoke.")
add("es", "Jardín abandonado",
    "Estoy harta de que el jardín esté abandonado, el césped seco y los bancos rotos. Voy a subir fotos a Facebook y a Twitter para que todo el mundo vea cómo nos tratan.",
    "complaint", "property_service", "major", None,
    "Social media exposure threat.")
add("es", "plazas libres del -3",
    "Dada la demanda de plazas de aparcamiento en la urbanización, ¿tienen previsto alquilar las plazas libres del -3? ¿A qué precio?",
    "inquiry", "property_service", "general", None,
    "demanda means demand, not a lawsuit.")

# es / billing
add("es", "Cobro duplicado cuota marzo",
    "Me han cobrado dos veces la cuota de comunidad de marzo (2 x 85 €). Adjunto el extracto del banco. Por favor, devuélvanme uno de los recibos.",
    "complaint", "billing", "general")
add("es", "¿Cómo se calcula la cuota?",
    "Hola, ¿me pueden explicar cómo se calcula la cuota de gastos comunes? Mi piso es más pequeño que el de mi vecino y pagamos lo mismo.",
    "inquiry", "billing", "general")
add("es", "Derrama piscina",
    "Nos han pasado una derrama de 1.200 € por la reforma de la piscina sin que se votara en junta. No pienso pagar hasta que me den explicaciones.",
    "complaint", "billing", "general")
add("es", "Fianza de obras",
    "Hace seis meses que terminé la reforma y todavía no me han devuelto la fianza de obras de 3.000 €. He llamado cuatro veces.",
    "complaint", "billing", "important", None,
    "Deposit of a few thousand, repeatedly chased.")
add("es", "Recargo por retraso",
    "Me han aplicado un recargo del 10% por pagar con 3 días de retraso. ¿Dónde está recogido eso en los estatutos?",
    "complaint", "billing", "general")
add("es", "Factura de la luz zonas comunes",
    "¿Por qué la factura de la luz de las zonas comunes ha subido tanto este trimestre? Me gustaría ver el desglose.",
    "inquiry", "billing", "general", None,
    "luz is the electricity bill, not an electrical danger.")
add("es", "Cambio de cuenta",
    "Quiero domiciliar los recibos en otra cuenta. ¿Les mando el IBAN por aquí o tengo que pasar por la oficina?",
    "inquiry", "billing", "general")
add("es", "Plaza de garaje vendida",
    "Llevan un año cobrándome una plaza de garaje que vendí en 2023. Ya he hablado con mi abogado y si no me devuelven los 960 € presentaremos una demanda en el juzgado.",
    "complaint", "billing", "major", None,
    "Lawyer and court threat.")
add("es", "Subida de cuota del 40%",
    "Han subido la cuota un 40% sin aviso previo. He puesto el caso en conocimiento de la OCU y de FACUA.",
    "complaint", "billing", "major", None,
    "Consumer associations (OCU, FACUA).")
add("es", "Gracias",
    "Muchas gracias por devolverme tan rápido el cobro duplicado del agua. Todo correcto.",
    "praise", "billing", "general")
add("es", "Pago con Bizum",
    "Sería muy útil poder pagar las cuotas con Bizum, que hoy en día lo usa todo el mundo.",
    "suggestion", "billing", "general")
add("es", "Factura del gas",
    "He recibido la factura del gas de la calefacción central y me cobran 240 € por un piso que estuvo vacío todo el invierno. ¿Es correcto?",
    "inquiry", "billing", "general", None,
    "gas is a bill here, not a gas leak.")
add("es", "Recibos atrasados",
    "Me reclaman 4.800 € de cuotas atrasadas de 2022 que pagué en su día por transferencia. Tengo todos los justificantes. Torre 5, 11ºA",
    "complaint", "billing", "important", ("5", None, "11ºA"),
    "Money above a few thousand.")

# es / sales_contract
add("es", "Escrituras",
    "Hace ya ocho meses que entregaron las llaves y seguimos sin fecha para firmar las escrituras. El banco nos está cobrando intereses de la hipoteca puente.",
    "complaint", "sales_contract", "important", None,
    "Deadline missed by the company.")
add("es", "Retraso en la entrega",
    "El contrato decía entrega en marzo de 2025 y estamos en julio sin fecha. Tengo que seguir pagando alquiler, 850 € al mes. Exijo una indemnización.",
    "complaint", "sales_contract", "important")
add("es", "Diferencia de metros",
    "En la nota simple la vivienda tiene 82 m² útiles, pero en el contrato de compraventa ponía 86 m². ¿Cómo se explica esa diferencia?",
    "inquiry", "sales_contract", "general")
add("es", "Piscina y parque prometidos",
    "En el folleto de venta aparecía una piscina comunitaria y un parque infantil. Hoy, dos años después, ni piscina ni parque. Varios vecinos firmamos esta carta y vamos a presentar una reclamación conjunta ante Consumo.",
    "complaint", "sales_contract", "major", None,
    "Group complaint plus consumer authority.")
add("es", "Documentación hipoteca",
    "Buenos días, para la subrogación de la hipoteca el banco me pide el certificado final de obra y la licencia de primera ocupación. ¿Me los pueden enviar?",
    "inquiry", "sales_contract", "general")
add("es", "Entrega de llaves",
    "Si el día 30 de este mes no tengo las llaves, mi abogado presentará demanda por incumplimiento de contrato y reclamaremos las cantidades entregadas a cuenta más intereses.",
    "complaint", "sales_contract", "major", None,
    "abogado / demanda.")
add("es", "Gracias a Lucía",
    "Gracias a Lucía, del departamento comercial, por acompañarnos en la firma en la notaría y resolver todas nuestras dudas con tanta paciencia.",
    "praise", "sales_contract", "general")
add("es", "Cambio de titular",
    "Queremos poner el contrato también a nombre de mi pareja antes de escriturar. ¿Es posible? ¿Qué documentación hace falta?",
    "inquiry", "sales_contract", "general")
add("es", "Memoria de calidades",
    "La memoria de calidades decía suelo porcelánico y nos han puesto laminado. No es lo que firmamos.",
    "complaint", "sales_contract", "general", None,
    "Quality promised in the sales documents: sales_contract rather than construction_quality.")
add("es", "Sugerencia web",
    "Sugerencia: estaría bien que en la web hubiera un calendario actualizado con el estado de las obras y la fecha prevista de entrega, así no tendríamos que llamar cada semana.",
    "suggestion", "sales_contract", "general")
add("es", "Vistas al mar",
    "Nos vendieron vistas al mar y ahora están construyendo un edificio de ocho plantas delante. Si no nos dan una solución iremos a la prensa.",
    "complaint", "sales_contract", "major", None,
    "Press threat.")
add("es", "Devolución de arras",
    "Firmé el contrato de arras en enero y pagué 6.000 €. Me han denegado la hipoteca, ¿me devuelven las arras según la cláusula de financiación?",
    "inquiry", "sales_contract", "important", None,
    "Purchase deposit (arras) is sales_contract, not billing; 6,000 € makes it important.")

# es / other
add("es", "Empadronamiento",
    "¿Me pueden decir si el ayuntamiento ya ha dado de alta la calle para poder empadronarme? No sé a quién preguntar.",
    "inquiry", "other", "general")
add("es", "Pulsera perdida",
    "Se me ha perdido una pulsera de plata en la zona del parque infantil. Si alguien la entrega en conserjería, por favor avísenme.",
    "inquiry", "other", "general")
add("es", "Fiesta de San Juan",
    "Muchas gracias por la fiesta de San Juan en el jardín, los niños se lo pasaron en grande. ¡A repetir!",
    "praise", "other", "general", None,
    "San Juan bonfire party is a celebration, not a fire.")
add("es", "Mercadillo solidario",
    "Propongo organizar un mercadillo solidario entre vecinos en Navidad, podríamos usar la sala común un sábado por la mañana.",
    "suggestion", "other", "general")
add("es", "IBI",
    "¿El IBI lo paga la comunidad o cada propietario directamente al ayuntamiento? Es mi primer piso y estoy un poco perdida.",
    "inquiry", "other", "general", None,
    "Municipal property tax, not a charge of the company: other rather than billing.")
add("es", "Colegios bilingües",
    "Somos una familia que se muda desde Alemania. ¿Saben si hay colegios bilingües cerca de la urbanización?",
    "inquiry", "other", "general")
add("es", "Horario de agosto",
    "¿Cuál es el horario de la oficina de atención al cliente en agosto?",
    "inquiry", "other", "general")
add("es", "Mis datos",
    "He empezado a recibir publicidad de una empresa de reformas con mi nombre y mi dirección completa. ¿Han cedido ustedes mis datos?",
    "complaint", "other", "general")
add("es", "URGENTE - horario puente",
    "URGENTE: ¿me podrían confirmar antes del viernes si la oficina estará abierta el puente de diciembre? Necesito recoger un certificado. Muchas gracias.",
    "inquiry", "other", "general", None,
    "URGENTE in a polite inquiry with no danger: general.")
add("es", "Clases de español",
    "Soy profesora jubilada y me ofrezco para dar clases de español a los vecinos extranjeros. ¿Podrían ayudarme a difundirlo?",
    "suggestion", "other", "general")
add("es", "Feliz Navidad",
    "Feliz Navidad a todo el equipo de atención al cliente, gracias por vuestra paciencia este año. Un abrazo de los del 2ºC.",
    "praise", "other", "general", (None, None, "2ºC"))
add("es", "Re: encuesta",
    "Hola, he recibido la encuesta de satisfacción pero el enlace no abre en el móvil. ¿Me la pueden mandar en PDF?",
    "inquiry", "other", "general")

# ---------------------------------------------------------------------------------------
# English
# ---------------------------------------------------------------------------------------

# en / repair
add("en", "Water heater not working",
    "Hi, the hot water heater in Block 3, Unit 1502 stopped working this morning. Could you send someone to check? I'm home after 6pm.\nThanks, Daniel",
    "repair_request", "repair", "general", ("3", None, "1502"),
    "English 'Unit 1502' is the flat, so it goes in room.")
add("en", "The leak is NOT from our flat",
    "The building manager keeps telling our downstairs neighbour that the damp patch on her ceiling is our fault. It isn't: the plumber checked last week and the leak is NOT from our flat. Please investigate the communal pipes instead of blaming us.",
    "complaint", "repair", "general", None,
    "Negation: the writer denies the leak.")
add("en", "Thank you!",
    "Thanks to the maintenance team - the kitchen tap was fixed within a day and there's no more dripping. Great job!",
    "praise", "repair", "general", None,
    "Praise for a repair.")
add("en", "URGENT: sparks from light switch",
    "There were sparks coming out of the light switch in the hallway when my son turned it on, and now it smells of burnt plastic. We've switched off the breaker. Please send an electrician urgently. Building 7 Apt 12B.",
    "repair_request", "repair", "major", ("7", None, "12B"))
add("en", "Electric shock from towel rail",
    "My wife got an electric shock from the bathroom towel rail this morning. She's fine but shaken. There must be a wiring fault somewhere. Tower A flat 904.",
    "complaint", "repair", "major", ("A", None, "904"),
    "Electric shock: major even though nobody is hurt.")
add("en", "Intercom still broken",
    "The intercom panel at the main entrance has been broken for three weeks. Deliveries can't reach us and I've reported it twice already.",
    "complaint", "repair", "important", None,
    "Repeated unresolved problem.")
add("en", "Balcony door handle",
    "The balcony door handle came off in my hand and now the door won't lock. Not an emergency, but I'd appreciate someone coming this week.",
    "repair_request", "repair", "general")
add("en", "No heating, newborn at home",
    "Our radiators have been cold since Monday and it's 4 degrees outside. We have a newborn baby. Please treat this as a priority.",
    "complaint", "repair", "important", None,
    "No heating for days with a baby.")
add("en", "dripping tap",
    "The dripping tap in the bathroom is killing me, drip drip drip all night long. Could someone come and replace the washer? Flat 21, Building 2.",
    "repair_request", "repair", "general", ("2", None, "21"),
    "'killing me' is a figure of speech.")
add("en", "Blocked sink AGAIN",
    "Kitchen sink drain is blocked again, third time since we moved in. Water backs up whenever the dishwasher runs. Please send someone who can actually fix it this time.",
    "complaint", "repair", "important", None,
    "Third time: repeated.")
add("en", "Car park stairwell lights",
    "Several bulbs in the car park stairwell are out, it's pitch black between levels -1 and -2.",
    "repair_request", "repair", "general")
add("en", "TV socket",
    "The TV aerial socket in the living room doesn't work - no signal at all, while the bedroom one is fine. Can an electrician have a look?",
    "repair_request", "repair", "general", None,
    "TV is a socket here, not a threat to go to TV.")
add("en", "Smoke from the electrical cupboard",
    "Smoke is coming out of the electrical riser cupboard on the 6th floor, there's a burning smell and the corridor lights keep flickering. I've called the fire brigade. Building 8.",
    "repair_request", "repair", "major", ("8", None, None))
add("en", "Gas smell in the car park",
    "There's a strong smell of gas in the underground car park near the Building 3 lift lobby. Two of us noticed it on the way in. Please get someone to check immediately.",
    "repair_request", "repair", "major", ("3", None, None),
    "Gas smell in the garage.")

# en / construction_quality
add("en", "Cracks - final warning",
    "I have reported the cracks in our living room walls four times since March. Nobody has come. If this is not dealt with by Friday I'm calling the local TV station and the newspapers - people should know how these flats were built.",
    "complaint", "construction_quality", "major", None,
    "TV/press threat about cracks.")
add("en", "Snagging list still open",
    "We're still waiting for the snagging items from handover to be fixed: hollow-sounding plaster in the bedroom, a gap under the skirting, and shower tiles that are already loose.",
    "complaint", "construction_quality", "general")
add("en", "Mould on external wall",
    "Black mould keeps coming back on the bedroom wall next to the external wall. A surveyor told us it's a cold bridge / missing insulation. This is a build defect, not a ventilation issue.",
    "complaint", "construction_quality", "general")
add("en", "Large crack in load-bearing wall",
    "A large diagonal crack has opened in the load-bearing wall between our kitchen and living room - you can see daylight through part of it and the door frame has started to twist. We don't feel safe staying here. Building 4, Apt 3C.",
    "complaint", "construction_quality", "major", ("4", None, "3C"))
add("en", "Roof leak in top floor flat",
    "Every time it rains water comes through the ceiling of our top-floor flat. The roof membrane was clearly not installed properly.",
    "complaint", "construction_quality", "general", None,
    "Roof leak from a construction defect: construction_quality, not repair.")
add("en", "Letter from Block B residents",
    "This letter is signed by all residents of Block B. Water comes in through the window frames on the west side of the building every time it rains. We expect a full survey and a repair plan.",
    "complaint", "construction_quality", "major", ("B", None, None),
    "Group complaint.")
add("en", "Floor tolerance?",
    "Is a 12 mm height difference across the living room floor within tolerance? Our flooring fitter says it's too much.",
    "inquiry", "construction_quality", "general")
add("en", "Thanks for the ceiling repair",
    "Just wanted to say thank you: the crack in the hallway ceiling was repaired and repainted beautifully, you can't even tell it was there.",
    "praise", "construction_quality", "general", None,
    "Praise mentioning a crack.")
add("en", "Suggestion for phase 3 handover",
    "Suggestion: before handing over the next phase, do a flood test on every balcony. Half our block had water coming in under the balcony doors.",
    "suggestion", "construction_quality", "general")
add("en", "Render falling off Building 9",
    "Chunks of render are falling off the facade above the main entrance of Building 9. One piece landed a metre from a lady with a pushchair. Please cordon off the area now.",
    "complaint", "construction_quality", "major", ("9", None, None),
    "Falling facade.")
add("en", "Urgent question about hairline cracks",
    "Urgent question (but nothing dangerous!): there are a few hairline cracks in the new paint around the door frames. Normal settlement, or should I log them under the warranty?",
    "inquiry", "construction_quality", "general", None,
    "'Urgent' and 'cracks' but explicitly harmless: general.")
add("en", "Loose tiles",
    "two tiles fell off the kitchen splashback overnight, the adhesive looks like it never set properly. nobody hurt, just annoying. flat 7, bldg 5",
    "repair_request", "construction_quality", "general", ("5", None, "7"),
    "Tiles falling indoors, nobody hurt, lower case and abbreviations.")

# en / design
add("en", "No daylight in bedroom 2",
    "The second bedroom window faces a brick wall 2 metres away. There's basically no daylight even at midday. Nobody mentioned that when we bought off-plan.",
    "complaint", "design", "general")
add("en", "No cross-ventilation",
    "The flat has no cross-ventilation at all; all the windows are on one side. In summer it's like an oven in here.",
    "complaint", "design", "general")
add("en", "Extractor fan suggestion",
    "For future phases, please consider putting the bathroom extractor on a separate switch. At the moment it runs with the light and is really noisy at night.",
    "suggestion", "design", "general")
add("en", "Love the layout",
    "We love the layout - open-plan kitchen with a big window over the sink and the balcony off the living room. Whoever designed it did a great job.",
    "praise", "design", "general")
add("en", "Floor plan request",
    "Can I get a copy of the floor plan with dimensions for my flat? I'm planning furniture and the brochure version isn't to scale. Building 1, Flat 305.",
    "inquiry", "design", "general", ("1", None, "305"))
add("en", "Cooking smells in the bedroom",
    "Our kitchen has no window and the hob is right next to the bedroom door. Cooking smells end up in the bedroom every single day. A basic design flaw.",
    "complaint", "design", "general")
add("en", "Bedroom next to lift shaft",
    "The master bedroom backs onto the lift shaft and I hear the motor every time someone uses the lift. Was there really no other way to lay out these flats?",
    "complaint", "design", "general", None,
    "Lift mentioned, layout problem: design.")
add("en", "Ramp to the bin store",
    "Suggestion: the bin store can only be reached via three steps. An elderly neighbour with a walking frame struggles with her bags every day. A ramp should have been part of the design.",
    "suggestion", "design", "important", None,
    "Suggestion with an elderly person affected: important.")
add("en", "Terrace width",
    "Hi, the 'terraza' in our flat is lovely but it's so narrow (80 cm) you can't put a table on it. Was that the original design or was it changed during construction?",
    "inquiry", "design", "general", None,
    "English with a Spanish word.")
add("en", "Window behind a column",
    "The living room window in our apartment sits behind a structural column, so half of it is blocked. It looks nothing like the show flat.",
    "complaint", "design", "general", None,
    "'structural' but no danger: design, general.")
add("en", "Storage",
    "Honestly the lack of storage in this flat is killing me. No utility cupboard, nowhere for the vacuum or the ironing board. Please tell the architects for the next phase.",
    "suggestion", "design", "general", None,
    "'killing me' figure of speech.")

# en / property_service
add("en", "Formal complaint: lift injured my daughter",
    "I am writing to complain in the strongest terms. Yesterday my 4-year-old daughter's fingers got trapped in the lift door in Tower C. The door didn't reopen and she needed stitches at A&E. This lift has been faulty for weeks.",
    "complaint", "property_service", "major", ("C", None, None),
    "Lift complaint with an injured child.")
add("en", "Fire extinguisher inspection date?",
    "Quick question: when is the next fire extinguisher inspection? The tag on the one on our landing says 2023.",
    "inquiry", "property_service", "general", None,
    "Fire in a harmless sense.")
add("en", "Fire drill and car park",
    "Is the fire drill next Tuesday going to include the alarm in the underground car park? I'll need to move my car beforehand if so.",
    "inquiry", "property_service", "general", None,
    "Fire drill: harmless.")
add("en", "Security suggestion",
    "A suggestion about security: could the guards check the side gate on the east path at night? It's often propped open and anyone can walk in.",
    "suggestion", "property_service", "general", None,
    "Suggestion mentioning security.")
add("en", "Noise from 12C",
    "The flat above us (12C) has parties every Friday and Saturday until 3am. We've asked them nicely, twice. Is there anything the management can do?",
    "complaint", "property_service", "general", (None, None, "12C"),
    "The location named is the neighbour's flat.")
add("en", "Bin store overflowing",
    "The bin store has been overflowing since Thursday. Foxes have torn the bags open and there's rubbish all over the path.",
    "complaint", "property_service", "general")
add("en", "Well done cleaning team",
    "The new cleaning team is fantastic - the lobby and stairs have never looked this good. Please pass on our thanks.",
    "praise", "property_service", "general")
add("en", "Lift out of service for 6 days",
    "The only lift in Building 5 has been out of service for six days. My 90-year-old mother lives on the 8th floor and hasn't been able to leave her flat.",
    "complaint", "property_service", "important", ("5", None, None),
    "No lift for days, elderly affected.")
add("en", "Parking space",
    "Someone keeps parking in my allocated space (No. 17). I've put notes on the windscreen, the concierge says it's not his job. Who manages parking here?",
    "complaint", "property_service", "general")
add("en", "Husband fell in the lobby",
    "My husband slipped on the wet marble floor in the lobby yesterday - no warning sign had been put out after mopping. He's broken his wrist. I want to know who is responsible.",
    "complaint", "property_service", "major", None,
    "Injury.")
add("en", "Gym hours",
    "What are the opening hours of the residents' gym, and do I need a separate key fob?",
    "inquiry", "property_service", "general")
add("en", "Garden works",
    "The garden has been a building site for three months with no explanation. I've posted photos in our residents' Facebook group and I'll share them on Twitter too unless someone replies this week.",
    "complaint", "property_service", "major", None,
    "Social media exposure.")
add("en", "Barbecue smoke",
    "The ground-floor neighbours have barbecues on their patio every evening and the smoke comes straight into our bedroom. Not a fire risk as such, just really unpleasant. Are barbecues allowed?",
    "inquiry", "property_service", "general", None,
    "Smoke from a barbecue, explicitly no fire risk.")
add("en", "Dogs off lead",
    "Could you remind residents that dogs must be on leads in the communal gardens? A loose dog chased me round the pond last weekend. Slightly funny in hindsight, but still.",
    "suggestion", "property_service", "general")

# en / billing
add("en", "Service charge calculation",
    "How is the service charge calculated? My bill went from £1,450 to £1,890 this year and I can't see a breakdown anywhere.",
    "inquiry", "billing", "general", None,
    "How is the fee calculated: inquiry.")
add("en", "Charged twice in January",
    "I've been charged twice for the January management fee (two direct debits of €120). Please refund one.",
    "complaint", "billing", "general")
add("en", "Key deposit",
    "We handed back the keys and fobs for our second flat in Building 2 in May and still haven't received the €150 deposit back.",
    "complaint", "billing", "general", ("2", None, None))
add("en", "Late fee",
    "I was charged a £75 late payment penalty even though I paid on the due date. Bank confirmation attached.",
    "complaint", "billing", "general")
add("en", "Refund or I'll contact my lawyer",
    "You've charged me for a parking space I never rented, for 14 months now, despite five emails. I will contact my lawyer if the £2,800 is not refunded by the end of the month.",
    "complaint", "billing", "major", None,
    "'I will contact my lawyer'.")
add("en", "Admin fee",
    "Administration fees of £300 for a simple letter confirming I've paid my service charge? That's outrageous. I'm reporting this to Trading Standards.",
    "complaint", "billing", "major", None,
    "Trading Standards.")
add("en", "Is water included?",
    "Is water included in the monthly fee or billed separately? The sales team told us it was included.",
    "inquiry", "billing", "general")
add("en", "Refund received",
    "Thanks to the finance team for sorting out my overpayment so quickly. Refund received today.",
    "praise", "billing", "general")
add("en", "Quarterly payments?",
    "Could you add an option to pay the management fee quarterly? Monthly transfers from a UK bank are costing me a fortune in fees.",
    "suggestion", "billing", "general")
add("en", "Wrong arrears on invoice",
    "Your invoice says I owe €6,420 in arrears, but I have paid every month by standing order. Please correct this immediately - I've had a debt collection letter.",
    "complaint", "billing", "important", None,
    "Money above a few thousand.")
add("en", "Gas standing charge",
    "Why is there a gas standing charge on my bill when our building is all-electric? I don't even have a gas meter.",
    "inquiry", "billing", "general", None,
    "Gas on a bill, no leak.")
add("en", "URGENT: invoice for tax return",
    "URGENT please: I need an invoice for last year's service charge for my tax return before 31 January. Could you email it over? Many thanks.",
    "inquiry", "billing", "general", None,
    "'URGENT' in a polite inquiry: general.")

# en / sales_contract
add("en", "Completion date",
    "Our completion date was 1 September. It's now November and we still don't have a firm date. We're paying rent and storage in the meantime.",
    "complaint", "sales_contract", "important", None,
    "Deadline missed by the company.")
add("en", "Title deeds",
    "When will we receive the title deeds / property certificate? It's been 18 months since completion and nobody can tell us anything.",
    "inquiry", "sales_contract", "important", None,
    "Overdue certificate: important even though phrased as a question.")
add("en", "Floor area smaller than contract",
    "The floor area on the final measurement is 4.5 sq m less than in our contract. Under clause 7 we should get a price adjustment. Who do I talk to?",
    "inquiry", "sales_contract", "important", None,
    "Area discrepancy worth many thousands.")
add("en", "Letter for mortgage",
    "My bank needs a letter from you confirming the completion date before they release the mortgage funds. Could you send one to the address below?",
    "inquiry", "sales_contract", "general")
add("en", "Misrepresentation",
    "You promised a residents' pool and a gym in the brochure. Neither exists. We have instructed solicitors and will sue for misrepresentation.",
    "complaint", "sales_contract", "major", None,
    "Solicitors / sue.")
add("en", "Documents for my lawyer",
    "My conveyancing lawyer needs a copy of the signed sales contract and the building warranty. Could you send them to her at the email below? Thank you.",
    "inquiry", "sales_contract", "general", None,
    "A lawyer is mentioned but there is no threat: general.")
add("en", "Thank you Sarah",
    "A big thank-you to Sarah in sales, who walked us through the whole purchase and the mortgage paperwork with endless patience.",
    "praise", "sales_contract", "general")
add("en", "English translation of contracts",
    "It would help overseas buyers if the sales contract came with an official English translation. We had to pay for our own.",
    "suggestion", "sales_contract", "general")
add("en", "Phase 2 handover delay - joint letter",
    "We, the undersigned owners of 38 flats in Phase 2, formally object to the six-month delay to handover and demand compensation as per the contract.",
    "complaint", "sales_contract", "major", None,
    "Group complaint.")
add("en", "Parking spaces promised",
    "We were promised two parking spaces with the 3-bed flat. At handover we were given one. Please honour the sales agreement.",
    "complaint", "sales_contract", "general")
add("en", "Non-refundable deposit",
    "I'm told the deposit of €10,000 is non-refundable even though you changed the delivery date. I've contacted the consumer association and they say that's unlawful.",
    "complaint", "sales_contract", "major", None,
    "Consumer association.")
add("en", "Change of reservation",
    "Is it possible to transfer our reservation to a flat on a higher floor in the same tower? What would the price difference be?",
    "inquiry", "sales_contract", "general")

# en / other
add("en", "Removal company",
    "Could you recommend a reliable removal company? We're moving in on the 14th.",
    "inquiry", "other", "general")
add("en", "Summer barbecue",
    "Thank you for the lovely summer barbecue for residents last Saturday, it was great to finally meet the neighbours.",
    "praise", "other", "general")
add("en", "International schools",
    "We're relocating from Hong Kong in August. Are there international schools within driving distance?",
    "inquiry", "other", "general")
add("en", "Marketing emails",
    "I keep receiving marketing emails from your sales team even though I've unsubscribed twice. Please stop.",
    "complaint", "other", "important", None,
    "Repeated unresolved problem.")
add("en", "Book swap",
    "Suggestion: a residents' book swap shelf in the lobby? Happy to organise it myself.",
    "suggestion", "other", "general")
add("en", "Lost umbrella",
    "I think I left a blue umbrella in the residents' lounge on Sunday. Has anyone handed it in?",
    "inquiry", "other", "general")
add("en", "Proof of address",
    "Can the company provide a letter confirming my address for my residency application (NIE)?",
    "inquiry", "other", "general")
add("en", "Summer party",
    "The suspense is killing me - when is the summer party this year? :)",
    "inquiry", "other", "general", None,
    "'killing me' figure of speech.")
add("en", "Easter opening",
    "Will the customer service office be open over Easter?",
    "inquiry", "other", "general")
add("en", "New manager",
    "Just a note to say that since the new manager started, everything feels much better organised. Keep it up!",
    "praise", "other", "general")
add("en", "Collection box",
    "I'm collecting warm clothes for a local shelter. Could I leave a collection box in the lobby for two weeks?",
    "suggestion", "other", "general")
add("en", "Press the button?",
    "Silly question: for the new parcel lockers, do I press the button first or scan the code first? The instructions are only in Spanish.",
    "inquiry", "other", "general", None,
    "'press' is a verb here, not the newspapers.")

# fmt: on

# ---------------------------------------------------------------------------------------
# bookkeeping
# ---------------------------------------------------------------------------------------


def numbered(entries):
    counters: Counter = Counter()
    out = []
    for entry in entries:
        counters[entry["language"]] += 1
        out.append({"id": f"{entry['language']}-{counters[entry['language']]:03d}", **entry})
    return out


def write(records):
    with OUT.open("w", encoding="utf-8", newline="\n") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def counts(records):
    return {
        "language": Counter(r["language"] for r in records),
        "kind": Counter(r["kind"] for r in records),
        "category": Counter(r["category"] for r in records),
        "severity": Counter(r["severity"] for r in records),
        "major_by_language": Counter(r["language"] for r in records if r["severity"] == "major"),
        "tricky": sum(1 for r in records if r.get("notes")),
        "with_location": sum(1 for r in records if r["location"]),
    }


def check(path=OUT):
    problems = []
    records = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            problems.append(f"line {n}: invalid JSON: {exc}")
    ids = Counter(r.get("id") for r in records)
    problems += [f"duplicate id {i}" for i, c in ids.items() if c > 1]
    bodies = Counter(r.get("body") for r in records)
    problems += [f"duplicate body {b[:30]!r}" for b, c in bodies.items() if c > 1]
    allowed = {
        "id",
        "language",
        "subject",
        "body",
        "kind",
        "category",
        "severity",
        "location",
        "notes",
    }
    for r in records:
        rid = r.get("id")
        if set(r) - allowed:
            problems.append(f"{rid}: unexpected keys {sorted(set(r) - allowed)}")
        if not re.fullmatch(r"(zh|es|en)-\d{3}", str(rid)) or not str(rid).startswith(
            str(r.get("language"))
        ):
            problems.append(f"{rid}: bad id")
        for field, values in (
            ("language", LANGUAGES),
            ("kind", KINDS),
            ("category", CATEGORIES),
            ("severity", SEVERITIES),
        ):
            if r.get(field) not in values:
                problems.append(f"{rid}: bad {field} {r.get(field)!r}")
        if not r.get("subject") or not r.get("body"):
            problems.append(f"{rid}: empty subject or body")
        loc = r.get("location")
        if loc is not None:
            if set(loc) != {"building", "unit", "room"}:
                problems.append(f"{rid}: location keys {sorted(loc)}")
            elif all(v is None for v in loc.values()):
                problems.append(f"{rid}: location with only nulls (use null)")
            text = f"{r['subject']}\n{r['body']}"
            for part, value in loc.items():
                if value is not None and (not isinstance(value, str) or value not in text):
                    problems.append(f"{rid}: location {part}={value!r} not in the text")
    c = counts(records)
    total = len(records)
    if total < MIN_TOTAL:
        problems.append(f"only {total} records (< {MIN_TOTAL})")
    for lang, (lo, hi) in LANGUAGE_SHARE.items():
        share = c["language"][lang] / total if total else 0
        if not lo <= share <= hi:
            problems.append(f"language {lang} share {share:.0%} outside {lo:.0%}-{hi:.0%}")
    for cat in CATEGORIES:
        if c["category"][cat] < MIN_PER_CATEGORY:
            problems.append(f"category {cat}: {c['category'][cat]} < {MIN_PER_CATEGORY}")
        langs = {r["language"] for r in records if r["category"] == cat}
        if langs != set(LANGUAGES):
            problems.append(f"category {cat} not in all languages: {sorted(langs)}")
    for kind in KINDS:
        if c["kind"][kind] < MIN_PER_KIND:
            problems.append(f"kind {kind}: {c['kind'][kind]} < {MIN_PER_KIND}")
    if c["severity"]["major"] < MIN_MAJOR:
        problems.append(f"major: {c['severity']['major']} < {MIN_MAJOR}")
    for lang in LANGUAGES:
        if c["major_by_language"][lang] < 10:
            problems.append(f"major in {lang}: {c['major_by_language'][lang]} < 10")
    if c["tricky"] < MIN_TRICKY:
        problems.append(f"tricky (with notes): {c['tricky']} < {MIN_TRICKY}")
    return records, c, problems


def table(c, total):
    lines = []
    for key in ("language", "kind", "category", "severity"):
        lines.append(f"{key}: " + ", ".join(f"{k} {v}" for k, v in sorted(c[key].items())))
    lines.append(
        "major by language: "
        + ", ".join(f"{k} {v}" for k, v in sorted(c["major_by_language"].items()))
    )
    lines.append(
        f"with notes (tricky): {c['tricky']}; with a location: {c['with_location']}; total: {total}"
    )
    return "\n".join(lines)


def main(argv):
    if "--check" not in argv:
        write(numbered(ENTRIES))
    records, c, problems = check()
    print(table(c, len(records)))
    cross = Counter((r["category"], r["language"]) for r in records)
    print(
        "category x language: "
        + "; ".join(
            f"{cat} " + "/".join(str(cross[(cat, lang)]) for lang in LANGUAGES)
            for cat in CATEGORIES
        )
    )
    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
