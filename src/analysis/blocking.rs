//! Calls that block the event loop when made in a coroutine (flake8-async's ASYNC2xx, our
//! AL14x): which library functions and methods block, as data, and how a call expression is
//! recognised as one of them. Names are dotted as reached through imports
//! (`time.sleep`, `builtins.open`); objects are known by the call that built them or the
//! class a parameter is annotated with (see [`receiver_class`]).

use std::collections::HashMap;

use ruff_python_ast::{Expr, ExprCall, NodeKind, Operator, Stmt};

use crate::analysis::calls::{self, Callee, InstanceClass, ValueUse};
use crate::project::{Decoration, decoration_of};
use crate::scope::{
    Binding, BindingId, BindingKind, Node, NodeFlags, Resolution, ScopeId, ScopeKind, ScopeModel,
};

/// What kind of blocking a call does; each kind is one rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Blocking {
    /// A synchronous HTTP request: `requests.get()`, `urllib.request.urlopen()`, or a
    /// request method of a `requests.Session` (ASYNC210).
    Http,
    /// `x.request("GET", ...)` on an object of unknown class, in a module that imports
    /// urllib3 (ASYNC211): probably, not certainly, a blocking request.
    LikelyHttp,
    /// A request method of an `httpx.Client` or of a urllib3 connection pool (ASYNC212).
    HttpClient,
    /// Starts a process without waiting for it: `subprocess.Popen`, `os.popen` (ASYNC220).
    ProcessStart,
    /// Runs a process and waits for it: `subprocess.run`, `os.system` (ASYNC221).
    ProcessRun,
    /// Waits for a child process: `os.waitpid` (ASYNC222).
    ProcessWait,
    /// Opens a file: `open`, `io.open` (ASYNC230).
    Open,
    /// `os.fdopen` (ASYNC231).
    Fdopen,
    /// A reading, writing or flushing method of a synchronous file object (ASYNC232).
    FileMethod,
    /// An `os.path` function that asks the file system (ASYNC240).
    OsPath,
    /// `input()` (ASYNC250).
    Input,
    /// `time.sleep()` (ASYNC251).
    Sleep,
    /// A method of a `pathlib.Path` that asks or changes the file system (AL141).
    PathMethod,
}

impl Blocking {
    /// Whether a call of this kind is left alone when it is awaited on the spot, as
    /// flake8-async does for the same codes (`await open(...)` cannot be the builtin, so the
    /// name is probably something else at run time).
    pub fn exempt_when_awaited(self) -> bool {
        !matches!(self, Blocking::OsPath | Blocking::Input | Blocking::Sleep)
    }

    /// Whether the kind is certain enough to explain a blocking helper (AL140).
    pub fn is_certain(self) -> bool {
        self != Blocking::LikelyHttp
    }
}

/// Library functions that block, by dotted name.
pub const BLOCKING_FUNCTIONS: &[(&str, Blocking)] = &[
    // HTTP (ASYNC210).
    ("requests.get", Blocking::Http),
    ("requests.options", Blocking::Http),
    ("requests.head", Blocking::Http),
    ("requests.post", Blocking::Http),
    ("requests.put", Blocking::Http),
    ("requests.patch", Blocking::Http),
    ("requests.delete", Blocking::Http),
    ("requests.request", Blocking::Http),
    ("httpx.get", Blocking::Http),
    ("httpx.options", Blocking::Http),
    ("httpx.head", Blocking::Http),
    ("httpx.post", Blocking::Http),
    ("httpx.put", Blocking::Http),
    ("httpx.patch", Blocking::Http),
    ("httpx.delete", Blocking::Http),
    ("httpx.request", Blocking::Http),
    ("httpx.stream", Blocking::Http),
    ("httpx2.get", Blocking::Http),
    ("httpx2.options", Blocking::Http),
    ("httpx2.head", Blocking::Http),
    ("httpx2.post", Blocking::Http),
    ("httpx2.put", Blocking::Http),
    ("httpx2.patch", Blocking::Http),
    ("httpx2.delete", Blocking::Http),
    ("httpx2.request", Blocking::Http),
    ("httpx2.stream", Blocking::Http),
    ("urllib3.request", Blocking::Http),
    ("urllib.request.urlopen", Blocking::Http),
    ("urllib.request.urlretrieve", Blocking::Http),
    // Processes (ASYNC220-ASYNC222); `os.spawn*` is in `SPAWN_FUNCTIONS`.
    ("subprocess.Popen", Blocking::ProcessStart),
    ("os.popen", Blocking::ProcessStart),
    ("subprocess.run", Blocking::ProcessRun),
    ("subprocess.call", Blocking::ProcessRun),
    ("subprocess.check_call", Blocking::ProcessRun),
    ("subprocess.check_output", Blocking::ProcessRun),
    ("subprocess.getoutput", Blocking::ProcessRun),
    ("subprocess.getstatusoutput", Blocking::ProcessRun),
    ("os.system", Blocking::ProcessRun),
    ("os.posix_spawn", Blocking::ProcessRun),
    ("os.posix_spawnp", Blocking::ProcessRun),
    ("os.wait", Blocking::ProcessWait),
    ("os.wait3", Blocking::ProcessWait),
    ("os.wait4", Blocking::ProcessWait),
    ("os.waitid", Blocking::ProcessWait),
    ("os.waitpid", Blocking::ProcessWait),
    // Files (ASYNC230, ASYNC231).
    ("builtins.open", Blocking::Open),
    ("io.open", Blocking::Open),
    ("io.open_code", Blocking::Open),
    ("codecs.open", Blocking::Open),
    ("os.fdopen", Blocking::Fdopen),
    // `os.path` functions that make system calls (ASYNC240). The pure ones (`join`,
    // `normpath`, `basename`, ...) only compute strings.
    ("os.path.exists", Blocking::OsPath),
    ("os.path.lexists", Blocking::OsPath),
    ("os.path.isfile", Blocking::OsPath),
    ("os.path.isdir", Blocking::OsPath),
    ("os.path.islink", Blocking::OsPath),
    ("os.path.ismount", Blocking::OsPath),
    ("os.path.isjunction", Blocking::OsPath),
    ("os.path.isdevdrive", Blocking::OsPath),
    ("os.path.realpath", Blocking::OsPath),
    ("os.path._joinrealpath", Blocking::OsPath),
    ("os.path.getatime", Blocking::OsPath),
    ("os.path.getctime", Blocking::OsPath),
    ("os.path.getmtime", Blocking::OsPath),
    ("os.path.getsize", Blocking::OsPath),
    ("os.path.samefile", Blocking::OsPath),
    ("os.path.sameopenfile", Blocking::OsPath),
    // Console and sleep (ASYNC250, ASYNC251).
    ("builtins.input", Blocking::Input),
    ("time.sleep", Blocking::Sleep),
];

