//! The CPython version whose verdicts asynclint reproduces.

use std::fmt;
use std::str::FromStr;

use pep440_rs::{Operator, VersionSpecifiers};
use ruff_python_ast::PythonVersion;

/// A CPython minor version asynclint can target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TargetVersion {
    Py37,
    Py38,
    Py39,
    Py310,
    Py311,
    Py312,
    Py313,
    Py314,
}

impl TargetVersion {
    pub const ALL: [TargetVersion; 8] = [
        TargetVersion::Py37,
        TargetVersion::Py38,
        TargetVersion::Py39,
        TargetVersion::Py310,
        TargetVersion::Py311,
        TargetVersion::Py312,
        TargetVersion::Py313,
        TargetVersion::Py314,
    ];

    /// The oldest CPython still supported upstream, used when nothing says otherwise.
    pub const DEFAULT: TargetVersion = TargetVersion::Py310;

    pub fn minor(self) -> u8 {
        match self {
            TargetVersion::Py37 => 7,
            TargetVersion::Py38 => 8,
            TargetVersion::Py39 => 9,
            TargetVersion::Py310 => 10,
            TargetVersion::Py311 => 11,
            TargetVersion::Py312 => 12,
            TargetVersion::Py313 => 13,
            TargetVersion::Py314 => 14,
        }
    }

    fn from_minor(minor: u64) -> Option<TargetVersion> {
        Self::ALL
            .into_iter()
            .find(|v| u64::from(v.minor()) == minor)
    }

    pub fn as_python_version(self) -> PythonVersion {
        PythonVersion {
            major: 3,
            minor: self.minor(),
        }
    }

    /// The lowest target allowed by a `requires-python` specifier (`>=3.9`, `~=3.8`,
    /// `>=3.8,<4`, `==3.11.*`), clamped to the versions asynclint knows. `None` when the
    /// specifier does not parse or sets no lower bound on Python 3.
    pub fn from_requires_python(requires: &str) -> Option<TargetVersion> {
        let specifiers = VersionSpecifiers::from_str(requires).ok()?;
        let mut lowest: Option<(u64, u64)> = None;
        for specifier in specifiers.iter() {
            let release = specifier.version().release();
            let major = release.first().copied().unwrap_or(0);
            let minor = release.get(1).copied().unwrap_or(0);
            let bound = match specifier.operator() {
                Operator::GreaterThanEqual
                | Operator::GreaterThan
                | Operator::TildeEqual
                | Operator::Equal
                | Operator::EqualStar
                | Operator::ExactEqual => (major, minor),
                _ => continue,
            };
            // Several lower bounds all apply: the highest one wins.
            lowest = Some(lowest.map_or(bound, |current| current.max(bound)));
        }
        let (major, minor) = lowest?;
        match major {
            0..=2 => Some(TargetVersion::Py37),
            3 => Some(Self::from_minor(minor).unwrap_or(if minor < 7 {
                TargetVersion::Py37
            } else {
                TargetVersion::Py314
            })),
            _ => Some(TargetVersion::Py314),
        }
    }
}

impl Default for TargetVersion {
    fn default() -> Self {
        TargetVersion::DEFAULT
    }
}

impl fmt::Display for TargetVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "py3{}", self.minor())
    }
}

impl FromStr for TargetVersion {
    type Err = String;

    /// Accepts `py311`, `3.11` and `311`-less spellings users type: `py3.11`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = s
            .trim()
            .trim_start_matches("py")
            .trim_start_matches("3.")
            .trim_start_matches('3');
        digits
            .parse::<u64>()
            .ok()
            .and_then(Self::from_minor)
            .ok_or_else(|| {
                let known: Vec<String> = Self::ALL.iter().map(ToString::to_string).collect();
                format!(
                    "unknown target version `{s}` (expected one of {})",
                    known.join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::TargetVersion;

    #[test]
    fn parses_spellings() {
        assert_eq!("py311".parse(), Ok(TargetVersion::Py311));
        assert_eq!("3.7".parse(), Ok(TargetVersion::Py37));
        assert_eq!("py3.14".parse(), Ok(TargetVersion::Py314));
        assert!("py36".parse::<TargetVersion>().is_err());
        assert!("py2".parse::<TargetVersion>().is_err());
    }

    #[test]
    fn lower_bound_of_requires_python() {
        let cases = [
            (">=3.9", Some(TargetVersion::Py39)),
            (">=3.8, <4", Some(TargetVersion::Py38)),
            ("~=3.11", Some(TargetVersion::Py311)),
            ("==3.12.*", Some(TargetVersion::Py312)),
            (">3.7", Some(TargetVersion::Py37)),
            (">=3.6", Some(TargetVersion::Py37)),
            (">=3.8,!=3.9.*,>=3.10", Some(TargetVersion::Py310)),
            ("<3.12", None),
            ("not a specifier", None),
        ];
        for (spec, expected) in cases {
            assert_eq!(
                TargetVersion::from_requires_python(spec),
                expected,
                "{spec}"
            );
        }
    }
}
