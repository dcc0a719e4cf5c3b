//! Conformance behaviours of the channels: `sync::oneshot` and
//! `sync::mpsc` (bounded and unbounded). Written once, run on every
//! flavour; Tokio is the reference that proves each test right.
//!
//! (`recv` inside `select!` is in `combinators.rs`, with the macros.)

use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::Duration;

use super::facade::{
    OneshotTryRecvError, Rt, RtJoinHandle, RtOneshotReceiver, RtOneshotSender, RtReceiver,
    RtSender, RtUnboundedSender, TryRecvError, TrySendError,
};
use super::util::{DropCounter, poll_once, turns, until};

conformance_tests! {
    oneshot_value_sent_from_a_task_is_received,
    oneshot_dropping_the_sender_gives_a_recv_error,
    oneshot_send_after_the_receiver_is_gone_gives_the_value_back,
    oneshot_try_recv_reports_empty_then_the_value_then_closed,
    oneshot_sender_closed_completes_when_the_receiver_is_dropped,
    oneshot_blocking_recv_on_a_plain_thread,
    oneshot_send_from_a_plain_thread_wakes_the_receiving_task,
    oneshot_unreceived_value_is_dropped_once,
    mpsc_messages_arrive_in_send_order,
    mpsc_each_senders_messages_stay_in_order,
    mpsc_try_send_reports_full_at_capacity,
    mpsc_send_waits_for_capacity,
    mpsc_the_buffer_never_holds_more_than_the_capacity,
    mpsc_recv_gives_none_after_every_sender_is_dropped,
    mpsc_recv_waiting_when_the_last_sender_drops_gets_none,
    mpsc_close_stops_senders_but_keeps_buffered_messages,
    mpsc_close_wakes_a_sender_waiting_for_capacity,
    mpsc_send_after_the_receiver_is_dropped_gives_the_value_back,
    mpsc_sender_closed_completes_when_the_receiver_is_dropped,
    mpsc_a_dropped_send_future_sends_nothing,
    mpsc_blocking_send_and_recv_on_plain_threads,
    mpsc_send_from_a_plain_thread_wakes_a_parked_receiver,
    mpsc_buffered_messages_are_dropped_with_the_receiver,
    unbounded_send_never_waits_and_keeps_order,
    unbounded_receiver_closes_like_the_bounded_one,
}

// ---------------------------------------------------------------------------
// oneshot

/// A value sent (once the receiver waits, and before it waits) is
/// received by awaiting the receiver; `send` reports success.
fn oneshot_value_sent_from_a_task_is_received<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let (tx, rx) = R::oneshot::<String>();
        let sender = R::spawn(async move {
            R::yield_now().await;
            tx.send("hello".to_owned())
        });
        assert_eq!(rx.await.unwrap(), "hello");
        assert!(sender.await.unwrap().is_ok());

        let (tx, rx) = R::oneshot();
        assert!(tx.send(5).is_ok());
        assert_eq!(R::spawn(rx).await.unwrap().unwrap(), 5);
    });
}

/// Dropping the sender without sending makes the waiting receiver give a
/// `RecvError` ("channel closed").
fn oneshot_dropping_the_sender_gives_a_recv_error<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let (tx, rx) = R::oneshot::<u8>();
        let waiter = R::spawn(rx);
        turns::<R>(3).await;
        drop(tx);
        let err = waiter.await.unwrap().unwrap_err();
        assert_eq!(err.to_string(), "channel closed");
    });
}

/// Once the receiver is dropped (or closed), the sender sees
/// `is_closed()` and `send` gives the value back as `Err(value)`.
fn oneshot_send_after_the_receiver_is_gone_gives_the_value_back<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let (tx, rx) = R::oneshot::<Vec<u8>>();
        assert!(!tx.is_closed());
        drop(rx);
        assert!(tx.is_closed());
        assert_eq!(tx.send(vec![1, 2]), Err(vec![1, 2]));

        let (tx, mut rx) = R::oneshot::<u8>();
        rx.close();
        assert!(tx.is_closed());
        assert_eq!(tx.send(3), Err(3));
        assert!(rx.await.is_err());
    });
}

