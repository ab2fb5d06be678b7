//! Python-like source for the structured target, from the fuzzer's bytes: either a
//! program built from a grammar of async constructs (the statements and expressions the
//! rules are about, nested at random, with `# noqa` comments), or a seed program from
//! `fixtures/` and `tests/differential/cases/` with its tokens deleted, duplicated,
//! swapped, replaced and spliced with other seeds' and generated ones.

use arbitrary::{Result, Unstructured};

include!(concat!(env!("OUT_DIR"), "/seeds.rs"));

/// Generated programs nest no deeper than this (deep nesting is the byte target's and
/// `tests/hostile.rs`'s business).
const MAX_DEPTH: usize = 12;

const NAMES: &[&str] = &[
    "x",
    "y",
    "z",
    "f",
    "g",
    "h",
    "self",
    "cls",
    "tg",
    "nursery",
    "loop",
    "lock",
    "task",
    "coro",
    "agen",
    "it",
    "cm",
    "e",
    "asyncio",
    "trio",
    "anyio",
    "time",
    "requests",
    "httpx",
    "subprocess",
    "os",
    "threading",
    "open",
    "print",
    "super",
    "__aenter__",
    "__aexit__",
    "__aiter__",
    "__anext__",
    "__await__",
    "__enter__",
    "__iter__",
    "__next__",
    "StopIteration",
    "StopAsyncIteration",
    "Exception",
    "BaseException",
    "CancelledError",
    "sleep",
    "m",
    "mod",
];

const CALLS: &[&str] = &[
    "asyncio.sleep(0)",
    "asyncio.sleep(x)",
    "asyncio.sleep(1e9)",
    "time.sleep(1)",
    "asyncio.create_task(f())",
    "asyncio.ensure_future(f())",
    "asyncio.gather(f(), g())",
    "asyncio.get_event_loop()",
    "asyncio.get_running_loop()",
    "asyncio.run(f())",
    "asyncio.TaskGroup()",
    "asyncio.timeout(1)",
    "asyncio.timeout_at(10)",
    "asyncio.wait_for(f(), 1)",
    "asyncio.shield(f())",
    "asyncio.Lock()",
    "asyncio.Event().wait()",
    "asyncio.current_task().cancel()",
    "loop.run_until_complete(f())",
    "loop.run_in_executor(None, g)",
    "trio.open_nursery()",
    "trio.sleep(0)",
    "trio.sleep_forever()",
    "trio.CancelScope()",
    "trio.move_on_after(1)",
    "trio.fail_at(trio.current_time() + 1)",
    "trio.lowlevel.checkpoint()",
    "anyio.create_task_group()",
    "anyio.sleep(1)",
    "anyio.CancelScope(deadline=5)",
    "anyio.get_cancelled_exc_class()",
    "open('f')",
    "open('f').read()",
    "requests.get(u)",
    "httpx.get(u)",
    "httpx.AsyncClient()",
    "urllib.request.urlopen(u)",
    "subprocess.run(['x'])",
    "subprocess.Popen(['x']).wait()",
    "os.system('x')",
    "os.path.exists(p)",
    "os.fdopen(3)",
    "pathlib.Path('x').read_text()",
    "threading.Lock()",
    "input()",
    "tg.start_soon(f)",
    "tg.start_soon(f, x)",
    "nursery.start_soon(f, x)",
    "tg.create_task(f())",
    "f()",
    "g(x)",
    "self.f()",
    "super().__aenter__()",
    "m.f()",
    "coro.send(None)",
    "agen.aclose()",
    "anext(it)",
    "aiter(it)",
    "next(it)",
    "iter(it)",
];

const DECORATORS: &[&str] = &[
    "@asyncio.coroutine",
    "@types.coroutine",
    "@contextlib.asynccontextmanager",
    "@contextlib.contextmanager",
    "@asynccontextmanager",
    "@staticmethod",
    "@classmethod",
    "@property",
    "@functools.wraps(f)",
    "@functools.lru_cache",
    "@pytest.fixture",
    "@pytest.mark.asyncio",
    "@overload",
    "@abstractmethod",
    "@f",
];

