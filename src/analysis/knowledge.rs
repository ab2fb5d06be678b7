//! What library functions and classes are, as data. Names are dotted as reached through
//! imports (`asyncio.sleep`, `builtins.open`).

/// Library functions whose call returns a coroutine object (it must be awaited).
pub const COROUTINE_FUNCTIONS: &[&str] = &[
    "asyncio.sleep",
    "asyncio.wait",
    "asyncio.wait_for",
    "asyncio.open_connection",
    "asyncio.open_unix_connection",
    "asyncio.start_server",
    "asyncio.start_unix_server",
    "asyncio.create_subprocess_exec",
    "asyncio.create_subprocess_shell",
    "asyncio.to_thread",
    "asyncio.staggered.staggered_race",
    "asyncio.subprocess.create_subprocess_exec",
    "asyncio.subprocess.create_subprocess_shell",
    "asyncio.streams.open_connection",
    "asyncio.streams.start_server",
    "asyncio.tasks.sleep",
    "asyncio.tasks.wait_for",
    "trio.sleep",
    "trio.sleep_until",
    "trio.sleep_forever",
    "trio.open_tcp_stream",
    "trio.open_ssl_over_tcp_stream",
    "trio.open_unix_socket",
    "trio.open_tcp_listeners",
    "trio.serve_tcp",
    "trio.serve_listeners",
    "trio.open_file",
    "trio.run_process",
    "trio.to_thread.run_sync",
    "trio.lowlevel.checkpoint",
    "trio.lowlevel.checkpoint_if_cancelled",
    "trio.lowlevel.wait_readable",
    "trio.lowlevel.wait_writable",
    "anyio.sleep",
    "anyio.sleep_until",
    "anyio.sleep_forever",
    "anyio.open_file",
    "anyio.run_process",
    "anyio.open_process",
    "anyio.connect_tcp",
    "anyio.connect_unix",
    "anyio.create_tcp_listener",
    "anyio.create_unix_listener",
    "anyio.create_udp_socket",
    "anyio.getaddrinfo",
    "anyio.wait_all_tasks_blocked",
    "anyio.to_thread.run_sync",
    "anyio.to_process.run_sync",
    "anyio.lowlevel.checkpoint",
    "anyio.lowlevel.checkpoint_if_cancelled",
    "anyio.lowlevel.cancel_shielded_checkpoint",
    "asyncpg.connect",
    "aiofiles.os.remove",
    "aiofiles.os.rename",
    "aiofiles.os.replace",
    "aiofiles.os.stat",
    "aiofiles.os.mkdir",
    "aiofiles.os.makedirs",
    "aiofiles.os.rmdir",
    "aiofiles.os.listdir",
    "aiofiles.os.scandir",
    "aiofiles.os.unlink",
    "aiofiles.os.path.exists",
    "aiofiles.os.path.isfile",
    "aiofiles.os.path.isdir",
    "aiofiles.os.path.getsize",
];

/// Methods whose call returns a coroutine object, by the dotted name of their class.
pub const COROUTINE_METHODS: &[(&str, &[&str])] = &[
    ("asyncio.Lock", &["acquire"]),
    ("asyncio.Semaphore", &["acquire"]),
    ("asyncio.BoundedSemaphore", &["acquire"]),
    ("asyncio.Condition", &["acquire", "wait", "wait_for"]),
    ("asyncio.Event", &["wait"]),
    ("asyncio.Barrier", &["wait", "reset", "abort"]),
    ("asyncio.Queue", &["get", "put", "join"]),
    ("asyncio.PriorityQueue", &["get", "put", "join"]),
    ("asyncio.LifoQueue", &["get", "put", "join"]),
    ("asyncio.get_running_loop", LOOP_COROUTINE_METHODS),
    ("asyncio.get_event_loop", LOOP_COROUTINE_METHODS),
    ("asyncio.new_event_loop", LOOP_COROUTINE_METHODS),
    ("trio.Lock", &["acquire"]),
    ("trio.Semaphore", &["acquire"]),
    ("trio.Event", &["wait"]),
    ("trio.Condition", &["acquire", "wait"]),
    ("trio.CapacityLimiter", &["acquire", "acquire_on_behalf_of"]),
    ("anyio.Lock", &["acquire"]),
    ("anyio.Semaphore", &["acquire"]),
    ("anyio.Event", &["wait"]),
    ("anyio.Condition", &["acquire", "wait"]),
    (
        "anyio.CapacityLimiter",
        &["acquire", "acquire_on_behalf_of"],
    ),
    ("aiohttp.ClientSession", &["close"]),
];

