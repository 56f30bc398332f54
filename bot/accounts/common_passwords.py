"""What Vietnamese people often build passwords from, for the strength estimator: family and
given names, words and phrases of everyday passwords, place names, written without diacritics
(the password is folded the same way before it is estimated). Years, dates, digit runs,
keyboard rows and repeats are found by ``zxcvbn`` itself; phone numbers by
:mod:`bot.accounts.passwords`."""

from __future__ import annotations


def _listed(*lines: str) -> list[str]:
    return " ".join(lines).split()


SURNAMES = _listed("nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dinh ",
                   "trinh lam mai luong ha cao chu quach ton truong lu kieu la thai tang")
MIDDLE = _listed("thi van huu quoc cong gia bao xuan")
GIVEN = _listed("anh minh hoa lan huong linh trang mai tuan hung dung thao ngoc hai nam",
                "long thanh phuong hang ha quang duc son hieu trung yen van thu hien hanh",
                "hoang huy khanh kien lam loan ly my nga nhung oanh phong phuc quan quynh",
                "tam tan thang thuy tien tu tung uyen viet vinh vy xuan bao binh chi cuong",
                "dat diep giang hau hoai hue khoa kim lien loc luan nhan nhi nhu phat quy",
                "sang tai thao thi tinh toan trieu truc trong tuyet hong dao cuc")
WORDS = _listed("matkhau matma anhyeuem emyeuanh yeuem yeuanh iloveyou yeuthuong tinhyeu ",
                "vietnam hanoi saigon hochiminh danang haiphong laocai yenbai sapa ",
                "xinchao chaoban admin quantri congnghe congnghenso tocongnghe digiguide vneid ",
                "vssid zalo facebook google")
# Most frequent first, each once: the rank counts (a repeated word would take its later rank).
COMMON = list(dict.fromkeys([*MIDDLE, *SURNAMES, *WORDS, *GIVEN]))
