//! The part of CPython 3.7's AST optimizer (`Python/ast_opt.c`) that decides which
//! `if`/`while` branches its compiler drops without checking them.
//!
//! 3.7 folds literals, `__debug__`, tuples of constants, unary and binary operators on
//! constants, and subscripts of constants by a constant index — within size limits. It
//! does not fold `and`/`or`, comparisons, conditional expressions, slices or lists
//! (observed: `if 0 and x:`, `if 2 > 3:`, `if []:`, `if 'abc'[5:]:` are still checked).
//! When we cannot tell, the branch is treated as live.

use ruff_python_ast::{self as ast, Expr, Number, Operator, UnaryOp};

/// The truth value CPython 3.7 folds `test` to, if it folds it to a constant.
pub(super) fn py37_truthiness(test: &Expr) -> Option<bool> {
    fold(test).map(|constant| constant.is_truthy())
}

/// 3.7's limits: results beyond them are left unfolded.
const MAX_INT_SIZE: u32 = 128;
const MAX_COLLECTION_SIZE: usize = 256;
const MAX_STR_SIZE: usize = 4096;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Int {
    Small(i128),
    /// Beyond `i128`: only its size in bits is known (never zero).
    Big(u32),
}

impl Int {
    fn is_zero(self) -> bool {
        self == Int::Small(0)
    }

    fn bits(self) -> u32 {
        match self {
            Int::Small(v) => 128 - v.unsigned_abs().leading_zeros(),
            Int::Big(bits) => bits,
        }
    }

