//! `select!`: wait on several futures at once, run the handler of the first
//! one that completes (and matches its pattern), drop the rest.
//!
//! ```text
//! select! {
//!     biased;                                   // optional: poll in order
//!     <pattern> = <future> (, if <precondition>)? => <handler>,
//!     ...
//!     else => <expression>,                     // optional
//! }
//! ```
//!
//! # Semantics (Tokio's)
//!
//! 1. Every precondition is evaluated, in order. A branch whose
//!    precondition is `false` is disabled.
//! 2. Every future expression is evaluated, in order, *including the
//!    disabled branches'* (as Tokio does; their futures are simply never
//!    polled), and pinned on the stack.
//! 3. One `poll_fn` polls the enabled branches, starting at a random branch
//!    (or at the first with `biased;`). A branch that completes is disabled
//!    (it is never polled again); if its output matches the pattern, it
//!    wins, otherwise the search goes on with the others.
//! 4. When every branch is disabled, the result is "no winner".
//! 5. The futures are dropped (winner and losers), *then* the winner's
//!    handler runs, outside the `poll_fn` closure, so it can `.await`,
//!    `return`, `?`, `break` and `continue` like any code written in the
//!    enclosing function or loop. With no winner, the `else` expression runs,
//!    or, without one, `select!` panics with "all branches are disabled and
//!    there is no else branch".
//!
//! # Checking a pattern without consuming the value
//!
//! In step 3 the output must be tested against the pattern *inside* the
//! closure (a mismatch means "keep polling"), but the bindings are made
//! later, outside. So the test matches on a reference, `match &out { .. }`,
//! with a copy of the pattern whose binding modifiers (`mut x`, `ref x`)
//! and reference patterns (`&x`) are removed: written under a reference,
//! those are errors in edition 2024 ("cannot mutably bind by value within an
//! implicitly-borrowing pattern"). Removing them never changes *whether* a
//! value matches, only how it would bind.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream};
use syn::{Expr, Pat, Token};

/// The most branches one `select!` can have: the disabled set is a `u64`.
pub(crate) const MAX_BRANCHES: usize = 64;

const BRANCH_SHAPE: &str = "a select! branch is `<pattern> = <future> => <handler>`, \
                            optionally `<pattern> = <future>, if <condition> => <handler>`";

/// One `<pattern> = <future> (, if <precondition>)? => <handler>`.
pub(crate) struct Branch {
    /// Matched against the future's output.
    pub(crate) pat: Pat,
    /// The future (anything `IntoFuture`).
    pub(crate) fut: Expr,
    /// The `if` precondition, if any.
    pub(crate) cond: Option<Expr>,
    /// Evaluated, with the pattern's bindings, when this branch wins.
    pub(crate) handler: Expr,
}

/// The whole macro input.
pub(crate) struct SelectInput {
    /// `biased;` was given: poll branches in declaration order.
    pub(crate) biased: bool,
    /// The branches, in declaration order.
    pub(crate) branches: Vec<Branch>,
    /// The `else` expression, if any.
    pub(crate) else_handler: Option<Expr>,
}

/// Handlers that may omit the comma after them, as in a `match`.
fn is_block_like(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::Block(_)
            | Expr::If(_)
            | Expr::Match(_)
            | Expr::Loop(_)
            | Expr::While(_)
            | Expr::ForLoop(_)
            | Expr::Unsafe(_)
            | Expr::Const(_)
            | Expr::TryBlock(_)
    )
}

/// An error at the next token (or the end of the input), without syn's
/// "unexpected end of input" prefix.
fn error_at(input: ParseStream, message: impl std::fmt::Display) -> syn::Error {
    syn::Error::new(input.span(), message)
}

/// After a handler: a comma, the end, or (after a block) the next branch.
fn parse_separator(input: ParseStream, handler: &Expr) -> syn::Result<()> {
    if input.is_empty() {
        return Ok(());
    }
    if input.peek(Token![,]) {
        input.parse::<Token![,]>()?;
        return Ok(());
    }
    if is_block_like(handler) {
        return Ok(());
    }
    Err(error_at(
        input,
        "expected `,` after this handler; only a block handler such as `{ ... }` \
         may omit the comma",
    ))
}

