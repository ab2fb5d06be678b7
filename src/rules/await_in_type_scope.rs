//! AL012: `await` in a PEP 695/696 annotation scope (type alias value, type parameter
//! bound, constraint or default, generic definition's annotations and bases).

use ruff_python_ast::NodeKind;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::RuleMeta;
use crate::rules::Checker;
use crate::scope::{ScopeKind, TypeScopeKind};
use crate::target_version::TargetVersion;

pub const RULE: RuleMeta = RuleMeta {
    code: "AL012",
    name: "await-in-type-scope",
    summary: "`await` in a type alias, type parameter or generic definition",
    aliases: &[],
    severity: Severity::Error,
    default_enabled: true,
    doc: include_str!("../../rules/AL012.md"),
    check: Some(check),
};

/// CPython's message for `what` in a type scope, or `None` when the target version has
/// no such scope (the syntax itself is then reported as AL000).
pub(crate) fn type_scope_message(
    what: &str,
    kind: TypeScopeKind,
    version: TargetVersion,
) -> Option<String> {
    let place = match kind {
        TypeScopeKind::GenericDefinition => "the definition of a generic",
        TypeScopeKind::TypeAlias => "a type alias",
        TypeScopeKind::TypeVarBound => "a TypeVar bound",
        // 3.12 calls a constraint tuple a bound too.
        TypeScopeKind::TypeVarConstraint if version < TargetVersion::Py313 => "a TypeVar bound",
        TypeScopeKind::TypeVarConstraint => "a TypeVar constraint",
        TypeScopeKind::TypeVarDefault => "a TypeVar default",
        TypeScopeKind::TypeVarTupleDefault => "a TypeVarTuple default",
        TypeScopeKind::ParamSpecDefault => "a ParamSpec default",
    };
    let introduced = match kind {
        TypeScopeKind::TypeVarDefault
        | TypeScopeKind::TypeVarTupleDefault
        | TypeScopeKind::ParamSpecDefault => TargetVersion::Py313,
        _ => TargetVersion::Py312,
    };
    (version >= introduced).then(|| format!("{what} cannot be used within {place}"))
}

fn check(checker: &Checker, diagnostics: &mut Vec<Diagnostic>) {
    for node in checker.model.nodes_of(NodeKind::ExprAwait) {
        let ScopeKind::Type(kind) = node.scope().kind else {
            continue;
        };
        if let Some(message) =
            type_scope_message("await expression", kind, checker.target_version())
        {
            diagnostics.push(Diagnostic::new(&RULE, message, node.range()));
        }
    }
}