/// `os.spawn*`: waits for the child (ASYNC221) when the mode is `os.P_WAIT` or not given,
/// else only starts it (ASYNC220).
pub const SPAWN_FUNCTIONS: &[&str] = &[
    "os.spawnl",
    "os.spawnle",
    "os.spawnlp",
    "os.spawnlpe",
    "os.spawnv",
    "os.spawnve",
    "os.spawnvp",
    "os.spawnvpe",
];

/// `os.wait*` calls that take options, and where: with `os.WNOHANG` among them, the call
/// returns at once instead of waiting.
pub const WAIT_OPTIONS: &[(&str, usize, &str)] = &[
    ("os.waitpid", 1, "options"),
    ("os.wait3", 0, "options"),
    ("os.wait4", 1, "options"),
    ("os.waitid", 2, "options"),
];

/// Other names for the classes below: the factories that build them, submodule paths.
/// An object built by calling the first name is an instance of the second.
pub const CLASS_ALIASES: &[(&str, &str)] = &[
    ("requests.session", "requests.Session"),
    ("requests.sessions.Session", "requests.Session"),
    ("requests.sessions.session", "requests.Session"),
    ("httpx._client.Client", "httpx.Client"),
    ("urllib3.poolmanager.PoolManager", "urllib3.PoolManager"),
    ("urllib3.poolmanager.ProxyManager", "urllib3.ProxyManager"),
    (
        "urllib3.connectionpool.HTTPConnectionPool",
        "urllib3.HTTPConnectionPool",
    ),
    (
        "urllib3.connectionpool.HTTPSConnectionPool",
        "urllib3.HTTPSConnectionPool",
    ),
    ("urllib3.connection_from_url", "urllib3.HTTPConnectionPool"),
    ("urllib3.proxy_from_url", "urllib3.ProxyManager"),
    // Calls that return a synchronous file object.
    ("builtins.open", "io.TextIOWrapper"),
    ("io.open", "io.TextIOWrapper"),
    ("io.open_code", "io.BufferedReader"),
    ("codecs.open", "io.TextIOWrapper"),
    ("os.fdopen", "io.TextIOWrapper"),
    ("gzip.open", "io.TextIOWrapper"),
    ("bz2.open", "io.TextIOWrapper"),
    ("lzma.open", "io.TextIOWrapper"),
    ("tempfile.TemporaryFile", "io.BufferedRandom"),
    ("tempfile.NamedTemporaryFile", "io.BufferedRandom"),
    ("_io.TextIOWrapper", "io.TextIOWrapper"),
    ("_io.BufferedReader", "io.BufferedReader"),
    ("_io.BufferedWriter", "io.BufferedWriter"),
    ("_io.BufferedRandom", "io.BufferedRandom"),
    ("_io.FileIO", "io.FileIO"),
    // Concrete paths and the class methods that build one.
    ("pathlib.PosixPath", "pathlib.Path"),
    ("pathlib.WindowsPath", "pathlib.Path"),
    ("pathlib.Path.cwd", "pathlib.Path"),
    ("pathlib.Path.home", "pathlib.Path"),
];

const REQUESTS_SESSION_METHODS: &[&str] = &[
    "get", "options", "head", "post", "put", "patch", "delete", "request", "send",
];

/// flake8-async's list for `httpx.Client`.
const HTTPX_CLIENT_METHODS: &[&str] = &[
    "close", "delete", "get", "head", "options", "patch", "post", "put", "request", "send",
    "stream",
];

/// The methods of urllib3's pools and managers that send a request.
const URLLIB3_METHODS: &[&str] = &[
    "request",
    "request_encode_url",
    "request_encode_body",
    "urlopen",
];

