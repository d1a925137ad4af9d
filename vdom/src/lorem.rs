//! Django's `lorem_ipsum` word lists and generators for `{% lorem %}`.
//!
//! The common (non-random) output is byte-identical to Django's; the random
//! choices use a small PRNG, so random text differs from Python's (as it
//! differs between two Django runs).

/// Django's `COMMON_P`.
pub(crate) const COMMON_P: &str = "Lorem ipsum dolor sit amet, consectetur adipisicing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.";

/// Django's `WORDS`.
pub(crate) const WORDS: &[&str] = &[
    "exercitationem",
    "perferendis",
    "perspiciatis",
    "laborum",
    "eveniet",
    "sunt",
    "iure",
    "nam",
    "nobis",
    "eum",
    "cum",
    "officiis",
    "excepturi",
    "odio",
    "consectetur",
    "quasi",
    "aut",
    "quisquam",
    "vel",
    "eligendi",
    "itaque",
    "non",
    "odit",
    "tempore",
    "quaerat",
    "dignissimos",
    "facilis",
    "neque",
    "nihil",
    "expedita",
    "vitae",
    "vero",
    "ipsum",
    "nisi",
    "animi",
    "cumque",
    "pariatur",
    "velit",
    "modi",
    "natus",
    "iusto",
    "eaque",
    "sequi",
    "illo",
    "sed",
    "ex",
    "et",
    "voluptatibus",
    "tempora",
    "veritatis",
    "ratione",
    "assumenda",
    "incidunt",
    "nostrum",
    "placeat",
    "aliquid",
    "fuga",
    "provident",
    "praesentium",
    "rem",
    "necessitatibus",
    "suscipit",
    "adipisci",
    "quidem",
    "possimus",
    "voluptas",
    "debitis",
    "sint",
    "accusantium",
    "unde",
    "sapiente",
    "voluptate",
    "qui",
    "aspernatur",
    "laudantium",
    "soluta",
    "amet",
    "quo",
    "aliquam",
    "saepe",
    "culpa",
    "libero",
    "ipsa",
    "dicta",
    "reiciendis",
    "nesciunt",
    "doloribus",
    "autem",
    "impedit",
    "minima",
    "maiores",
    "repudiandae",
    "ipsam",
    "obcaecati",
    "ullam",
    "enim",
    "totam",
    "delectus",
    "ducimus",
    "quis",
    "voluptates",
    "dolores",
    "molestiae",
    "harum",
    "dolorem",
    "quia",
    "voluptatem",
    "molestias",
    "magni",
    "distinctio",
    "omnis",
    "illum",
    "dolorum",
    "voluptatum",
    "ea",
    "quas",
    "quam",
    "corporis",
    "quae",
    "blanditiis",
    "atque",
    "deserunt",
    "laboriosam",
    "earum",
    "consequuntur",
    "hic",
    "cupiditate",
    "quibusdam",
    "accusamus",
    "ut",
    "rerum",
    "error",
    "minus",
    "eius",
    "ab",
    "ad",
    "nemo",
    "fugit",
    "officia",
    "at",
    "in",
    "id",
    "quos",
    "reprehenderit",
    "numquam",
    "iste",
    "fugiat",
    "sit",
    "inventore",
    "beatae",
    "repellendus",
    "magnam",
    "recusandae",
    "quod",
    "explicabo",
    "doloremque",
    "aperiam",
    "consequatur",
    "asperiores",
    "commodi",
    "optio",
    "dolor",
    "labore",
    "temporibus",
    "repellat",
    "veniam",
    "architecto",
    "est",
    "esse",
    "mollitia",
    "nulla",
    "a",
    "similique",
    "eos",
    "alias",
    "dolore",
    "tenetur",
    "deleniti",
    "porro",
    "facere",
    "maxime",
    "corrupti",
];

/// Django's `COMMON_WORDS`.
pub(crate) const COMMON_WORDS: &[&str] = &[
    "lorem",
    "ipsum",
    "dolor",
    "sit",
    "amet",
    "consectetur",
    "adipisicing",
    "elit",
    "sed",
    "do",
    "eiusmod",
    "tempor",
    "incididunt",
    "ut",
    "labore",
    "et",
    "dolore",
    "magna",
    "aliqua",
];

/// A small xorshift generator seeded from the clock: lorem text only needs
/// to look random.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new() -> Self {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9e37_79b9_7f4a_7c15);
        Rng(seed | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `lo..=hi`.
    fn int(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }

    /// `k` distinct words (Python's `random.sample(WORDS, k)`).
    fn sample(&mut self, k: usize) -> Vec<&'static str> {
        let mut pool: Vec<&'static str> = WORDS.to_vec();
        let mut out = Vec::with_capacity(k);
        for _ in 0..k.min(pool.len()) {
            let i = self.int(0, pool.len() - 1);
            out.push(pool.swap_remove(i));
        }
        out
    }
}

fn sentence(rng: &mut Rng) -> String {
    let sections: Vec<String> = (0..rng.int(1, 5))
        .map(|_| {
            let n = rng.int(3, 12);
            rng.sample(n).join(" ")
        })
        .collect();
    let s = sections.join(", ");
    let mut chars = s.chars();
    let first: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    let end = if rng.int(0, 1) == 0 { '?' } else { '.' };
    format!("{first}{}{end}", chars.as_str())
}

fn paragraph(rng: &mut Rng) -> String {
    let n = rng.int(1, 4);
    (0..n).map(|_| sentence(rng)).collect::<Vec<_>>().join(" ")
}

/// Django's `paragraphs(count, common)`.
pub(crate) fn paragraphs(count: usize, common: bool) -> Vec<String> {
    let mut rng = Rng::new();
    (0..count)
        .map(|i| {
            if common && i == 0 {
                COMMON_P.to_owned()
            } else {
                paragraph(&mut rng)
            }
        })
        .collect()
}

/// Django's `words(count, common)` (a negative count slices like Python).
pub(crate) fn words(count: i64, common: bool) -> String {
    let mut list: Vec<&str> = if common {
        COMMON_WORDS.to_vec()
    } else {
        Vec::new()
    };
    if count < 0 {
        let keep = list.len().saturating_sub(count.unsigned_abs() as usize);
        list.truncate(keep);
    } else if count as usize > list.len() {
        let count = count as usize;
        let mut rng = Rng::new();
        let mut left = count - list.len();
        while left > 0 {
            let c = left.min(WORDS.len());
            left -= c;
            list.extend(rng.sample(c));
        }
    } else {
        list.truncate(count as usize);
    }
    list.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_words_and_random_counts() {
        assert_eq!(words(3, true), "lorem ipsum dolor");
        assert_eq!(words(-18, true), "lorem");
        assert_eq!(words(25, false).split(' ').count(), 25);
        let p = paragraphs(3, true);
        assert_eq!(p[0], COMMON_P);
        assert!(p[2].ends_with(['.', '?']));
    }
}