/// Event loop methods that are coroutines (the loop is known by the call that returned it).
const LOOP_COROUTINE_METHODS: &[&str] = &[
    "sock_recv",
    "sock_recv_into",
    "sock_recvfrom",
    "sock_sendall",
    "sock_sendto",
    "sock_connect",
    "sock_accept",
    "sock_sendfile",
    "getaddrinfo",
    "getnameinfo",
    "create_connection",
    "create_server",
    "create_datagram_endpoint",
    "create_unix_connection",
    "create_unix_server",
    "connect_read_pipe",
    "connect_write_pipe",
    "subprocess_exec",
    "subprocess_shell",
    "shutdown_asyncgens",
    "shutdown_default_executor",
    "sendfile",
    "start_tls",
];

pub fn is_coroutine_function(qualified: &str) -> bool {
    COROUTINE_FUNCTIONS.contains(&qualified)
}

pub fn is_coroutine_method(class: &str, method: &str) -> bool {
    COROUTINE_METHODS
        .iter()
        .any(|(c, methods)| *c == class && methods.contains(&method))
}

/// Objects that support only `async with`: calls that construct or return them.
pub const ASYNC_ONLY_CONTEXT_MANAGERS: &[&str] = &[
    "asyncio.Lock",
    "asyncio.Semaphore",
    "asyncio.BoundedSemaphore",
    "asyncio.Condition",
    "asyncio.timeout",
    "asyncio.timeout_at",
    "asyncio.TaskGroup",
    "asyncio.locks.Lock",
    "asyncio.locks.Semaphore",
    "asyncio.taskgroups.TaskGroup",
    "asyncio.timeouts.timeout",
    "contextlib.AsyncExitStack",
    "contextlib.aclosing",
    "trio.open_nursery",
    "trio.Lock",
    "trio.StrictFIFOLock",
    "trio.Semaphore",
    "trio.CapacityLimiter",
    "trio.Condition",
    "anyio.create_task_group",
    "anyio.Lock",
    "anyio.Semaphore",
    "anyio.CapacityLimiter",
    "anyio.Condition",
    "aiohttp.ClientSession",
    "aiofiles.open",
];

/// Objects that support only a plain `with`.
pub const SYNC_ONLY_CONTEXT_MANAGERS: &[&str] = &[
    "builtins.open",
    "io.open",
    "codecs.open",
    "gzip.open",
    "bz2.open",
    "lzma.open",
    "tarfile.open",
    "zipfile.ZipFile",
    "tempfile.TemporaryFile",
    "tempfile.NamedTemporaryFile",
    "tempfile.TemporaryDirectory",
    "tempfile.SpooledTemporaryFile",
    "threading.Lock",
    "threading.RLock",
    "threading.Semaphore",
    "threading.BoundedSemaphore",
    "threading.Condition",
    "multiprocessing.Lock",
    "multiprocessing.RLock",
    "multiprocessing.Pool",
    "concurrent.futures.ThreadPoolExecutor",
    "concurrent.futures.ProcessPoolExecutor",
    "contextlib.ExitStack",
    "contextlib.suppress",
    "contextlib.redirect_stdout",
    "contextlib.redirect_stderr",
    "contextlib.closing",
    "socket.socket",
    "socket.create_connection",
    "sqlite3.connect",
    "requests.Session",
    "requests.session",
    "httpx.Client",
    "urllib.request.urlopen",
    "trio.CancelScope",
    "trio.move_on_after",
    "trio.move_on_at",
    "trio.fail_after",
    "trio.fail_at",
    "anyio.CancelScope",
    "anyio.move_on_after",
    "anyio.fail_after",
    "asyncio.Runner",
    "warnings.catch_warnings",
    "decimal.localcontext",
];

pub fn is_async_only_context_manager(qualified: &str) -> bool {
    ASYNC_ONLY_CONTEXT_MANAGERS.contains(&qualified)
}

pub fn is_sync_only_context_manager(qualified: &str) -> bool {
    SYNC_ONLY_CONTEXT_MANAGERS.contains(&qualified)
}

