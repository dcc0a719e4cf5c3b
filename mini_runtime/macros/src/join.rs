//! `join!(a, b, ...)`: run several futures concurrently *inside the current
//! task* and wait for all of them.
//!
//! No task is spawned: the `join!` expression is itself one future (a
//! `poll_fn`) that polls every unfinished input each time it is polled.
//! Whichever input was woken, the others get a (cheap, spurious) poll too;
//! that keeps the code short, which is the point here. Tokio's `join!` does
//! the same but rotates the starting input for fairness.
//!
//! Each input lives in a pinned `Option` on the stack: `Some(future)` while
//! it runs, `None` once it finished (`Pin::set(None)` drops the finished
//! future right away, like Tokio's `MaybeDone`). The outputs wait in plain
//! `Option`s until the last input is done. Pinning with `core::pin::pin!`
//! and `Option::as_pin_mut` needs no `unsafe`, so the futures need not be
//! `Unpin`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, Token};

/// Parses `a, b, c` (a trailing comma is allowed).
pub(crate) fn parse(input: TokenStream) -> syn::Result<Vec<Expr>> {
    let exprs = Punctuated::<Expr, Token![,]>::parse_terminated
        .parse2(input)
        .map_err(|e| {
            syn::Error::new(
                e.span(),
                format!("{e}; join! expects futures separated by commas: `join!(a, b, c)`"),
            )
        })?;
    Ok(exprs.into_iter().collect())
}

/// Writes the expansion. For `join!(a, b)`:
///
/// ```text
/// {
///     // Evaluate the inputs in order; pin each on the stack.
///     let mut fut0 = pin!(Some(IntoFuture::into_future(a)));
///     let mut fut1 = pin!(Some(IntoFuture::into_future(b)));
///     let mut out0 = None;
///     let mut out1 = None;
///     poll_fn(|cx| {
///         let mut all_done = true;
///         if let Some(f) = fut0.as_mut().as_pin_mut() {
///             match f.poll(cx) {
///                 Ready(v) => { out0 = Some(v); fut0.set(None); } // drop it now
///                 Pending => all_done = false,
///             }
///         }
///         /* ... the same for fut1 ... */
///         if all_done { Ready((out0.take().unwrap(), out1.take().unwrap())) }
///         else { Pending }
///     })
///     .await
/// }
/// ```
pub(crate) fn expand(futures: &[Expr]) -> TokenStream {
    if futures.is_empty() {
        // Nothing to wait for: the empty tuple, at once.
        return quote!(());
    }
    let support = quote!(::mini_runtime::macros_support);
    // Mixed-site names: invisible to (and unaffected by) the user's code.
    let fut: Vec<_> = (0..futures.len())
        .map(|i| format_ident!("__join_fut{}", i, span = Span::mixed_site()))
        .collect();
    let out: Vec<_> = (0..futures.len())
        .map(|i| format_ident!("__join_out{}", i, span = Span::mixed_site()))
        .collect();
    let cx = format_ident!("__join_cx", span = Span::mixed_site());
    let all_done = format_ident!("__join_all_done", span = Span::mixed_site());
    let f = format_ident!("__join_f", span = Span::mixed_site());
    let v = format_ident!("__join_v", span = Span::mixed_site());

    // exercise(join): begin: write the expansion: pin every input, then one poll_fn that polls the unfinished ones until all are Ready
    // exercise(join): stub: let _ = (support, fut, out, cx, all_done, f, v, futures);
    // exercise(join): stub: {todo}
    quote! {{
        // 1. Evaluate every input, in order, and pin it on the stack.
        #(
            let mut #fut = ::core::pin::pin!(::core::option::Option::Some(
                #support::IntoFuture::into_future(#futures)
            ));
        )*
        // 2. Where each output waits for the others.
        #( let mut #out = ::core::option::Option::None; )*
        // 3. One future that polls every unfinished input.
        #support::poll_fn(|#cx: &mut #support::Context<'_>| {
            let mut #all_done = true;
            #(
                if let ::core::option::Option::Some(#f) = #fut.as_mut().as_pin_mut() {
                    match #support::Future::poll(#f, #cx) {
                        #support::Poll::Ready(#v) => {
                            #out = ::core::option::Option::Some(#v);
                            // Drop the finished future now, not at the end.
                            #fut.set(::core::option::Option::None);
                        }
                        #support::Poll::Pending => #all_done = false,
                    }
                }
            )*
            if #all_done {
                #support::Poll::Ready((
                    #( #out.take().expect("join! output taken twice"), )*
                ))
            } else {
                #support::Poll::Pending
            }
        })
        .await
    }}
    // exercise(join): end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_expressions() {
        assert_eq!(parse(quote!()).expect("empty").len(), 0);
        assert_eq!(parse(quote!(a)).expect("one").len(), 1);
        assert_eq!(
            parse(quote!(a, b.c(), async { 1 },)).expect("three").len(),
            3
        );
    }

    #[test]
    fn rejects_garbage() {
        let Err(e) = parse(quote!(a; b)) else {
            panic!("a semicolon should be rejected")
        };
        let e = e.to_string();
        assert!(
            e.ends_with("; join! expects futures separated by commas: `join!(a, b, c)`"),
            "{e}"
        );
    }

    #[test]
    fn expansion_shape() {
        assert_eq!(expand(&[]).to_string(), "()");
        let out = expand(&parse(quote!(a, b)).expect("two")).to_string();
        assert!(out.contains("IntoFuture :: into_future (a)"), "{out}");
        assert!(out.contains("IntoFuture :: into_future (b)"), "{out}");
        assert!(
            out.contains(":: mini_runtime :: macros_support :: poll_fn"),
            "{out}"
        );
        assert!(out.ends_with(". await }"), "{out}");
        // A one-element tuple keeps its comma.
        let out = expand(&parse(quote!(a)).expect("one")).to_string();
        assert!(
            out.contains("expect (\"join! output taken twice\") ,)"),
            "{out}"
        );
    }
}