/// Methods of a file object that read, write, flush or move in the file.
const FILE_METHODS: &[&str] = &[
    "read",
    "read1",
    "readall",
    "readinto",
    "readinto1",
    "readline",
    "readlines",
    "peek",
    "write",
    "writelines",
    "flush",
    "close",
    "seek",
    "tell",
    "truncate",
];

/// Methods of `pathlib.Path` that make system calls (the pure ones, `with_suffix`,
/// `joinpath`, `relative_to`, ..., do not; `open` is with `open()`, ASYNC230).
const PATH_METHODS: &[&str] = &[
    "read_text",
    "write_text",
    "read_bytes",
    "write_bytes",
    "exists",
    "is_file",
    "is_dir",
    "is_symlink",
    "is_mount",
    "is_junction",
    "is_socket",
    "is_fifo",
    "is_block_device",
    "is_char_device",
    "stat",
    "lstat",
    "owner",
    "group",
    "readlink",
    "samefile",
    "mkdir",
    "rmdir",
    "unlink",
    "touch",
    "chmod",
    "lchmod",
    "rename",
    "replace",
    "symlink_to",
    "hardlink_to",
    "link_to",
    "iterdir",
    "glob",
    "rglob",
    "walk",
    "resolve",
    "copy",
    "copy_into",
    "move",
    "move_into",
];

/// Methods that block, by the class of the object they are called on.
pub const BLOCKING_METHODS: &[(&str, &[&str], Blocking)] = &[
    ("requests.Session", REQUESTS_SESSION_METHODS, Blocking::Http),
    ("httpx.Client", HTTPX_CLIENT_METHODS, Blocking::HttpClient),
    ("httpx2.Client", HTTPX_CLIENT_METHODS, Blocking::HttpClient),
    ("urllib3.PoolManager", URLLIB3_METHODS, Blocking::HttpClient),
    (
        "urllib3.ProxyManager",
        URLLIB3_METHODS,
        Blocking::HttpClient,
    ),
    (
        "urllib3.HTTPConnectionPool",
        URLLIB3_METHODS,
        Blocking::HttpClient,
    ),
    (
        "urllib3.HTTPSConnectionPool",
        URLLIB3_METHODS,
        Blocking::HttpClient,
    ),
    (
        "urllib3.connectionpool.ConnectionPool",
        URLLIB3_METHODS,
        Blocking::HttpClient,
    ),
    (
        "urllib3.request.RequestMethods",
        URLLIB3_METHODS,
        Blocking::HttpClient,
    ),
    (
        "urllib3._request_methods.RequestMethods",
        URLLIB3_METHODS,
        Blocking::HttpClient,
    ),
    ("io.TextIOWrapper", FILE_METHODS, Blocking::FileMethod),
    ("io.BufferedReader", FILE_METHODS, Blocking::FileMethod),
    ("io.BufferedWriter", FILE_METHODS, Blocking::FileMethod),
    ("io.BufferedRandom", FILE_METHODS, Blocking::FileMethod),
    ("io.FileIO", FILE_METHODS, Blocking::FileMethod),
    // `Path.open()` opens a file like `open()` does: ASYNC230 (as in ruff).
    ("pathlib.Path", &["open"], Blocking::Open),
    ("pathlib.Path", PATH_METHODS, Blocking::PathMethod),
];

/// What a method call or an attribute of a known object returns, when it is another object
/// we know: `path.open()` is a file, `path.parent` and `path / "x"` are paths.
pub const MEMBER_RESULTS: &[(&str, &str, &str)] = &[
    ("pathlib.Path", "open", "io.TextIOWrapper"),
    ("pathlib.Path", "parent", "pathlib.Path"),
    ("pathlib.Path", "joinpath", "pathlib.Path"),
    ("pathlib.Path", "with_name", "pathlib.Path"),
    ("pathlib.Path", "with_stem", "pathlib.Path"),
    ("pathlib.Path", "with_suffix", "pathlib.Path"),
    ("pathlib.Path", "relative_to", "pathlib.Path"),
    ("pathlib.Path", "absolute", "pathlib.Path"),
    ("pathlib.Path", "expanduser", "pathlib.Path"),
    ("pathlib.Path", "resolve", "pathlib.Path"),
];

/// Classes whose `/` operator builds another instance of themselves.
const DIVIDING_CLASSES: &[&str] = &["pathlib.Path"];

/// `trio.wrap_file(open(...))`: the file is handed to an async wrapper on the spot, which
/// flake8-async accepts.
pub const FILE_WRAPPERS: &[&str] = &["trio.wrap_file", "anyio.wrap_file"];

/// HTTP verbs that make `x.request("GET", ...)` look like an HTTP request (ASYNC211).
const HTTP_VERBS: &[&str] = &[
    "get", "options", "head", "post", "put", "patch", "delete", "trace", "connect",
];

/// The class an alias or factory name stands for (itself when it has no alias).
pub fn canonical_class(name: &str) -> &str {
    CLASS_ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name, |(_, class)| class)
}

/// The kind of blocking a library function does.
pub fn blocking_function(qualified: &str) -> Option<Blocking> {
    BLOCKING_FUNCTIONS
        .iter()
        .find(|(name, _)| *name == qualified)
        .map(|(_, kind)| *kind)
}

