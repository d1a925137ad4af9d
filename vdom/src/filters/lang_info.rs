//! Django 5.2's `LANG_INFO` (django/conf/locale/__init__.py), generated
//! from it, and `get_language_info`.
use crate::host::LanguageInfo;

/// `(code, name, name_local, bidi)`, or a fallback entry with an empty
/// name and the fallback code in `name_local`.
static LANG_INFO: &[(&str, &str, &str, bool)] = &[
    ("af", "Afrikaans", "Afrikaans", false),
    ("ar", "Arabic", "العربيّة", true),
    ("ar-dz", "Algerian Arabic", "العربية الجزائرية", true),
    ("ast", "Asturian", "asturianu", false),
    ("az", "Azerbaijani", "Azərbaycanca", true),
    ("be", "Belarusian", "беларуская", false),
    ("bg", "Bulgarian", "български", false),
    ("bn", "Bengali", "বাংলা", false),
    ("br", "Breton", "brezhoneg", false),
    ("bs", "Bosnian", "bosanski", false),
    ("ca", "Catalan", "català", false),
    ("ckb", "Central Kurdish (Sorani)", "کوردی", true),
    ("cs", "Czech", "česky", false),
    ("cy", "Welsh", "Cymraeg", false),
    ("da", "Danish", "dansk", false),
    ("de", "German", "Deutsch", false),
    ("dsb", "Lower Sorbian", "dolnoserbski", false),
    ("el", "Greek", "Ελληνικά", false),
    ("en", "English", "English", false),
    ("en-au", "Australian English", "Australian English", false),
    ("en-gb", "British English", "British English", false),
    ("eo", "Esperanto", "Esperanto", false),
    ("es", "Spanish", "español", false),
    (
        "es-ar",
        "Argentinian Spanish",
        "español de Argentina",
        false,
    ),
    ("es-co", "Colombian Spanish", "español de Colombia", false),
    ("es-mx", "Mexican Spanish", "español de Mexico", false),
    ("es-ni", "Nicaraguan Spanish", "español de Nicaragua", false),
    ("es-ve", "Venezuelan Spanish", "español de Venezuela", false),
    ("et", "Estonian", "eesti", false),
    ("eu", "Basque", "Basque", false),
    ("fa", "Persian", "فارسی", true),
    ("fi", "Finnish", "suomi", false),
    ("fr", "French", "français", false),
    ("fy", "Frisian", "frysk", false),
    ("ga", "Irish", "Gaeilge", false),
    ("gd", "Scottish Gaelic", "Gàidhlig", false),
    ("gl", "Galician", "galego", false),
    ("he", "Hebrew", "עברית", true),
    ("hi", "Hindi", "हिंदी", false),
    ("hr", "Croatian", "Hrvatski", false),
    ("hsb", "Upper Sorbian", "hornjoserbsce", false),
    ("hu", "Hungarian", "Magyar", false),
    ("hy", "Armenian", "հայերեն", false),
    ("ia", "Interlingua", "Interlingua", false),
    ("id", "Indonesian", "Bahasa Indonesia", false),
    ("ig", "Igbo", "Asụsụ Ìgbò", false),
    ("io", "Ido", "ido", false),
    ("is", "Icelandic", "Íslenska", false),
    ("it", "Italian", "italiano", false),
    ("ja", "Japanese", "日本語", false),
    ("ka", "Georgian", "ქართული", false),
    ("kab", "Kabyle", "taqbaylit", false),
    ("kk", "Kazakh", "Қазақ", false),
    ("km", "Khmer", "Khmer", false),
    ("kn", "Kannada", "Kannada", false),
    ("ko", "Korean", "한국어", false),
    ("ky", "Kyrgyz", "Кыргызча", false),
    ("lb", "Luxembourgish", "Lëtzebuergesch", false),
    ("lt", "Lithuanian", "Lietuviškai", false),
    ("lv", "Latvian", "latviešu", false),
    ("mk", "Macedonian", "Македонски", false),
    ("ml", "Malayalam", "മലയാളം", false),
    ("mn", "Mongolian", "Mongolian", false),
    ("mr", "Marathi", "मराठी", false),
    ("ms", "Malay", "Bahasa Melayu", false),
    ("my", "Burmese", "မြန်မာဘာသာ", false),
    ("nb", "Norwegian Bokmal", "norsk (bokmål)", false),
    ("ne", "Nepali", "नेपाली", false),
    ("nl", "Dutch", "Nederlands", false),
    ("nn", "Norwegian Nynorsk", "norsk (nynorsk)", false),
    ("no", "Norwegian", "norsk", false),
    ("os", "Ossetic", "Ирон", false),
    ("pa", "Punjabi", "Punjabi", false),
    ("pl", "Polish", "polski", false),
    ("pt", "Portuguese", "Português", false),
    (
        "pt-br",
        "Brazilian Portuguese",
        "Português Brasileiro",
        false,
    ),
    ("ro", "Romanian", "Română", false),
    ("ru", "Russian", "Русский", false),
    ("sk", "Slovak", "slovensky", false),
    ("sl", "Slovenian", "Slovenščina", false),
    ("sq", "Albanian", "shqip", false),
    ("sr", "Serbian", "српски", false),
    ("sr-latn", "Serbian Latin", "srpski (latinica)", false),
    ("sv", "Swedish", "svenska", false),
    ("sw", "Swahili", "Kiswahili", false),
    ("ta", "Tamil", "தமிழ்", false),
    ("te", "Telugu", "తెలుగు", false),
    ("tg", "Tajik", "тоҷикӣ", false),
    ("th", "Thai", "ภาษาไทย", false),
    ("tk", "Turkmen", "Türkmençe", false),
    ("tr", "Turkish", "Türkçe", false),
    ("tt", "Tatar", "Татарча", false),
    ("udm", "Udmurt", "Удмурт", false),
    ("ug", "Uyghur", "ئۇيغۇرچە", true),
    ("uk", "Ukrainian", "Українська", false),
    ("ur", "Urdu", "اردو", true),
    ("uz", "Uzbek", "oʻzbek tili", false),
    ("vi", "Vietnamese", "Tiếng Việt", false),
    ("zh-cn", "", "zh-hans", false),
    ("zh-hans", "Simplified Chinese", "简体中文", false),
    ("zh-hant", "Traditional Chinese", "繁體中文", false),
    ("zh-hk", "", "zh-hant", false),
    ("zh-mo", "", "zh-hant", false),
    ("zh-my", "", "zh-hans", false),
    ("zh-sg", "", "zh-hans", false),
    ("zh-tw", "", "zh-hant", false),
];

fn entry(code: &str) -> Option<&'static (&'static str, &'static str, &'static str, bool)> {
    LANG_INFO
        .binary_search_by(|e| e.0.cmp(code))
        .ok()
        .map(|i| &LANG_INFO[i])
}

fn info(e: &(&str, &str, &str, bool)) -> LanguageInfo {
    LanguageInfo {
        name: e.1.to_owned(),
        name_local: e.2.to_owned(),
        bidi: e.3,
    }
}

/// Django's `translation.get_language_info(code)` over its `LANG_INFO`
/// table: fallback entries follow their fallback, `xx-yy` falls back to
/// `xx`. `None` where Django raises `KeyError`.
pub fn language_info(code: &str) -> Option<LanguageInfo> {
    match entry(code) {
        Some(e) if e.1.is_empty() => language_info(e.2),
        Some(e) => Some(info(e)),
        None => {
            let (generic, _) = code.split_once('-')?;
            entry(generic).map(info)
        }
    }
}