const IMPORTS: &[&str] = &[
    "import asyncio",
    "import trio",
    "import anyio",
    "import time",
    "import os, subprocess, threading, requests, httpx",
    "import urllib.request",
    "from asyncio import sleep, create_task, TaskGroup",
    "from asyncio import CancelledError",
    "from trio import Cancelled",
    "from time import sleep",
    "from . import mod",
    "from .mod import f",
    "from .. import g",
    "from ..pkg import g as h",
    "import pkg.mod as m",
    "from pkg.mod import f as h",
    "from pkg import *",
    "from __future__ import annotations",
    "from __future__ import generator_stop",
    "from contextlib import asynccontextmanager",
    "import contextlib, functools, types, pathlib",
    "from typing import TYPE_CHECKING, overload",
    "from abc import abstractmethod",
];

const COMMENTS: &[&str] = &[
    "  # noqa",
    "  # noqa: AL001",
    "  # noqa: AL101, AL102",
    "  # noqa:AL9",
    "  # noqa: E501",
    "  # NOQA:AL101,,AL1",
    "  # noqa: ASYNC100",
    "  # noqa: async-busy-wait",
    "  # asynclint: noqa",
    "  # ruff: noqa: AL101",
    "  # type: ignore",
    "  # noqa:",
    "  # noqa : AL001",
];

const LEAVES: &[&str] = &[
    "0",
    "1",
    "10**6",
    "1.5",
    "None",
    "True",
    "...",
    "'s'",
    "b'b'",
    "'\\ud800'",
    "'\\udfff\\U0010ffff'",
    "'\\N{EM DASH}'",
    "'\\N{NO SUCH NAME}'",
    "'\\N{'",
    "'\\x'",
    "r'\\ud800'",
    "f'{x!r:>{y}}'",
    "f'{'",
    "'''\n'''",
    "\"\\\n\"",
    "'\u{202e}\u{1b}[2J'",
    "'日本語'",
];

const SNIPPETS: &[&str] = &[
    "async ",
    "await ",
    "yield ",
    "yield from ",
    "return ",
    "async def ",
    "def ",
    "lambda: ",
    "async for x in y",
    "async with x as y",
    "for x in y",
    "with x:",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ":",
    ",",
    "\n",
    "\n    ",
    "\n\t",
    "\r",
    "\r\n",
    "\x0c",
    "\\\n",
    ";",
    " if x else ",
    ":=",
    "*",
    "**",
    "@",
    "global x\n",
    "nonlocal x\n",
    "class C:\n    ",
    "try:\n    pass\nexcept* E:\n    ",
    "finally:\n    ",
    "match x:\n    case [y, *z]:\n        ",
    "type T[U] = ",
    "# noqa\n",
    "# asynclint: noqa\n",
    "'\\ud800'",
    "\0",
    "\u{feff}",
    "\u{a0}",
    "日本",
    "%magic x\n",
    "!ls\n",
    "x?\n",
];

/// A program for the structured target.
pub fn program(u: &mut Unstructured<'_>) -> Result<String> {
    if u.arbitrary::<bool>()? {
        generated(u)
    } else {
        mutated(u)
    }
}

fn pick<'s>(u: &mut Unstructured<'_>, items: &'s [&'s str]) -> Result<&'s str> {
    Ok(items[u.choose_index(items.len())?])
}

/// A program from the grammar.
pub fn generated(u: &mut Unstructured<'_>) -> Result<String> {
    let mut out = String::new();
    if u.ratio(1, 8)? {
        out.push_str(pick(
            u,
            &[
                "# asynclint: noqa\n",
                "# ruff: noqa: AL101\n",
                "# coding: latin-1\n",
            ],
        )?);
    }
    let count = u.int_in_range(1..=10)?;
    for _ in 0..count {
        stmt(u, &mut out, 0, 0)?;
        if u.is_empty() {
            break;
        }
    }
    Ok(out)
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("    ");
    }
}

/// Ends a simple statement's line, sometimes with a comment.
fn end_line(u: &mut Unstructured<'_>, out: &mut String) -> Result<()> {
    if u.ratio(1, 6)? {
        out.push_str(pick(u, COMMENTS)?);
    }
    out.push('\n');
    Ok(())
}

fn body(u: &mut Unstructured<'_>, out: &mut String, level: usize, depth: usize) -> Result<()> {
    let count = if depth >= MAX_DEPTH {
        1
    } else {
        u.int_in_range(1..=4)?
    };
    for _ in 0..count {
        stmt(u, out, level, depth + 1)?;
    }
    Ok(())
}

