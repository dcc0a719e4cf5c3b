//! The two macros of the conformance suite: the list of flavours, and the
//! macro that expands each generic behaviour into one test per flavour.
//!
//! A behaviour is a plain generic function `fn name<R: Rt>()` (so rustfmt
//! and rust-analyzer see ordinary code), listed once in
//! [`conformance_tests!`]; written once, it runs on every flavour in
//! [`for_each_flavour!`]. Tokio is the reference that proves each test right.

/// The runtime flavours every behaviour runs on: one line each, the test
/// function's name and the facade type implementing
/// [`Rt`](crate::conformance::facade::Rt).
///
/// Calls `$callback! { $args... flavour_name => FacadeType }` once per
/// flavour. Adding a flavour is one line here, plus its facade type.
/// `tokio_mt` has four workers (`facade::TOKIO_MT_WORKERS`): the reference
/// is at least as parallel as every mini flavour it vouches for.
macro_rules! for_each_flavour {
    ($callback:ident ! { $($args:tt)* }) => {
        $callback! { $($args)* mini_ct => $crate::conformance::facade::MiniCt }
        $callback! { $($args)* tokio_ct => $crate::conformance::facade::TokioCt }
        $callback! { $($args)* mini_mt_1 => $crate::conformance::facade::MiniMt<1> }
        $callback! { $($args)* mini_mt_2 => $crate::conformance::facade::MiniMt<2> }
        $callback! { $($args)* mini_mt_4 => $crate::conformance::facade::MiniMt<4> }
        $callback! { $($args)* tokio_mt => $crate::conformance::facade::TokioMt }
    };
}

/// Expands generic behaviours into tests, one module per behaviour and one
/// `#[test]` per flavour inside it:
///
/// ```text
/// conformance_tests! {
///     spawn_and_join,
///     #[differs(mini_ct: "mini_runtime differs: <what and why>")]
///     some_behaviour,
/// }
/// ```
///
/// gives `spawn_and_join::mini_ct`, `spawn_and_join::tokio_ct`, ... each
/// calling `spawn_and_join::<Flavour>()` under the suite's time limit.
/// `#[differs(flavour: "reason", ...)]` marks the listed flavours'
/// tests `#[ignore = "reason"]` (a known difference from Tokio that is kept
/// visible, and runnable with `--ignored`); the other flavours still run.
macro_rules! conformance_tests {
    ($(
        $(#[differs($($flavour:ident: $why:literal),+ $(,)?)])?
        $name:ident
    ),+ $(,)?) => {$(
        #[doc = concat!("`", stringify!($name), "`, once per flavour.")]
        mod $name {
            define_ignores!([$($($flavour: $why),+)?] $);
            // A misspelt flavour in `#[differs(..)]` names no test: error.
            $($(const _: fn() = $flavour;)+)?
            for_each_flavour!(flavour_test! { $name });
        }
    )+};
}

/// Defines `with_ignore!`, local to one behaviour's module, that prefixes
/// an item with `#[ignore = reason]` when its flavour is in the list.
///
/// macro_rules cannot compare two identifiers directly, so this writes a
/// small macro whose *patterns* are the listed flavour names. `$d` is a `$`
/// token passed in by the caller, the usual way to write `$name` in a macro
/// that a macro defines.
macro_rules! define_ignores {
    ([$($flavour:ident: $why:literal),*] $d:tt) => {
        macro_rules! with_ignore {
            $( ($flavour $d($d item:tt)*) => { #[ignore = $why] $d($d item)* }; )*
            ($d other:ident $d($d item:tt)*) => { $d($d item)* };
        }
    };
}

/// One flavour's test of one behaviour, run under the time limit.
macro_rules! flavour_test {
    ($name:ident $flavour:ident => $ty:ty) => {
        with_ignore! { $flavour
            #[test]
            fn $flavour() {
                $crate::conformance::util::run_behaviour::<$ty>(
                    concat!(module_path!(), "::", stringify!($flavour)),
                    super::$name::<$ty>,
                );
            }
        }
    };
}
