//! The part of CPython 3.7's AST optimizer that decides which `if`/`while` branches its
//! compiler drops without checking them.
//!
//! 3.7 folds literals, `__debug__`, tuples of constants, unary operators and binary
//! operators on constants; it does not fold `and`/`or`, comparisons, conditional
//! expressions, subscripts or lists (observed: `if 0 and x:`, `if 2 > 3:`, `if []:` are
//! still checked). When we cannot tell, the branch is treated as live, which at worst
//! reports an error 3.7 would have skipped in an `if` nobody can enter.

use ruff_python_ast::{self as ast, Expr, Number, Operator, UnaryOp};

/// The truth value CPython 3.7 folds `test` to, if it folds it to a constant.
pub(super) fn py37_truthiness(test: &Expr) -> Option<bool> {
    fold(test).map(|constant| constant.is_truthy())
}

/// 3.7's limits (`Python/ast_opt.c`): longer results are left unfolded.
const MAX_STR_SIZE: usize = 4096;
const MAX_COLLECTION_SIZE: usize = 256;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Int {
    Small(i128),
    /// Beyond `i128`: only its size in bits matters (never zero).
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
    /// Strings and bytes: only their length matters for truthiness.
    Str(usize),
    Bytes(usize),
    Bool(bool),
    None,
    Ellipsis,
    Tuple(usize),
}

impl Constant {
    fn is_truthy(&self) -> bool {
        match *self {
            Constant::Int(i) => !i.is_zero(),
            Constant::Float(f) => f != 0.0,
            Constant::Complex(re, im) => re != 0.0 || im != 0.0,
            Constant::Str(n) | Constant::Bytes(n) | Constant::Tuple(n) => n != 0,
            Constant::Bool(b) => b,
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

    fn as_float(&self) -> Option<f64> {
        match *self {
            Constant::Float(f) => Some(f),
            // Precision loss is irrelevant: only zero-ness matters here.
            #[allow(clippy::cast_precision_loss)]
            Constant::Int(Int::Small(i)) => Some(i as f64),
            Constant::Bool(b) => Some(f64::from(u8::from(b))),
            _ => None,
        }
    }
}

/// The size in bits of an integer literal too large for `u64` (`0x...`, `1_000...`).
fn literal_bits(token: &str) -> Option<u32> {
    let token = token.to_ascii_lowercase().replace('_', "");
    let (digits, radix) = match token.get(..2) {
        Some("0x") => (&token[2..], 16),
        Some("0o") => (&token[2..], 8),
        Some("0b") => (&token[2..], 2),
        _ => (token.as_str(), 10),
    };
    // Little-endian base-2^32 limbs.
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
    Some(bits)
}

fn fold(expr: &Expr) -> Option<Constant> {
    match expr {
        Expr::NumberLiteral(number) => Some(match &number.value {
            Number::Int(int) => Constant::Int(match int.as_u64() {
                Some(value) => Int::Small(i128::from(value)),
                None => Int::Big(literal_bits(&int.to_string())?),
            }),
            Number::Float(f) => Constant::Float(*f),
            Number::Complex { real, imag } => Constant::Complex(*real, *imag),
        }),
        Expr::StringLiteral(string) => Some(Constant::Str(string.value.to_str().chars().count())),
        Expr::BytesLiteral(bytes) => Some(Constant::Bytes(
            bytes.value.iter().map(|part| part.value.len()).sum(),
        )),
        Expr::BooleanLiteral(b) => Some(Constant::Bool(b.value)),
        Expr::NoneLiteral(_) => Some(Constant::None),
        Expr::EllipsisLiteral(_) => Some(Constant::Ellipsis),
        // 3.7 replaces `__debug__` by `True` when not run with -O.
        Expr::Name(name) if name.id.as_str() == "__debug__" => Some(Constant::Bool(true)),
        Expr::Tuple(tuple) => {
            for element in &tuple.elts {
                fold(element)?;
            }
            Some(Constant::Tuple(tuple.elts.len()))
        }
        Expr::UnaryOp(unary) => fold_unary(unary.op, fold(&unary.operand)?),
        Expr::BinOp(binary) => fold_binary(binary, fold(&binary.left)?, fold(&binary.right)?),
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

fn fold_binary(binary: &ast::ExprBinOp, left: Constant, right: Constant) -> Option<Constant> {
    match (&left, &right) {
        (Constant::Str(a), Constant::Str(b)) if binary.op == Operator::Add => {
            sized(a + b, MAX_STR_SIZE).map(Constant::Str)
        }
        (Constant::Bytes(a), Constant::Bytes(b)) if binary.op == Operator::Add => {
            sized(a + b, MAX_STR_SIZE).map(Constant::Bytes)
        }
        (Constant::Tuple(a), Constant::Tuple(b)) if binary.op == Operator::Add => {
            sized(a + b, MAX_COLLECTION_SIZE).map(Constant::Tuple)
        }
        (Constant::Str(n), count) | (count, Constant::Str(n)) if binary.op == Operator::Mult => {
            repeat(*n, count, MAX_STR_SIZE).map(Constant::Str)
        }
        (Constant::Bytes(n), count) | (count, Constant::Bytes(n))
            if binary.op == Operator::Mult =>
        {
            repeat(*n, count, MAX_STR_SIZE).map(Constant::Bytes)
        }
        (Constant::Tuple(n), count) | (count, Constant::Tuple(n))
            if binary.op == Operator::Mult =>
        {
            repeat(*n, count, MAX_COLLECTION_SIZE).map(Constant::Tuple)
        }
        _ => fold_arithmetic(binary.op, &left, &right),
    }
}

fn sized(len: usize, limit: usize) -> Option<usize> {
    (len <= limit).then_some(len)
}

fn repeat(len: usize, count: &Constant, limit: usize) -> Option<usize> {
    let count = count.as_int()?.small()?;
    if count <= 0 {
        return Some(0);
    }
    let total = len.checked_mul(usize::try_from(count).ok()?)?;
    sized(total, limit)
}

/// 3.7 folds integer products, powers and shifts only up to this many bits
/// (`MAX_INT_SIZE` in `Python/ast_opt.c`); bigger ones stay unfolded.
const MAX_INT_SIZE: u32 = 128;

fn fold_arithmetic(op: Operator, left: &Constant, right: &Constant) -> Option<Constant> {
    if let (Some(a), Some(b)) = (left.as_int(), right.as_int()) {
        return fold_int(op, a, b, left, right);
    }
    let (a, b) = (left.as_float()?, right.as_float()?);
    let result = match op {
        Operator::Add => a + b,
        Operator::Sub => a - b,
        Operator::Mult => a * b,
        Operator::Div if b != 0.0 => a / b,
        _ => return None,
    };
    Some(Constant::Float(result))
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
                let base = left.as_float()?;
                return Some(Constant::Float(base.powi(i32::try_from(exponent).ok()?)));
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
                Operator::Div if b != 0 => {
                    return Some(Constant::Float(left.as_float()? / right.as_float()?));
                }
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
            ("(1 << 100) * 0", Some(false)),
            ("2 ** -1 - 0.5", Some(false)),
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
            "x",
            "'a' * 5000",
        ] {
            assert_eq!(truth(source), None, "{source}");
        }
    }
}
