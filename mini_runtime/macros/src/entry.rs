//! `#[mini_runtime::main]` and `#[mini_runtime::test]`: turn an `async fn`
//! into a plain `fn` that builds a runtime and blocks on the body.
//!
//! The work is split in three steps, each a small function that the unit
//! tests at the bottom exercise on `proc_macro2` token streams:
//!
//! 1. [`parse_options`] reads the attribute's arguments
//!    (`flavor = "..."`, `worker_threads = N`) into a [`RuntimeConfig`];
//! 2. [`check_fn`] rejects functions the expansion cannot handle
//!    (not `async`, has arguments, is generic, already has `#[test]`);
//! 3. [`expand`] writes the new function.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{ToTokens, quote};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ItemFn, Lit, Meta, Token};

/// Which attribute is being expanded. The two differ only in their default
/// flavor, in the `#[test]` they add, and in the names their errors print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntryKind {
    /// `#[mini_runtime::main]`: multi-thread by default, like `#[tokio::main]`.
    Main,
    /// `#[mini_runtime::test]`: current-thread by default, like `#[tokio::test]`.
    Test,
}

impl EntryKind {
    /// The attribute as a user writes it, for error messages.
    fn attr(self) -> &'static str {
        match self {
            EntryKind::Main => "#[mini_runtime::main]",
            EntryKind::Test => "#[mini_runtime::test]",
        }
    }

    fn default_flavor(self) -> Flavor {
        match self {
            EntryKind::Main => Flavor::MultiThread,
            EntryKind::Test => Flavor::CurrentThread,
        }
    }

    /// An example function name for "write it like this" messages.
    fn example_fn(self) -> &'static str {
        match self {
            EntryKind::Main => "async fn main()",
            EntryKind::Test => "async fn my_test()",
        }
    }
}

/// The runtime flavor: which `Builder` constructor the expansion calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// `Builder::new_current_thread()`: everything runs on the calling thread.
    CurrentThread,
    /// `Builder::new_multi_thread()`: a pool of work-stealing workers.
    MultiThread,
}

/// The parsed attribute options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RuntimeConfig {
    /// The flavor, explicit or the attribute's default.
    pub(crate) flavor: Flavor,
    /// `worker_threads = N` if given (only ever `Some` with `MultiThread`).
    pub(crate) worker_threads: Option<usize>,
}

impl RuntimeConfig {
    /// The configuration used when no option is given.
    pub(crate) fn default_for(kind: EntryKind) -> Self {
        RuntimeConfig {
            flavor: kind.default_flavor(),
            worker_threads: None,
        }
    }
}

const FLAVOR_VALUES: &str = r#"`flavor = "current_thread"` or `flavor = "multi_thread"`"#;
const OPTIONS: &str = "`flavor`, `worker_threads`";