fn params(u: &mut Unstructured<'_>, depth: usize) -> Result<String> {
    let count = u.int_in_range(0..=3)?;
    let mut params = Vec::new();
    for i in 0..count {
        let mut param = match u.int_in_range(0..=9)? {
            0 => "*args".to_string(),
            1 => "**kwargs".to_string(),
            2 => "/".to_string(),
            3 => "*".to_string(),
            _ => format!("p{i}"),
        };
        if param.starts_with('p') && u.ratio(1, 3)? {
            param.push_str(": ");
            param.push_str(&expr(u, depth + 1)?);
        }
        if param.starts_with('p') && u.ratio(1, 3)? {
            param.push_str(" = ");
            param.push_str(&expr(u, depth + 1)?);
        }
        params.push(param);
    }
    Ok(params.join(", "))
}

fn stmt(u: &mut Unstructured<'_>, out: &mut String, level: usize, depth: usize) -> Result<()> {
    let compound = depth < MAX_DEPTH && u.ratio(2, 5)?;
    indent(out, level);
    if !compound {
        let line = match u.int_in_range(0..=19)? {
            0 => format!("{} = {}", target(u)?, expr(u, depth)?),
            1 => format!(
                "{}: {} = {}",
                pick(u, NAMES)?,
                expr(u, depth)?,
                expr(u, depth)?
            ),
            2 => format!("{} += {}", pick(u, NAMES)?, expr(u, depth)?),
            3 => {
                if u.arbitrary()? {
                    format!("return {}", expr(u, depth)?)
                } else {
                    "return".to_string()
                }
            }
            4 => format!("yield {}", expr(u, depth)?),
            5 => format!("yield from {}", expr(u, depth)?),
            6 => format!("await {}", expr(u, depth)?),
            7 => pick(u, &["pass", "break", "continue", "...", "raise", "del x"])?.to_string(),
            8 => format!("raise {} from {}", expr(u, depth)?, expr(u, depth)?),
            9 => format!("global {}", pick(u, NAMES)?),
            10 => format!("nonlocal {}", pick(u, NAMES)?),
            11 => pick(u, IMPORTS)?.to_string(),
            12 => format!("assert {}, {}", expr(u, depth)?, expr(u, depth)?),
            13 => format!("type T[U: {}] = {}", expr(u, depth)?, expr(u, depth)?),
            14 => pick(u, CALLS)?.to_string(),
            15 => format!("await {}", pick(u, CALLS)?),
            16 => format!("{}; {}", expr(u, depth)?, expr(u, depth)?),
            _ => expr(u, depth)?,
        };
        out.push_str(&line);
        return end_line(u, out);
    }
    match u.int_in_range(0..=10)? {
        0..=2 => {
            let decorators = u.int_in_range(0..=2)?;
            for i in 0..decorators {
                if i > 0 {
                    indent(out, level);
                }
                out.push_str(pick(u, DECORATORS)?);
                out.push('\n');
                indent(out, level);
            }
            let kind = if u.ratio(2, 3)? { "async def" } else { "def" };
            let name = pick(u, NAMES)?;
            let type_params = if u.ratio(1, 8)? { "[T, *Ts, **P]" } else { "" };
            let params = params(u, depth)?;
            let returns = if u.ratio(1, 4)? {
                format!(" -> {}", expr(u, depth + 1)?)
            } else {
                String::new()
            };
            out.push_str(&format!("{kind} {name}{type_params}({params}){returns}:"));
            end_line(u, out)?;
            body(u, out, level + 1, depth)
        }
        3 => {
            let base = if u.arbitrary()? {
                format!("({})", expr(u, depth + 1)?)
            } else {
                String::new()
            };
            out.push_str(&format!("class {}{base}:\n", pick(u, NAMES)?));
            body(u, out, level + 1, depth)
        }
        4 => {
            out.push_str(&format!("if {}:\n", expr(u, depth + 1)?));
            body(u, out, level + 1, depth)?;
            if u.arbitrary()? {
                indent(out, level);
                out.push_str("else:\n");
                body(u, out, level + 1, depth)?;
            }
            Ok(())
        }
        5 => {
            out.push_str(&format!("while {}:\n", expr(u, depth + 1)?));
            body(u, out, level + 1, depth)
        }
        6 => {
            let kind = if u.arbitrary()? { "async for" } else { "for" };
            out.push_str(&format!(
                "{kind} {} in {}:\n",
                target(u)?,
                expr(u, depth + 1)?
            ));
            body(u, out, level + 1, depth)?;
            if u.ratio(1, 4)? {
                indent(out, level);
                out.push_str("else:\n");
                body(u, out, level + 1, depth)?;
            }
            Ok(())
        }
        7 => {
            let kind = if u.arbitrary()? { "async with" } else { "with" };
            let count = u.int_in_range(1..=2)?;
            let mut items = Vec::new();
            for _ in 0..count {
                let mut item = if u.arbitrary()? {
                    pick(u, CALLS)?.to_string()
                } else {
                    expr(u, depth + 1)?
                };
                if u.arbitrary()? {
                    item.push_str(" as ");
                    item.push_str(pick(u, NAMES)?);
                }
                items.push(item);
            }
            out.push_str(&format!("{kind} {}:\n", items.join(", ")));
            body(u, out, level + 1, depth)
        }
        8 => {
            out.push_str("try:\n");
            body(u, out, level + 1, depth)?;
            let handlers = u.int_in_range(0..=2)?;
            let star = if u.ratio(1, 5)? { "*" } else { "" };
            for _ in 0..handlers {
                indent(out, level);
                let caught = pick(
                    u,
                    &[
                        "",
                        " Exception",
                        " BaseException",
                        " asyncio.CancelledError",
                        " trio.Cancelled",
                        " (ValueError, CancelledError) as e",
                        " anyio.get_cancelled_exc_class()",
                        " Exception as e",
                    ],
                )?;
                out.push_str(&format!("except{star}{caught}:\n"));
                body(u, out, level + 1, depth)?;
            }
            if handlers == 0 || u.arbitrary()? {
                indent(out, level);
                out.push_str("finally:\n");
                body(u, out, level + 1, depth)?;
            }
            Ok(())
        }
        9 => {
            out.push_str(&format!("match {}:\n", expr(u, depth + 1)?));
            indent(out, level + 1);
            let pattern = pick(
                u,
                &["[x, *y]", "{'k': v}", "C(a=b)", "1 | 2", "_", "str() as s"],
            )?;
            out.push_str(&format!("case {pattern}:\n"));
            body(u, out, level + 2, depth)
        }
        _ => {
            // A function body in a loop in a function: the nesting the rules look through.
            out.push_str("async def outer():\n");
            indent(out, level + 1);
            out.push_str(&format!("for i in {}:\n", expr(u, depth + 1)?));
            body(u, out, level + 2, depth + 1)
        }
    }
}

