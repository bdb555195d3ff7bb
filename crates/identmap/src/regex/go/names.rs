//! The `\p{…}` names Go 1.27's `regexp/syntax` accepts, and where their tables come from.
//!
//! Go resolves a name through `canonicalName` (first letter upper case, the rest lower case,
//! `_`, `-` and space dropped) and then looks it up among the special names `Any`, `Assigned`,
//! `ASCII` and `LC`, the general categories, the scripts, the general-category aliases of
//! `PropertyValueAliases.txt`, and the canonical forms of the script names. Nothing else (binary
//! properties, `Script=`, `Is…`, blocks) is accepted.
//!
//! The code point tables are the ones `regex-syntax` ships (Unicode 16). Go 1.27 uses Unicode 17:
//! the five scripts new in Unicode 17 are accepted and resolve to an empty class here (a
//! documented gap, like the characters first assigned in Unicode 17).

/// Where the code points of an accepted name come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Table {
    /// The union of these general categories, as `regex-syntax` names them.
    Gc(&'static [&'static str]),
    /// A script, as `regex-syntax` names it.
    Script(&'static str),
    /// A class with no (matchable) code points: surrogates, or a script newer than Unicode 16.
    Empty,
    /// Every code point.
    Any,
    /// Every assigned code point (Go: the negation of `Cn`).
    Assigned,
    /// U+0000 to U+007F.
    Ascii,
}

/// Go's `canonicalName`: ASCII letters are case-normalised (first upper, the rest lower), and
/// `_`, `-` and space are dropped. Other bytes are kept.
pub(super) fn canonical_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut first = true;
    for c in name.chars() {
        match c {
            '_' | '-' | ' ' => {}
            _ if first => {
                first = false;
                out.push(c.to_ascii_uppercase());
            }
            _ => out.push(c.to_ascii_lowercase()),
        }
    }
    out
}

/// Go's `unicode.Categories` (keys as written there, all already canonical, plus `Cn`).
/// Go's `C` is `Cc | Cf | Co | Cs` (it does not contain unassigned code points).
pub(super) const CATEGORIES: &[(&str, Table)] = &[
    ("C", Table::Gc(&["Cc", "Cf", "Co"])),
    ("Cc", Table::Gc(&["Cc"])),
    ("Cf", Table::Gc(&["Cf"])),
    ("Cn", Table::Gc(&["Cn"])),
    ("Co", Table::Gc(&["Co"])),
    ("Cs", Table::Empty),
    ("L", Table::Gc(&["L"])),
    ("Ll", Table::Gc(&["Ll"])),
    ("Lm", Table::Gc(&["Lm"])),
    ("Lo", Table::Gc(&["Lo"])),
    ("Lt", Table::Gc(&["Lt"])),
    ("Lu", Table::Gc(&["Lu"])),
    ("M", Table::Gc(&["M"])),
    ("Mc", Table::Gc(&["Mc"])),
    ("Me", Table::Gc(&["Me"])),
    ("Mn", Table::Gc(&["Mn"])),
    ("N", Table::Gc(&["N"])),
    ("Nd", Table::Gc(&["Nd"])),
    ("Nl", Table::Gc(&["Nl"])),
    ("No", Table::Gc(&["No"])),
    ("P", Table::Gc(&["P"])),
    ("Pc", Table::Gc(&["Pc"])),
    ("Pd", Table::Gc(&["Pd"])),
    ("Pe", Table::Gc(&["Pe"])),
    ("Pf", Table::Gc(&["Pf"])),
    ("Pi", Table::Gc(&["Pi"])),
    ("Po", Table::Gc(&["Po"])),
    ("Ps", Table::Gc(&["Ps"])),
    ("S", Table::Gc(&["S"])),
    ("Sc", Table::Gc(&["Sc"])),
    ("Sk", Table::Gc(&["Sk"])),
    ("Sm", Table::Gc(&["Sm"])),
    ("So", Table::Gc(&["So"])),
    ("Z", Table::Gc(&["Z"])),
    ("Zl", Table::Gc(&["Zl"])),
    ("Zp", Table::Gc(&["Zp"])),
    ("Zs", Table::Gc(&["Zs"])),
];