/// The kind of blocking a method does on an instance of `class` (canonical).
pub fn blocking_method(class: &str, method: &str) -> Option<Blocking> {
    BLOCKING_METHODS
        .iter()
        .find(|(c, methods, _)| *c == class && methods.contains(&method))
        .map(|(_, _, kind)| *kind)
}

/// A call recognised as blocking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockingCall {
    pub kind: Blocking,
    /// The function's dotted name (`time.sleep`; builtins without `builtins.`: `open`), or
    /// for a method, its class and name (`requests.Session.get`).
    pub name: String,
    /// For a method: the canonical class of the object it is called on.
    pub class: Option<String>,
}

/// What blocking a call does, if any, from the scope it is evaluated in.
pub fn classify(model: &ScopeModel<'_>, call: &ExprCall, scope: ScopeId) -> Option<BlockingCall> {
    if let Some(qualified) = model.qualified_name(&call.func, scope) {
        let kind = match blocking_function(&qualified) {
            Some(Blocking::ProcessWait) if does_not_wait(&qualified, call) => return None,
            Some(kind) => kind,
            None if SPAWN_FUNCTIONS.contains(&qualified.as_ref()) => {
                if spawn_waits(call) {
                    Blocking::ProcessRun
                } else {
                    Blocking::ProcessStart
                }
            }
            None => return None,
        };
        let name = qualified
            .strip_prefix("builtins.")
            .unwrap_or(&qualified)
            .to_string();
        return Some(BlockingCall {
            kind,
            name,
            class: None,
        });
    }
    let Expr::Attribute(attribute) = &*call.func else {
        return None;
    };
    let method = attribute.attr.as_str();
    match receiver_class(model, &attribute.value, scope) {
        Some(class) => {
            let kind = blocking_method(&class, method)?;
            Some(BlockingCall {
                kind,
                name: format!("{class}.{method}"),
                class: Some(class),
            })
        }
        None => likely_http_request(model, call, &attribute.value, scope).then(|| BlockingCall {
            kind: Blocking::LikelyHttp,
            name: method.to_string(),
            class: None,
        }),
    }
}

/// `os.spawn*(mode, ...)`: the mode is the first argument, or `mode=`; a name or attribute
/// spelled `P_WAIT` waits, as does a call without a mode.
fn spawn_waits(call: &ExprCall) -> bool {
    let mode = call.arguments.args.first().or_else(|| {
        call.arguments
            .keywords
            .iter()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "mode"))
            .map(|k| &k.value)
    });
    match mode {
        None => true,
        Some(Expr::Name(name)) => name.id.as_str() == "P_WAIT",
        Some(Expr::Attribute(attribute)) => attribute.attr.as_str() == "P_WAIT",
        Some(_) => false,
    }
}

/// `os.waitpid(pid, os.WNOHANG)` and the like: the options mention `WNOHANG`.
fn does_not_wait(function: &str, call: &ExprCall) -> bool {
    let Some((_, position, keyword)) = WAIT_OPTIONS.iter().find(|(f, _, _)| *f == function) else {
        return false;
    };
    let options = call.arguments.args.get(*position).or_else(|| {
        call.arguments
            .keywords
            .iter()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == *keyword))
            .map(|k| &k.value)
    });
    options.is_some_and(mentions_wnohang)
}

fn mentions_wnohang(expr: &Expr) -> bool {
    match expr {
        Expr::Name(name) => name.id.as_str() == "WNOHANG",
        Expr::Attribute(attribute) => attribute.attr.as_str() == "WNOHANG",
        Expr::BinOp(binop) => mentions_wnohang(&binop.left) || mentions_wnohang(&binop.right),
        _ => false,
    }
}

/// ASYNC211: `x.request("GET", ...)` where nothing says what `x` is, in a module that
/// imports urllib3.
fn likely_http_request(
    model: &ScopeModel<'_>,
    call: &ExprCall,
    receiver: &Expr,
    scope: ScopeId,
) -> bool {
    let Expr::Attribute(attribute) = &*call.func else {
        return false;
    };
    if attribute.attr.as_str() != "request" {
        return false;
    }
    let verb = match call.arguments.args.first() {
        Some(Expr::StringLiteral(literal)) => literal.value.to_str().to_ascii_lowercase(),
        _ => return false,
    };
    if !HTTP_VERBS.contains(&verb.as_str()) {
        return false;
    }
    // `self.request(...)` is the class's own method; an object whose class we know is
    // judged by that class.
    if model.class_of_receiver(receiver, scope).is_some()
        || calls::instance_class(model, receiver, scope).is_some()
    {
        return false;
    }
    imports_root(model, "urllib3")
}

/// Whether the module imports `root` or something under it.
fn imports_root(model: &ScopeModel<'_>, root: &str) -> bool {
    (0..model.binding_count()).any(|i| {
        let binding = model.binding(crate::scope::BindingId::from_index(i));
        matches!(&binding.kind, BindingKind::Import { qualified }
            if qualified.split('.').next() == Some(root))
    })
}

/// How deep [`receiver_class`] follows names bound to other names.
const MAX_ALIAS_DEPTH: u32 = 4;