/// Parses the tokens between the attribute's parentheses.
///
/// Every problem found is reported (errors are combined), each pointing at
/// the offending option and saying what is allowed instead.
pub(crate) fn parse_options(args: TokenStream, kind: EntryKind) -> syn::Result<RuntimeConfig> {
    let metas = Punctuated::<Meta, Token![,]>::parse_terminated
        .parse2(args)
        .map_err(|e| {
            syn::Error::new(
                e.span(),
                format!(
                    "{e}; {} options are written `name = value`, separated by commas; \
                     allowed options: {OPTIONS}",
                    kind.attr()
                ),
            )
        })?;

    let mut errors: Option<syn::Error> = None;
    let mut push = |e: syn::Error| match &mut errors {
        Some(all) => all.combine(e),
        None => errors = Some(e),
    };

    // (value, the whole `name = value` option for error spans)
    let mut flavor: Option<(Flavor, Meta)> = None;
    let mut worker_threads: Option<(usize, Meta)> = None;

    for meta in metas {
        let name = match meta.path().get_ident() {
            Some(ident) => ident.to_string(),
            None => {
                let shown = meta.path().to_token_stream().to_string().replace(' ', "");
                push(syn::Error::new_spanned(
                    meta.path(),
                    format!("unknown option `{shown}`; expected one of: {OPTIONS}"),
                ));
                continue;
            }
        };
        match name.as_str() {
            "flavor" => {
                if flavor.is_some() {
                    push(duplicate(&meta, &name));
                    continue;
                }
                match parse_flavor(&meta) {
                    Ok(f) => flavor = Some((f, meta)),
                    Err(e) => push(e),
                }
            }
            "worker_threads" => {
                if worker_threads.is_some() {
                    push(duplicate(&meta, &name));
                    continue;
                }
                match parse_worker_threads(&meta) {
                    Ok(n) => worker_threads = Some((n, meta)),
                    Err(e) => push(e),
                }
            }
            _ => push(syn::Error::new_spanned(
                meta.path(),
                format!("unknown option `{name}`; expected one of: {OPTIONS}"),
            )),
        }
    }

    // `worker_threads` only makes sense for the multi-thread flavor.
    let resolved = flavor.as_ref().map_or(kind.default_flavor(), |(f, _)| *f);
    if let Some((_, meta)) = &worker_threads {
        if resolved == Flavor::CurrentThread {
            let msg = match flavor {
                Some(_) => format!(
                    "`worker_threads` is only allowed with `flavor = \"multi_thread\"`; \
                     the current_thread flavor runs every task on the calling thread. \
                     Remove `worker_threads` or write \
                     `{}(flavor = \"multi_thread\", worker_threads = N)]`",
                    kind.attr().trim_end_matches(']'),
                ),
                None => format!(
                    "`worker_threads` is only allowed with `flavor = \"multi_thread\"`, and \
                     {} uses the current_thread flavor by default; write \
                     `{}(flavor = \"multi_thread\", worker_threads = N)]`",
                    kind.attr(),
                    kind.attr().trim_end_matches(']'),
                ),
            };
            push(syn::Error::new_spanned(meta, msg));
        }
    }

    match errors {
        Some(e) => Err(e),
        None => Ok(RuntimeConfig {
            flavor: resolved,
            worker_threads: worker_threads.map(|(n, _)| n),
        }),
    }
}

fn duplicate(meta: &Meta, name: &str) -> syn::Error {
    syn::Error::new_spanned(
        meta,
        format!("duplicate option `{name}`; each option may be given at most once"),
    )
}

/// The literal on the right of `name = <literal>`, looking through the
/// invisible groups that `macro_rules!` wraps around `$x:expr` fragments.
fn value_literal(meta: &Meta) -> Option<&Lit> {
    let Meta::NameValue(nv) = meta else {
        return None;
    };
    let mut expr = &nv.value;
    while let Expr::Group(g) = expr {
        expr = &g.expr;
    }
    match expr {
        Expr::Lit(ExprLit { lit, .. }) => Some(lit),
        _ => None,
    }
}

fn parse_flavor(meta: &Meta) -> syn::Result<Flavor> {
    if !matches!(meta, Meta::NameValue(_)) {
        return Err(syn::Error::new_spanned(
            meta,
            format!("option `flavor` needs a value: {FLAVOR_VALUES}"),
        ));
    }
    match value_literal(meta) {
        Some(Lit::Str(s)) => match s.value().as_str() {
            "current_thread" => Ok(Flavor::CurrentThread),
            "multi_thread" => Ok(Flavor::MultiThread),
            other => Err(syn::Error::new_spanned(
                s,
                format!(
                    "unknown flavor `\"{other}\"`; expected `\"current_thread\"` or `\"multi_thread\"`"
                ),
            )),
        },
        _ => Err(syn::Error::new_spanned(
            value_tokens(meta),
            format!("`flavor` must be a string literal: {FLAVOR_VALUES}"),
        )),
    }
}