fn target(u: &mut Unstructured<'_>) -> Result<String> {
    Ok(match u.int_in_range(0..=5)? {
        0 => format!("{}, {}", pick(u, NAMES)?, pick(u, NAMES)?),
        1 => format!("{}.attr", pick(u, NAMES)?),
        2 => format!("{}[0]", pick(u, NAMES)?),
        3 => format!("*{}, last", pick(u, NAMES)?),
        _ => pick(u, NAMES)?.to_string(),
    })
}

fn comprehension(u: &mut Unstructured<'_>, depth: usize) -> Result<String> {
    let mut clauses = String::new();
    let count = u.int_in_range(1..=2)?;
    for _ in 0..count {
        let kind = if u.ratio(1, 2)? { " async for" } else { " for" };
        clauses.push_str(&format!(
            "{kind} {} in {}",
            pick(u, NAMES)?,
            expr(u, depth + 1)?
        ));
        if u.ratio(1, 3)? {
            clauses.push_str(&format!(" if {}", expr(u, depth + 1)?));
        }
    }
    let element = expr(u, depth + 1)?;
    Ok(match u.int_in_range(0..=3)? {
        0 => format!("[{element}{clauses}]"),
        1 => format!("{{{element}{clauses}}}"),
        2 => format!("{{{element}: {}{clauses}}}", expr(u, depth + 1)?),
        _ => format!("({element}{clauses})"),
    })
}