/// Go's `unicode.CategoryAliases` (the `gc` rows of `PropertyValueAliases.txt`), keyed by their
/// canonical names, mapped to the `CATEGORIES` key.
pub(super) const CATEGORY_ALIASES: &[(&str, &str)] = &[
    ("Casedletter", "LC"),
    ("Closepunctuation", "Pe"),
    ("Cntrl", "Cc"),
    ("Combiningmark", "M"),
    ("Connectorpunctuation", "Pc"),
    ("Control", "Cc"),
    ("Currencysymbol", "Sc"),
    ("Dashpunctuation", "Pd"),
    ("Decimalnumber", "Nd"),
    ("Digit", "Nd"),
    ("Enclosingmark", "Me"),
    ("Finalpunctuation", "Pf"),
    ("Format", "Cf"),
    ("Initialpunctuation", "Pi"),
    ("Letter", "L"),
    ("Letternumber", "Nl"),
    ("Lineseparator", "Zl"),
    ("Lowercaseletter", "Ll"),
    ("Mark", "M"),
    ("Mathsymbol", "Sm"),
    ("Modifierletter", "Lm"),
    ("Modifiersymbol", "Sk"),
    ("Nonspacingmark", "Mn"),
    ("Number", "N"),
    ("Openpunctuation", "Ps"),
    ("Other", "C"),
    ("Otherletter", "Lo"),
    ("Othernumber", "No"),
    ("Otherpunctuation", "Po"),
    ("Othersymbol", "So"),
    ("Paragraphseparator", "Zp"),
    ("Privateuse", "Co"),
    ("Punct", "P"),
    ("Punctuation", "P"),
    ("Separator", "Z"),
    ("Spaceseparator", "Zs"),
    ("Spacingmark", "Mc"),
    ("Surrogate", "Cs"),
    ("Symbol", "S"),
    ("Titlecaseletter", "Lt"),
    ("Unassigned", "Cn"),
    ("Uppercaseletter", "Lu"),
];