    fn small(self) -> Option<i128> {
        match self {
            Int::Small(v) => Some(v),
            Int::Big(_) => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Constant {
    Int(Int),
    Float(f64),
    Complex(f64, f64),
    Str(Vec<char>),
    Bytes(Vec<u8>),
    Bool(bool),
    None,
    Ellipsis,
    Tuple(Vec<Constant>),
}

impl Constant {
    fn is_truthy(&self) -> bool {
        match self {
            Constant::Int(i) => !i.is_zero(),
            Constant::Float(f) => *f != 0.0,
            Constant::Complex(re, im) => *re != 0.0 || *im != 0.0,
            Constant::Str(s) => !s.is_empty(),
            Constant::Bytes(b) => !b.is_empty(),
            Constant::Tuple(t) => !t.is_empty(),
            Constant::Bool(b) => *b,
            Constant::None => false,
            Constant::Ellipsis => true,
        }
    }

    fn as_int(&self) -> Option<Int> {
        match *self {
            Constant::Int(i) => Some(i),
            Constant::Bool(b) => Some(Int::Small(i128::from(b))),
            _ => None,
        }
    }

    /// Ints (small ones) and floats as a float; bools too.
    fn as_float(&self) -> Option<f64> {
        match *self {
            Constant::Float(f) => Some(f),
            // Precision loss is irrelevant: only zero-ness and sign matter here.
            #[allow(clippy::cast_precision_loss)]
            Constant::Int(Int::Small(i)) => Some(i as f64),
            Constant::Bool(b) => Some(f64::from(u8::from(b))),
            _ => None,
        }
    }

    fn as_complex(&self) -> Option<(f64, f64)> {
        match *self {
            Constant::Complex(re, im) => Some((re, im)),
            _ => self.as_float().map(|f| (f, 0.0)),
        }
    }

    /// The length of a sequence constant, for 3.7's size limits.
    fn sequence_len(&self) -> Option<usize> {
        match self {
            Constant::Str(s) => Some(s.len()),
            Constant::Bytes(b) => Some(b.len()),
            Constant::Tuple(t) => Some(t.len()),
            _ => None,
        }
    }
}

/// The value of an integer literal too large for `u64`: a small `i128` when it fits,
/// else its size in bits.
fn big_literal(token: &str) -> Option<Int> {
    let token = token.to_ascii_lowercase().replace('_', "");
    let (digits, radix) = match token.get(..2) {
        Some("0x") => (&token[2..], 16),
        Some("0o") => (&token[2..], 8),
        Some("0b") => (&token[2..], 2),
        _ => (token.as_str(), 10),
    };
    if let Ok(value) = i128::from_str_radix(digits, radix) {
        return Some(Int::Small(value));
    }
    // Little-endian base-2^32 limbs, for the bit count.
    let mut limbs: Vec<u64> = vec![0];
    for c in digits.chars() {
        let mut carry = u64::from(c.to_digit(radix)?);
        for limb in &mut limbs {
            let value = *limb * u64::from(radix) + carry;
            *limb = value & 0xFFFF_FFFF;
            carry = value >> 32;
        }
        if carry > 0 {
            limbs.push(carry);
        }
    }
    while limbs.len() > 1 && limbs.last() == Some(&0) {
        limbs.pop();
    }
    let top = *limbs.last()?;
    let bits = u32::try_from(limbs.len() - 1).ok()? * 32 + (64 - top.leading_zeros());
    Some(Int::Big(bits))
}

fn fold(expr: &Expr) -> Option<Constant> {
    match expr {
        Expr::NumberLiteral(number) => Some(match &number.value {
            Number::Int(int) => Constant::Int(match int.as_u64() {
                Some(value) => Int::Small(i128::from(value)),
                None => big_literal(&int.to_string())?,
            }),
            Number::Float(f) => Constant::Float(*f),
            Number::Complex { real, imag } => Constant::Complex(*real, *imag),
        }),
        Expr::StringLiteral(string) => Some(Constant::Str(string.value.to_str().chars().collect())),
        Expr::BytesLiteral(bytes) => Some(Constant::Bytes(
            bytes
                .value
                .iter()
                .flat_map(|part| part.value.iter().copied())
                .collect(),
        )),
        Expr::BooleanLiteral(b) => Some(Constant::Bool(b.value)),
        Expr::NoneLiteral(_) => Some(Constant::None),
        Expr::EllipsisLiteral(_) => Some(Constant::Ellipsis),
        // 3.7 replaces `__debug__` by `True` when not run with -O.
        Expr::Name(name) if name.id.as_str() == "__debug__" => Some(Constant::Bool(true)),
        Expr::Tuple(tuple) => tuple
            .elts
            .iter()
            .map(fold)
            .collect::<Option<Vec<_>>>()
            .map(Constant::Tuple),
        Expr::UnaryOp(unary) => fold_unary(unary.op, fold(&unary.operand)?),
        Expr::BinOp(binary) => fold_binary(binary, fold(&binary.left)?, fold(&binary.right)?),
        Expr::Subscript(subscript) => {
            if subscript.slice.is_slice_expr() {
                return None;
            }
            fold_subscript(fold(&subscript.value)?, &fold(&subscript.slice)?)
        }
        _ => None,
    }
}

fn fold_unary(op: UnaryOp, operand: Constant) -> Option<Constant> {
    match op {
        UnaryOp::Not => Some(Constant::Bool(!operand.is_truthy())),
        UnaryOp::USub => match operand {
            Constant::Float(f) => Some(Constant::Float(-f)),
            Constant::Complex(re, im) => Some(Constant::Complex(-re, -im)),
            other => Some(Constant::Int(match other.as_int()? {
                Int::Small(v) => v.checked_neg().map_or(Int::Big(128), Int::Small),
                big => big,
            })),
        },
        UnaryOp::UAdd => match operand {
            Constant::Float(_) | Constant::Complex(..) => Some(operand),
            other => other.as_int().map(Constant::Int),
        },
        UnaryOp::Invert => Some(Constant::Int(match operand.as_int()? {
            Int::Small(v) => Int::Small(!v),
            big => big,
        })),
    }
}

/// `container[index]` for a constant string, bytes or tuple and an integer index.
fn fold_subscript(container: Constant, index: &Constant) -> Option<Constant> {
    let index = index.as_int()?.small()?;
    let len = i128::try_from(container.sequence_len()?).ok()?;
    let position = if index < 0 { index + len } else { index };
    if !(0..len).contains(&position) {
        return None;
    }
    let position = usize::try_from(position).ok()?;
    Some(match container {
        Constant::Str(s) => Constant::Str(vec![s[position]]),
        Constant::Bytes(b) => Constant::Int(Int::Small(i128::from(b[position]))),
        Constant::Tuple(t) => t[position].clone(),
        _ => return None,
    })
}

fn fold_binary(binary: &ast::ExprBinOp, left: Constant, right: Constant) -> Option<Constant> {
    let op = binary.op;
    match (&left, &right) {
        (Constant::Str(a), Constant::Str(b)) if op == Operator::Add => {
            sized([a.as_slice(), b].concat(), MAX_STR_SIZE).map(Constant::Str)
        }
        (Constant::Bytes(a), Constant::Bytes(b)) if op == Operator::Add => {
            sized([a.as_slice(), b].concat(), MAX_STR_SIZE).map(Constant::Bytes)
        }
        (Constant::Tuple(a), Constant::Tuple(b)) if op == Operator::Add => {
            sized([a.as_slice(), b].concat(), MAX_COLLECTION_SIZE).map(Constant::Tuple)
        }
        (sequence @ (Constant::Str(_) | Constant::Bytes(_) | Constant::Tuple(_)), count)
        | (count, sequence @ (Constant::Str(_) | Constant::Bytes(_) | Constant::Tuple(_)))
            if op == Operator::Mult =>
        {
            repeat(sequence, count)
        }
        _ => fold_arithmetic(op, &left, &right),
    }
}

fn sized<T>(items: Vec<T>, limit: usize) -> Option<Vec<T>> {
    (items.len() <= limit).then_some(items)
}

/// `sequence * count`: 3.7 folds it unless the sequence is non-empty and the count is
/// negative or makes it too long.
fn repeat(sequence: &Constant, count: &Constant) -> Option<Constant> {
    let count = count.as_int()?;
    let len = sequence.sequence_len()?;
    let limit = if matches!(sequence, Constant::Tuple(_)) {
        MAX_COLLECTION_SIZE
    } else {
        MAX_STR_SIZE
    };
    let times = match limit.checked_div(len) {
        None => 0,
        Some(most) => {
            let count = usize::try_from(count.small()?).ok()?;
            if count > most {
                return None;
            }
            count
        }
    };
    Some(match sequence {
        Constant::Str(s) => Constant::Str(s.repeat(times)),
        Constant::Bytes(b) => Constant::Bytes(b.repeat(times)),
        Constant::Tuple(t) => {
            Constant::Tuple(std::iter::repeat_n(t, times).flatten().cloned().collect())
        }
        _ => return None,
    })
}

fn fold_arithmetic(op: Operator, left: &Constant, right: &Constant) -> Option<Constant> {
    if let (Some(a), Some(b)) = (left.as_int(), right.as_int()) {
        return fold_int(op, a, b, left, right);
    }
    if matches!(left, Constant::Complex(..)) || matches!(right, Constant::Complex(..)) {
        return fold_complex(op, left.as_complex()?, right.as_complex()?);
    }
    fold_float(op, left.as_float()?, right.as_float()?)
}

/// Python's float arithmetic; an operation that raises is not folded.
fn fold_float(op: Operator, a: f64, b: f64) -> Option<Constant> {
    let result = match op {
        Operator::Add => a + b,
        Operator::Sub => a - b,
        Operator::Mult => a * b,
        Operator::Div if b != 0.0 => a / b,
        Operator::FloorDiv if b != 0.0 => (a / b).floor(),
        Operator::Mod if b != 0.0 => {
            let r = a % b;
            if r != 0.0 && (r < 0.0) != (b < 0.0) {
                r + b
            } else {
                r
            }
        }
        Operator::Pow => {
            if a == 0.0 && b < 0.0 {
                return None;
            }
            let r = a.powf(b);
            if !r.is_finite() || r.is_nan() {
                return None;
            }
            r
        }
        _ => return None,
    };
    Some(Constant::Float(result))
}

fn fold_complex(op: Operator, (a, b): (f64, f64), (c, d): (f64, f64)) -> Option<Constant> {
    let (re, im) = match op {
        Operator::Add => (a + c, b + d),
        Operator::Sub => (a - c, b - d),
        Operator::Mult => (a * c - b * d, a * d + b * c),
        _ => return None,
    };
    Some(Constant::Complex(re, im))
}

fn fold_int(op: Operator, a: Int, b: Int, left: &Constant, right: &Constant) -> Option<Constant> {
    let result = match op {
        Operator::Mult => {
            if a.is_zero() || b.is_zero() {
                return Some(Constant::Int(Int::Small(0)));
            }
            if a.bits() + b.bits() > MAX_INT_SIZE {
                return None;
            }
            a.small()?.checked_mul(b.small()?)
        }
        Operator::Pow => {
            let exponent = b.small()?;
            if exponent < 0 {
                // An integer to a negative power is a float.
                return fold_float(op, left.as_float()?, right.as_float()?);
            }
            if exponent == 0 {
                return Some(Constant::Int(Int::Small(1)));
            }
            if !a.is_zero() && i128::from(a.bits()) > i128::from(MAX_INT_SIZE) / exponent {
                return None;
            }
            a.small()?.checked_pow(u32::try_from(exponent).ok()?)
        }
        Operator::LShift => {
            let shift = b.small()?;
            if a.is_zero() {
                return Some(Constant::Int(Int::Small(0)));
            }
            if !(0..=i128::from(MAX_INT_SIZE)).contains(&shift)
                || i128::from(a.bits()) > i128::from(MAX_INT_SIZE) - shift
            {
                return None;
            }
            a.small()?.checked_shl(u32::try_from(shift).ok()?)
        }
        Operator::Div => return fold_float(op, left.as_float()?, right.as_float()?),
        _ => {
            let (a, b) = (a.small()?, b.small()?);
            match op {
                Operator::Add => a.checked_add(b),
                Operator::Sub => a.checked_sub(b),
                Operator::RShift if (0..128).contains(&b) => Some(a >> b),
                // Python rounds towards negative infinity, Rust towards zero.
                Operator::FloorDiv if b != 0 => {
                    let quotient = a.checked_div(b)?;
                    let inexact = a % b != 0 && ((a < 0) != (b < 0));
                    Some(quotient - i128::from(inexact))
                }
                Operator::Mod if b != 0 => a.checked_rem(b).map(|r| {
                    if r != 0 && ((r < 0) != (b < 0)) {
                        r + b
                    } else {
                        r
                    }
                }),
                Operator::BitAnd => Some(a & b),
                Operator::BitOr => Some(a | b),
                Operator::BitXor => Some(a ^ b),
                _ => None,
            }
        }
    };
    result.map(|v| Constant::Int(Int::Small(v)))
}

#[cfg(test)]
mod tests {
    use super::py37_truthiness;
    use ruff_python_parser::parse_expression;

    fn truth(source: &str) -> Option<bool> {
        let parsed = parse_expression(source).expect("valid expression");
        py37_truthiness(parsed.expr())
    }

    /// Each verdict was observed with CPython 3.7.16 (`if TEST: await x` compiles, or not).
    #[test]
    fn folds_what_cpython_37_folds() {
        for (source, expected) in [
            ("0", Some(false)),
            ("False", Some(false)),
            ("None", Some(false)),
            ("''", Some(false)),
            ("b''", Some(false)),
            ("()", Some(false)),
            ("0.0", Some(false)),
            ("not 1", Some(false)),
            ("not __debug__", Some(false)),
            ("1 - 1", Some(false)),
            ("(0,)", Some(true)),
            ("...", Some(true)),
            ("not 0", Some(true)),
            ("__debug__", Some(true)),
            ("'a' * 0", Some(false)),
            ("-7 // 2", Some(true)),
            ("18446744073709551616", Some(true)),
            ("0x1_0000_0000_0000_0000 * 0", Some(false)),
            ("2 ** 64 - 2 ** 64", Some(false)),
            ("18446744073709551616 - 18446744073709551616", Some(false)),
            ("(1 << 100) * 0", Some(false)),
            ("2 ** -1 - 0.5", Some(false)),
            ("0.5 // 1", Some(false)),
            ("0.5 % 0.5", Some(false)),
            ("0.0 ** 2", Some(false)),
            ("0j + 0", Some(false)),
            ("0j * 2", Some(false)),
            ("(0,)[0]", Some(false)),
            ("'abc'[0]", Some(true)),
            ("b'\\x00'[0]", Some(false)),
            ("''  * -1", Some(false)),
        ] {
            assert_eq!(truth(source), expected, "{source}");
        }
    }

    #[test]
    fn leaves_what_cpython_37_leaves() {
        for source in [
            "0 and x",
            "2 > 3",
            "[]",
            "0 if 1 else 1",
            "'abc'[5:]",
            "'abc'[5]",
            "x",
            "'a' * 5000",
            "'a' * -1",
            "(1,) * -1",
            "b'a' * -1",
            // Beyond 3.7's 128-bit limit for products and powers.
            "10 ** 38 * 0",
            "3 ** 100",
            "1 / 0",
        ] {
            assert_eq!(truth(source), None, "{source}");
        }
    }
}