fn expr(u: &mut Unstructured<'_>, depth: usize) -> Result<String> {
    if depth >= MAX_DEPTH || u.is_empty() {
        return Ok(pick(u, NAMES)?.to_string());
    }
    let next = depth + 1;
    Ok(match u.int_in_range(0..=24)? {
        0 | 1 => pick(u, NAMES)?.to_string(),
        2 => pick(u, LEAVES)?.to_string(),
        3 | 4 => pick(u, CALLS)?.to_string(),
        5 | 6 => format!("await {}", expr(u, next)?),
        7 => format!("{}({})", expr(u, next)?, expr(u, next)?),
        8 => format!("{}.{}", expr(u, next)?, pick(u, NAMES)?),
        9 => format!("{}[{}]", expr(u, next)?, expr(u, next)?),
        10 => format!(
            "{} {} {}",
            expr(u, next)?,
            pick(u, &["+", "and", "or", "==", "is not", "in", "|", "@"])?,
            expr(u, next)?
        ),
        11 => format!("not {}", expr(u, next)?),
        12 => format!("lambda {}: {}", params(u, next)?, expr(u, next)?),
        13 | 14 => comprehension(u, next)?,
        15 => format!(
            "{} if {} else {}",
            expr(u, next)?,
            expr(u, next)?,
            expr(u, next)?
        ),
        16 => format!("({} := {})", pick(u, NAMES)?, expr(u, next)?),
        17 => format!("(yield {})", expr(u, next)?),
        18 => format!("(yield from {})", expr(u, next)?),
        19 => format!("({}, {})", expr(u, next)?, expr(u, next)?),
        20 => format!("[*{}, {}]", expr(u, next)?, expr(u, next)?),
        21 => format!("{{'k': {}, **{}}}", expr(u, next)?, expr(u, next)?),
        22 => format!("f\"{{{}}}\"", expr(u, next)?),
        23 => format!("({})", expr(u, next)?),
        _ => format!(
            "{}(*{}, k={})",
            pick(u, CALLS)?.split('(').next().unwrap_or("f"),
            expr(u, next)?,
            expr(u, next)?
        ),
    })
}

/// Splits source into tokens: runs of word characters, runs of spaces and tabs, and
/// every other character on its own.
fn tokens(source: &str) -> Vec<&str> {
    #[derive(PartialEq)]
    enum Class {
        Word,
        Space,
        Other,
    }
    let class = |c: char| {
        if c.is_alphanumeric() || c == '_' {
            Class::Word
        } else if c == ' ' || c == '\t' {
            Class::Space
        } else {
            Class::Other
        }
    };
    let mut tokens = Vec::new();
    let mut start = 0;
    let mut previous: Option<Class> = None;
    for (at, c) in source.char_indices() {
        let current = class(c);
        let joins = previous
            .as_ref()
            .is_some_and(|p| *p == current && current != Class::Other);
        if !joins && at > start {
            tokens.push(&source[start..at]);
            start = at;
        }
        previous = Some(current);
    }
    if start < source.len() {
        tokens.push(&source[start..]);
    }
    tokens
}

/// A seed with its tokens mutated.
pub fn mutated(u: &mut Unstructured<'_>) -> Result<String> {
    let seed = SEEDS[u.choose_index(SEEDS.len())?];
    let mut tokens: Vec<String> = tokens(seed).into_iter().map(str::to_string).collect();
    let operations = u.int_in_range(1..=8)?;
    for _ in 0..operations {
        if tokens.is_empty() {
            tokens.push(String::new());
        }
        let at = u.choose_index(tokens.len())?;
        match u.int_in_range(0..=7)? {
            0 => {
                let length = u.int_in_range(1..=8)?.min(tokens.len() - at);
                tokens.drain(at..at + length);
            }
            1 => {
                let length = u.int_in_range(1..=16)?.min(tokens.len() - at);
                let copy: Vec<String> = tokens[at..at + length].to_vec();
                let to = u.choose_index(tokens.len())?;
                tokens.splice(to..to, copy);
            }
            2 => tokens.insert(at, pick(u, SNIPPETS)?.to_string()),
            3 => tokens[at] = pick(u, SNIPPETS)?.to_string(),
            4 => {
                let other = self::tokens(SEEDS[u.choose_index(SEEDS.len())?]);
                if !other.is_empty() {
                    let from = u.choose_index(other.len())?;
                    let length = u.int_in_range(1..=40)?.min(other.len() - from);
                    let copy = other[from..from + length].iter().map(|t| t.to_string());
                    tokens.splice(at..at, copy.collect::<Vec<_>>());
                }
            }
            5 => {
                let to = u.choose_index(tokens.len())?;
                tokens.swap(at, to);
            }
            6 => {
                let mut generated = String::new();
                stmt(u, &mut generated, 0, MAX_DEPTH / 2)?;
                tokens.insert(at, generated);
            }
            _ => tokens.insert(at, expr(u, MAX_DEPTH / 2)?),
        }
    }
    Ok(tokens.concat())
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_rejoin_to_the_source() {
        let source = "async def f(x):\n\tawait  g(x) # noqa\n";
        assert_eq!(super::tokens(source).concat(), source);
        assert!(!super::SEEDS.is_empty());
    }
}