/// Go's `unicode.Scripts` keys that `regex-syntax` (Unicode 16) also has.
pub(super) const SCRIPTS: &[&str] = &[
    "Adlam",
    "Ahom",
    "Anatolian_Hieroglyphs",
    "Arabic",
    "Armenian",
    "Avestan",
    "Balinese",
    "Bamum",
    "Bassa_Vah",
    "Batak",
    "Bengali",
    "Bhaiksuki",
    "Bopomofo",
    "Brahmi",
    "Braille",
    "Buginese",
    "Buhid",
    "Canadian_Aboriginal",
    "Carian",
    "Caucasian_Albanian",
    "Chakma",
    "Cham",
    "Cherokee",
    "Chorasmian",
    "Common",
    "Coptic",
    "Cuneiform",
    "Cypriot",
    "Cypro_Minoan",
    "Cyrillic",
    "Deseret",
    "Devanagari",
    "Dives_Akuru",
    "Dogra",
    "Duployan",
    "Egyptian_Hieroglyphs",
    "Elbasan",
    "Elymaic",
    "Ethiopic",
    "Garay",
    "Georgian",
    "Glagolitic",
    "Gothic",
    "Grantha",
    "Greek",
    "Gujarati",
    "Gunjala_Gondi",
    "Gurmukhi",
    "Gurung_Khema",
    "Han",
    "Hangul",
    "Hanifi_Rohingya",
    "Hanunoo",
    "Hatran",
    "Hebrew",
    "Hiragana",
    "Imperial_Aramaic",
    "Inherited",
    "Inscriptional_Pahlavi",
    "Inscriptional_Parthian",
    "Javanese",
    "Kaithi",
    "Kannada",
    "Katakana",
    "Kawi",
    "Kayah_Li",
    "Kharoshthi",
    "Khitan_Small_Script",
    "Khmer",
    "Khojki",
    "Khudawadi",
    "Kirat_Rai",
    "Lao",
    "Latin",
    "Lepcha",
    "Limbu",
    "Linear_A",
    "Linear_B",
    "Lisu",
    "Lycian",
    "Lydian",
    "Mahajani",
    "Makasar",
    "Malayalam",
    "Mandaic",
    "Manichaean",
    "Marchen",
    "Masaram_Gondi",
    "Medefaidrin",
    "Meetei_Mayek",
    "Mende_Kikakui",
    "Meroitic_Cursive",
    "Meroitic_Hieroglyphs",
    "Miao",
    "Modi",
    "Mongolian",
    "Mro",
    "Multani",
    "Myanmar",
    "Nabataean",
    "Nag_Mundari",
    "Nandinagari",
    "New_Tai_Lue",
    "Newa",
    "Nko",
    "Nushu",
    "Nyiakeng_Puachue_Hmong",
    "Ogham",
    "Ol_Chiki",
    "Ol_Onal",
    "Old_Hungarian",
    "Old_Italic",
    "Old_North_Arabian",
    "Old_Permic",
    "Old_Persian",
    "Old_Sogdian",
    "Old_South_Arabian",
    "Old_Turkic",
    "Old_Uyghur",
    "Oriya",
    "Osage",
    "Osmanya",
    "Pahawh_Hmong",
    "Palmyrene",
    "Pau_Cin_Hau",
    "Phags_Pa",
    "Phoenician",
    "Psalter_Pahlavi",
    "Rejang",
    "Runic",
    "Samaritan",
    "Saurashtra",
    "Sharada",
    "Shavian",
    "Siddham",
    "SignWriting",
    "Sinhala",
    "Sogdian",
    "Sora_Sompeng",
    "Soyombo",
    "Sundanese",
    "Sunuwar",
    "Syloti_Nagri",
    "Syriac",
    "Tagalog",
    "Tagbanwa",
    "Tai_Le",
    "Tai_Tham",
    "Tai_Viet",
    "Takri",
    "Tamil",
    "Tangsa",
    "Tangut",
    "Telugu",
    "Thaana",
    "Thai",
    "Tibetan",
    "Tifinagh",
    "Tirhuta",
    "Todhri",
    "Toto",
    "Tulu_Tigalari",
    "Ugaritic",
    "Vai",
    "Vithkuqi",
    "Wancho",
    "Warang_Citi",
    "Yezidi",
    "Yi",
    "Zanabazar_Square",
];

/// Scripts new in Unicode 17 (Go 1.27 has them; `regex-syntax` 0.8.12 does not).
pub(super) const SCRIPTS_17: &[&str] = &["Beria_Erfe", "Chisoi", "Sidetic", "Tai_Yo", "Tolong_Siki"];

/// Go's `unicodeTable`: resolve a `\p{name}` name (without any leading `^`), or `None` if Go
/// rejects it.
pub(super) fn lookup(name: &str) -> Option<Table> {
    let canon = canonical_name(name);
    match canon.as_str() {
        "Any" => return Some(Table::Any),
        "Assigned" => return Some(Table::Assigned),
        "Ascii" => return Some(Table::Ascii),
        "Lc" => return Some(Table::Gc(&["LC"])),
        _ => {}
    }
    let category = |key: &str| {
        if key == "LC" {
            return Some(Table::Gc(&["LC"]));
        }
        CATEGORIES.iter().find(|(k, _)| *k == key).map(|&(_, t)| t)
    };
    if let Some(t) = category(&canon) {
        return Some(t);
    }
    if let Some(&s) = SCRIPTS.iter().find(|s| **s == canon) {
        return Some(Table::Script(s));
    }
    if let Some(&(_, key)) = CATEGORY_ALIASES.iter().find(|(k, _)| *k == canon) {
        return category(key);
    }
    if let Some(&s) = SCRIPTS.iter().find(|s| canonical_name(s) == canon) {
        return Some(Table::Script(s));
    }
    if SCRIPTS_17.iter().any(|s| canonical_name(s) == canon) {
        return Some(Table::Empty);
    }
    None
}