impl Parse for SelectInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        // `biased;` (an identifier followed by `;`) must come first.
        let mut biased = false;
        if input.peek(syn::Ident) && input.peek2(Token![;]) {
            let ident: syn::Ident = input.parse()?;
            if ident != "biased" {
                return Err(syn::Error::new_spanned(
                    &ident,
                    format!(
                        "unknown select! option `{ident};`; the only option is `biased;`, \
                         written before the first branch"
                    ),
                ));
            }
            input.parse::<Token![;]>()?;
            biased = true;
        }

        let mut branches = Vec::new();
        let mut else_handler = None;
        while !input.is_empty() {
            if input.peek(Token![else]) {
                let else_token: Token![else] = input.parse()?;
                if else_handler.is_some() {
                    return Err(syn::Error::new_spanned(
                        else_token,
                        "select! accepts at most one `else => <expression>` branch",
                    ));
                }
                if !input.peek(Token![=>]) {
                    return Err(error_at(
                        input,
                        "expected `=>` after `else`: `else => <expression>`",
                    ));
                }
                input.parse::<Token![=>]>()?;
                let handler = Expr::parse_with_earlier_boundary_rule(input)?;
                parse_separator(input, &handler)?;
                else_handler = Some(handler);
                continue;
            }

            if input.peek(Token![;]) {
                return Err(error_at(
                    input,
                    "unexpected `;`: `biased;` must be the first thing in select!, \
                     and branches are separated by commas",
                ));
            }
            let pat = Pat::parse_multi_with_leading_vert(input)?;
            if input.peek(Token![=>]) || !input.peek(Token![=]) {
                return Err(error_at(
                    input,
                    format!("expected `= <future>` after the pattern; {BRANCH_SHAPE}"),
                ));
            }
            input.parse::<Token![=]>()?;
            let fut: Expr = input.parse()?;
            let cond = if input.peek(Token![,]) && input.peek2(Token![if]) {
                input.parse::<Token![,]>()?;
                input.parse::<Token![if]>()?;
                Some(input.parse::<Expr>()?)
            } else {
                None
            };
            if !input.peek(Token![=>]) {
                return Err(error_at(
                    input,
                    format!("expected `=> <handler>` after the future; {BRANCH_SHAPE}"),
                ));
            }
            input.parse::<Token![=>]>()?;
            let handler = Expr::parse_with_earlier_boundary_rule(input)?;
            parse_separator(input, &handler)?;

            if branches.len() == MAX_BRANCHES {
                return Err(syn::Error::new_spanned(
                    &pat,
                    format!("select! supports at most {MAX_BRANCHES} branches"),
                ));
            }
            branches.push(Branch {
                pat,
                fut,
                cond,
                handler,
            });
        }

        if branches.is_empty() {
            return Err(syn::Error::new(
                Span::call_site(),
                format!("select! needs at least one branch; {BRANCH_SHAPE}"),
            ));
        }
        Ok(SelectInput {
            biased,
            branches,
            else_handler,
        })
    }
}

/// A copy of `pat` that can test a value through a reference in any
/// edition: no `mut`/`ref`/`ref mut` on bindings, no `&`/`&mut` patterns,
/// no leading `|`. It matches exactly the values `pat` matches.
pub(crate) fn check_pattern(pat: &Pat) -> Pat {
    let mut pat = pat.clone();
    strip_for_check(&mut pat);
    pat
}

fn strip_for_check(pat: &mut Pat) {
    match pat {
        Pat::Ident(p) => {
            p.by_ref = None;
            p.mutability = None;
            if let Some((_, sub)) = &mut p.subpat {
                strip_for_check(sub);
            }
        }
        Pat::Reference(r) => {
            // `&inner` -> `inner`: under a reference, match ergonomics
            // looks through the reference by itself.
            let mut inner = (*r.pat).clone();
            strip_for_check(&mut inner);
            *pat = inner;
        }
        Pat::Or(o) => {
            o.leading_vert = None;
            o.cases.iter_mut().for_each(strip_for_check);
        }
        Pat::Paren(p) => strip_for_check(&mut p.pat),
        Pat::Slice(s) => s.elems.iter_mut().for_each(strip_for_check),
        Pat::Tuple(t) => t.elems.iter_mut().for_each(strip_for_check),
        Pat::TupleStruct(t) => t.elems.iter_mut().for_each(strip_for_check),
        Pat::Struct(s) => s
            .fields
            .iter_mut()
            .for_each(|f| strip_for_check(&mut f.pat)),
        Pat::Type(t) => strip_for_check(&mut t.pat),
        // Literals, ranges, paths, constants, `_`, `..`, macros: no bindings.
        _ => {}
    }
}