/// `try_recv` gives `Empty` before the send, the value after it, and
/// `Closed` once the value was taken or the sender dropped.
fn oneshot_try_recv_reports_empty_then_the_value_then_closed<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let (tx, mut rx) = R::oneshot::<u8>();
        assert_eq!(rx.try_recv(), Err(OneshotTryRecvError::Empty));
        tx.send(4).unwrap();
        assert_eq!(rx.try_recv(), Ok(4));
        assert_eq!(rx.try_recv(), Err(OneshotTryRecvError::Closed));

        let (tx, mut rx) = R::oneshot::<u8>();
        drop(tx);
        assert_eq!(rx.try_recv(), Err(OneshotTryRecvError::Closed));
    });
}

/// `Sender::closed` completes once the receiver is dropped, waking the
/// task that awaits it (from whichever thread the receiver is dropped on).
fn oneshot_sender_closed_completes_when_the_receiver_is_dropped<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let (mut tx, rx) = R::oneshot::<u8>();
        let polled = Arc::new(AtomicUsize::new(0));
        let flag = polled.clone();
        let watcher = R::spawn(async move {
            flag.store(1, SeqCst);
            tx.closed().await;
            tx.is_closed()
        });
        until::<R>(|| polled.load(SeqCst) == 1).await;
        turns::<R>(3).await;
        assert!(!watcher.is_finished());
        std::thread::spawn(move || drop(rx)).join().unwrap();
        assert!(watcher.await.unwrap());
    });
}

/// `blocking_recv` on a plain thread (outside any runtime) waits for the
/// value that a task sends.
fn oneshot_blocking_recv_on_a_plain_thread<R: Rt>() {
    let rt = R::build();
    let (tx, rx) = R::oneshot::<u32>();
    let thread = std::thread::spawn(move || rx.blocking_recv());
    rt.block_on(async {
        R::sleep(Duration::from_millis(5)).await;
        R::spawn(async move { tx.send(77).unwrap() }).await.unwrap();
    });
    assert_eq!(thread.join().unwrap().unwrap(), 77);
}

/// A send from a plain thread wakes the task awaiting the receiver while
/// the runtime is parked.
fn oneshot_send_from_a_plain_thread_wakes_the_receiving_task<R: Rt>() {
    let rt = R::build();
    let out = rt.block_on(async {
        let (tx, rx) = R::oneshot::<u32>();
        let task = R::spawn(rx);
        let thread = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            tx.send(8).unwrap();
        });
        let out = task.await.unwrap().unwrap();
        thread.join().unwrap();
        out
    });
    assert_eq!(out, 8);
}

/// A value sent but never received is dropped exactly once, when the
/// receiver is dropped.
fn oneshot_unreceived_value_is_dropped_once<R: Rt>() {
    let rt = R::build();
    let drops = DropCounter::new();
    rt.block_on(async {
        let (tx, rx) = R::oneshot();
        assert!(tx.send(drops.token()).is_ok());
        assert_eq!(drops.drops(), 0);
        drop(rx);
        assert_eq!(drops.drops(), 1);
    });
    assert_eq!(drops.drops(), 1);
}

// ---------------------------------------------------------------------------
// mpsc

/// One sender task sends 500 messages through a channel of capacity 8:
/// they arrive in order, then `recv` gives `None`.
fn mpsc_messages_arrive_in_send_order<R: Rt>() {
    let rt = R::build();
    let received = rt.block_on(async {
        let (tx, mut rx) = R::channel::<u32>(8);
        let sender = R::spawn(async move {
            for i in 0..500 {
                tx.send(i).await.unwrap();
            }
        });
        let mut received = Vec::new();
        while let Some(i) = rx.recv().await {
            received.push(i);
        }
        sender.await.unwrap();
        received
    });
    assert_eq!(received, (0..500).collect::<Vec<_>>());
}