/// The canonical class of the object `expr` evaluates to, when a library class (or a
/// factory of one) built it or annotates it: `s` for `s = requests.Session()`,
/// `with open(p) as s`, `s: httpx.Client` (also `Optional[...]` and `... | None`),
/// `self.s` assigned in the class's methods, `Path(p)`, `path / "x"`, `path.parent`,
/// `path.open()`.
/// The class of the object a binding gives its name, when it is known.
fn binding_class(model: &ScopeModel<'_>, id: BindingId, depth: u32) -> Option<String> {
    let binding = model.binding(id);
    match &binding.kind {
        BindingKind::Assignment { value } => {
            if let Some(annotation) = annotation_of(model, binding)
                && let Some(class) = annotated_class(model, annotation, binding.scope)
            {
                return Some(class);
            }
            value_class(model, (*value)?, binding.scope, depth + 1)
        }
        BindingKind::Other => {
            // `client: httpx.Client` without a value.
            annotated_class(model, annotation_of(model, binding)?, binding.scope)
        }
        BindingKind::WithItem { context } => {
            // The classes we know return themselves from `__enter__`.
            value_class(model, context, binding.scope, depth + 1)
        }
        BindingKind::Parameter {
            annotation: Some(annotation),
            ..
        } => annotated_class(model, annotation, binding.scope),
        _ => None,
    }
}

pub fn receiver_class(model: &ScopeModel<'_>, expr: &Expr, scope: ScopeId) -> Option<String> {
    object_class(model, expr, scope, 0).map(|class| canonical_class(&class).to_string())
}

fn object_class(model: &ScopeModel<'_>, expr: &Expr, scope: ScopeId, depth: u32) -> Option<String> {
    if depth > MAX_ALIAS_DEPTH {
        return None;
    }
    match expr {
        Expr::Name(name) => match model.resolve_name(name.id.as_str(), scope) {
            Resolution::Unique(id) => binding_class(model, id, depth),
            // Bound several times: known only when every binding gives the same class
            // (`open()` and `os.fdopen()` both give a file).
            Resolution::Ambiguous => {
                let (first, rest) = model.all_bindings(name.id.as_str(), scope)?.split_first()?;
                let class = binding_class(model, *first, depth)?;
                let same = |id: &BindingId| {
                    binding_class(model, *id, depth)
                        .is_some_and(|other| canonical_class(&other) == canonical_class(&class))
                };
                rest.iter().all(same).then_some(class)
            }
            _ => None,
        },
        Expr::Attribute(attribute) => {
            if let Some(InstanceClass::Library(class)) = calls::instance_class(model, expr, scope) {
                return Some(class.to_string());
            }
            let base = object_class(model, &attribute.value, scope, depth + 1)?;
            member_result(&base, attribute.attr.as_str())
        }
        Expr::Call(_) => value_class(model, expr, scope, depth),
        Expr::BinOp(binop) if binop.op == Operator::Div => {
            let left = object_class(model, &binop.left, scope, depth + 1)?;
            let left = canonical_class(&left);
            DIVIDING_CLASSES.contains(&left).then(|| left.to_string())
        }
        _ => None,
    }
}

/// The class of a value bound to a name: a constructor or factory call, a method call that
/// returns a known object, or another name.
fn value_class(model: &ScopeModel<'_>, value: &Expr, scope: ScopeId, depth: u32) -> Option<String> {
    match value {
        Expr::Call(call) => {
            if let Some(name) = model.qualified_name(&call.func, scope) {
                return Some(name.to_string());
            }
            let Expr::Attribute(attribute) = &*call.func else {
                return None;
            };
            let base = object_class(model, &attribute.value, scope, depth + 1)?;
            member_result(&base, attribute.attr.as_str())
        }
        Expr::Name(_) | Expr::Attribute(_) | Expr::BinOp(_) => {
            object_class(model, value, scope, depth + 1)
        }
        _ => None,
    }
}

fn member_result(class: &str, member: &str) -> Option<String> {
    let class = canonical_class(class);
    MEMBER_RESULTS
        .iter()
        .find(|(c, m, _)| *c == class && *m == member)
        .map(|(_, _, result)| (*result).to_string())
}

/// The annotation of `name: T = value` / `name: T`, for a binding made by that statement.
fn annotation_of<'a>(model: &ScopeModel<'a>, binding: &Binding<'a>) -> Option<&'a Expr> {
    let node = model.node(binding.node?);
    let statement = node.parent()?;
    match statement.stmt()? {
        Stmt::AnnAssign(ann) if matches!(&*ann.target, Expr::Name(n) if n.id.as_str() == binding.name) => {
            Some(&ann.annotation)
        }
        _ => None,
    }
}

