//! The router path of each operation, or a warning that the server cannot match it.

use crate::error::Location;
use crate::ir::{Operation, SegmentPart};
use crate::lower::Lowering;

/// Gives every operation its route (see [`Operation::route`]), and warns about each one the
/// server cannot serve.
pub(crate) fn route_operations(cx: &mut Lowering<'_>, operations: &mut [Operation]) {
    for op in operations {
        op.route = route(op);
        if op.route.is_none() {
            cx.warn(
                Location::new(&op.source).with_context(&op.operation_id),
                format!(
                    "a segment of the path `{}` mixes text and parameters, which the generated \
                     server's router cannot match: the server does not serve this operation",
                    op.path
                ),
            );
        }
    }
}

/// The router's path of an operation: its segments with parameters as `{wire_name}`; `None`
/// when a segment mixes text and parameters.
pub(super) fn route(op: &Operation) -> Option<String> {
    let mut path = String::new();
    for segment in &op.segments {
        path.push('/');
        match segment.parts.as_slice() {
            [SegmentPart::Literal(text)] => path.push_str(text),
            [SegmentPart::Param(rust)] => {
                let param = op.params.iter().find(|p| &p.rust_name == rust)?;
                path.push('{');
                path.push_str(&param.wire_name);
                path.push('}');
            }
            _ => return None,
        }
    }
    if path.is_empty() {
        path.push('/');
    }
    Some(path)
}