/// Four sender tasks (clones of one sender) send 100 messages each: all
/// 400 arrive, and each sender's messages arrive in its order.
fn mpsc_each_senders_messages_stay_in_order<R: Rt>() {
    let rt = R::build();
    let received = rt.block_on(async {
        let (tx, mut rx) = R::channel::<(usize, usize)>(4);
        for s in 0..4 {
            let tx = tx.clone();
            drop(R::spawn(async move {
                for i in 0..100 {
                    tx.send((s, i)).await.unwrap();
                }
            }));
        }
        drop(tx);
        let mut received = Vec::new();
        while let Some(message) = rx.recv().await {
            received.push(message);
        }
        received
    });
    assert_eq!(received.len(), 400);
    for s in 0..4 {
        let mine: Vec<_> = received.iter().filter(|m| m.0 == s).map(|m| m.1).collect();
        assert_eq!(mine, (0..100).collect::<Vec<_>>(), "sender {s}");
    }
}

/// `try_send` fills the buffer up to the capacity, then gives
/// `Full(value)`; receiving one message makes room for one more.
/// `capacity()` and `len()` follow.
fn mpsc_try_send_reports_full_at_capacity<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let (tx, mut rx) = R::channel::<u8>(2);
        assert_eq!(tx.capacity(), 2);
        assert!(rx.is_empty());
        tx.try_send(1).unwrap();
        tx.try_send(2).unwrap();
        assert_eq!(tx.capacity(), 0);
        assert_eq!(rx.len(), 2);
        assert_eq!(tx.try_send(3), Err(TrySendError::Full(3)));
        assert_eq!(rx.recv().await, Some(1));
        assert_eq!(tx.capacity(), 1);
        tx.try_send(3).unwrap();
        assert_eq!(tx.try_send(4), Err(TrySendError::Full(4)));
        assert_eq!(rx.try_recv(), Ok(2));
        assert_eq!(rx.try_recv(), Ok(3));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    });
}

/// On a full channel, `send` waits (`Pending`) until a message is
/// received, then completes.
fn mpsc_send_waits_for_capacity<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let (tx, mut rx) = R::channel::<u8>(1);
        tx.send(1).await.unwrap();
        let mut second = pin!(tx.send(2));
        assert!(poll_once(second.as_mut()).await.is_pending());
        assert!(poll_once(second.as_mut()).await.is_pending());
        assert_eq!(rx.recv().await, Some(1));
        second.await.unwrap();
        assert_eq!(rx.recv().await, Some(2));
    });
}

/// A producer task sends 200 messages through a channel of capacity 3
/// while a consumer receives slowly: whenever the consumer looks, the
/// producer has completed at most `capacity` more sends than the consumer
/// has received.
fn mpsc_the_buffer_never_holds_more_than_the_capacity<R: Rt>() {
    const CAPACITY: usize = 3;
    let rt = R::build();
    rt.block_on(async {
        let (tx, mut rx) = R::channel::<usize>(CAPACITY);
        let sent = Arc::new(AtomicUsize::new(0));
        let counter = sent.clone();
        let producer = R::spawn(async move {
            for i in 0..200 {
                tx.send(i).await.unwrap();
                counter.fetch_add(1, SeqCst);
            }
        });
        let mut received = 0;
        while let Some(i) = rx.recv().await {
            assert_eq!(i, received);
            received += 1;
            if i % 7 == 0 {
                super::util::turns::<R>(3).await;
            }
            let sent = sent.load(SeqCst);
            assert!(
                sent <= received + CAPACITY,
                "{sent} sends completed, {received} received"
            );
        }
        assert_eq!(received, 200);
        producer.await.unwrap();
    });
}

/// Messages sent before the senders were dropped are still received; then
/// `recv` gives `None`, `try_recv` `Disconnected`, and `is_closed` is true.
fn mpsc_recv_gives_none_after_every_sender_is_dropped<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let (tx, mut rx) = R::channel::<u8>(4);
        let tx2 = tx.clone();
        tx.send(1).await.unwrap();
        tx2.send(2).await.unwrap();
        drop(tx);
        assert!(!rx.is_closed());
        assert_eq!(rx.recv().await, Some(1));
        drop(tx2);
        assert!(rx.is_closed());
        assert_eq!(rx.recv().await, Some(2));
        assert_eq!(rx.recv().await, None);
        assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
        assert_eq!(rx.recv().await, None);
    });
}