/// The pattern as written, minus a leading `|` (it is nested in
/// `Branch0(...)` in the expansion).
fn bind_pattern(pat: &Pat) -> Pat {
    let mut pat = pat.clone();
    if let Pat::Or(o) = &mut pat {
        o.leading_vert = None;
    }
    pat
}

/// Writes the expansion. For two branches and no `biased;`:
///
/// ```text
/// {
///     enum Out<T0, T1> { Branch0(T0), Branch1(T1), Disabled }
///     let output = {
///         let mut disabled: u64 = 0;
///         if !(cond0) { disabled |= 1 << 0; }              // preconditions first
///         let mut fut0 = pin!(IntoFuture::into_future(fut_expr0));
///         let mut fut1 = pin!(IntoFuture::into_future(fut_expr1));
///         poll_fn(|cx| {
///             if disabled == 0b11 { return Ready(Out::Disabled); }
///             let start = thread_rng_n(2);                    // fairness
///             for i in 0..2 {
///                 let branch = (start + i) % 2;
///                 if disabled & (1 << branch) != 0 { continue; }
///                 match branch {
///                     0 => {
///                         let out = match fut0.as_mut().poll(cx) {
///                             Ready(v) => v,
///                             Pending => continue,
///                         };
///                         disabled |= 1 << 0;                 // done: never poll again
///                         match &out { <check pattern 0> => {}, _ => continue }
///                         return Ready(Out::Branch0(out));
///                     }
///                     1 => { /* the same for fut1 */ }
///                     _ => unreachable!(),
///                 }
///             }
///             if disabled == 0b11 { Ready(Out::Disabled) } else { Pending }
///         })
///         .await
///     }; // <- every branch future is dropped here, before any handler runs
///     match output {
///         Out::Branch0(<pattern 0>) => <handler 0>,
///         Out::Branch1(<pattern 1>) => <handler 1>,
///         Out::Disabled => <else expression, or panic!>,
///         _ => unreachable!(),                                // patterns were checked
///     }
/// }
/// ```
pub(crate) fn expand(input: &SelectInput) -> TokenStream {
    let support = quote!(::mini_runtime::macros_support);
    let n = input.branches.len();
    let n_u32 = u32::try_from(n).expect("at most 64 branches");
    let all_disabled: u64 = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };

    // Mixed-site names: the user's patterns, futures and handlers can
    // neither see nor shadow them.
    let ident = |name: &str| format_ident!("{}", name, span = Span::mixed_site());
    let out_enum = ident("__SelectOutput");
    let output = ident("__select_output");
    let disabled = ident("__select_disabled");
    let cx = ident("__select_cx");
    let start = ident("__select_start");
    let i = ident("__select_i");
    let branch = ident("__select_branch");
    let value = ident("__select_value");
    let v = ident("__select_v");

    let indices: Vec<u32> = (0..n_u32).collect();
    let generics: Vec<_> = (0..n).map(|k| ident(&format!("T{k}"))).collect();
    let variants: Vec<_> = (0..n).map(|k| ident(&format!("Branch{k}"))).collect();
    let futs: Vec<_> = (0..n).map(|k| ident(&format!("__select_fut{k}"))).collect();

    // Step 1: preconditions, in order.
    let preconditions = input.branches.iter().zip(&indices).filter_map(|(b, k)| {
        b.cond.as_ref().map(|cond| {
            quote! {
                if !(#cond) {
                    #disabled |= 1u64 << #k;
                }
            }
        })
    });

    // Step 2: future expressions, in order, pinned on the stack.
    let fut_exprs = input.branches.iter().map(|b| &b.fut);

    // Step 3: how to poll branch k.
    let poll_arms = input
        .branches
        .iter()
        .zip(&indices)
        .zip(futs.iter().zip(&variants))
        .map(|((b, k), (fut, variant))| {
            let check = check_pattern(&b.pat);
            // exercise(select): begin: the code that polls branch k: Pending -> try the next branch; Ready -> disable it, and win if the pattern matches
            // exercise(select): stub: let _ = (check, fut, variant, &value, &v);
            // exercise(select): stub: // Until you write it, every select! stops the build with this message:
            // exercise(select): stub: quote!(#k => ::core::compile_error!("exercise select: write the code that polls one branch"),)
            quote! {
                #k => {
                    let #value = match #support::Future::poll(#fut.as_mut(), #cx) {
                        #support::Poll::Ready(#v) => #v,
                        #support::Poll::Pending => continue,
                    };
                    // Finished: never poll it again, whether or not it matches.
                    #disabled |= 1u64 << #k;
                    // Does the output match the pattern? (Tested through a
                    // reference: the value itself is bound later.)
                    #[allow(unused_variables)]
                    match &#value {
                        #check => {}
                        #[allow(unreachable_patterns)]
                        _ => continue,
                    }
                    return #support::Poll::Ready(#out_enum::#variant(#value));
                }
            }
            // exercise(select): end
        });

    // Where the search starts: random for fairness, 0 when biased.
    let (start_value, branch_of) = if input.biased || n == 1 {
        (quote!(0u32), quote!(#i))
    } else {
        (
            quote!(#support::thread_rng_n(#n_u32)),
            quote!((#start + #i) % #n_u32),
        )
    };

    // Step 5: handlers, outside the closure.
    let handler_arms = input.branches.iter().zip(&variants).map(|(b, variant)| {
        let pat = bind_pattern(&b.pat);
        let handler = &b.handler;
        quote!(#out_enum::#variant(#pat) => #handler,)
    });
    let no_winner = match &input.else_handler {
        Some(expr) => quote!(#expr),
        None => quote!(::core::panic!(
            "all branches are disabled and there is no else branch"
        )),
    };

    quote! {{
        // One variant per branch, carrying that branch's output.
        #[allow(dead_code, clippy::large_enum_variant)]
        enum #out_enum<#(#generics),*> {
            #( #variants(#generics), )*
            Disabled,
        }

        let #output = {
            // Bit k set = branch k is disabled (precondition false, or its
            // future already completed).
            let mut #disabled: u64 = 0;
            #( #preconditions )*

            // Every future expression, evaluated in order, pinned in place.
            #(
                let mut #futs = ::core::pin::pin!(
                    #support::IntoFuture::into_future(#fut_exprs)
                );
            )*

            #support::poll_fn(|#cx: &mut #support::Context<'_>| {
                if #disabled == #all_disabled {
                    return #support::Poll::Ready(#out_enum::Disabled);
                }
                let #start: u32 = #start_value;
                for #i in 0..#n_u32 {
                    let #branch: u32 = #branch_of;
                    if #disabled & (1u64 << #branch) != 0 {
                        continue;
                    }
                    match #branch {
                        #( #poll_arms )*
                        _ => ::core::unreachable!(),
                    }
                }
                if #disabled == #all_disabled {
                    #support::Poll::Ready(#out_enum::Disabled)
                } else {
                    #support::Poll::Pending
                }
            })
            .await
        }; // Every branch future (winner and losers) is dropped here.

        // The winner's handler runs in the caller's context.
        match #output {
            #( #handler_arms )*
            #out_enum::Disabled => #no_winner,
            #[allow(unreachable_patterns)]
            _ => ::core::unreachable!("select!: the winning output was checked against its pattern"),
        }
    }}
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    fn parse(tokens: TokenStream) -> syn::Result<SelectInput> {
        syn::parse2(tokens)
    }

    fn err(tokens: TokenStream) -> String {
        match parse(tokens) {
            Ok(_) => panic!("should be rejected"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn parses_branches() {
        let input = parse(quote! {
            Some(x) = a => x,
            v = b, if ready => { v }
            (p, q) = c => p + q
        })
        .expect("valid");
        assert!(!input.biased);
        assert_eq!(input.branches.len(), 3);
        assert!(input.branches[0].cond.is_none());
        assert!(input.branches[1].cond.is_some());
        // The block handler ended at `}`: `(p, q)` is the next pattern, not a call.
        assert_eq!(
            input.branches[2].pat.to_token_stream().to_string(),
            "(p , q)"
        );
        assert!(input.else_handler.is_none());
    }

    #[test]
    fn parses_biased_and_else() {
        let input = parse(quote! {
            biased;
            _ = a => 1,
            else => 2,
        })
        .expect("valid");
        assert!(input.biased);
        assert_eq!(input.branches.len(), 1);
        assert!(input.else_handler.is_some());

        // `biased` without `;` is just a pattern.
        let input = parse(quote!(biased = a => biased)).expect("valid");
        assert!(!input.biased);
        assert_eq!(input.branches.len(), 1);
    }

    #[test]
    fn parse_errors() {
        assert_eq!(
            err(quote!()),
            "select! needs at least one branch; a select! branch is \
             `<pattern> = <future> => <handler>`, optionally \
             `<pattern> = <future>, if <condition> => <handler>`"
        );
        assert!(err(quote!(else => 1)).starts_with("select! needs at least one branch"));
        assert_eq!(
            err(quote!(fair; x = a => x)),
            "unknown select! option `fair;`; the only option is `biased;`, \
             written before the first branch"
        );
        assert!(
            err(quote!(x => x)).starts_with("expected `= <future>` after the pattern; "),
            "{}",
            err(quote!(x => x))
        );
        assert!(err(quote!(x = a)).starts_with("expected `=> <handler>` after the future; "));
        assert!(err(quote!(x = a, => x)).starts_with("expected `=> <handler>` after the future; "));
        assert_eq!(
            err(quote!(x = a => x y = b => y)),
            "expected `,` after this handler; only a block handler such as `{ ... }` \
             may omit the comma"
        );
        assert_eq!(
            err(quote!(x = a => x, else => 1, else => 2)),
            "select! accepts at most one `else => <expression>` branch"
        );
        assert_eq!(
            err(quote!(x = a => x, else 1)),
            "expected `=>` after `else`: `else => <expression>`"
        );
        assert!(err(quote!(x = a => { x }; y = b => y)).starts_with("unexpected `;`"));
        assert!(err(quote!(x = a => x; y = b => y)).starts_with("expected `,` after this handler"));
    }

    #[test]
    fn at_most_64_branches() {
        let branches = |n: usize| {
            let b = (0..n).map(|_| quote!(x = a => x,));
            quote!(#(#b)*)
        };
        assert_eq!(parse(branches(64)).expect("64 is fine").branches.len(), 64);
        assert_eq!(err(branches(65)), "select! supports at most 64 branches");
    }

    fn checked(pat: TokenStream) -> String {
        let pat = Pat::parse_multi_with_leading_vert
            .parse2(pat)
            .expect("a pattern");
        check_pattern(&pat).to_token_stream().to_string()
    }

    use syn::parse::Parser;

    #[test]
    fn check_pattern_strips_binding_modes() {
        assert_eq!(checked(quote!(x)), "x");
        assert_eq!(checked(quote!(mut x)), "x");
        assert_eq!(checked(quote!(Some(mut x))), "Some (x)");
        assert_eq!(checked(quote!(Some(ref mut x))), "Some (x)");
        assert_eq!(checked(quote!(Ok(&x))), "Ok (x)");
        assert_eq!(checked(quote!(&mut (a, ref b))), "(a , b)");
        assert_eq!(checked(quote!(p @ Some(&1..=3))), "p @ Some (1 ..= 3)");
        assert_eq!(
            checked(quote!(S { mut a, b: ref c, .. })),
            "S { a , b : c , .. }"
        );
        assert_eq!(
            checked(quote!([first, ref rest @ ..])),
            "[first , rest @ ..]"
        );
        assert_eq!(checked(quote!(|None| Some(0))), "None | Some (0)");
        assert_eq!(checked(quote!(_)), "_");
    }

    #[test]
    fn expansion_shape() {
        let input = parse(quote! {
            Some(mut x) = a, if go => x,
            _ = b => 0,
            else => 1,
        })
        .expect("valid");
        let out = expand(&input).to_string();
        assert!(
            out.contains(
                "enum __SelectOutput < T0 , T1 > { Branch0 (T0) , Branch1 (T1) , Disabled , }"
            ),
            "{out}"
        );
        assert!(
            out.contains("if ! (go) { __select_disabled |= 1u64 << 0u32 ; }"),
            "{out}"
        );
        assert!(
            out.contains(":: mini_runtime :: macros_support :: thread_rng_n (2u32)"),
            "{out}"
        );
        assert!(
            out.contains("match & __select_value { Some (x) => { }"),
            "{out}"
        );
        assert!(
            out.contains("__SelectOutput :: Branch0 (Some (mut x)) => x ,"),
            "{out}"
        );
        assert!(out.contains("__SelectOutput :: Disabled => 1 ,"), "{out}");

        let input = parse(quote!(biased; x = a => x)).expect("valid");
        let out = expand(&input).to_string();
        assert!(!out.contains("thread_rng_n"), "{out}");
        assert!(
            out.contains("all branches are disabled and there is no else branch"),
            "{out}"
        );
    }
}