fn parse_worker_threads(meta: &Meta) -> syn::Result<usize> {
    const EXPECTED: &str = "`worker_threads` must be a positive integer literal, \
                            e.g. `worker_threads = 4`";
    if !matches!(meta, Meta::NameValue(_)) {
        return Err(syn::Error::new_spanned(
            meta,
            "option `worker_threads` needs a value: a positive integer literal, \
             e.g. `worker_threads = 4`",
        ));
    }
    match value_literal(meta) {
        // (A `-1` can arrive as one negative literal token.)
        Some(Lit::Int(int)) if int.base10_digits().starts_with('-') => {
            Err(syn::Error::new_spanned(int, EXPECTED))
        }
        Some(Lit::Int(int)) => match int.base10_parse::<usize>() {
            Ok(0) => Err(syn::Error::new_spanned(
                int,
                "`worker_threads = 0` is not allowed: a multi-thread runtime needs at least \
                 one worker; use a positive integer, e.g. `worker_threads = 4`",
            )),
            Ok(n) => Ok(n),
            Err(_) => Err(syn::Error::new_spanned(
                int,
                format!("{EXPECTED} (this one does not fit in a `usize`)"),
            )),
        },
        _ => Err(syn::Error::new_spanned(value_tokens(meta), EXPECTED)),
    }
}

/// The value part of a `name = value` option (the whole option otherwise),
/// so that "wrong type" errors underline the value.
fn value_tokens(meta: &Meta) -> TokenStream {
    match meta {
        Meta::NameValue(nv) => nv.value.to_token_stream(),
        other => other.to_token_stream(),
    }
}