/// A receiver waiting on an empty channel is woken with `None` when the
/// last sender is dropped, by a task or by a plain thread.
fn mpsc_recv_waiting_when_the_last_sender_drops_gets_none<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let (tx, mut rx) = R::channel::<u8>(1);
        let receiver = R::spawn(async move { rx.recv().await });
        turns::<R>(3).await;
        drop(R::spawn(async move { drop(tx) }));
        assert_eq!(receiver.await.unwrap(), None);

        let (tx, mut rx) = R::unbounded_channel::<u8>();
        let thread = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(10));
            drop(tx);
        });
        assert_eq!(rx.recv().await, None);
        thread.join().unwrap();
    });
}

/// `Receiver::close`: senders see `is_closed`, `send` and `try_send` fail
/// and give the value back, but messages already buffered are still
/// received; then `recv` gives `None`.
fn mpsc_close_stops_senders_but_keeps_buffered_messages<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let (tx, mut rx) = R::channel::<u8>(4);
        tx.send(1).await.unwrap();
        tx.send(2).await.unwrap();
        rx.close();
        assert!(tx.is_closed());
        assert!(rx.is_closed());
        assert_eq!(tx.send(3).await, Err(3));
        assert_eq!(tx.try_send(4), Err(TrySendError::Closed(4)));
        assert_eq!(rx.recv().await, Some(1));
        assert_eq!(rx.recv().await, Some(2));
        assert_eq!(rx.recv().await, None);
    });
}

/// A sender waiting for capacity on a full channel is woken by `close`,
/// and its `send` fails, giving the value back.
fn mpsc_close_wakes_a_sender_waiting_for_capacity<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let (tx, mut rx) = R::channel::<u8>(1);
        tx.send(1).await.unwrap();
        let waiting = Arc::new(AtomicUsize::new(0));
        let flag = waiting.clone();
        let sender = R::spawn(async move {
            flag.store(1, SeqCst);
            tx.send(9).await
        });
        until::<R>(|| waiting.load(SeqCst) == 1).await;
        turns::<R>(3).await;
        rx.close();
        assert_eq!(sender.await.unwrap(), Err(9));
        assert_eq!(rx.recv().await, Some(1));
        assert_eq!(rx.recv().await, None);
    });
}

/// After the receiver is dropped, `send` fails at once and gives the value
/// back, and `try_send` gives `Closed(value)`.
fn mpsc_send_after_the_receiver_is_dropped_gives_the_value_back<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let (tx, rx) = R::channel::<String>(2);
        drop(rx);
        assert!(tx.is_closed());
        assert_eq!(tx.send("a".to_owned()).await, Err("a".to_owned()));
        assert_eq!(
            tx.try_send("b".to_owned()),
            Err(TrySendError::Closed("b".to_owned()))
        );
    });
}

/// `Sender::closed` completes once the receiver is dropped.
fn mpsc_sender_closed_completes_when_the_receiver_is_dropped<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let (tx, rx) = R::channel::<u8>(1);
        let started = Arc::new(AtomicUsize::new(0));
        let flag = started.clone();
        let watcher = R::spawn(async move {
            flag.store(1, SeqCst);
            tx.closed().await;
            tx.is_closed()
        });
        until::<R>(|| started.load(SeqCst) == 1).await;
        turns::<R>(3).await;
        assert!(!watcher.is_finished());
        drop(rx);
        assert!(watcher.await.unwrap());
    });
}

/// A `send` future that waited for capacity and was dropped before it
/// completed sends nothing, and does not hold a slot: only the first
/// message is received, and after it one new message fits again.
fn mpsc_a_dropped_send_future_sends_nothing<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let (tx, mut rx) = R::channel::<u8>(1);
        tx.send(1).await.unwrap();
        {
            let mut cancelled = pin!(tx.send(2));
            assert!(poll_once(cancelled.as_mut()).await.is_pending());
        }
        assert_eq!(rx.recv().await, Some(1));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
        tx.try_send(3).unwrap();
        assert_eq!(rx.recv().await, Some(3));
    });
}

