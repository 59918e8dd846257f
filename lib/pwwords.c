/* Built-in word lists of the password checker.  Written for pam_bhxh from
 * what shows up in Vietnamese password dumps and help-desk experience:
 * declarations of love, "password" in Vietnamese, greetings, places,
 * family names and common given names, office words. */
#include "config.h"

#include "pwwords.h"
#include "util.h"

const char *const bhxh_pw_words_vi[] = {
	/* love, family, greetings */
	"anhyeuem", "emyeuanh", "toiyeuem", "toiyeuanh", "yeuem", "yeuanh", "yeuemnhieu",
	"anhyeuemnhieu", "emyeuanhnhieu", "iuem", "iuanh", "yeu", "thuong", "thuongem",
	"thuonganh", "nhoem", "nhoanh", "emoi", "anhoi", "vo", "chong", "voiu", "chongiu",
	"vk", "ck", "vkck", "vochong", "conyeu", "conyeume", "meyeu", "bome", "bame", "giadinh",
	"tinhyeu", "maimai", "mai", "maimaibennhau", "bennhau", "hanhphuc", "emlove",
	"anhlove", "xinchao", "chao", "chaoban", "xinloi", "camon", "tambiet", "dungquen",
	"nhoem", "cuncon", "conmeo", "meocon", "bebong", "baby", "embe", "beyeu", "cungyeu",
	"dethuong", "xinhdep", "dep", "depzai", "deptrai", "xinhgai", "congchua", "hoangtu",
	"thienthan", "ac", "quy", "acquy", "thanhcong", "chienthang", "muonnam", "vietnam",
	"vietnamvodich", "vodich", "tuoitre", "hocsinh", "sinhvien",
	/* passwords and accounts */
	"matkhau", "matma", "mk", "taikhoan", "dangnhap", "quantri", "quantrivien", "hethong",
	"nguoidung", "khach", "doimatkhau", "matkhaumoi", "moi", "cu", "baomat",
	/* office, agency */
	"congty", "coquan", "nhanvien", "ketoan", "phongban", "vanphong", "tongdai",
	"baohiem", "xahoi", "yte", "baohiemxahoi", "baohiemyte", "bhxh", "bhyt", "vssid",
	"bhxhvn", "soyte", "ubnd", "hdnd", "thanhpho", "tinh", "quan", "huyen", "phuong",
	"xa", "thuduc", "hanhchinh", "giamdoc", "truongphong", "chuyenvien",
	/* places */
	"hanoi", "saigon", "hochiminh", "tphcm", "hcm", "danang", "haiphong",
	"cantho", "hue", "nhatrang", "dalat", "vungtau", "halong", "quangninh", "nghean",
	"thanhhoa", "namdinh", "thaibinh", "bacninh", "haiduong", "hungyen", "vinhphuc",
	"phutho", "thainguyen", "langson", "laocai", "sapa", "dienbien", "sonla", "hoabinh",
	"ninhbinh", "hanam", "quangbinh", "quangtri", "quangnam", "quangngai", "binhdinh",
	"phuyen", "khanhhoa", "daklak", "gialai", "kontum", "lamdong", "binhduong",
	"dongnai", "longan", "tiengiang", "bentre", "vinhlong", "angiang", "kiengiang",
	"camau", "baclieu", "soctrang", "phuquoc", "caugiay", "badinh", "hoankiem",
	"dongda", "haibatrung", "thanhxuan", "hoangmai", "longbien", "tayho", "hadong",
	"tuliem", "bactuliem", "namtuliem", "gialam", "donganh", "socson", "mydinh",
	"hoguom", "hotay", "langbac", "thudo",
	/* family names */
	"nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo", "dang", "bui",
	"do", "ho", "ngo", "duong", "ly", "trinh", "dinh", "lam", "truong", "cao", "luong",
	"ta", "ha", "doan", "lai", "mac", "chu", "kieu", "thai", "quach", "tong", "trieu",
	/* given names */
	"anh", "minh", "hung", "dung", "huong", "lan", "linh", "hoa", "thao", "trang",
	"ngoc", "tuan", "nam", "hai", "long", "duc", "thanh", "hien", "phuong", "quang",
	"huy", "khanh", "thu", "hang", "nga", "van", "thi", "thuy", "yen", "nhung", "tam",
	"son", "trung", "kien", "cuong", "dat", "hieu", "hanh", "loan", "oanh", "vy", "my",
	"giang", "hau", "quynh", "diep", "chi", "tien", "phuc", "loc", "tho", "bao", "khoa",
	"khang", "phong", "vinh", "hoai", "nhi", "tu", "an", "binh", "tung", "dao", "duy",
	"quan", "thang", "toan", "tri", "tuyet", "xuan", "hong", "cuc", "huyen", "ngan",
	"trinh", "uyen", "vi", "viet", "hoan", "thuan", "tai", "dan", "hao", "nhan", "tinh",
	"nghia", "phat", "tan", "thien", "quoc", "manh", "thuong", "ly", "mai", "dieu",
	"lien", "sang", "sen", "dong", "tuyen", "hop", "hue", "khai", "lam", "luan",
	"thanhhuong", "thuhuong", "thuha", "ngocanh", "tuananh", "ducanh", "hoanganh",
	"vietanh", "quanganh", "minhanh", "lananh", "phuonganh", "hongnhung", "thuytrang",
	"thutrang", "minhtuan", "vanhung", "vannam", "thilan", "thihoa", "thimai",
};
const size_t bhxh_pw_words_vi_n = BHXH_ARRAY_SIZE(bhxh_pw_words_vi);

const char *const bhxh_pw_words_en[] = {
	"password", "pass", "passwd", "pwd", "admin", "administrator", "root", "user",
	"guest", "test", "demo", "welcome", "letmein", "iloveyou", "love", "lover", "monkey",
	"dragon", "master", "login", "logon", "sunshine", "princess", "football", "soccer",
	"baseball", "shadow", "superman", "batman", "trustno", "hello", "freedom",
	"whatever", "secret", "god", "changeme", "change", "default", "computer",
	"internet", "system", "server", "company", "office", "summer", "winter", "spring",
	"autumn", "temp", "manager", "welcome", "abc", "michael", "jordan", "killer",
	"hacker", "ninja", "pokemon", "starwars", "matrix", "angel", "baby", "honey",
	"forever", "family", "friend", "happy", "lucky", "money", "online", "secure",
	"access", "qwerty", "asdf", "zxcv", "azerty",
};
const size_t bhxh_pw_words_en_n = BHXH_ARRAY_SIZE(bhxh_pw_words_en);