/// Library functions whose call returns an awaitable that is not a coroutine (a future or
/// a task). With [`COROUTINE_FUNCTIONS`], the functions `await f` (without the call) is a
/// mistake for.
pub const AWAITABLE_RETURNING_FUNCTIONS: &[&str] = &[
    "asyncio.gather",
    "asyncio.shield",
    "asyncio.create_task",
    "asyncio.ensure_future",
    "asyncio.wrap_future",
    "asyncio.run_coroutine_threadsafe",
    "asyncio.tasks.gather",
    "asyncio.tasks.shield",
];

/// What `analysis::calls::instance_class` names an asyncio event loop by: the calls that
/// return one, and the classes a parameter may be annotated with.
pub const EVENT_LOOPS: &[&str] = &[
    "asyncio.get_event_loop",
    "asyncio.get_running_loop",
    "asyncio.new_event_loop",
    "asyncio.events.get_event_loop",
    "asyncio.events.get_running_loop",
    "asyncio.events.new_event_loop",
    "asyncio.AbstractEventLoop",
    "asyncio.BaseEventLoop",
    "asyncio.SelectorEventLoop",
    "asyncio.ProactorEventLoop",
    "asyncio.EventLoop",
    "asyncio.events.AbstractEventLoop",
    "asyncio.base_events.BaseEventLoop",
];

pub fn is_event_loop(class: &str) -> bool {
    EVENT_LOOPS.contains(&class)
}

/// Functions that start an event loop and block until it is done: from code already
/// running in one they fail (asyncio, a nested trio) or block the running loop.
pub const EVENT_LOOP_RUNNERS: &[&str] = &[
    "asyncio.run",
    "asyncio.runners.run",
    "trio.run",
    "anyio.run",
];

/// Methods that run an event loop, by the class of their object (event loops are the
/// names of [`EVENT_LOOPS`]).
pub const EVENT_LOOP_RUNNER_METHODS: &[(&str, &[&str])] = &[
    ("asyncio.Runner", &["run"]),
    ("asyncio.runners.Runner", &["run"]),
];

/// The event loop methods that run the loop.
pub const LOOP_RUNNING_METHODS: &[&str] = &["run_until_complete", "run_forever"];

pub fn runs_event_loop(class: &str, method: &str) -> bool {
    (is_event_loop(class) && LOOP_RUNNING_METHODS.contains(&method))
        || EVENT_LOOP_RUNNER_METHODS
            .iter()
            .any(|(c, methods)| *c == class && methods.contains(&method))
}

/// Functions that schedule a task the event loop references only weakly: their result
/// must be kept. The event loop method doing the same is `create_task`.
pub const TASK_SPAWNERS: &[&str] = &[
    "asyncio.create_task",
    "asyncio.ensure_future",
    "asyncio.tasks.create_task",
    "asyncio.tasks.ensure_future",
];

/// Calls that construct threading locks: holding one across an `await` blocks the event
/// loop's thread, or (re-entrant locks) lets other tasks in.
pub const THREADING_LOCKS: &[&str] = &[
    "threading.Lock",
    "threading.RLock",
    "threading.Condition",
    "threading.Semaphore",
    "threading.BoundedSemaphore",
];

pub fn is_threading_lock(qualified: &str) -> bool {
    THREADING_LOCKS.contains(&qualified)
}

/// A library name that exists only on some Python versions (minor versions of Python 3).
#[derive(Clone, Copy, Debug)]
pub struct VersionedApi {
    pub name: &'static str,
    /// The first version that has it; `None` for one older than every version we target.
    pub added: Option<u8>,
    /// The first version that no longer has it.
    pub removed: Option<u8>,
    /// The version that deprecated it, for the message.
    pub deprecated: Option<u8>,
}

const fn added(name: &'static str, minor: u8) -> VersionedApi {
    VersionedApi {
        name,
        added: Some(minor),
        removed: None,
        deprecated: None,
    }
}

const fn removed(name: &'static str, minor: u8, deprecated: u8) -> VersionedApi {
    VersionedApi {
        name,
        added: None,
        removed: Some(minor),
        deprecated: Some(deprecated),
    }
}

/// Async APIs that appeared in or disappeared from the standard library after 3.7.
pub const VERSIONED_APIS: &[VersionedApi] = &[
    added("asyncio.to_thread", 9),
    added("builtins.aiter", 10),
    added("builtins.anext", 10),
    added("contextlib.aclosing", 10),
    added("asyncio.timeout", 11),
    added("asyncio.timeout_at", 11),
    added("asyncio.Timeout", 11),
    added("asyncio.TaskGroup", 11),
    added("asyncio.Runner", 11),
    added("asyncio.Barrier", 11),
    added("asyncio.BrokenBarrierError", 11),
    added("asyncio.eager_task_factory", 12),
    added("asyncio.create_eager_task_factory", 12),
    added("asyncio.QueueShutDown", 13),
    added("asyncio.EventLoop", 13),
    removed("asyncio.coroutine", 11, 8),
];

