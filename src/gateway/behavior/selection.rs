//! Selection patterns: the subset of Java regular expressions integration responses use.

/// Full-match of a selection pattern (a Java regex in AWS) against `input`. Supports the
/// subset patterns use in practice: literals, `.`, `\d \w \s`, escapes, classes `[a-z0-9]`,
/// quantifiers `* + ? {n} {n,m}` and top-level `|`. Groups fall back to literal equality.
pub fn regex_full_match(pattern: &str, input: &str) -> bool {
    if pattern.contains('(') {
        return pattern == input;
    }
    let input: Vec<char> = input.chars().collect();
    pattern.split('|').any(|alt| match parse_regex(alt) {
        Some(atoms) => match_atoms(&atoms, &input),
        None => alt == input.iter().collect::<String>(),
    })
}

#[derive(Clone, Debug)]
enum Class {
    Any,
    Set(Vec<(char, char)>, bool),
}

#[derive(Clone, Debug)]
struct Atom {
    class: Class,
    min: usize,
    max: usize,
}

impl Class {
    fn matches(&self, c: char) -> bool {
        match self {
            Class::Any => c != '\n',
            Class::Set(ranges, negated) => {
                ranges.iter().any(|(a, b)| (*a..=*b).contains(&c)) != *negated
            }
        }
    }
}

fn escape_class(c: char) -> Class {
    match c {
        'd' => Class::Set(vec![('0', '9')], false),
        'w' => Class::Set(vec![('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')], false),
        's' => Class::Set(
            vec![(' ', ' '), ('\t', '\t'), ('\n', '\n'), ('\r', '\r')],
            false,
        ),
        other => Class::Set(vec![(other, other)], false),
    }
}

fn parse_regex(p: &str) -> Option<Vec<Atom>> {
    let chars: Vec<char> = p.chars().collect();
    let mut i = 0;
    let mut atoms = Vec::new();
    while i < chars.len() {
        let class = match chars[i] {
            '.' => Class::Any,
            '\\' => {
                i += 1;
                escape_class(*chars.get(i)?)
            }
            '[' => {
                i += 1;
                let negated = chars.get(i) == Some(&'^');
                if negated {
                    i += 1;
                }
                let mut ranges = Vec::new();
                while *chars.get(i)? != ']' {
                    let mut c = chars[i];
                    if c == '\\' {
                        i += 1;
                        c = *chars.get(i)?;
                        if let Class::Set(r, _) = escape_class(c) {
                            if c.is_ascii_alphabetic() {
                                ranges.extend(r);
                                i += 1;
                                continue;
                            }
                        }
                    }
                    if chars.get(i + 1) == Some(&'-') && chars.get(i + 2).is_some_and(|&e| e != ']')
                    {
                        ranges.push((c, chars[i + 2]));
                        i += 3;
                    } else {
                        ranges.push((c, c));
                        i += 1;
                    }
                }
                Class::Set(ranges, negated)
            }
            '^' | '$' if i == 0 || i == chars.len() - 1 => {
                i += 1;
                continue;
            }
            c => Class::Set(vec![(c, c)], false),
        };
        i += 1;
        let (min, max, width) = match chars.get(i) {
            Some('*') => (0, usize::MAX, 1),
            Some('+') => (1, usize::MAX, 1),
            Some('?') => (0, 1, 1),
            Some('{') => {
                let end = chars[i..].iter().position(|&c| c == '}')? + i;
                let inner: String = chars[i + 1..end].iter().collect();
                let (lo, hi) = match inner.split_once(',') {
                    Some((lo, "")) => (lo.trim().parse().ok()?, usize::MAX),
                    Some((lo, hi)) => (lo.trim().parse().ok()?, hi.trim().parse().ok()?),
                    None => {
                        let n = inner.trim().parse().ok()?;
                        (n, n)
                    }
                };
                (lo, hi, end + 1 - i)
            }
            _ => (1, 1, 0),
        };
        i += width;
        atoms.push(Atom { class, min, max });
    }
    Some(atoms)
}

fn match_atoms(atoms: &[Atom], input: &[char]) -> bool {
    let Some((first, rest)) = atoms.split_first() else {
        return input.is_empty();
    };
    let mut count = 0;
    while count < first.min {
        match input.get(count) {
            Some(&c) if first.class.matches(c) => count += 1,
            _ => return false,
        }
    }
    loop {
        if match_atoms(rest, &input[count..]) {
            return true;
        }
        if count >= first.max {
            return false;
        }
        match input.get(count) {
            Some(&c) if first.class.matches(c) => count += 1,
            _ => return false,
        }
    }
}