/// The class an annotation names: a dotted name, or one wrapped in `Optional[...]`,
/// `Union[..., None]` or `... | None`.
fn annotated_class(model: &ScopeModel<'_>, annotation: &Expr, scope: ScopeId) -> Option<String> {
    match annotation {
        Expr::Name(_) | Expr::Attribute(_) => model
            .qualified_name(annotation, scope)
            .map(|name| name.to_string()),
        Expr::BinOp(binop) if binop.op == Operator::BitOr => {
            match (is_none(&binop.left), is_none(&binop.right)) {
                (true, false) => annotated_class(model, &binop.right, scope),
                (false, true) => annotated_class(model, &binop.left, scope),
                _ => None,
            }
        }
        Expr::Subscript(subscript) => {
            let generic = model.qualified_name(&subscript.value, scope)?;
            match generic.as_ref() {
                "typing.Optional" | "typing_extensions.Optional" => {
                    annotated_class(model, &subscript.slice, scope)
                }
                "typing.Union" | "typing_extensions.Union" => {
                    let Expr::Tuple(tuple) = &*subscript.slice else {
                        return None;
                    };
                    let others: Vec<&Expr> = tuple.elts.iter().filter(|e| !is_none(e)).collect();
                    match others.as_slice() {
                        [only] if tuple.elts.len() == 2 => annotated_class(model, only, scope),
                        _ => None,
                    }
                }
                _ => None,
            }
        }
        _ => None,
    }
}

fn is_none(expr: &Expr) -> bool {
    matches!(expr, Expr::NoneLiteral(_))
}

/// The `def`/`async def` whose body runs the code of `scope` when it runs: comprehensions
/// and class bodies run as part of the function they are written in; a nested `def` or a
/// lambda is a function of its own; module code, annotation and type scopes belong to no
/// function.
pub fn executing_function(model: &ScopeModel<'_>, mut scope: ScopeId) -> Option<ScopeId> {
    loop {
        let s = model.scope(scope);
        match s.kind {
            ScopeKind::Function { .. } => return Some(scope),
            ScopeKind::Comprehension(_) | ScopeKind::Class => scope = s.parent?,
            _ => return None,
        }
    }
}

/// Whether code evaluated in `scope` runs in a coroutine (see [`executing_function`]).
pub fn runs_in_coroutine(model: &ScopeModel<'_>, scope: ScopeId) -> bool {
    executing_function(model, scope).is_some_and(|f| model.scope(f).kind.is_async_function())
}

/// A blocking call found in a coroutine.
pub struct Found<'m, 'a> {
    pub node: Node<'m, 'a>,
    pub call: &'a ExprCall,
    pub blocking: BlockingCall,
}

/// The calls evaluated in a coroutine, with the node of each.
pub fn calls_in_coroutines<'m, 'a>(
    model: &'m ScopeModel<'a>,
) -> impl Iterator<Item = (Node<'m, 'a>, &'a ExprCall)> + 'm {
    model.nodes_of(NodeKind::ExprCall).filter_map(move |node| {
        let Some(Expr::Call(call)) = node.expr() else {
            return None;
        };
        (!node.flags().contains(NodeFlags::UNEVALUATED)
            && runs_in_coroutine(model, node.scope_id()))
        .then_some((node, call))
    })
}

/// The blocking calls of one kind made in coroutines, less the ones awaited on the spot
/// when the kind exempts those, and methods called on an object built by a blocking call
/// on the spot (that call is the one reported).
pub fn blocking_calls_of<'m, 'a>(
    model: &'m ScopeModel<'a>,
    kind: Blocking,
) -> impl Iterator<Item = Found<'m, 'a>> + 'm {
    let classified = model.memo(|| Classified::of(model));
    let mut found = Vec::new();
    for (id, blocking) in &classified.calls {
        if blocking.kind != kind {
            continue;
        }
        let node = model.node(*id);
        let Some(Expr::Call(call)) = node.expr() else {
            continue;
        };
        if kind.exempt_when_awaited() && calls::value_use(model, node) == ValueUse::Awaited {
            continue;
        }
        found.push(Found {
            node,
            call,
            blocking: blocking.clone(),
        });
    }
    found.into_iter()
}

/// Every blocking call made in a coroutine, classified once per file for all the rules
/// that report one kind each.
struct Classified {
    calls: Vec<(crate::scope::NodeId, BlockingCall)>,
}

impl Classified {
    fn of(model: &ScopeModel<'_>) -> Self {
        let calls = calls_in_coroutines(model)
            .filter_map(|(node, call)| {
                let blocking = classify(model, call, node.scope_id())?;
                // `open(p).read()`, `path.resolve().exists()`: the call that built the
                // object is reported already; one diagnostic per chain.
                if let Expr::Attribute(attribute) = &*call.func
                    && let Expr::Call(receiver) = &*attribute.value
                    && classify(model, receiver, node.scope_id()).is_some()
                {
                    return None;
                }
                Some((node.id, blocking))
            })
            .collect();
        Self { calls }
    }
}

/// `call` is the only argument of `trio.wrap_file(...)` / `anyio.wrap_file(...)`.
pub fn is_wrapped_file(model: &ScopeModel<'_>, node: Node<'_, '_>) -> bool {
    let Some(parent) = node.parent() else {
        return false;
    };
    let Some(Expr::Call(outer)) = parent.expr() else {
        return false;
    };
    let Some(expr) = node.expr() else {
        return false;
    };
    matches!(outer.arguments.args.as_ref(), [only] if std::ptr::eq(only, expr))
        && outer.arguments.keywords.is_empty()
        && model
            .qualified_name(&outer.func, parent.scope_id())
            .is_some_and(|name| FILE_WRAPPERS.contains(&name.as_ref()))
}