pub fn versioned_api(qualified: &str) -> Option<&'static VersionedApi> {
    VERSIONED_APIS.iter().find(|api| api.name == qualified)
}

/// asyncio's high-level functions and primitives whose `loop` argument was deprecated in
/// 3.8 and removed in 3.10 (`ensure_future`, `wrap_future`, `Future` and `Task` keep it).
pub const LOOP_ARGUMENT_REMOVED_IN_310: &[&str] = &[
    "asyncio.sleep",
    "asyncio.gather",
    "asyncio.wait",
    "asyncio.wait_for",
    "asyncio.shield",
    "asyncio.as_completed",
    "asyncio.open_connection",
    "asyncio.start_server",
    "asyncio.open_unix_connection",
    "asyncio.start_unix_server",
    "asyncio.create_subprocess_exec",
    "asyncio.create_subprocess_shell",
    "asyncio.Queue",
    "asyncio.PriorityQueue",
    "asyncio.LifoQueue",
    "asyncio.Lock",
    "asyncio.Event",
    "asyncio.Condition",
    "asyncio.Semaphore",
    "asyncio.BoundedSemaphore",
];

/// Which positional arguments a function iterates with the synchronous protocol
/// (`iter()`), for [`SYNC_ITERATING_FUNCTIONS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IteratedArguments {
    First,
    /// The first, when it is the only positional argument (`min(xs)`, not `min(a, b)`).
    FirstIfAlone,
    Second,
    All,
    AllFromSecond,
}

/// Functions that iterate (some of) their arguments synchronously, right away or when
/// their result is consumed: an async-only iterable there raises `TypeError`.
pub const SYNC_ITERATING_FUNCTIONS: &[(&str, IteratedArguments)] = {
    use IteratedArguments::{All, AllFromSecond, First, FirstIfAlone, Second};
    &[
        ("builtins.list", First),
        ("builtins.tuple", First),
        ("builtins.set", First),
        ("builtins.frozenset", First),
        ("builtins.dict", First),
        ("builtins.sorted", First),
        ("builtins.reversed", First),
        ("builtins.sum", First),
        ("builtins.any", First),
        ("builtins.all", First),
        ("builtins.enumerate", First),
        ("builtins.iter", First),
        ("builtins.next", First),
        ("builtins.bytes", First),
        ("builtins.bytearray", First),
        ("builtins.min", FirstIfAlone),
        ("builtins.max", FirstIfAlone),
        ("builtins.zip", All),
        ("builtins.map", AllFromSecond),
        ("builtins.filter", Second),
        ("itertools.chain", All),
        ("itertools.chain.from_iterable", First),
        ("itertools.islice", First),
        ("itertools.cycle", First),
        ("itertools.tee", First),
        ("itertools.groupby", First),
        ("itertools.accumulate", First),
        ("itertools.pairwise", First),
        ("itertools.batched", First),
        ("itertools.permutations", First),
        ("itertools.combinations", First),
        ("itertools.product", All),
        ("itertools.zip_longest", All),
        ("itertools.starmap", Second),
        ("itertools.dropwhile", Second),
        ("itertools.takewhile", Second),
        ("itertools.filterfalse", Second),
        ("functools.reduce", Second),
        ("collections.deque", First),
        ("collections.Counter", First),
    ]
};

pub fn sync_iterated_arguments(qualified: &str) -> Option<IteratedArguments> {
    SYNC_ITERATING_FUNCTIONS
        .iter()
        .find(|(name, _)| *name == qualified)
        .map(|(_, which)| *which)
}

/// Calls that return an object supporting only synchronous iteration (`for`, not
/// `async for`).
pub const SYNC_ITERABLE_FACTORIES: &[&str] = &[
    "builtins.range",
    "builtins.enumerate",
    "builtins.zip",
    "builtins.map",
    "builtins.filter",
    "builtins.reversed",
    "builtins.sorted",
    "builtins.list",
    "builtins.tuple",
    "builtins.set",
    "builtins.frozenset",
    "builtins.dict",
    "builtins.iter",
    "builtins.str",
    "builtins.bytes",
    "builtins.bytearray",
    "builtins.open",
    "itertools.count",
    "itertools.chain",
    "itertools.cycle",
    "itertools.repeat",
    "itertools.islice",
    "itertools.product",
    "itertools.permutations",
    "itertools.combinations",
    "itertools.zip_longest",
    "itertools.groupby",
    "itertools.accumulate",
    "os.listdir",
    "os.scandir",
    "os.walk",
    "glob.glob",
    "glob.iglob",
];