/// Rejects functions the expansion cannot turn into a working entry point.
pub(crate) fn check_fn(item: &ItemFn, kind: EntryKind) -> syn::Result<()> {
    let attr = kind.attr();
    let sig = &item.sig;
    let mut errors: Vec<syn::Error> = Vec::new();

    if sig.asyncness.is_none() {
        errors.push(syn::Error::new_spanned(
            sig.fn_token,
            format!(
                "the `async` keyword is missing from the function declaration; \
                 {attr} only applies to an `async fn`, e.g. `{}`",
                kind.example_fn()
            ),
        ));
    }
    if !sig.inputs.is_empty() || sig.variadic.is_some() {
        errors.push(syn::Error::new_spanned(
            &sig.inputs,
            format!(
                "a {attr} function must take no arguments, e.g. `{}`",
                kind.example_fn()
            ),
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new(
            sig.generics.span(),
            format!(
                "a {attr} function cannot be generic; remove the generic parameters, \
                 e.g. `{}`",
                kind.example_fn()
            ),
        ));
    }
    if kind == EntryKind::Test {
        if let Some(test_attr) = item.attrs.iter().find(|a| is_test_attr(a)) {
            errors.push(syn::Error::new_spanned(
                test_attr,
                "second test attribute: #[mini_runtime::test] already adds `#[test]`; \
                 remove this one",
            ));
        }
    }

    let mut errors = errors.into_iter();
    match errors.next() {
        None => Ok(()),
        Some(mut first) => {
            errors.for_each(|e| first.combine(e));
            Err(first)
        }
    }
}

/// `#[test]`, `#[core::prelude::v1::test]`, `#[::std::prelude::rust_2024::test]`...
fn is_test_attr(attr: &syn::Attribute) -> bool {
    let path = attr.path();
    let last_is_test = path.segments.last().is_some_and(|s| s.ident == "test");
    let first = path.segments.first().map(|s| s.ident.to_string());
    last_is_test && (path.segments.len() == 1 || matches!(first.as_deref(), Some("core" | "std")))
}

/// Writes the synchronous entry point.
///
/// ```text
/// #[attrs] vis fn name() -> Ret {
///     async fn __mini_runtime_body() -> Ret { <original body> }
///     let rt = ::mini_runtime::runtime::Builder::new_current_thread() // or new_multi_thread()
///         /* .worker_threads(N) */
///         .enable_all()
///         .build()
///         .expect("Failed building the mini_runtime runtime");
///     rt.block_on(__mini_runtime_body())
/// }
/// ```
///
/// Why an inner `async fn` and not `block_on(async move { body })`: an
/// `async` block has no place to write its output type, so the compiler
/// must infer it from the body. That fails for bodies that rely on the
/// declared return type, e.g. `return Err("bad".into())` (which `Into`?) or
/// `return Box::new(5)` in a `-> Box<dyn Debug>` function (no coercion
/// site). An inner `async fn` with the *same* `-> Ret` is exactly the
/// original function made lazy: `return`, `?`, and coercions behave as
/// written. It is possible because the function has no arguments and no
/// generics (see [`check_fn`]), so the body captures nothing.
pub(crate) fn expand(item: &ItemFn, config: &RuntimeConfig, kind: EntryKind) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = item;

    // The outer function: the same signature without `async`.
    let mut outer_sig = sig.clone();
    outer_sig.asyncness = None;
    let output = &sig.output;

    // A mixed-site name cannot clash with anything the body refers to.
    let body_fn = syn::Ident::new("__mini_runtime_body", Span::mixed_site());
    let rt = syn::Ident::new("__mini_runtime_rt", Span::mixed_site());

    let builder = match config.flavor {
        Flavor::CurrentThread => quote!(::mini_runtime::runtime::Builder::new_current_thread()),
        Flavor::MultiThread => {
            let threads = config.worker_threads.map(|n| {
                let n = Literal::usize_unsuffixed(n);
                quote!(.worker_threads(#n))
            });
            quote!(::mini_runtime::runtime::Builder::new_multi_thread() #threads)
        }
    };

    let test_attr = match kind {
        EntryKind::Test => quote!(#[::core::prelude::v1::test]),
        EntryKind::Main => TokenStream::new(),
    };

    quote! {
        #test_attr
        #(#attrs)*
        #vis #outer_sig {
            // The original body, unchanged, as a lazy `async fn` with the
            // declared return type.
            async fn #body_fn() #output #block

            // Build the runtime, then drive the body to completion on this
            // thread. The runtime is dropped when the function returns.
            #[allow(clippy::expect_used)]
            let #rt = #builder
                .enable_all()
                .build()
                .expect("Failed building the mini_runtime runtime");
            #rt.block_on(#body_fn())
        }
    }
}

/// The whole attribute: parse, check, expand, or report errors.
///
/// On an options error the function is still expanded with the default
/// options, so the only error the user sees is the one about the options
/// (not a second one about an `async fn main`).
pub(crate) fn entry(args: TokenStream, item: TokenStream, kind: EntryKind) -> TokenStream {
    let item_fn: ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(e) => {
            let msg = format!("{} only applies to an `async fn`: {e}", kind.attr());
            let err = syn::Error::new(e.span(), msg).to_compile_error();
            return quote!(#err #item);
        }
    };
    if let Err(e) = check_fn(&item_fn, kind) {
        let err = e.to_compile_error();
        return quote!(#err #item);
    }
    match parse_options(args, kind) {
        Ok(config) => expand(&item_fn, &config, kind),
        Err(e) => {
            let err = e.to_compile_error();
            let expanded = expand(&item_fn, &RuntimeConfig::default_for(kind), kind);
            quote!(#err #expanded)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(args: TokenStream, kind: EntryKind) -> RuntimeConfig {
        parse_options(args, kind).expect("options should parse")
    }

    fn err(args: TokenStream, kind: EntryKind) -> String {
        parse_options(args, kind)
            .expect_err("options should be rejected")
            .to_string()
    }

    fn ct() -> RuntimeConfig {
        RuntimeConfig {
            flavor: Flavor::CurrentThread,
            worker_threads: None,
        }
    }

    fn mt(n: Option<usize>) -> RuntimeConfig {
        RuntimeConfig {
            flavor: Flavor::MultiThread,
            worker_threads: n,
        }
    }

    #[test]
    fn defaults_follow_tokio() {
        assert_eq!(ok(quote!(), EntryKind::Main), mt(None));
        assert_eq!(ok(quote!(), EntryKind::Test), ct());
    }

    #[test]
    fn valid_combinations() {
        for kind in [EntryKind::Main, EntryKind::Test] {
            assert_eq!(ok(quote!(flavor = "current_thread"), kind), ct());
            assert_eq!(ok(quote!(flavor = "multi_thread"), kind), mt(None));
            assert_eq!(ok(quote!(flavor = "multi_thread",), kind), mt(None));
            assert_eq!(
                ok(quote!(flavor = "multi_thread", worker_threads = 4), kind),
                mt(Some(4))
            );
            assert_eq!(
                ok(quote!(worker_threads = 2, flavor = "multi_thread"), kind),
                mt(Some(2))
            );
            assert_eq!(
                ok(
                    quote!(flavor = "multi_thread", worker_threads = 1usize),
                    kind
                ),
                mt(Some(1))
            );
        }
        // `main` is multi-thread by default, so `worker_threads` alone is fine.
        assert_eq!(ok(quote!(worker_threads = 8), EntryKind::Main), mt(Some(8)));
    }

    #[test]
    fn unknown_option() {
        assert_eq!(
            err(quote!(flavour = "current_thread"), EntryKind::Main),
            "unknown option `flavour`; expected one of: `flavor`, `worker_threads`"
        );
        assert_eq!(
            err(quote!(start_paused = true), EntryKind::Test),
            "unknown option `start_paused`; expected one of: `flavor`, `worker_threads`"
        );
        assert_eq!(
            err(quote!(a::b = 1), EntryKind::Test),
            "unknown option `a::b`; expected one of: `flavor`, `worker_threads`"
        );
        assert_eq!(
            err(quote!(current_thread), EntryKind::Test),
            "unknown option `current_thread`; expected one of: `flavor`, `worker_threads`"
        );
    }

    #[test]
    fn flavor_errors() {
        assert_eq!(
            err(quote!(flavor = "single"), EntryKind::Main),
            "unknown flavor `\"single\"`; expected `\"current_thread\"` or `\"multi_thread\"`"
        );
        let wrong_type = "`flavor` must be a string literal: \
                          `flavor = \"current_thread\"` or `flavor = \"multi_thread\"`";
        assert_eq!(
            err(quote!(flavor = current_thread), EntryKind::Main),
            wrong_type
        );
        assert_eq!(err(quote!(flavor = 1), EntryKind::Main), wrong_type);
        assert_eq!(
            err(quote!(flavor), EntryKind::Main),
            "option `flavor` needs a value: \
             `flavor = \"current_thread\"` or `flavor = \"multi_thread\"`"
        );
        assert_eq!(
            err(quote!(flavor("multi_thread")), EntryKind::Main),
            "option `flavor` needs a value: \
             `flavor = \"current_thread\"` or `flavor = \"multi_thread\"`"
        );
    }

    #[test]
    fn worker_threads_errors() {
        let expected = "`worker_threads` must be a positive integer literal, \
                        e.g. `worker_threads = 4`";
        assert_eq!(err(quote!(worker_threads = "4"), EntryKind::Main), expected);
        assert_eq!(err(quote!(worker_threads = n), EntryKind::Main), expected);
        assert_eq!(err(quote!(worker_threads = -1), EntryKind::Main), expected);
        assert_eq!(err(quote!(worker_threads = 2.0), EntryKind::Main), expected);
        assert_eq!(
            err(quote!(worker_threads = 0), EntryKind::Main),
            "`worker_threads = 0` is not allowed: a multi-thread runtime needs at least \
             one worker; use a positive integer, e.g. `worker_threads = 4`"
        );
        assert_eq!(
            err(
                quote!(worker_threads = 100000000000000000000000),
                EntryKind::Main
            ),
            format!("{expected} (this one does not fit in a `usize`)")
        );
        assert_eq!(
            err(quote!(worker_threads), EntryKind::Main),
            "option `worker_threads` needs a value: a positive integer literal, \
             e.g. `worker_threads = 4`"
        );
    }

    #[test]
    fn worker_threads_needs_multi_thread() {
        let explicit = err(
            quote!(flavor = "current_thread", worker_threads = 2),
            EntryKind::Main,
        );
        assert_eq!(
            explicit,
            "`worker_threads` is only allowed with `flavor = \"multi_thread\"`; \
             the current_thread flavor runs every task on the calling thread. \
             Remove `worker_threads` or write \
             `#[mini_runtime::main(flavor = \"multi_thread\", worker_threads = N)]`"
        );
        // `test` defaults to current_thread, so `worker_threads` alone is an error.
        assert_eq!(
            err(quote!(worker_threads = 2), EntryKind::Test),
            "`worker_threads` is only allowed with `flavor = \"multi_thread\"`, and \
             #[mini_runtime::test] uses the current_thread flavor by default; write \
             `#[mini_runtime::test(flavor = \"multi_thread\", worker_threads = N)]`"
        );
    }

    #[test]
    fn duplicates() {
        assert_eq!(
            err(
                quote!(flavor = "multi_thread", flavor = "multi_thread"),
                EntryKind::Main
            ),
            "duplicate option `flavor`; each option may be given at most once"
        );
        assert_eq!(
            err(
                quote!(worker_threads = 1, worker_threads = 2),
                EntryKind::Main
            ),
            "duplicate option `worker_threads`; each option may be given at most once"
        );
    }

    #[test]
    fn malformed_arguments() {
        let msg = err(
            quote!(flavor = "multi_thread"; worker_threads = 2),
            EntryKind::Main,
        );
        assert!(
            msg.ends_with(
                "; #[mini_runtime::main] options are written `name = value`, separated by \
                 commas; allowed options: `flavor`, `worker_threads`"
            ),
            "{msg}"
        );
    }

    #[test]
    fn every_error_is_reported() {
        let e = parse_options(quote!(flavour = 1, worker_threads = 0), EntryKind::Main)
            .expect_err("two errors");
        let messages: Vec<String> = e.into_iter().map(|e| e.to_string()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].starts_with("unknown option `flavour`"));
        assert!(messages[1].starts_with("`worker_threads = 0` is not allowed"));
    }

    fn check(item: TokenStream, kind: EntryKind) -> Result<(), String> {
        let item: ItemFn = syn::parse2(item).expect("an fn item");
        check_fn(&item, kind).map_err(|e| e.to_string())
    }

    #[test]
    fn function_checks() {
        assert_eq!(
            check(
                quote!(
                    async fn main() {}
                ),
                EntryKind::Main
            ),
            Ok(())
        );
        assert_eq!(
            check(
                quote!(
                    pub async fn main() -> Result<(), Box<dyn Error>> {
                        Ok(())
                    }
                ),
                EntryKind::Main
            ),
            Ok(())
        );
        assert_eq!(
            check(
                quote!(
                    fn main() {}
                ),
                EntryKind::Main
            ),
            Err(
                "the `async` keyword is missing from the function declaration; \
                 #[mini_runtime::main] only applies to an `async fn`, e.g. `async fn main()`"
                    .into()
            )
        );
        assert_eq!(
            check(
                quote!(
                    fn my_test() {}
                ),
                EntryKind::Test
            ),
            Err(
                "the `async` keyword is missing from the function declaration; \
                 #[mini_runtime::test] only applies to an `async fn`, e.g. `async fn my_test()`"
                    .into()
            )
        );
        assert_eq!(
            check(
                quote!(
                    async fn main(args: Vec<String>) {}
                ),
                EntryKind::Main
            ),
            Err(
                "a #[mini_runtime::main] function must take no arguments, e.g. `async fn main()`"
                    .into()
            )
        );
        assert_eq!(
            check(quote!(async fn t(x: u8) {}), EntryKind::Test),
            Err(
                "a #[mini_runtime::test] function must take no arguments, e.g. `async fn my_test()`"
                    .into()
            )
        );
        assert_eq!(
            check(
                quote!(
                    async fn main<T>() {}
                ),
                EntryKind::Main
            ),
            Err(
                "a #[mini_runtime::main] function cannot be generic; remove the generic \
                 parameters, e.g. `async fn main()`"
                    .into()
            )
        );
        let second = "second test attribute: #[mini_runtime::test] already adds `#[test]`; \
                      remove this one";
        assert_eq!(
            check(
                quote!(
                    #[test]
                    async fn t() {}
                ),
                EntryKind::Test
            ),
            Err(second.into())
        );
        assert_eq!(
            check(
                quote!(
                    #[::core::prelude::v1::test]
                    async fn t() {}
                ),
                EntryKind::Test
            ),
            Err(second.into())
        );
        // Other attributes are fine, and `#[test]` is only checked for `test`.
        assert_eq!(
            check(
                quote!(
                    #[should_panic(expected = "x")]
                    #[ignore]
                    async fn t() {}
                ),
                EntryKind::Test
            ),
            Ok(())
        );
    }

    #[test]
    fn check_reports_every_problem() {
        let item: ItemFn = syn::parse2(quote!(
            fn main(x: u8) {}
        ))
        .expect("fn");
        let e = check_fn(&item, EntryKind::Main).expect_err("two problems");
        assert_eq!(e.into_iter().count(), 2);
    }

    fn expanded(args: TokenStream, item: TokenStream, kind: EntryKind) -> String {
        entry(args, item, kind).to_string()
    }

    #[test]
    fn expansion_shape() {
        let out = expanded(
            quote!(),
            quote!(
                async fn main() -> Result<(), Box<dyn Error>> {
                    Ok(())
                }
            ),
            EntryKind::Main,
        );
        assert!(
            out.starts_with("fn main () -> Result < () , Box < dyn Error > > {"),
            "{out}"
        );
        assert!(
            out.contains(
                "async fn __mini_runtime_body () -> Result < () , Box < dyn Error > > { Ok (()) }"
            ),
            "{out}"
        );
        assert!(out.contains("= :: mini_runtime :: runtime :: Builder :: new_multi_thread () . enable_all () . build () . expect (\"Failed building the mini_runtime runtime\") ;"), "{out}");
        assert!(
            out.contains("__mini_runtime_rt . block_on (__mini_runtime_body ())"),
            "{out}"
        );

        let out = expanded(
            quote!(flavor = "multi_thread", worker_threads = 3),
            quote!(
                #[ignore]
                pub(crate) async fn t() {}
            ),
            EntryKind::Test,
        );
        assert!(
            out.starts_with(
                "# [:: core :: prelude :: v1 :: test] # [ignore] pub (crate) fn t () {"
            ),
            "{out}"
        );
        assert!(
            out.contains("new_multi_thread () . worker_threads (3) . enable_all ()"),
            "{out}"
        );

        let out = expanded(
            quote!(),
            quote!(
                async fn t() {}
            ),
            EntryKind::Test,
        );
        assert!(
            out.contains("Builder :: new_current_thread () . enable_all ()"),
            "{out}"
        );
    }

    #[test]
    fn errors_still_expand() {
        // A bad option: the error plus a *sync* function with the defaults.
        let out = expanded(
            quote!(flavour = "x"),
            quote!(
                async fn main() {}
            ),
            EntryKind::Main,
        );
        assert!(out.starts_with(":: core :: compile_error !"), "{out}");
        assert!(out.contains("fn main () {"), "{out}");
        assert!(out.contains("new_multi_thread ()"), "{out}");
        // A bad function: the error plus the item unchanged.
        let out = expanded(
            quote!(),
            quote!(
                fn main() {}
            ),
            EntryKind::Main,
        );
        assert!(out.starts_with(":: core :: compile_error !"), "{out}");
        assert!(out.ends_with("fn main () { }"), "{out}");
        // Not a function at all.
        let out = expanded(
            quote!(),
            quote!(
                struct S;
            ),
            EntryKind::Main,
        );
        assert!(out.contains("only applies to an `async fn`"), "{out}");
    }
}