/// How a call is written, for messages: the source of its callee, with the resolved name
/// when the spelling differs (`nap` → `time.sleep`).
pub fn describe(source: &str, call: &ExprCall, blocking: &BlockingCall) -> String {
    use ruff_text_size::Ranged;
    let written = &source[call.func.range()];
    if blocking.class.is_some() || written == blocking.name {
        format!("`{written}()`")
    } else {
        format!("`{written}()` (`{}`)", blocking.name)
    }
}

/// The calls evaluated directly in each function body (through comprehensions and class
/// bodies, not nested functions), in source order.
pub struct FunctionCalls<'m, 'a> {
    model: &'m ScopeModel<'a>,
    by_function: HashMap<ScopeId, Vec<crate::scope::NodeId>>,
}

impl<'m, 'a> FunctionCalls<'m, 'a> {
    pub fn new(model: &'m ScopeModel<'a>) -> Self {
        let mut by_function: HashMap<ScopeId, Vec<crate::scope::NodeId>> = HashMap::new();
        for node in model.nodes_of(NodeKind::ExprCall) {
            if node.flags().contains(NodeFlags::UNEVALUATED) {
                continue;
            }
            if let Some(function) = executing_function(model, node.scope_id()) {
                by_function.entry(function).or_default().push(node.id);
            }
        }
        Self { model, by_function }
    }