pub fn is_sync_iterable_factory(qualified: &str) -> bool {
    SYNC_ITERABLE_FACTORIES.contains(&qualified)
}

/// Functions whose first positional argument (every positional argument: `true`) must be
/// an awaitable — a coroutine, task or future; an async generator there is a `TypeError`.
pub const AWAITABLE_PARAMETERS: &[(&str, bool)] = &[
    ("asyncio.run", false),
    ("asyncio.runners.run", false),
    ("asyncio.create_task", false),
    ("asyncio.tasks.create_task", false),
    ("asyncio.ensure_future", false),
    ("asyncio.tasks.ensure_future", false),
    ("asyncio.wait_for", false),
    ("asyncio.tasks.wait_for", false),
    ("asyncio.shield", false),
    ("asyncio.tasks.shield", false),
    ("asyncio.run_coroutine_threadsafe", false),
    ("asyncio.gather", true),
    ("asyncio.tasks.gather", true),
];

/// Methods whose first positional argument must be an awaitable, by the class of their
/// object (event loops, named as in `EVENT_LOOPS`, take `run_until_complete` and
/// `create_task`, see [`takes_awaitable_method`]).
pub const AWAITABLE_PARAMETER_METHODS: &[(&str, &[&str])] = &[
    ("asyncio.TaskGroup", &["create_task"]),
    ("asyncio.taskgroups.TaskGroup", &["create_task"]),
    ("asyncio.Runner", &["run"]),
    ("asyncio.runners.Runner", &["run"]),
];

/// Whether every positional argument of `qualified` (`Some(true)`) or only its first
/// (`Some(false)`) must be an awaitable.
pub fn awaitable_parameters(qualified: &str) -> Option<bool> {
    AWAITABLE_PARAMETERS
        .iter()
        .find(|(name, _)| *name == qualified)
        .map(|(_, all)| *all)
}

pub fn takes_awaitable_method(class: &str, method: &str) -> bool {
    (is_event_loop(class) && matches!(method, "run_until_complete" | "create_task"))
        || AWAITABLE_PARAMETER_METHODS
            .iter()
            .any(|(c, methods)| *c == class && methods.contains(&method))
}

/// Functions whose first argument must be an async function (they call it and await the
/// coroutine): an async generator function there is a `TypeError`.
pub const ASYNC_FUNCTION_PARAMETERS: &[&str] = &["trio.run", "anyio.run"];

/// Methods whose first argument must be an async function, by the class of their object.
pub const ASYNC_FUNCTION_PARAMETER_METHODS: &[(&str, &[&str])] = &[
    ("trio.open_nursery", &["start_soon", "start"]),
    ("anyio.create_task_group", &["start_soon", "start"]),
];

pub fn takes_async_function(qualified: &str) -> bool {
    ASYNC_FUNCTION_PARAMETERS.contains(&qualified)
}

pub fn takes_async_function_method(class: &str, method: &str) -> bool {
    ASYNC_FUNCTION_PARAMETER_METHODS
        .iter()
        .any(|(c, methods)| *c == class && methods.contains(&method))
}

/// asyncio primitives that CPython up to 3.8 let `with await lock:` use (deprecated in
/// 3.7, a `TypeError` from 3.9 on).
pub const LEGACY_AWAITABLE_LOCKS: &[&str] = &[
    "asyncio.Lock",
    "asyncio.Semaphore",
    "asyncio.BoundedSemaphore",
    "asyncio.Condition",
    "asyncio.locks.Lock",
    "asyncio.locks.Semaphore",
    "asyncio.locks.BoundedSemaphore",
    "asyncio.locks.Condition",
];

/// Decorators that cache what a function returns: on an `async def` they cache the
/// coroutine (or async generator) object, which cannot be awaited (iterated) twice.
pub const RESULT_CACHING_DECORATORS: &[&str] = &[
    "functools.lru_cache",
    "functools.cache",
    "functools.cached_property",
];