/// `blocking_send` on a plain thread feeds a task through a small channel
/// (waiting for capacity), and `blocking_recv` on a plain thread drains a
/// channel that a task fills.
fn mpsc_blocking_send_and_recv_on_plain_threads<R: Rt>() {
    let rt = R::build();
    let (tx, mut rx) = R::channel::<u32>(2);
    let producer = std::thread::spawn(move || {
        for i in 0..100 {
            tx.blocking_send(i).unwrap();
        }
    });
    let (back_tx, mut back_rx) = R::channel::<u32>(2);
    let consumer = std::thread::spawn(move || {
        let mut got = Vec::new();
        while let Some(i) = back_rx.blocking_recv() {
            got.push(i);
        }
        got
    });
    rt.block_on(async {
        while let Some(i) = rx.recv().await {
            back_tx.send(i * 2).await.unwrap();
        }
        drop(back_tx);
    });
    producer.join().unwrap();
    assert_eq!(
        consumer.join().unwrap(),
        (0..100).map(|i| i * 2).collect::<Vec<_>>()
    );
}

/// A `try_send` (bounded) or `send` (unbounded) from a plain thread wakes
/// a runtime parked in `block_on` awaiting `recv`.
fn mpsc_send_from_a_plain_thread_wakes_a_parked_receiver<R: Rt>() {
    let rt = R::build();
    let (tx, mut rx) = R::channel::<u8>(1);
    let (utx, mut urx) = R::unbounded_channel::<u8>();
    let thread = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        tx.try_send(1).unwrap();
        std::thread::sleep(Duration::from_millis(10));
        utx.send(2).unwrap();
    });
    rt.block_on(async {
        assert_eq!(rx.recv().await, Some(1));
        assert_eq!(urx.recv().await, Some(2));
    });
    thread.join().unwrap();
}

/// Messages still buffered when the receiver is dropped are dropped
/// (each exactly once), whether the senders are still alive or not.
fn mpsc_buffered_messages_are_dropped_with_the_receiver<R: Rt>() {
    let rt = R::build();
    let drops = DropCounter::new();
    rt.block_on(async {
        let (tx, rx) = R::channel(4);
        for _ in 0..3 {
            tx.send(drops.token()).await.unwrap();
        }
        drop(rx);
        assert_eq!(drops.drops(), 3, "dropped with the receiver");
        drop(tx);

        let (tx, rx) = R::unbounded_channel();
        for _ in 0..3 {
            tx.send(drops.token()).unwrap();
        }
        drop(tx);
        assert_eq!(drops.drops(), 3, "kept for the receiver");
        drop(rx);
        assert_eq!(drops.drops(), 6);
    });
}

/// The unbounded channel's `send` is synchronous and never waits: 10,000
/// messages are buffered at once (`len`), then received in order.
fn unbounded_send_never_waits_and_keeps_order<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let (tx, mut rx) = R::unbounded_channel::<u32>();
        for i in 0..10_000 {
            tx.send(i).unwrap();
        }
        assert_eq!(rx.len(), 10_000);
        drop(tx);
        let mut expected = 0;
        while let Some(i) = rx.recv().await {
            assert_eq!(i, expected);
            expected += 1;
        }
        assert_eq!(expected, 10_000);
    });
}

/// The unbounded receiver's `close` and drop behave like the bounded
/// one's: later sends fail with the value, buffered messages remain.
fn unbounded_receiver_closes_like_the_bounded_one<R: Rt>() {
    let rt = R::build();
    rt.block_on(async {
        let (tx, mut rx) = R::unbounded_channel::<u8>();
        tx.send(1).unwrap();
        rx.close();
        assert!(tx.is_closed());
        assert_eq!(tx.send(2), Err(2));
        assert_eq!(rx.try_recv(), Ok(1));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
        assert_eq!(rx.recv().await, None);

        let (tx, rx) = R::unbounded_channel::<u8>();
        drop(rx);
        assert_eq!(tx.send(3), Err(3));
    });
}
