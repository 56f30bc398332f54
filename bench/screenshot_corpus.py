"""The pictures of the screenshot benchmark, generated at run time: the guides' own on-screen
texts (``screens:`` of the flows) drawn as app screens and SMS, scam messages as SMS and Zalo
bubbles, everyday messages that must not be warned about, and a few hand-made hard cases (a
tilted photo of a screen with stripes, tiny text, a long chat with the scam at the end)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bench.phone_images import Look, Style, screenshot
from bot.engine.catalog import Catalog, Screen

LOOKS = (Look(720, False, 0.92, 0.8, 60), Look(1080, True, 1.0, 0.6, 70),
         Look(900, False, 1.08, 0.9, 55), Look(1080, False, 0.85, 0.5, 75),
         Look(720, True, 1.1, 0.7, 65), Look(1000, True, 0.95, 0.9, 60))
APPS = {"vneid": "VNeID", "vssid": "VssID", "public": "Cổng Dịch vụ công Quốc gia",
        "digital": "VNeID", "payment": "Ngân hàng số"}
# Real SMS the guides quote (facts.md), shown as the Messages app shows them.
SMS = {
    ("vneid_activate", "has_app"): (
        "CucCSQLHC", "Cuc Canh sat QLHC ve TTXH thong bao: Ho so dang ky tai khoan dinh danh "
        "dien tu cua cong dan NGUYEN VAN AN da duoc phe duyet. De nghi truy cap ung dung VNeID "
        "hoac dia chi https://vneid.gov.vn de kich hoat tai khoan"),
    ("vssid_login", "sms_reply"): ("8079", "Cap lai mat khau thanh cong"),
}
SCAMS = (
    (Style.sms, "BHXH", "BHXH VN: Quy khach vui long cap nhat sinh trac hoc tai vneid-gov.com "
                        "de tranh bi khoa tai khoan."),
    (Style.sms, "VNeID", "[VNeID] Tai khoan dinh danh cua ban chua dong bo. Truy cap "
                         "http://vneid-capnhat.top de dong bo ngay."),
    (Style.sms, "BHXH", "Chúc mừng quý khách được nhận tiền hỗ trợ 2.000.000đ. Bấm vào "
                        "bhxh-hotro.com để nhận."),
    (Style.sms, "+84 912 345 678", "Công an phường thông báo: hồ sơ định danh của bạn bị lỗi. "
                                   "Gọi lại số này để được hướng dẫn sửa."),
    (Style.sms, "Vietcombank", "Vietcombank: Tai khoan cua quy khach tam khoa. Vui long xac "
                               "thuc tai vcb-xacthuc.com"),
    (Style.zalo, "Cán bộ Công an", "Chào bác, cháu là cán bộ công an phường. Hồ sơ định danh "
                                   "của bác bị lỗi, bác đọc mã OTP vừa nhận cho cháu để cháu "
                                   "sửa nhé."),
    (Style.sms, "VNeID", "Ban da duoc nang cap len dinh danh muc 3. Tai ung dung moi tai "
                         "vneid3.app"),
    (Style.zalo, "Thu Hà", "Em chuyển nhầm 5 triệu vào tài khoản của chị, chị chuyển lại giúp "
                           "em theo số này nhé."),
    (Style.sms, "TRI AN KH", "Tri ân khách hàng: bạn trúng thưởng xe máy. Nộp phí 500.000đ để "
                             "nhận giải."),
    (Style.sms, "Viettel", "Viettel thong bao: thue bao cua ban se bi khoa sau 24h do chua chuan "
                           "hoa thong tin. Cap nhat tai viettel-chuanhoa.com"),
    (Style.sms, "TongCucThue", "Bạn có khoản hoàn tiền thuế 3.250.000đ. Cài ứng dụng mới theo "
                               "đường link etax-hoantien.com để nhận."),
    (Style.sms, "BHXH", "BHXH: Ho tro that nghiep mot lan, dang ky nhan tien tai bhxh-vn.info"),
    (Style.sms, "DienLuc", "Điện lực thông báo: nhà bạn sẽ bị cắt điện hôm nay. Thanh toán "
                           "ngay tại evn-thanhtoan.com"),
    (Style.zalo, "Ngân hàng", "Bác ơi con là nhân viên ngân hàng, bác đọc giúp con mã OTP để "
                              "con hoàn tiền cho bác nhé."),
    (Style.sms, "VAY NHANH", "Vay online giải ngân trong 5 phút, không thế chấp. Đăng ký tại "
                             "vaynhanh247.vip"),
    (Style.zalo, "Bảo hiểm XH", "Bác được tăng lương hưu tháng này. Bác bấm link bhxh.vn-tra.com "
                                "và nhập số tài khoản để nhận."),
)
EVERYDAY = (
    (Style.zalo, "Con gái", "Mẹ ơi tối nay con về ăn cơm, mẹ nấu canh chua nhé."),
    (Style.sms, "TramYTe", "Tram y te xa thong bao lich tiem chung cho tre em vao sang thu bay "
                           "tai nha van hoa thon."),
    (Style.zalo, "Tổ dân phố 3", "Chiều mai 3 giờ họp tổ dân phố ở nhà văn hóa, mời các hộ đến "
                                 "đầy đủ."),
)


@dataclass(frozen=True)
class Picture:
    """One benchmark picture and what should come of it."""

    name: str
    kind: str  # "screen", "scam" or "everyday"
    data: bytes
    expected: tuple[str, str] | None = None  # the guide and step, for a screen


def _app_of(screen: Screen) -> str:
    return APPS.get(screen.flow_id.split("_")[0], "VNeID")


def _screen_picture(screen: Screen, look: Look, index: int) -> bytes:
    sms = SMS.get((screen.flow_id, screen.step_id))
    if sms is not None:
        return screenshot(sms[0], [sms[1]], Style.sms, look)
    filler = ["Trang chủ", "Bác cần hỗ trợ, gọi tổng đài"] if index % 2 else ["Xin chào"]
    if index % 2:  # the text as the screen's main button
        return screenshot(_app_of(screen), filler, Style.app, look, button=screen.text)
    return screenshot(_app_of(screen), [screen.text, *filler], Style.app, look)


def pictures(catalog: Catalog, looks: int = 2) -> Iterator[Picture]:
    """Every picture of the run: ``looks`` renderings of each screen and message."""
    n = 0
    done: set[tuple[str, str]] = set()
    for screen in catalog.screens:
        key = (screen.flow_id, screen.step_id)
        if key in SMS and key in done:
            continue  # one SMS shows all of its step's texts
        done.add(key)
        for k in range(looks):
            n += 1
            yield Picture(f"screen:{screen.flow_id}.{screen.step_id}:{k}", "screen",
                          _screen_picture(screen, LOOKS[n % len(LOOKS)], n), key)
    for kind, messages in (("scam", SCAMS), ("everyday", EVERYDAY)):
        for i, (style, sender, text) in enumerate(messages):
            for k in range(looks):
                n += 1
                yield Picture(f"{kind}:{i}:{k}", kind,
                              screenshot(sender, [text], style, LOOKS[n % len(LOOKS)]))
    yield from hand_made()


def hand_made() -> Iterator[Picture]:
    """Hard cases composed by hand."""
    yield Picture("hand:tilted-photo-of-activation", "screen", screenshot(
        "VNeID", ["Đăng nhập", "Số định danh cá nhân"], Style.app,
        Look(1080, False, 0.9, 1.0, 55, tilt=2.0, noise=True),
        button="Kích hoạt tài khoản định danh điện tử"), ("vneid_activate", "open_activate"))
    yield Picture("hand:tiny-text-maintenance", "screen", screenshot(
        "VNeID", ["Hệ thống đang bảo trì", "Vui lòng thử lại sau"], Style.app,
        Look(1440, True, 0.6, 0.4, 70)), ("vneid_login", "maintenance"))
    yield Picture("hand:long-chat-scam-last", "scam", screenshot(
        "Nhóm Thôn Đông", ["Chiều nay họp thôn nhé mọi người.", "Dạ vâng ạ.",
                           "Ai cần cập nhật sinh trắc học thì bấm vneid-sinhtrachoc.com làm "
                           "cho nhanh."], Style.zalo, Look(1080, False, 1.0, 0.7, 60)))
    yield Picture("hand:dark-tilted-otp", "scam", screenshot(
        "+84 888 000 111", ["Ma OTP cua ban la 482913. Nhan vien ngan hang se goi de xac nhan, "
                            "vui long doc ma cho nhan vien."], Style.sms,
        Look(900, True, 1.0, 0.8, 60, tilt=-1.5)))