    /// The calls made directly in the body of `function`.
    pub fn calls(
        &self,
        function: ScopeId,
    ) -> impl Iterator<Item = (Node<'m, 'a>, &'a ExprCall)> + '_ {
        self.by_function
            .get(&function)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter_map(|&id| {
                let node = self.model.node(id);
                match node.expr() {
                    Some(Expr::Call(call)) => Some((node, call)),
                    _ => None,
                }
            })
    }

    /// The first certain blocking call made directly in a function body.
    pub fn first_blocking_call(&self, function: ScopeId) -> Option<BlockingCall> {
        self.calls(function).find_map(|(node, call)| {
            classify(self.model, call, node.scope_id()).filter(|b| b.kind.is_certain())
        })
    }

    /// The facts phase 2 needs about a synchronous function body, for following chains of
    /// helpers across modules (AL140): the first blocking call made directly in it (its
    /// dotted name, `open` for a builtin), and the dotted names of the functions it calls
    /// (`pkg.mod.helper`, `pkg.mod.Class.method`), first-call order, without repeats.
    pub fn blocking_facts(&self, function: ScopeId) -> (Option<String>, Vec<String>) {
        let blocking = self.first_blocking_call(function).map(|b| b.name);
        let mut callees: Vec<String> = Vec::new();
        for (node, call) in self.calls(function) {
            let Some(name) = project_callee(self.model, call, node.scope_id()) else {
                continue;
            };
            if !callees.contains(&name) {
                callees.push(name);
            }
        }
        (blocking, callees)
    }
}

/// The facts of a synchronous function body for [`crate::project::module_facts`]; see
/// [`FunctionCalls::blocking_facts`]. Builds the per-function call lists each time: when
/// extracting the facts of a whole module, build one [`FunctionCalls`] and call its method.
pub fn blocking_facts(model: &ScopeModel<'_>, function: ScopeId) -> (Option<String>, Vec<String>) {
    FunctionCalls::new(model).blocking_facts(function)
}

/// The dotted name, for the project index, of the function a call calls, when it may be a
/// synchronous function of the project: an import (`pkg.db.fetch`), a function or method
/// of this module (`pkg.mod.helper`, `pkg.mod.Class.method`), a method of an instance of a
/// class of the project. `None` for builtins, for blocking calls (already recorded) and for
/// what cannot be named.
pub fn project_callee(model: &ScopeModel<'_>, call: &ExprCall, scope: ScopeId) -> Option<String> {
    match calls::callee(model, &call.func, scope) {
        Callee::Qualified(name) => (!name.starts_with("builtins.")
            && blocking_function(&name).is_none())
        .then(|| name.to_string()),
        Callee::Local { def, enclosing, .. } => {
            if def.is_async
                || decoration_of(model, &def.decorator_list, enclosing) != Decoration::None
            {
                return None;
            }
            local_function_name(model, def.name.as_str(), enclosing)
        }
        Callee::InstanceMethod { class, method } | Callee::InheritedMethod { class, method } => {
            if blocking_method(canonical_class(&class), &method).is_some() {
                return None;
            }
            Some(format!("{class}.{method}"))
        }
        Callee::Unknown => None,
    }
}

/// `pkg.mod.name` for a function defined at module level, `pkg.mod.Class.name` for a
/// method of a module-level class.
pub fn local_function_name(
    model: &ScopeModel<'_>,
    name: &str,
    enclosing: ScopeId,
) -> Option<String> {
    if enclosing == ScopeId::MODULE {
        let module = model.module_path()?;
        return Some(format!("{}.{name}", module.name));
    }
    let class = calls::class_qualified_name(model, enclosing)?;
    Some(format!("{class}.{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::{DefinitionKind, FunctionKind, ModuleFacts, ProjectIndex, module_facts};
    use crate::scope::{ModelOptions, ModulePath};
    use crate::target_version::TargetVersion;

    fn with_model<T>(module: &str, source: &str, f: impl FnOnce(&ScopeModel<'_>) -> T) -> T {
        let parsed = ruff_python_parser::parse_module(source).expect("valid Python");
        let model = ScopeModel::build(
            &parsed.syntax().body,
            ModelOptions {
                target_version: TargetVersion::DEFAULT,
                top_level_await: false,
                module: Some(ModulePath {
                    name: module.to_string(),
                    is_package: false,
                }),
                project_roots: None,
            },
        );
        f(&model)
    }

    fn facts_of(module: &str, source: &str) -> ModuleFacts {
        with_model(module, source, |model| {
            let calls = FunctionCalls::new(model);
            module_facts(model, &|scope| calls.blocking_facts(scope))
        })
    }

    fn function<'f>(facts: &'f ModuleFacts, name: &str) -> &'f crate::project::FunctionFacts {
        facts
            .definitions
            .iter()
            .find_map(|(n, kind)| match kind {
                DefinitionKind::Function(f) if n == name => Some(f),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no function {name}"))
    }

    #[test]
    fn facts_name_the_first_blocking_call_and_the_callees() {
        let facts = facts_of(
            "pkg.config",
            r#"
import json
import time as t
from pkg.io import read_file

def load_config(path):
    text = read_file(path)
    return json.loads(text)

def slow():
    helper()
    t.sleep(1)
    open("x")

def helper():
    def inner():
        open("nested")
    return [len(x) for x in inner()]

def shadowed(open):
    open("not the builtin")

class Store:
    def load(self):
        return self.parse()

    def parse(self):
        with open("db") as f:
            return f.read()
"#,
        );
        let load = function(&facts, "load_config");
        assert_eq!(load.kind, FunctionKind::Sync);
        assert_eq!(load.blocking_call, None);
        assert_eq!(load.calls, vec!["pkg.io.read_file", "json.loads"]);
        let slow = function(&facts, "slow");
        assert_eq!(slow.blocking_call.as_deref(), Some("time.sleep"));
        assert_eq!(slow.calls, vec!["pkg.config.helper"]);
        // A nested def is a function of its own: its `open` is not the helper's.
        let helper = function(&facts, "helper");
        assert_eq!(helper.blocking_call, None);
        assert_eq!(function(&facts, "shadowed").blocking_call, None);
        let store = facts
            .definitions
            .iter()
            .find_map(|(n, kind)| match kind {
                DefinitionKind::Class(c) if n == "Store" => Some(c),
                _ => None,
            })
            .unwrap();
        let method = |name: &str| &store.methods.iter().find(|(n, _)| n == name).unwrap().1;
        assert_eq!(method("load").calls, vec!["pkg.config.Store.parse"]);
        assert_eq!(method("parse").blocking_call.as_deref(), Some("open"));
    }

    #[test]
    fn chains_cross_modules_through_the_index() {
        let io = facts_of(
            "pkg.io",
            "import pathlib\n\ndef read_file(path):\n    return pathlib.Path(path).read_text()\n",
        );
        assert_eq!(
            function(&io, "read_file").blocking_call.as_deref(),
            Some("pathlib.Path.read_text")
        );
        let config = facts_of(
            "pkg.config",
            "from pkg.io import read_file\n\ndef load_config():\n    return read_file('c')\n",
        );
        let index = ProjectIndex::new([io, config]);
        assert_eq!(
            index.blocking_chain("pkg.config.load_config"),
            Some(vec![
                "pkg.config.load_config".to_string(),
                "pkg.io.read_file".to_string(),
                "pathlib.Path.read_text".to_string(),
            ])
        );
    }

    #[test]
    fn receivers_are_known_by_construction_and_annotation() {
        let source = r#"
import pathlib
from typing import Optional
import httpx
import requests

def f(a: httpx.Client, b: Optional[httpx.Client], c: "httpx.Client", d: httpx.Client | None):
    s = requests.session()
    p = pathlib.Path("x")
    q = p / "y"
    with open("x") as fh:
        pass
    g = fh
    k: httpx.Client
    return a, b, c, d, s, p, q, p.parent, p.open(), g, k
"#;
        with_model("m", source, |model| {
            let Some(Stmt::Return(ret)) = model
                .nodes_of(NodeKind::StmtReturn)
                .next()
                .and_then(|n| n.stmt())
            else {
                panic!("no return");
            };
            let Some(Expr::Tuple(tuple)) = ret.value.as_deref() else {
                panic!("no tuple");
            };
            let scope = model
                .nodes_of(NodeKind::StmtReturn)
                .next()
                .unwrap()
                .scope_id();
            let classes: Vec<Option<String>> = tuple
                .elts
                .iter()
                .map(|e| receiver_class(model, e, scope))
                .collect();
            let expected = [
                Some("httpx.Client"),
                Some("httpx.Client"),
                None,
                Some("httpx.Client"),
                Some("requests.Session"),
                Some("pathlib.Path"),
                Some("pathlib.Path"),
                Some("pathlib.Path"),
                Some("io.TextIOWrapper"),
                Some("io.TextIOWrapper"),
                Some("httpx.Client"),
            ];
            assert_eq!(
                classes,
                expected
                    .iter()
                    .map(|c| c.map(str::to_string))
                    .collect::<Vec<_>>()
            );
        });
    }
}
