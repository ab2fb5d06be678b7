//! Syntax that ruff's parser accepts for a target version but that CPython's grammar of
//! that version rejects, reported as AL000 like the parser's own version errors.

use ruff_python_ast::{NodeKind, Stmt, TypeParam, TypeParams};
use ruff_text_size::Ranged;

use crate::diagnostic::Diagnostic;
use crate::rules::syntax_error;
use crate::scope::ScopeModel;
use crate::target_version::TargetVersion;

pub fn check(model: &ScopeModel<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let version = model.target_version();
    if version >= TargetVersion::Py313 {
        return;
    }
    let definitions = [
        NodeKind::StmtFunctionDef,
        NodeKind::StmtClassDef,
        NodeKind::StmtTypeAlias,
    ];
    for node in definitions
        .into_iter()
        .flat_map(|kind| model.nodes_of(kind))
    {
        let type_params = match node.stmt() {
            Some(Stmt::FunctionDef(f)) => f.type_params.as_deref(),
            Some(Stmt::ClassDef(c)) => c.type_params.as_deref(),
            Some(Stmt::TypeAlias(a)) => a.type_params.as_deref(),
            _ => None,
        };
        report_defaults(type_params, version, diagnostics);
    }
}

/// ruff reports PEP 696 defaults of `TypeVar`s before 3.13, but not those of
/// `TypeVarTuple`s and `ParamSpec`s.
fn report_defaults(
    type_params: Option<&TypeParams>,
    version: TargetVersion,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for type_param in type_params.into_iter().flat_map(|p| p.type_params.iter()) {
        let default = match type_param {
            TypeParam::TypeVarTuple(p) => p.default.as_deref(),
            TypeParam::ParamSpec(p) => p.default.as_deref(),
            TypeParam::TypeVar(_) => None,
        };
        if let Some(default) = default {
            diagnostics.push(Diagnostic::new(
                &syntax_error::RULE,
                format!(
                    "Cannot set default type for a type parameter on Python 3.{} (syntax was added in Python 3.13)",
                    version.minor()
                ),
                default.range(),
            ));
        }
    }
}
