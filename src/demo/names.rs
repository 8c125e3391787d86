//! The people and employers the demo data is made of, read from `assets/demo/`.

use std::sync::OnceLock;

const NAMES: &str = include_str!("../../assets/demo/names.txt");
const COMPANIES: &str = include_str!("../../assets/demo/companies.txt");

/// How often a purchaser writes in each script, out of the sum of all weights.
/// A script of the names file that is not listed here gets weight 1.
const SCRIPT_WEIGHTS: &[(&str, u32)] = &[
    ("latin", 580),
    ("cyrillic", 80),
    ("greek", 40),
    ("arabic", 60),
    ("hebrew", 20),
    ("chinese", 70),
    ("japanese", 60),
    ("korean", 40),
    ("devanagari", 40),
    ("thai", 10),
];

/// Whom a given name is for, so that a gendered family name takes the right form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Gender {
    Man,
    Woman,
    Anyone,
}

/// The given and family names of one writing system.
#[derive(Debug)]
pub(crate) struct Script {
    pub name: &'static str,
    pub weight: u32,
    pub given: Vec<(&'static str, Gender)>,
    /// Each family name in the form for men and the form for women (often the same).
    pub family: Vec<(&'static str, &'static str)>,
}

impl Script {
    /// Latin names get emails made from the name itself; the others get generic ones.
    pub(crate) fn is_latin(&self) -> bool {
        self.name == "latin"
    }
}

/// The form of a family name (men's, women's) that goes with a given name.
pub(crate) fn family_form(family: (&'static str, &'static str), gender: Gender) -> &'static str {
    match gender {
        Gender::Woman => family.1,
        Gender::Man | Gender::Anyone => family.0,
    }
}

/// Every script that has both given and family names, in file order.
pub(crate) fn scripts() -> &'static [Script] {
    static SCRIPTS: OnceLock<Vec<Script>> = OnceLock::new();
    SCRIPTS.get_or_init(|| parse_names(NAMES))
}

/// Employers, one per line of the companies file.
pub(crate) fn companies() -> &'static [&'static str] {
    static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        COMPANIES.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
    })
}

fn parse_names(text: &'static str) -> Vec<Script> {
    let mut scripts: Vec<Script> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((head, list)) = line.split_once(':') else {
            continue;
        };
        let Some((script, part)) = head.trim().split_once(' ') else {
            continue;
        };
        let names = list.split(',').map(str::trim).filter(|n| !n.is_empty());
        let index = match scripts.iter().position(|s| s.name == script) {
            Some(i) => i,
            None => {
                let weight = SCRIPT_WEIGHTS.iter().find(|(name, _)| *name == script).map_or(1, |(_, w)| *w);
                scripts.push(Script { name: script, weight, given: Vec::new(), family: Vec::new() });
                scripts.len() - 1
            }
        };
        let script = &mut scripts[index];
        match part.trim() {
            "given" => script.given.extend(names.map(|n| (n, Gender::Anyone))),
            "given-m" => script.given.extend(names.map(|n| (n, Gender::Man))),
            "given-f" => script.given.extend(names.map(|n| (n, Gender::Woman))),
            "family" => script.family.extend(names.map(|n| n.split_once('/').unwrap_or((n, n)))),
            _ => {}
        }
    }
    scripts.retain(|s| !s.given.is_empty() && !s.family.is_empty());
    scripts
}

/// The ASCII letters an email address would use for a Latin name: "Zoé" → "zoe",
/// "Ødegård" → "odegard", "O'Connor" → "oconnor". Letters it cannot fold are dropped.
pub(crate) fn ascii_fold(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        let lower = c.to_lowercase().next().unwrap_or(c);
        let folded = match lower {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' | 'ạ' | 'ả' | 'ầ' | 'ấ' | 'ă' => {
                "a"
            }
            'æ' => "ae",
            'ç' | 'č' | 'ć' => "c",
            'ď' | 'đ' | 'ð' => "d",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' | 'ễ' | 'ệ' => "e",
            'ğ' => "g",
            'ì' | 'í' | 'î' | 'ï' | 'ı' | 'ī' => "i",
            'ł' => "l",
            'ñ' | 'ń' | 'ň' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' | 'ơ' | 'ọ' => "o",
            'œ' => "oe",
            'ř' => "r",
            'ś' | 'š' | 'ş' => "s",
            'ß' => "ss",
            'ť' => "t",
            'þ' => "th",
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ư' | 'ụ' | 'ứ' => "u",
            'ý' | 'ÿ' | 'ỳ' => "y",
            'ź' | 'ż' | 'ž' => "z",
            _ => "",
        };
        out.push_str(folded);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_has_names_and_latin_is_there() {
        let scripts = scripts();
        assert!(scripts.len() >= 8, "{scripts:?}");
        assert!(scripts.iter().any(Script::is_latin));
        assert!(!companies().is_empty());
    }

    #[test]
    fn every_latin_letter_folds_to_ascii() {
        // A name whose letters do not all fold would give a mangled email address.
        let Some(latin) = scripts().iter().find(|s| s.is_latin()) else {
            panic!("no latin names");
        };
        let given = latin.given.iter().map(|(n, _)| *n);
        let family = latin.family.iter().flat_map(|(m, f)| [*m, *f]);
        for name in given.chain(family) {
            let letters = name.chars().filter(|c| c.is_alphabetic()).count();
            let folded = ascii_fold(name);
            assert!(folded.is_ascii());
            assert!(folded.len() >= letters, "{name} folds to {folded}: add its letters to ascii_fold");
        }
    }

    #[test]
    fn gendered_family_names_have_both_forms() {
        let Some(czech) = scripts().iter().flat_map(|s| &s.family).find(|(m, _)| *m == "Novák") else {
            panic!("Novák is in the latin family names");
        };
        assert_eq!(family_form(*czech, Gender::Woman), "Nováková");
        assert_eq!(family_form(*czech, Gender::Man), "Novák");
        let women = scripts().iter().flat_map(|s| &s.given).filter(|(_, g)| *g == Gender::Woman);
        assert!(women.count() > 20);
    }

    #[test]
    fn no_name_has_control_characters() {
        for s in scripts() {
            let given = s.given.iter().map(|(n, _)| *n);
            for n in given.chain(s.family.iter().flat_map(|(m, f)| [*m, *f])) {
                assert!(!n.chars().any(char::is_control), "{n:?}");
            }
        }
        for c in companies() {
            assert!(!c.chars().any(char::is_control), "{c:?}");
        }
    }
}
